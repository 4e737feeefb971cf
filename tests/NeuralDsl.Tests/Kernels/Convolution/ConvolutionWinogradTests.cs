using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="ConvolutionWinograd"/>: the F(2×2, 3×3) and F(4×4, 3×3) forward passes against the plain-loop reference
/// (plus bias and ReLU applied to the reference by hand) for valid and same padding, odd sizes, one channel, the MNIST
/// CNN's 13×13×32 → 64 layer and batches of 1 and 3; the same result on one and two threads and with or without a
/// kernel cache; the cache's reuse and invalidation; the in-place products; which geometries it supports; the errors;
/// and no allocation per call. Errors are measured as max |actual − expected| over the largest
/// |expected| of the case: Winograd's rounding scales with the transformed values, not with each output, so an
/// output that cancels to nearly zero would make an element-wise relative error meaningless.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ConvolutionWinogradTests
{
    /// <summary>Double agrees with the double reference to this error relative to the largest output.</summary>
    private const double DoubleTolerance = 1e-10;

    /// <summary>
    /// F(2×2, 3×3) in float agrees with the double reference (on the same float-representable inputs) to this error
    /// relative to the largest output: sums of up to 9·32 products with transforms that grow values by at most 4× per
    /// side stay far below it at float's 6e-8 unit roundoff.
    /// </summary>
    private const double FloatTolerance = 1e-5;

    /// <summary>
    /// F(4×4, 3×3) in float: its input transform multiplies by up to 5 and its output transform by up to 8 per side,
    /// and the kernel transform rounds ⅙, 1/12 and 1/24, so its rounding error is several times F(2×2, 3×3)'s: at most
    /// 3.6e-6 of the largest output over these cases (the MNIST layer, batch 3); a wrong coefficient would be off by
    /// whole percents.
    /// </summary>
    private const double LargeTileFloatTolerance = 2e-5;

    private static readonly ConvolutionStrategy[] Algorithms = [ConvolutionStrategy.Winograd, ConvolutionStrategy.Winograd4x4];

    private static double FloatToleranceOf(ConvolutionStrategy algorithm) =>
        algorithm == ConvolutionStrategy.Winograd4x4 ? LargeTileFloatTolerance : FloatTolerance;

    /// <summary>(name, batch, geometry): valid and same, odd sizes, one channel, vector tails of C and F.</summary>
    private static readonly (string Name, int Batch, Conv2DGeometry G)[] Shapes =
    [
        ("valid 5x7 C3 F5", 1, Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 1, 1, 1, 1, false)),
        ("valid 5x7 C3 F5 batch 3", 3, Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 1, 1, 1, 1, false)),
        ("same 5x7 C3 F5", 1, Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 1, 1, 1, 1, true)),
        ("same 5x7 C3 F5 batch 3", 3, Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 1, 1, 1, 1, true)),
        ("mnist 13x13x32 to 64 valid", 1, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false)),
        ("mnist 13x13x32 to 64 valid batch 3", 3, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false)),
        ("mnist 13x13x32 to 64 same", 1, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, true)),
        ("28x28x1 to 32 valid", 1, Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false)),
        ("28x28x1 to 32 same batch 3", 3, Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, true)),
        ("valid 6x8 even output C17 F1", 3, Conv2DGeometry.Create(6, 8, 17, 1, 3, 3, 1, 1, 1, 1, false)),
        ("same 1x6 one row C2 F37", 1, Conv2DGeometry.Create(1, 6, 2, 37, 3, 3, 1, 1, 1, 1, true)),
        ("valid 3x3 one output C9 F70", 3, Conv2DGeometry.Create(3, 3, 9, 70, 3, 3, 1, 1, 1, 1, false)),
        ("same 2x2 C1 F1", 1, Conv2DGeometry.Create(2, 2, 1, 1, 3, 3, 1, 1, 1, 1, true)),
    ];

    public static TheoryData<ConvolutionStrategy, string, bool, bool> Cases()
    {
        var data = new TheoryData<ConvolutionStrategy, string, bool, bool>();
        foreach (ConvolutionStrategy algorithm in Algorithms)
            foreach (var shape in Shapes)
                foreach (bool bias in new[] { false, true })
                    foreach (bool relu in new[] { false, true })
                        data.Add(algorithm, shape.Name, bias, relu);
        return data;
    }

    private static (int Batch, Conv2DGeometry G) Shape(string name)
    {
        int index = Array.FindIndex(Shapes, s => s.Name == name);
        Assert.True(index >= 0, $"Unknown shape '{name}'.");
        return (Shapes[index].Batch, Shapes[index].G);
    }

    /// <summary>The reference convolution followed by the bias (if any) and ReLU (if asked).</summary>
    private static double[] Expected(double[] x, double[] kernel, double[] bias, bool relu, int batch, Conv2DGeometry g)
    {
        double[] y = ConvolutionReference.Forward(x, kernel, batch, g);
        for (int i = 0; i < y.Length; i++)
        {
            double value = y[i] + (bias.Length == 0 ? 0 : bias[i % g.Filters]);
            y[i] = relu ? Math.Max(value, 0) : value;
        }
        return y;
    }

    /// <summary>max |actual − expected| / max |expected| (the absolute error when every expected value is 0).</summary>
    private static double ErrorOverLargest(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = 0, error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i]));
            double difference = Math.Abs(actual[i] - expected[i]);
            // NaN (an element never written, or read from stale scratch) must fail, and Math.Max would keep it only
            // by accident of argument order.
            error = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(error, difference);
        }
        return largest == 0 ? error : error / largest;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DoubleMatchesTheReference(ConvolutionStrategy algorithm, string name, bool withBias, bool relu)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        Assert.True(ConvolutionWinograd.Supports(g));
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 51);
        double[] kernel = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 52);
        double[] bias = withBias ? KernelTestData.Uniform(g.Filters, -1, 1, seed: 53) : [];
        double[] expected = Expected(x, kernel, bias, relu, batch, g);
        // Garbage in the output and NaN in the scratch: every output must be written and no stale scratch read.
        double[] y = KernelTestData.Uniform(expected.Length, -9, 9, seed: 54);
        var scratch = new double[ConvolutionWinograd.ScratchLength(g, batch, algorithm)];
        Array.Fill(scratch, double.NaN);

        ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, scratch, relu, algorithm);

        double error = ErrorOverLargest(expected, y);
        Assert.True(error <= DoubleTolerance, $"{algorithm} {name} bias={withBias} relu={relu}: error {error:E2} over the largest output exceeds {DoubleTolerance:E0}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatMatchesTheDoubleReference(ConvolutionStrategy algorithm, string name, bool withBias, bool relu)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 61));
        float[] kernel = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 62));
        float[] bias = withBias ? KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 63)) : [];
        double[] expected = Expected(KernelTestData.ToDouble(x), KernelTestData.ToDouble(kernel),
            KernelTestData.ToDouble(bias), relu, batch, g);
        float[] y = KernelTestData.ToSingle(KernelTestData.Uniform(expected.Length, -9, 9, seed: 64));
        var scratch = new float[ConvolutionWinograd.ScratchLength(g, batch, algorithm)];
        Array.Fill(scratch, float.NaN);

        ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu, algorithm);

        double error = ErrorOverLargest(expected, KernelTestData.ToDouble(y));
        double tolerance = FloatToleranceOf(algorithm);
        Assert.True(error <= tolerance, $"{algorithm} {name} bias={withBias} relu={relu}: error {error:E2} over the largest output exceeds {tolerance:E0}.");
    }

    [Theory]
    [InlineData(ConvolutionStrategy.Winograd, 4)]
    [InlineData(ConvolutionStrategy.Winograd, 32)]
    [InlineData(ConvolutionStrategy.Winograd4x4, 4)]
    [InlineData(ConvolutionStrategy.Winograd4x4, 32)]
    public void OneAndTwoThreadsGiveTheSameBits(ConvolutionStrategy algorithm, int batch)
    {
        // The MNIST layer. Batch 4: one chunk, past the parallel threshold, so the threads split the α² ξ (one sample
        // stays on one thread). Batch 32: several chunks (F(2×2, 3×3) in float 7 of up to 170 tiles, in double 14 of
        // up to 85) shared with the worker when it is free.
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 71);
        double[] kernel = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 72);
        double[] bias = KernelTestData.Uniform(g.Filters, -1, 1, seed: 73);
        float[] xf = KernelTestData.ToSingle(x), kernelF = KernelTestData.ToSingle(kernel), biasF = KernelTestData.ToSingle(bias);
        var scratch = new double[ConvolutionWinograd.ScratchLength(g, batch, algorithm)];
        var scratchF = new float[scratch.Length];
        var one = new double[batch * g.OutputSize];
        var two = new double[one.Length];
        var oneF = new float[one.Length];
        var twoF = new float[one.Length];
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            ConvolutionWinograd.Forward<double>(x, kernel, bias, one, batch, g, scratch, relu: true, algorithm);
            ConvolutionWinograd.Forward<float>(xf, kernelF, biasF, oneF, batch, g, scratchF, relu: true, algorithm);
            Gemm.MaxThreads = 2;
            ConvolutionWinograd.Forward<double>(x, kernel, bias, two, batch, g, scratch, relu: true, algorithm);
            ConvolutionWinograd.Forward<float>(xf, kernelF, biasF, twoF, batch, g, scratchF, relu: true, algorithm);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
        Assert.Equal(one, two);
        Assert.Equal(oneF, twoF);
        Assert.True(ErrorOverLargest(Expected(x, kernel, bias, relu: true, batch, g), two) <= DoubleTolerance);
        double[] expectedF = Expected(KernelTestData.ToDouble(xf), KernelTestData.ToDouble(kernelF),
            KernelTestData.ToDouble(biasF), relu: true, batch, g);
        Assert.True(ErrorOverLargest(expectedF, KernelTestData.ToDouble(twoF)) <= FloatToleranceOf(algorithm));
    }

    [Fact]
    public void SupportsOnlyThreeByThreeStrideOneUndilated()
    {
        Assert.True(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 3, 3, 1, 1, 1, 1, true)));
        Assert.True(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 3, 3, 1, 1, 1, 1, false)));
        Assert.False(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 3, 3, 2, 2, 1, 1, true)));
        Assert.False(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 3, 3, 1, 2, 1, 1, true)));
        Assert.False(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 3, 3, 1, 1, 2, 2, true)));
        Assert.False(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 5, 5, 1, 1, 1, 1, true)));
        Assert.False(ConvolutionWinograd.Supports(Conv2DGeometry.Create(8, 8, 2, 2, 3, 1, 1, 1, 1, 1, true)));
        Assert.False(ConvolutionWinograd.Supports(Conv2DGeometry.Create1D(8, 2, 2, 3, 1, 1, true)));
    }

    [Fact]
    public void ScratchLengthCountsTheThreeTransformsAndTheZeroPixel()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        // 11×11 outputs → 6×6 tiles per sample; the 16 kernel matrices of 2048 elements are 2064 apart (129 blocks of
        // 16, an odd count, so they do not start 4 KB multiples apart).
        Assert.Equal(2064, ConvolutionWinograd.KernelRowStride(g));
        Assert.Equal(16 * 2064 + 32 + 16 * 2 * 36 * (32 + 64), ConvolutionWinograd.ScratchLength(g, 2, ConvolutionStrategy.Winograd));
        Assert.Equal(16 * 2064 + 32, ConvolutionWinograd.ScratchLength(g, 0, ConvolutionStrategy.Winograd));
        Assert.Equal(16 * 16 + 1, ConvolutionWinograd.ScratchLength(Conv2DGeometry.Create(2, 2, 1, 1, 3, 3, 1, 1, 1, 1, true), 0, ConvolutionStrategy.Winograd));
        // F(4×4, 3×3): 3×3 tiles of 4×4 outputs per sample (the last row and column overhang the 11×11 output), 36
        // transform elements each.
        Assert.Equal(36 * 2064 + 32 + 36 * 2 * 9 * (32 + 64), ConvolutionWinograd.ScratchLength(g, 2, ConvolutionStrategy.Winograd4x4));
        Assert.Equal(36 * 16 + 1, ConvolutionWinograd.ScratchLength(Conv2DGeometry.Create(2, 2, 1, 1, 3, 3, 1, 1, 1, 1, true), 0, ConvolutionStrategy.Winograd4x4));
    }

    [Fact]
    public void KernelCacheHoldsAHeaderTheKernelAndItsTransform()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        // 16 header elements, the 18,432-element kernel (a whole number of 64-element blocks) and the α² matrices.
        Assert.Equal(16 + 18432 + 16 * 2064, ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Winograd));
        Assert.Equal(16 + 18432 + 36 * 2064, ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Winograd4x4));
        // A 3×3×1×1 kernel (9 elements) is padded to one block of 64; its matrices are one block of 16 apart.
        Conv2DGeometry tiny = Conv2DGeometry.Create(2, 2, 1, 1, 3, 3, 1, 1, 1, 1, true);
        Assert.Equal(16 + 64 + 36 * 16, ConvolutionWinograd.KernelCacheLength(tiny, ConvolutionStrategy.Winograd4x4));
        // The public entry: 0 for the strategies that need no cache, the Winograd length otherwise.
        Assert.Equal(0, Convolution.KernelCacheLength(g, ConvolutionStrategy.Im2Col));
        Assert.Equal(0, Convolution.KernelCacheLength(g, ConvolutionStrategy.Direct));
        Assert.Equal(ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Winograd4x4), Convolution.KernelCacheLength(g, ConvolutionStrategy.Winograd4x4));
        var e = Assert.Throws<ArgumentException>(() => Convolution.KernelCacheLength(Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 2, 2, 1, 1, false), ConvolutionStrategy.Winograd));
        Assert.Contains("stride 2×2", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Im2Col));
        Assert.Equal("algorithm", e.ParamName);
        Assert.Contains("Im2Col is not a Winograd algorithm", e.Message);
    }

    [Theory]
    [InlineData(ConvolutionStrategy.Winograd, 1)]
    [InlineData(ConvolutionStrategy.Winograd, 4)]
    [InlineData(ConvolutionStrategy.Winograd, 32)]
    [InlineData(ConvolutionStrategy.Winograd4x4, 1)]
    [InlineData(ConvolutionStrategy.Winograd4x4, 4)]
    [InlineData(ConvolutionStrategy.Winograd4x4, 32)]
    public void KernelCacheGivesTheSameBitsAndFollowsTheKernel(ConvolutionStrategy algorithm, int batch)
    {
        // Batch 1 runs on one thread; batch 4 splits the α² ξ (and the kernel transform) between two threads when the
        // worker is free; batch 32 shares chunks after the caller transformed the kernel.
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 81));
        float[] kernel = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 82));
        float[] bias = KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 83));
        var scratch = new float[ConvolutionWinograd.ScratchLength(g, batch, algorithm)];
        var cache = new float[ConvolutionWinograd.KernelCacheLength(g, algorithm)];
        float[] Uncached()
        {
            var y = new float[batch * g.OutputSize];
            ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu: false, algorithm);
            return y;
        }
        float[] Cached()
        {
            var y = new float[batch * g.OutputSize];
            ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu: false, algorithm, cache);
            return y;
        }

        // First call fills the cache, the second reuses it: both are the uncached bits.
        Assert.Equal(Uncached(), Cached());
        Assert.Equal(1f, cache[0]);
        Assert.Equal(Uncached(), Cached());

        // The cache is really reused: with the copy of the kernel intact, a poisoned transform shows in the output.
        int uStart = 16 + (g.KernelSize + 63) / 64 * 64;
        float saved = cache[uStart];
        cache[uStart] = float.NaN;
        Assert.Contains(Cached(), float.IsNaN);
        cache[uStart] = saved;

        // One changed weight (even to −0 from +0, which compares equal as a number) invalidates it; so does a new kernel.
        kernel[g.KernelSize / 2] += 0.25f;
        Assert.Equal(Uncached(), Cached());
        kernel[7] = 0f;
        Cached();
        kernel[7] = -0f;
        Assert.Equal(Uncached(), Cached());
        KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 84)).CopyTo(kernel, 0);
        Assert.Equal(Uncached(), Cached());

        // A zeroed cache is an empty one, even for an all-zero kernel (the header says the transform is not there).
        Array.Clear(kernel);
        Array.Clear(cache);
        Assert.Equal(Uncached(), Cached());
    }

    /// <summary>The in-place products (and their fall-back to Gemm for other filter counts) against a double reference.</summary>
    [Theory]
    [InlineData(1, 32, 64)]
    [InlineData(2, 32, 64)]
    [InlineData(5, 3, 64)]
    [InlineData(6, 32, 128)]
    [InlineData(9, 32, 64)]
    [InlineData(13, 17, 64)]
    [InlineData(36, 32, 64)]
    [InlineData(9, 32, 48)]
    [InlineData(7, 5, 37)]
    public void ProductsMatchTheReference(int rows, int depth, int filters)
    {
        double[] v = KernelTestData.Uniform(rows * depth, -1, 1, seed: 91);
        double[] u = KernelTestData.Uniform(depth * filters, -1, 1, seed: 92);
        var expected = new double[rows * filters];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < filters; f++)
                for (int c = 0; c < depth; c++)
                    expected[r * filters + f] += v[r * depth + c] * u[c * filters + f];
        float[] vf = KernelTestData.ToSingle(v), uf = KernelTestData.ToSingle(u);
        var m = new double[expected.Length];
        var mf = new float[expected.Length];
        unsafe
        {
            fixed (double* pv = v, pu = u, pm = m)
                ConvolutionWinogradProduct.Multiply(pv, pu, pm, rows, depth, filters);
            fixed (float* pv = vf, pu = uf, pm = mf)
                ConvolutionWinogradProduct.Multiply(pv, pu, pm, rows, depth, filters);
        }
        KernelTestData.AssertClose(expected, m, 1e-13, 1e-13, "double");
        // float inputs are within 6e-8 of the double ones; sums of up to 32 products of magnitude ≤ 1.
        KernelTestData.AssertClose(expected, KernelTestData.ToDouble(mf), 2e-5, 1e-5, "float");
    }

    [Fact]
    public void ScratchBeyondIntThrowsNamingTheSize()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(1000, 1000, 64, 64, 3, 3, 1, 1, 1, 1, true);
        var e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g, 10_000, ConvolutionStrategy.Winograd));
        Assert.Contains("2147483647", e.Message);
        Assert.Equal("batch", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g, int.MaxValue, ConvolutionStrategy.Winograd4x4));
        Assert.Contains("more than", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g, -1, ConvolutionStrategy.Winograd));
        Assert.Contains("-1", e.Message);
    }

    [Fact]
    public void WrongLengthsAndGeometriesThrowNamingExpectedAndActual()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 1, 1, 1, 1, true);
        const int batch = 2;
        var x = new double[batch * g.InputSize];
        var kernel = new double[g.KernelSize];
        var bias = new double[g.Filters];
        var y = new double[batch * g.OutputSize];
        var scratch = new double[ConvolutionWinograd.ScratchLength(g, batch, ConvolutionStrategy.Winograd)];

        var e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x.AsSpan(1), kernel, bias, y, batch, g, scratch, false, ConvolutionStrategy.Winograd));
        Assert.Equal("x", e.ParamName);
        Assert.Contains($"{x.Length - 1}", e.Message);
        Assert.Contains($"= {x.Length}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel.AsSpan(1), bias, y, batch, g, scratch, false, ConvolutionStrategy.Winograd));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains($"= {kernel.Length}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias.AsSpan(1), y, batch, g, scratch, false, ConvolutionStrategy.Winograd));
        Assert.Equal("bias", e.ParamName);
        Assert.Contains("length 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y.AsSpan(2), batch, g, scratch, false, ConvolutionStrategy.Winograd));
        Assert.Equal("y", e.ParamName);
        Assert.Contains($"= {y.Length}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, scratch.AsSpan(1), false, ConvolutionStrategy.Winograd));
        Assert.Equal("scratch", e.ParamName);
        Assert.Contains($"{scratch.Length}", e.Message);
        // x and y sharing one element of a buffer.
        var shared = new double[x.Length + y.Length - 1];
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(shared.AsSpan(0, x.Length), kernel, bias, shared.AsSpan(x.Length - 1), batch, g, scratch, false, ConvolutionStrategy.Winograd));
        Assert.Equal("y", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, scratch.AsSpan(0, y.Length), batch, g, scratch, false, ConvolutionStrategy.Winograd));
        Assert.Equal("scratch", e.ParamName);

        Conv2DGeometry strided = Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 2, 2, 1, 1, true);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(strided, 1, ConvolutionStrategy.Winograd));
        Assert.Contains("stride 2×2", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g with { PadTop = 3 }, 1, ConvolutionStrategy.Winograd4x4));
        Assert.Contains("padding", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, scratch, false, ConvolutionStrategy.Im2Col));
        Assert.Equal("algorithm", e.ParamName);
        // A kernel cache of the wrong length, or one that overlaps the scratch.
        var cache = new double[ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Winograd)];
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, scratch, false, ConvolutionStrategy.Winograd4x4, cache));
        Assert.Equal("kernelCache", e.ParamName);
        Assert.Contains($"length {cache.Length} is not the {ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Winograd4x4)} elements", e.Message);
        var big = new double[scratch.Length + cache.Length];
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, big.AsSpan(0, scratch.Length), false, ConvolutionStrategy.Winograd, big.AsSpan(scratch.Length - 1, cache.Length)));
        Assert.Equal("kernelCache", e.ParamName);
        Assert.Throws<NotSupportedException>(() => ConvolutionWinograd.Forward<Half>(new Half[x.Length], new Half[kernel.Length], [], new Half[y.Length], batch, g, new Half[scratch.Length], false, ConvolutionStrategy.Winograd));
    }

    [Fact]
    public void ForwardAllocatesNothingAfterWarmUp()
    {
        foreach (int batch in new[] { 1, 32 })
        {
            Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
            var x = new float[batch * g.InputSize];
            var kernel = new float[g.KernelSize];
            var bias = new float[g.Filters];
            var y = new float[batch * g.OutputSize];
            var scratch = new float[ConvolutionTestShapes.ScratchFor(g, batch)];
            var cache = new float[ConvolutionWinograd.KernelCacheLength(g, ConvolutionStrategy.Winograd4x4)];
            var xd = new double[x.Length];
            var kernelD = new double[kernel.Length];
            var yd = new double[y.Length];
            var scratchD = new double[scratch.Length];
            void Calls()
            {
                ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu: true, ConvolutionStrategy.Winograd4x4, cache);
                ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu: true, ConvolutionStrategy.Winograd);
                ConvolutionWinograd.Forward<double>(xd, kernelD, [], yd, batch, g, scratchD, relu: false, ConvolutionStrategy.Winograd4x4);
            }
            // Warm up both element types, the GEMM buffers of both threads and the worker.
            Calls();
            Calls();
            long workerBefore = WorkerPool.AllocatedBytes;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
                Calls();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.Equal(workerBefore, WorkerPool.AllocatedBytes);
        }
    }
}
