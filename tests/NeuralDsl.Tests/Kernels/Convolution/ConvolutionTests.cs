using System;
using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="Convolution"/> and <see cref="Conv2DGeometry"/>: every forward strategy (1×1 GEMM, direct, im2col, Winograd) and backward strategy (1×1 GEMM, im2col) against
/// the plain-loop reference on a spread of shapes, gradients against central differences, float against the double
/// reference, zero allocation, the padding rules against the fixtures' <c>explicit_padding</c>, and the errors.
/// </summary>
public sealed class ConvolutionTests
{
    /// <summary>(name, batch, geometry): strides, dilation, same/valid, odd kernels, C = 1, F = 1, Conv1D.</summary>
    private static readonly (string Name, int Batch, Conv2DGeometry G)[] Shapes =
    [
        ("valid 3x3", 1, Conv2DGeometry.Create(6, 7, 2, 3, 3, 3, 1, 1, 1, 1, false)),
        ("same 3x3 s2", 3, Conv2DGeometry.Create(7, 6, 3, 4, 3, 3, 2, 2, 1, 1, true)),
        ("same 3x3 dilation 2", 1, Conv2DGeometry.Create(7, 8, 2, 2, 3, 3, 1, 1, 2, 2, true)),
        ("valid 3x3 dilation 2 s2", 3, Conv2DGeometry.Create(9, 9, 2, 3, 3, 3, 2, 2, 2, 2, false)),
        ("same 4x4 s3", 1, Conv2DGeometry.Create(8, 7, 2, 2, 4, 4, 3, 3, 1, 1, true)),
        ("valid 2x3 s2x1", 3, Conv2DGeometry.Create(7, 6, 3, 5, 2, 3, 2, 1, 1, 1, false)),
        ("same 2x3", 1, Conv2DGeometry.Create(5, 6, 2, 3, 2, 3, 1, 1, 1, 1, true)),
        ("1x1 s1", 3, Conv2DGeometry.Create(4, 5, 6, 7, 1, 1, 1, 1, 1, 1, false)),
        ("1x1 s2 same", 1, Conv2DGeometry.Create(5, 5, 3, 4, 1, 1, 2, 2, 1, 1, true)),
        ("C=1 3x3", 3, Conv2DGeometry.Create(8, 8, 1, 8, 3, 3, 1, 1, 1, 1, false)),
        ("C=1 F=37 same", 1, Conv2DGeometry.Create(6, 5, 1, 37, 3, 3, 1, 1, 1, 1, true)),
        ("F=1 same", 3, Conv2DGeometry.Create(5, 6, 4, 1, 3, 3, 1, 1, 1, 1, true)),
        ("F=32 valid", 1, Conv2DGeometry.Create(6, 7, 2, 32, 3, 3, 1, 1, 1, 1, false)),
        ("F=64 C=1 same s2", 3, Conv2DGeometry.Create(7, 9, 1, 64, 3, 3, 2, 2, 1, 1, true)),
        ("F=70 valid", 1, Conv2DGeometry.Create(5, 5, 3, 70, 2, 2, 1, 1, 1, 1, false)),
        ("kernel = input", 1, Conv2DGeometry.Create(4, 4, 2, 3, 4, 4, 1, 1, 1, 1, false)),
        ("C=8 F=9 same", 2, Conv2DGeometry.Create(6, 5, 8, 9, 3, 3, 1, 1, 1, 1, true)),      // Winograd input gradient
        ("C=9 F=8 valid", 1, Conv2DGeometry.Create(7, 6, 9, 8, 3, 3, 1, 1, 1, 1, false)),    // the same, padded by 2
        ("conv1d valid k3", 3, Conv2DGeometry.Create1D(9, 3, 4, 3, 1, 1, false)),
        ("conv1d same k4 s2", 1, Conv2DGeometry.Create1D(9, 2, 3, 4, 2, 1, true)),
        ("conv1d same k3 dilation 2", 3, Conv2DGeometry.Create1D(8, 2, 2, 3, 1, 2, true)),
    ];

    private static int Im2ColLength(in Conv2DGeometry g, int batch) => batch * g.OutputHeight * g.OutputWidth * g.PatchSize;

    public static TheoryData<string> ShapeNames() => ConvolutionTestShapes.Names(Shapes);

    private static (int Batch, Conv2DGeometry G) Shape(string name) => ConvolutionTestShapes.Find(Shapes, name);

    private static IEnumerable<ConvolutionStrategy> Strategies<T>(in Conv2DGeometry g)
        where T : unmanaged => ConvolutionTestShapes.Strategies<T>(g);

    private static IEnumerable<ConvolutionStrategy> BackwardStrategies<T>(in Conv2DGeometry g)
        where T : unmanaged => ConvolutionTestShapes.BackwardStrategies<T>(g);

    private static int ScratchFor(in Conv2DGeometry g, int batch) => ConvolutionTestShapes.ScratchFor(g, batch);

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void EveryStrategyMatchesTheReferenceInDouble(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 11);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 12);
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 13);
        double[] expectedY = ConvolutionReference.Forward(x, k, batch, g);
        double[] expectedDk = ConvolutionReference.BackwardKernel(x, dy, batch, g);
        double[] expectedDx = ConvolutionReference.BackwardInput(dy, k, batch, g);
        double[] initialDk = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 14);
        var scratch = new double[ScratchFor(g, batch)];

        foreach (ConvolutionStrategy strategy in Strategies<double>(g))
        {
            double[] y = KernelTestData.Uniform(expectedY.Length, -9, 9, seed: 15);   // garbage: must be overwritten
            Convolution.ForwardWith<double>(strategy, x, k, y, batch, g, scratch);
            KernelTestData.AssertClose(expectedY, y, 1e-12, 1e-13, $"{name} {strategy} forward");
        }

        foreach (ConvolutionStrategy strategy in BackwardStrategies<double>(g))
        {
            string context = $"{name} {strategy}";
            double[] dk = (double[])initialDk.Clone();
            Convolution.BackwardKernelWith<double>(strategy, x, dy, dk, batch, g, scratch);
            double[] accumulated = (double[])expectedDk.Clone();
            for (int i = 0; i < accumulated.Length; i++)
                accumulated[i] += initialDk[i];
            KernelTestData.AssertClose(accumulated, dk, 1e-12, 1e-13, context + " backward kernel (accumulated)");

            double[] dx = KernelTestData.Uniform(expectedDx.Length, -9, 9, seed: 16);  // garbage: must be overwritten
            Convolution.BackwardInputWith<double>(strategy, dy, k, dx, batch, g, scratch);
            KernelTestData.AssertClose(expectedDx, dx, 1e-12, 1e-13, context + " backward input");
        }

        foreach (ConvolutionStrategy strategy in ConvolutionTestShapes.WinogradInputGradientStrategies(g))
        {
            double[] dx = KernelTestData.Uniform(expectedDx.Length, -9, 9, seed: 17);  // garbage: must be overwritten
            Convolution.BackwardInputWith<double>(strategy, dy, k, dx, batch, g, scratch);
            KernelTestData.AssertClose(expectedDx, dx, 1e-12, 1e-13, $"{name} {strategy} backward input");
        }
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void PublicEntryPointsMatchTheReference(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 21);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 22);
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 23);
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        var y = new double[dy.Length];
        var dk = new double[k.Length];
        var dx = new double[x.Length];
        Convolution.Forward<double>(x, k, y, batch, g, scratch);
        Convolution.BackwardKernel<double>(x, dy, dk, batch, g, scratch);
        Convolution.BackwardInput<double>(dy, k, dx, batch, g, scratch);
        KernelTestData.AssertClose(ConvolutionReference.Forward(x, k, batch, g), y, 1e-12, 1e-13, name + " forward");
        KernelTestData.AssertClose(ConvolutionReference.BackwardKernel(x, dy, batch, g), dk, 1e-12, 1e-13, name + " backward kernel");
        KernelTestData.AssertClose(ConvolutionReference.BackwardInput(dy, k, batch, g), dx, 1e-12, 1e-13, name + " backward input");
    }

    /// <summary>
    /// Gradients of L = Σ y ⊙ G against central differences of the forward pass. L is linear in x and in the
    /// kernel, so the differences are exact up to rounding and 1e-6 relative is a strict bound.
    /// </summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void GradientsMatchCentralDifferences(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 31);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 32);
        double[] gOut = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 33);
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        var y = new double[gOut.Length];

        double Loss()
        {
            Convolution.Forward<double>(x, k, y, batch, g, scratch);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
                sum += y[i] * gOut[i];
            return sum;
        }

        var dk = new double[k.Length];
        var dx = new double[x.Length];
        Convolution.BackwardKernel<double>(x, gOut, dk, batch, g, scratch);
        Convolution.BackwardInput<double>(gOut, k, dx, batch, g, scratch);

        const double h = 1e-3;
        double[] Numeric(double[] w)
        {
            var n = new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                double saved = w[i];
                w[i] = saved + h;
                double plus = Loss();
                w[i] = saved - h;
                double minus = Loss();
                w[i] = saved;
                n[i] = (plus - minus) / (2 * h);
            }
            return n;
        }

        double kernelError = KernelTestData.RelativeError(dk, Numeric(k));
        double inputError = KernelTestData.RelativeError(dx, Numeric(x));
        Assert.True(kernelError < 1e-6, $"{name}: kernel gradient relative error {kernelError:G3}");
        Assert.True(inputError < 1e-6, $"{name}: input gradient relative error {inputError:G3}");
    }

    /// <summary>
    /// Float against the double reference on float-representable inputs. Each output is a sum of n products; the
    /// float error is bounded by about n·2⁻²⁴ times Σ|terms|, so the test allows 1e-5·Σ|terms| + 1e-6 (n ≤ 70 here).
    /// </summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FloatMatchesTheDoubleReference(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] xf = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 41));
        float[] kf = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 42));
        float[] dyf = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 43));
        double[] x = KernelTestData.ToDouble(xf), k = KernelTestData.ToDouble(kf), dy = KernelTestData.ToDouble(dyf);
        double[] scaleY = ConvolutionReference.AbsoluteForward(x, k, batch, g);
        double[] absX = Array.ConvertAll(x, Math.Abs), absK = Array.ConvertAll(k, Math.Abs), absDy = Array.ConvertAll(dy, Math.Abs);
        double[] scaleDk = ConvolutionReference.BackwardKernel(absX, absDy, batch, g);
        double[] scaleDx = ConvolutionReference.BackwardInput(absDy, absK, batch, g);
        var scratch = new float[ScratchFor(g, batch)];

        foreach (ConvolutionStrategy strategy in Strategies<float>(g))
        {
            var y = new float[dyf.Length];
            Convolution.ForwardWith<float>(strategy, xf, kf, y, batch, g, scratch);
            AssertWithin(ConvolutionReference.Forward(x, k, batch, g), scaleY, y, $"{name} {strategy} forward");
        }
        foreach (ConvolutionStrategy strategy in BackwardStrategies<float>(g))
        {
            var dk = new float[kf.Length];
            var dx = new float[xf.Length];
            Convolution.BackwardKernelWith<float>(strategy, xf, dyf, dk, batch, g, scratch);
            Convolution.BackwardInputWith<float>(strategy, dyf, kf, dx, batch, g, scratch);
            AssertWithin(ConvolutionReference.BackwardKernel(x, dy, batch, g), scaleDk, dk, $"{name} {strategy} backward kernel");
            AssertWithin(ConvolutionReference.BackwardInput(dy, k, batch, g), scaleDx, dx, $"{name} {strategy} backward input");
        }
        foreach (ConvolutionStrategy strategy in ConvolutionTestShapes.WinogradInputGradientStrategies(g))
        {
            var dx = new float[xf.Length];
            Convolution.BackwardInputWith<float>(strategy, dyf, kf, dx, batch, g, scratch);
            AssertWithin(ConvolutionReference.BackwardInput(dy, k, batch, g), scaleDx, dx, $"{name} {strategy} backward input");
        }
    }

    private static void AssertWithin(double[] expected, double[] scale, float[] actual, string context)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= 1e-5 * scale[i] + 1e-6))
                Assert.Fail($"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:G3}, allowed {1e-5 * scale[i] + 1e-6:G3}).");
        }
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void CallsDoNotAllocate(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] x = new float[batch * g.InputSize], k = new float[g.KernelSize], y = new float[batch * g.OutputSize];
        float[] dk = new float[k.Length], dx = new float[x.Length], scratch = new float[Convolution.ScratchLength(g, batch)];
        x.AsSpan().Fill(0.5f);
        k.AsSpan().Fill(0.25f);
        for (int round = 0; round < 2; round++)
        {
            // The first round warms up the JIT and the GEMM's per-thread buffers; the second is measured.
            long before = GC.GetAllocatedBytesForCurrentThread();
            Convolution.Forward<float>(x, k, y, batch, g, scratch);
            Convolution.BackwardKernel<float>(x, y, dk, batch, g, scratch);
            Convolution.BackwardInput<float>(y, k, dx, batch, g, scratch);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
                Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void LargeShapesMatchTheReferenceOnEveryStrategy()
    {
        // Big enough for the GEMM's packed, possibly two-thread path and for full register blocks of filters.
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        const int batch = 2;
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 51);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 52);
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 53);
        var scratch = new double[ScratchFor(g, batch)];
        foreach (ConvolutionStrategy strategy in Strategies<double>(g))
        {
            var y = new double[dy.Length];
            Convolution.ForwardWith<double>(strategy, x, k, y, batch, g, scratch);
            KernelTestData.AssertClose(ConvolutionReference.Forward(x, k, batch, g), y, 1e-12, 1e-12, $"{strategy} forward");
        }
        foreach (ConvolutionStrategy strategy in BackwardStrategies<double>(g))
        {
            var dk = new double[k.Length];
            var dx = new double[x.Length];
            Convolution.BackwardKernelWith<double>(strategy, x, dy, dk, batch, g, scratch);
            Convolution.BackwardInputWith<double>(strategy, dy, k, dx, batch, g, scratch);
            KernelTestData.AssertClose(ConvolutionReference.BackwardKernel(x, dy, batch, g), dk, 1e-12, 1e-12, $"{strategy} backward kernel");
            KernelTestData.AssertClose(ConvolutionReference.BackwardInput(dy, k, batch, g), dx, 1e-12, 1e-12, $"{strategy} backward input");
        }
        foreach (ConvolutionStrategy strategy in ConvolutionTestShapes.WinogradInputGradientStrategies(g))
        {
            var dx = new double[x.Length];
            Convolution.BackwardInputWith<double>(strategy, dy, k, dx, batch, g, scratch);
            KernelTestData.AssertClose(ConvolutionReference.BackwardInput(dy, k, batch, g), dx, 1e-12, 1e-12, $"{strategy} backward input (transposed Winograd)");
        }
    }

    public static TheoryData<string> FixtureCases => ConvolutionConformanceTests.Cases;

    /// <summary>The padding and output size of <see cref="Conv2DGeometry.Create"/> against each fixture's metadata.</summary>
    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void GeometryMatchesTheFixturePadding(string name)
    {
        Fixture f = Fixture.Load(name);
        Conv2DGeometry g = ConvolutionConformanceTests.Geometry(f);
        var padding = new Dictionary<string, int>();
        foreach (string part in f.Meta("explicit_padding").Split(','))
        {
            string[] pair = part.Split('=');
            padding[pair[0]] = int.Parse(pair[1], NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        int[] output = f.Shape("output");
        if (f.Meta("type") == "Conv2D")
        {
            Assert.Equal(padding["top"], g.PadTop);
            Assert.Equal(padding["bottom"], g.PadBottom);
            Assert.Equal([output[1], output[2], output[3]], new[] { g.OutputHeight, g.OutputWidth, g.Filters });
        }
        else
        {
            Assert.Equal((1, 1, 0, 0), (g.Height, g.KernelHeight, g.PadTop, g.PadBottom));
            Assert.Equal([output[1], output[2]], new[] { g.OutputWidth, g.Filters });
        }
        Assert.Equal(padding["left"], g.PadLeft);
        Assert.Equal(padding["right"], g.PadRight);
    }

    [Theory]
    // in, k, s, d, same → out, before, after (Keras: the odd extra padding goes after)
    [InlineData(28, 3, 1, 1, false, 26, 0, 0)]
    [InlineData(28, 3, 2, 1, false, 13, 0, 0)]
    [InlineData(7, 3, 2, 2, false, 2, 0, 0)]
    [InlineData(28, 3, 1, 1, true, 28, 1, 1)]
    [InlineData(28, 2, 1, 1, true, 28, 0, 1)]
    [InlineData(7, 3, 2, 1, true, 4, 1, 1)]
    [InlineData(8, 3, 2, 1, true, 4, 0, 1)]
    [InlineData(8, 4, 3, 1, true, 3, 1, 1)]
    [InlineData(7, 4, 3, 1, true, 3, 1, 2)]
    [InlineData(6, 4, 3, 1, true, 2, 0, 1)]
    [InlineData(5, 3, 1, 2, true, 5, 2, 2)]
    [InlineData(5, 1, 2, 1, true, 3, 0, 0)]
    [InlineData(2, 5, 1, 1, true, 2, 2, 2)]
    public void GeometryFollowsTheKerasRules(int input, int kernel, int stride, int dilation, bool same, int output, int before, int after)
    {
        Conv2DGeometry g = Conv2DGeometry.Create(input, input + 1, 1, 1, kernel, kernel, stride, stride, dilation, dilation, same);
        Assert.Equal((output, before, after), (g.OutputHeight, g.PadTop, g.PadBottom));
        Conv2DGeometry d1 = Conv2DGeometry.Create1D(input, 2, 3, kernel, stride, dilation, same);
        Assert.Equal((output, before, after), (d1.OutputWidth, d1.PadLeft, d1.PadRight));
    }

    [Theory]
    [InlineData(0, 5, 1, 1, 3, 3, 1, 1, 1, 1, false, "Input height must be positive, but it is 0.")]
    [InlineData(5, 5, 1, 0, 3, 3, 1, 1, 1, 1, false, "Filter count must be positive, but it is 0.")]
    [InlineData(5, 5, 1, 2, 3, 3, 0, 1, 1, 1, false, "Stride height must be positive, but it is 0.")]
    [InlineData(5, 5, 1, 2, 3, 3, 1, 1, 1, -1, true, "Dilation width must be positive, but it is -1.")]
    [InlineData(5, 5, 1, 2, 6, 3, 1, 1, 1, 1, false, "Kernel height 6 with dilation 1 spans 6, more than the input height 5")]
    [InlineData(5, 9, 1, 2, 3, 3, 1, 1, 3, 3, false, "Kernel height 3 with dilation 3 spans 7, more than the input height 5")]
    public void BadGeometryThrowsNamingTheValues(int h, int w, int c, int f, int kh, int kw, int sh, int sw, int dh, int dw, bool same, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Conv2DGeometry.Create(h, w, c, f, kh, kw, sh, sw, dh, dw, same));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongLengthsThrowNamingExpectedAndActual()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false);
        var scratch = new double[Convolution.ScratchLength(g, 2)];
        var x = new double[2 * 50];
        var k = new double[54];
        var y = new double[2 * 27];
        var e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x.AsSpan(1), k, y, 2, g, scratch));
        Assert.Contains("x length 99 does not match [batch 2, 5, 5, 2] = 100", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k.AsSpan(1), y, 2, g, scratch));
        Assert.Contains("kernel length 53 does not match [3, 3, 2, 3] = 54", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardInput<double>(y.AsSpan(2), k, x, 2, g, scratch));
        Assert.Contains("dy length 52 does not match [batch 2, 3, 3, 3] = 54", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, y, k, 2, g, scratch.AsSpan(1)));
        Assert.Contains($"scratch length {scratch.Length - 1} is less than the {scratch.Length} elements", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, x.AsSpan(0, 54), 2, g, scratch));
        Assert.Contains("overlaps an input", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.ScratchLength(g, -1));
        Assert.Contains("must not be negative, but it is -1", e.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => Convolution.Forward<Half>(new Half[100], new Half[54], new Half[54], 2, g, new Half[scratch.Length]));
    }

    [Fact]
    public void HandMadeInconsistentGeometryIsRejected()
    {
        Conv2DGeometry good = Conv2DGeometry.Create(5, 5, 2, 3, 3, 3, 1, 1, 1, 1, true);
        var e = Assert.Throws<ArgumentException>(() => Convolution.ScratchLength(good with { PadTop = -1 }, 1));
        Assert.Contains("is not one Conv2DGeometry.Create produces", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Convolution.ScratchLength(good with { PadLeft = 3 }, 1));
        Assert.Throws<ArgumentException>(() => Convolution.ScratchLength(good with { StrideWidth = 0 }, 1));
        Assert.Throws<ArgumentException>(() => Convolution.ScratchLength(good with { OutputHeight = 0 }, 1));
    }

    [Fact]
    public void ConvolutionRangesKeepAtLeast512PixelsAndComeInEvenCounts()
    {
        // MnistCnn's second layer: 16 ranges at batch 128 (15,488 pixels), 6 at batch 32 (3,872 pixels: 7 by pixels, made even).
        Conv2DGeometry mnist2 = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        Assert.Equal(16, ConvolutionParts.Parts(mnist2, 128));
        Assert.Equal(6, ConvolutionParts.Parts(mnist2, 32));
        // ResNet-18's stem at batch 1 (12,544 pixels, 118 M multiply-adds) keeps 16 ranges.
        Conv2DGeometry stem = Conv2DGeometry.Create(229, 229, 3, 64, 7, 7, 2, 2, 1, 1, false);
        Assert.Equal(16, ConvolutionParts.Parts(stem, 1));
        // Its stride-2 3×3 layers at batch 1 (784, 196 and 49 output pixels) are one range each; at batch 16 the 28×28
        // one is 16 ranges again and the 7×7 one (784 pixels) still one, whose large blocks share their products.
        Conv2DGeometry s28 = Conv2DGeometry.Create(57, 57, 64, 128, 3, 3, 2, 2, 1, 1, false);
        Conv2DGeometry s14 = Conv2DGeometry.Create(29, 29, 128, 256, 3, 3, 2, 2, 1, 1, false);
        Conv2DGeometry s7 = Conv2DGeometry.Create(15, 15, 256, 512, 3, 3, 2, 2, 1, 1, false);
        Assert.Equal(1, ConvolutionParts.Parts(s28, 1));
        Assert.Equal(1, ConvolutionParts.Parts(s14, 1));
        Assert.Equal(1, ConvolutionParts.Parts(s7, 1));
        Assert.Equal(16, ConvolutionParts.Parts(s28, 16));
        Assert.Equal(1, ConvolutionParts.Parts(s7, 16));
        // Every block of the 7×7 layer holds at least one pixel per filter (512 of 7 per row: 74 rows, all 7 at batch 1),
        // so its 4.7 MB kernel is read once per 512 pixels at most, not once per row.
        Assert.Equal(7, ConvolutionParts.BlockRows(s7, 1));
        Assert.Equal(74, ConvolutionParts.BlockRows(s7, 16));
        // Within several ranges, too: the 28×28 layer at batch 16 (128 filters, 28 per row) keeps blocks of 5 rows,
        // above the parallel threshold, which alone would allow one row (28·576·128 = 2.06 M multiply-adds).
        Assert.Equal(5, ConvolutionParts.BlockRows(s28, 16));
        // Small work stays one range; the sizes above the threshold are even.
        Assert.Equal(1, ConvolutionParts.Parts(Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false), 1));
        Assert.Equal(2, ConvolutionParts.Parts(Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false), 32));
    }

    [Fact]
    public void PreferDirectRuleAndScratch()
    {
        Conv2DGeometry pointwise = Conv2DGeometry.Create(8, 8, 16, 32, 1, 1, 1, 1, 1, 1, true);
        Assert.False(Convolution.PreferDirect(pointwise));
        Assert.Equal(ConvolutionStrategy.Pointwise, Convolution.Choose<float>(pointwise));
        Assert.Equal(0, Convolution.ScratchLength(pointwise, 32));
        Conv2DGeometry deep = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        // 3×3, stride 1, 32 channels on an 11×11 output: the forward pass is Winograd F(4×4, 3×3), the backward passes im2col.
        Assert.Equal(ConvolutionStrategy.Winograd4x4, Convolution.Choose<float>(deep));
        // The blocked backward passes of 32 samples (71 M multiply-adds, 3,872 output pixels) need 6 ranges of rows (one
        // per 2²¹ would be 16, but a range keeps at least 512 pixels: 7, made even), each with one block of 10 output
        // rows of columns (the most whose product stays under the GEMM's parallel threshold: 110·288·64 < 2²¹), and the
        // kernel- and bias-gradient partials of every range after the first; the layer's one buffer is the larger of
        // that and Winograd's.
        long blocked32 = 6 * 10 * 11 * 288 + 5 * (3 * 3 * 32 * 64 + 64);
        Assert.Equal(6, ConvolutionParts.Parts(deep, 32));
        Assert.Equal(blocked32, ConvolutionParts.ScratchLength(deep, 32));
        // The input gradient is the transposed convolution (11×11×64 padded by 2 → 13×13×32), Winograd F(4×4) too, whose
        // scratch is followed by the turned kernel.
        Conv2DGeometry transposed = Convolution.TransposedGeometry(deep);
        Assert.Equal(new Conv2DGeometry(11, 11, 64, 32, 3, 3, 1, 1, 1, 1, 2, 2, 13, 13), transposed);
        Assert.Equal(ConvolutionStrategy.Winograd4x4, Convolution.ChooseBackward(deep));
        long backward32 = ConvolutionWinograd.ScratchLength(transposed, 32, ConvolutionStrategy.Winograd4x4) + deep.KernelSize;
        Assert.Equal(Math.Max(Math.Max(blocked32, ConvolutionWinograd.ScratchLength(deep, 32, ConvolutionStrategy.Winograd4x4)), backward32), Convolution.ScratchLength(deep, 32));
        // One sample (2.2 M multiply-adds, 121 pixels) is one range, in one block of all its 11 rows (a single range's
        // block is not held under the threshold: its product shares itself with the pool).
        long blocked = 11 * 11 * 288;
        Assert.Equal(1, ConvolutionParts.Parts(deep, 1));
        Assert.Equal(blocked, ConvolutionParts.ScratchLength(deep, 1));
        long backward1 = ConvolutionWinograd.ScratchLength(transposed, 1, ConvolutionStrategy.Winograd4x4) + deep.KernelSize;
        Assert.Equal(Math.Max(Math.Max(blocked, ConvolutionWinograd.ScratchLength(deep, 1, ConvolutionStrategy.Winograd4x4)), backward1), Convolution.ScratchLength(deep, 1));
        Conv2DGeometry strided = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 2, 2, 1, 1, false);
        Assert.Equal(ConvolutionStrategy.Im2Col, Convolution.Choose<float>(strided));
        // The MNIST first layer (patch 9) and the seed's first layer (patch 27) run forward directly; a patch of
        // 36 does not. Backward passes still need the column matrix.
        Conv2DGeometry mnist = Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false);
        Assert.True(Convolution.PreferDirect(mnist));
        // Two ranges of 280 output rows (65,536 / (26·9) rounded down), the partials of the second range after them.
        Assert.Equal(2 * 280 * 26 * 9 + 288 + 32, Convolution.ScratchLength(mnist, 32));
        // Inference needs no scratch where the forward pass is direct; the backward passes still insist on it.
        var x = new float[mnist.InputSize];
        var k = new float[mnist.KernelSize];
        var y = new float[mnist.OutputSize];
        Convolution.Forward<float>(x, k, y, 1, mnist, []);
        var e = Assert.Throws<ArgumentException>(() => Convolution.BackwardInput<float>(y, k, x, 1, mnist, []));
        Assert.Contains("scratch length 0 is less than the 6084 elements", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Convolution.Forward<float>(new float[deep.InputSize], new float[deep.KernelSize], new float[deep.OutputSize], 1, deep, []));
        Assert.True(Convolution.PreferDirect(Conv2DGeometry.Create(64, 64, 3, 32, 3, 3, 1, 1, 1, 1, false)));
        Assert.False(Convolution.PreferDirect(Conv2DGeometry.Create(16, 16, 4, 32, 3, 3, 1, 1, 1, 1, false)));
        foreach (var shape in Shapes)
        {
            ConvolutionStrategy expected = Convolution.IsPointwise(shape.G) ? ConvolutionStrategy.Pointwise
                : ConvolutionWinograd.Supports(shape.G) && shape.G.Channels >= ConvolutionStrategyRule.WinogradMinChannels
                    && (long)shape.G.Channels * shape.G.Filters <= ConvolutionStrategyRule.WinogradMaxKernel
                    ? (ConvolutionStrategyRule.PreferLargeTiles(shape.G.OutputHeight, shape.G.OutputWidth)
                        && (long)shape.G.Channels * shape.G.Filters <= ConvolutionStrategyRule.LargeTilesMaxKernel
                        ? ConvolutionStrategy.Winograd4x4 : ConvolutionStrategy.Winograd)
                : Convolution.PreferDirect(shape.G) ? ConvolutionStrategy.Direct : ConvolutionStrategy.Im2Col;
            Assert.Equal(expected, Convolution.ChooseByShape(shape.G));
            // The input gradient: Winograd on the transposed convolution where the layer is 3×3, stride 1 with at
            // least 8 channels and 8 filters (the transposed convolution's channels), else as before.
            bool winogradInput = ConvolutionWinograd.Supports(shape.G) && shape.G.Channels >= ConvolutionStrategyRule.WinogradMinChannels
                && shape.G.Filters >= ConvolutionStrategyRule.WinogradMinChannels;
            ConvolutionStrategy expectedBackward = Convolution.IsPointwise(shape.G) ? ConvolutionStrategy.Pointwise
                : winogradInput ? Convolution.ChooseByShape(Convolution.TransposedGeometry(shape.G))
                : ConvolutionStrategy.Im2Col;
            Assert.Equal(expectedBackward, Convolution.ChooseBackward(shape.G));
            // The small shapes here stay in one range whose single block holds the whole batch: the im2col matrix
            // (or the transposed Winograd's scratch and the turned kernel, where that is larger).
            long expectedScratch = Convolution.IsPointwise(shape.G) ? 0 : Im2ColLength(shape.G, 3);
            if (winogradInput)
            {
                expectedScratch = Math.Max(expectedScratch, ConvolutionWinograd.ScratchLength(Convolution.TransposedGeometry(shape.G), 3, expectedBackward) + shape.G.KernelSize);
            }
            Assert.Equal(expectedScratch, Convolution.ScratchLength(shape.G, 3));
        }
    }
}
