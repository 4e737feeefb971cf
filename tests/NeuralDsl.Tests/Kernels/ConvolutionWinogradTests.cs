using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="ConvolutionWinograd"/>: the F(2×2, 3×3) forward pass against the plain-loop reference (plus bias and
/// ReLU applied to the reference by hand) for valid and same padding, odd sizes, one channel, the MNIST CNN's
/// 13×13×32 → 64 layer and batches of 1 and 3; the same result on one and two threads; which geometries it
/// supports; the errors; and no allocation per call. Errors are measured as max |actual − expected| over the largest
/// |expected| of the case: Winograd's rounding scales with the transformed values, not with each output, so an
/// output that cancels to nearly zero would make an element-wise relative error meaningless.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ConvolutionWinogradTests
{
    /// <summary>Double agrees with the double reference to this error relative to the largest output.</summary>
    private const double DoubleTolerance = 1e-10;

    /// <summary>
    /// Float agrees with the double reference (on the same float-representable inputs) to this error relative to the
    /// largest output: sums of up to 9·32 products with transforms that grow values by at most 4× per side stay far
    /// below it at float's 6e-8 unit roundoff.
    /// </summary>
    private const double FloatTolerance = 1e-5;

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

    public static TheoryData<string, bool, bool> Cases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var shape in Shapes)
            foreach (bool bias in new[] { false, true })
                foreach (bool relu in new[] { false, true })
                    data.Add(shape.Name, bias, relu);
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
    public void DoubleMatchesTheReference(string name, bool withBias, bool relu)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        Assert.True(ConvolutionWinograd.Supports(g));
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 51);
        double[] kernel = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 52);
        double[] bias = withBias ? KernelTestData.Uniform(g.Filters, -1, 1, seed: 53) : [];
        double[] expected = Expected(x, kernel, bias, relu, batch, g);
        // Garbage in the output and NaN in the scratch: every output must be written and no stale scratch read.
        double[] y = KernelTestData.Uniform(expected.Length, -9, 9, seed: 54);
        var scratch = new double[ConvolutionWinograd.ScratchLength(g, batch)];
        Array.Fill(scratch, double.NaN);

        ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, scratch, relu);

        double error = ErrorOverLargest(expected, y);
        Assert.True(error <= DoubleTolerance, $"{name} bias={withBias} relu={relu}: error {error:E2} over the largest output exceeds {DoubleTolerance:E0}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatMatchesTheDoubleReference(string name, bool withBias, bool relu)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 61));
        float[] kernel = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 62));
        float[] bias = withBias ? KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 63)) : [];
        double[] expected = Expected(KernelTestData.ToDouble(x), KernelTestData.ToDouble(kernel),
            KernelTestData.ToDouble(bias), relu, batch, g);
        float[] y = KernelTestData.ToSingle(KernelTestData.Uniform(expected.Length, -9, 9, seed: 64));
        var scratch = new float[ConvolutionWinograd.ScratchLength(g, batch)];
        Array.Fill(scratch, float.NaN);

        ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu);

        double error = ErrorOverLargest(expected, KernelTestData.ToDouble(y));
        Assert.True(error <= FloatTolerance, $"{name} bias={withBias} relu={relu}: error {error:E2} over the largest output exceeds {FloatTolerance:E0}.");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public void OneAndTwoThreadsGiveTheSameBits(int batch)
    {
        // The MNIST layer. Batch 1: one chunk, the threads split the 16 ξ. Batch 32: several chunks (float 7 of up to
        // 170 tiles, double 14 of up to 85) shared with the worker when it is free.
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 71);
        double[] kernel = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 72);
        double[] bias = KernelTestData.Uniform(g.Filters, -1, 1, seed: 73);
        float[] xf = KernelTestData.ToSingle(x), kernelF = KernelTestData.ToSingle(kernel), biasF = KernelTestData.ToSingle(bias);
        var scratch = new double[ConvolutionWinograd.ScratchLength(g, batch)];
        var scratchF = new float[scratch.Length];
        var one = new double[batch * g.OutputSize];
        var two = new double[one.Length];
        var oneF = new float[one.Length];
        var twoF = new float[one.Length];
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            ConvolutionWinograd.Forward<double>(x, kernel, bias, one, batch, g, scratch, relu: true);
            ConvolutionWinograd.Forward<float>(xf, kernelF, biasF, oneF, batch, g, scratchF, relu: true);
            Gemm.MaxThreads = 2;
            ConvolutionWinograd.Forward<double>(x, kernel, bias, two, batch, g, scratch, relu: true);
            ConvolutionWinograd.Forward<float>(xf, kernelF, biasF, twoF, batch, g, scratchF, relu: true);
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
        Assert.True(ErrorOverLargest(expectedF, KernelTestData.ToDouble(twoF)) <= FloatTolerance);
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
        Assert.Equal(16 * 2064 + 32 + 16 * 2 * 36 * (32 + 64), ConvolutionWinograd.ScratchLength(g, 2));
        Assert.Equal(16 * 2064 + 32, ConvolutionWinograd.ScratchLength(g, 0));
        Assert.Equal(16 * 16 + 1, ConvolutionWinograd.ScratchLength(Conv2DGeometry.Create(2, 2, 1, 1, 3, 3, 1, 1, 1, 1, true), 0));
    }

    [Fact]
    public void ScratchBeyondIntThrowsNamingTheSize()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(1000, 1000, 64, 64, 3, 3, 1, 1, 1, 1, true);
        var e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g, 10_000));
        Assert.Contains("2147483647", e.Message);
        Assert.Equal("batch", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g, int.MaxValue));
        Assert.Contains("more than", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g, -1));
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
        var scratch = new double[ConvolutionWinograd.ScratchLength(g, batch)];

        var e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x.AsSpan(1), kernel, bias, y, batch, g, scratch, false));
        Assert.Equal("x", e.ParamName);
        Assert.Contains($"{x.Length - 1}", e.Message);
        Assert.Contains($"= {x.Length}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel.AsSpan(1), bias, y, batch, g, scratch, false));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains($"= {kernel.Length}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias.AsSpan(1), y, batch, g, scratch, false));
        Assert.Equal("bias", e.ParamName);
        Assert.Contains("length 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y.AsSpan(2), batch, g, scratch, false));
        Assert.Equal("y", e.ParamName);
        Assert.Contains($"= {y.Length}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, y, batch, g, scratch.AsSpan(1), false));
        Assert.Equal("scratch", e.ParamName);
        Assert.Contains($"{scratch.Length}", e.Message);
        // x and y sharing one element of a buffer.
        var shared = new double[x.Length + y.Length - 1];
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(shared.AsSpan(0, x.Length), kernel, bias, shared.AsSpan(x.Length - 1), batch, g, scratch, false));
        Assert.Equal("y", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.Forward<double>(x, kernel, bias, scratch.AsSpan(0, y.Length), batch, g, scratch, false));
        Assert.Equal("scratch", e.ParamName);

        Conv2DGeometry strided = Conv2DGeometry.Create(5, 7, 3, 5, 3, 3, 2, 2, 1, 1, true);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(strided, 1));
        Assert.Contains("stride 2×2", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvolutionWinograd.ScratchLength(g with { PadTop = 3 }, 1));
        Assert.Contains("padding", e.Message);
        Assert.Throws<NotSupportedException>(() => ConvolutionWinograd.Forward<Half>(new Half[x.Length], new Half[kernel.Length], [], new Half[y.Length], batch, g, new Half[scratch.Length], false));
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
            var scratch = new float[ConvolutionWinograd.ScratchLength(g, batch)];
            var xd = new double[x.Length];
            var kernelD = new double[kernel.Length];
            var yd = new double[y.Length];
            var scratchD = new double[scratch.Length];
            void Calls()
            {
                ConvolutionWinograd.Forward<float>(x, kernel, bias, y, batch, g, scratch, relu: true);
                ConvolutionWinograd.Forward<double>(xd, kernelD, [], yd, batch, g, scratchD, relu: false);
            }
            // Warm up both element types, the GEMM buffers of both threads and the worker.
            Calls();
            Calls();
            long workerBefore = GemmWorker.AllocatedBytes;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
                Calls();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.Equal(workerBefore, GemmWorker.AllocatedBytes);
        }
    }
}
