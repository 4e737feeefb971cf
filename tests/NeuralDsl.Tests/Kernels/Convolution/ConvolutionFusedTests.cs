using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The fused forward pass (<c>Convolution.Forward</c> with bias and activation) and the blocked, two-range passes:
/// every strategy against the plain-loop reference plus bias and ReLU in double and float, bit-equality with the
/// three-pass form, batches that split into two sample ranges with blocks crossing samples, determinism whichever
/// thread runs a range, zero allocation, and the argument errors.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ConvolutionFusedTests
{
    /// <summary>(name, batch, geometry): the direct, im2col and 1×1 strategies; odd sizes; batch 1; two ranges.</summary>
    private static readonly (string Name, int Batch, Conv2DGeometry G)[] Shapes =
    [
        ("valid 3x3 C=2 F=3", 1, Conv2DGeometry.Create(6, 7, 2, 3, 3, 3, 1, 1, 1, 1, false)),
        ("same 3x3 s2 odd", 3, Conv2DGeometry.Create(7, 6, 3, 5, 3, 3, 2, 2, 1, 1, true)),
        ("C=1 F=37 same", 3, Conv2DGeometry.Create(6, 5, 1, 37, 3, 3, 1, 1, 1, 1, true)),
        ("mnist first layer batch 1", 1, Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false)),
        ("mnist first layer batch 5", 5, Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false)),
        ("1x1 s1", 3, Conv2DGeometry.Create(4, 5, 6, 7, 1, 1, 1, 1, 1, 1, false)),
        ("conv1d same k3", 3, Conv2DGeometry.Create1D(9, 3, 4, 3, 1, 1, true)),
        // A patch of 9 with two AVX-512 vectors of filters (32 floats, 16 doubles) takes the register kernels of
        // ConvolutionSmallPatch: padding borders, strides, dilation, a 1×9 row and nine channels of a 1×1 kernel.
        ("patch 9 F=16 same", 3, Conv2DGeometry.Create(9, 10, 1, 16, 3, 3, 1, 1, 1, 1, true)),
        ("patch 9 F=32 same s2", 2, Conv2DGeometry.Create(11, 12, 1, 32, 3, 3, 2, 2, 1, 1, true)),
        ("patch 9 F=32 same dilation 2", 2, Conv2DGeometry.Create(9, 9, 1, 32, 3, 3, 1, 1, 2, 2, true)),
        ("patch 9 F=16 dilation 2 valid", 1, Conv2DGeometry.Create(9, 11, 1, 16, 3, 3, 1, 2, 2, 1, false)),
        ("patch 9 conv1d k9 F=32", 3, Conv2DGeometry.Create1D(20, 1, 32, 9, 1, 1, true)),
        ("patch 9 conv1d k9 s2 F=16", 2, Conv2DGeometry.Create1D(21, 1, 16, 9, 2, 1, true)),
        ("patch 9 1x1 C=9 s2 F=16", 3, Conv2DGeometry.Create(5, 5, 9, 16, 1, 1, 2, 2, 1, 1, true)),
        ("patch 9 1x1 C=9 s2 F=32", 2, Conv2DGeometry.Create(6, 5, 9, 32, 1, 1, 2, 2, 1, 1, false)),
        // 13×13×32 → 64: two ranges of output rows, even at batch 1 (5 and 6 rows; the input gradient then runs as one
        // range); at batch 5 the forward ranges hold 27 and 28 rows and the input gradient's 2 and 3 samples (22 and
        // 33 rows), walked in blocks of 10 rows, so ranges and blocks cross sample boundaries.
        ("deep batch 1", 1, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false)),
        ("deep batch 2", 2, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false)),
        ("deep batch 5", 5, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false)),
        ("deep same odd F=33 batch 3", 3, Conv2DGeometry.Create(9, 11, 32, 33, 3, 3, 1, 1, 1, 1, true)),
    ];

    public static TheoryData<string> ShapeNames() => ConvolutionTestShapes.Names(Shapes);

    private static (int Batch, Conv2DGeometry G) Shape(string name) => ConvolutionTestShapes.Find(Shapes, name);

    private static IEnumerable<ConvolutionStrategy> Strategies<T>(in Conv2DGeometry g)
        where T : unmanaged => ConvolutionTestShapes.Strategies<T>(g);

    private static int ScratchFor(in Conv2DGeometry g, int batch) => ConvolutionTestShapes.ScratchFor(g, batch);

    /// <summary>activation(reference + bias), in double.</summary>
    private static double[] Expected(double[] x, double[] k, double[] bias, bool relu, int batch, Conv2DGeometry g)
    {
        double[] y = ConvolutionReference.Forward(x, k, batch, g);
        for (int i = 0; i < y.Length; i++)
        {
            double v = y[i] + (bias.Length == 0 ? 0 : bias[i % g.Filters]);
            y[i] = relu ? Math.Max(v, 0) : v;
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void EveryStrategyWithEveryEpilogueMatchesTheReferenceInDouble(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 61);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 62);
        double[] bias = KernelTestData.Uniform(g.Filters, -1, 1, seed: 63);
        var scratch = new double[ScratchFor(g, batch)];
        foreach (bool withBias in new[] { false, true })
        {
            foreach (bool relu in new[] { false, true })
            {
                double[] b = withBias ? bias : [];
                double[] expected = Expected(x, k, b, relu, batch, g);
                foreach (ConvolutionStrategy strategy in Strategies<double>(g))
                {
                    double[] y = KernelTestData.Uniform(expected.Length, -9, 9, seed: 64);   // garbage: must be overwritten
                    Convolution.ForwardWith<double>(strategy, x, k, b, y, batch, g, scratch, relu);
                    KernelTestData.AssertClose(expected, y, 1e-12, 1e-13, $"{name} {strategy} bias {withBias} relu {relu}");
                }
                var viaPublic = new double[expected.Length];
                Convolution.Forward<double>(x, k, b, viaPublic, batch, g, new double[Convolution.ScratchLength(g, batch)],
                    relu ? Activation.ReLU : Activation.Linear);
                KernelTestData.AssertClose(expected, viaPublic, 1e-12, 1e-13, $"{name} public bias {withBias} relu {relu}");
            }
        }
    }

    /// <summary>The fused call computes what Forward, Bias.AddRows and Activations.Relu compute, bit for bit.</summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FusedFloatEqualsTheThreePassFormBitForBit(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 71));
        float[] k = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 72));
        float[] bias = KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 73));
        var scratch = new float[Convolution.ScratchLength(g, batch)];
        var z = new float[batch * g.OutputSize];
        var threePass = new float[z.Length];
        var fused = new float[z.Length];
        Convolution.Forward<float>(x, k, z, batch, g, scratch);
        Bias.AddRows<float>(z, bias);
        Activations.Relu<float>(z, threePass);
        Convolution.Forward<float>(x, k, bias, fused, batch, g, scratch, Activation.ReLU);
        for (int i = 0; i < fused.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(fused[i]) != BitConverter.SingleToInt32Bits(threePass[i]))
                Assert.Fail($"{name}: element {i} is {fused[i]:R}, the three passes give {threePass[i]:R}.");
        }
    }

    /// <summary>Float against the double reference: each output is a sum of n products plus the bias, so the error
    /// is bounded by about (n + 1)·2⁻²⁴ times Σ|terms| + |bias|; the test allows 1e-5 of that plus 1e-6 (n ≤ 288).</summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FloatMatchesTheDoubleReference(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] xf = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 81));
        float[] kf = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 82));
        float[] bf = KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 83));
        float[] dyf = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 84));
        double[] x = KernelTestData.ToDouble(xf), k = KernelTestData.ToDouble(kf), b = KernelTestData.ToDouble(bf), dy = KernelTestData.ToDouble(dyf);
        double[] scaleY = ConvolutionReference.AbsoluteForward(x, k, batch, g);
        for (int i = 0; i < scaleY.Length; i++)
            scaleY[i] += Math.Abs(b[i % g.Filters]);
        double[] absX = Array.ConvertAll(x, Math.Abs), absK = Array.ConvertAll(k, Math.Abs), absDy = Array.ConvertAll(dy, Math.Abs);
        var scratch = new float[ScratchFor(g, batch)];
        foreach (ConvolutionStrategy strategy in Strategies<float>(g))
        {
            var y = new float[dyf.Length];
            Convolution.ForwardWith<float>(strategy, xf, kf, bf, y, batch, g, scratch, relu: true);
            AssertWithin(Expected(x, k, b, relu: true, batch, g), scaleY, y, $"{name} {strategy} forward");
        }
        var dk = new float[kf.Length];
        var dx = new float[xf.Length];
        Convolution.BackwardKernel<float>(xf, dyf, dk, batch, g, scratch);
        Convolution.BackwardInput<float>(dyf, kf, dx, batch, g, scratch);
        AssertWithin(ConvolutionReference.BackwardKernel(x, dy, batch, g), ConvolutionReference.BackwardKernel(absX, absDy, batch, g), dk, name + " backward kernel");
        AssertWithin(ConvolutionReference.BackwardInput(dy, k, batch, g), ConvolutionReference.BackwardInput(absDy, absK, batch, g), dx, name + " backward input");
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

    /// <summary>The blocked backward passes in double, including the two-range kernel gradient added to a non-zero dKernel.</summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void BlockedBackwardPassesMatchTheReferenceInDouble(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 91);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 92);
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 93);
        double[] initialDk = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 94);
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        double[] dk = (double[])initialDk.Clone();
        Convolution.BackwardKernel<double>(x, dy, dk, batch, g, scratch);
        double[] expectedDk = ConvolutionReference.BackwardKernel(x, dy, batch, g);
        for (int i = 0; i < expectedDk.Length; i++)
            expectedDk[i] += initialDk[i];
        KernelTestData.AssertClose(expectedDk, dk, 1e-12, 1e-12, name + " backward kernel (accumulated)");
        double[] dx = KernelTestData.Uniform(x.Length, -9, 9, seed: 95);   // garbage: must be overwritten
        Convolution.BackwardInput<double>(dy, k, dx, batch, g, scratch);
        KernelTestData.AssertClose(ConvolutionReference.BackwardInput(dy, k, batch, g), dx, 1e-12, 1e-12, name + " backward input");
    }

    /// <summary>
    /// The fused kernel-and-bias gradient of a ReLU or linear layer: dy becomes dz = dy ⊙ (output &gt; 0) in place
    /// (ReLU), dKernel and dBias are added to, against the reference in double, for every shape.
    /// </summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FusedKernelGradientMatchesTheReferenceInDouble(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 121);
        double[] output = Array.ConvertAll(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 122), v => Math.Max(v, 0));
        double[] dy0 = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 123);
        double[] initialDk = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 124);
        double[] initialDb = KernelTestData.Uniform(g.Filters, -1, 1, seed: 125);
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        foreach (bool relu in new[] { false, true })
        {
            foreach (bool withBias in new[] { false, true })
            {
                string context = $"{name} relu {relu} bias {withBias}";
                double[] dz = relu ? dy0.Select((d, i) => output[i] > 0 ? d : 0).ToArray() : (double[])dy0.Clone();
                double[] expectedDk = ConvolutionReference.BackwardKernel(x, dz, batch, g);
                for (int i = 0; i < expectedDk.Length; i++)
                    expectedDk[i] += initialDk[i];
                double[] expectedDb = (double[])initialDb.Clone();
                for (int i = 0; i < dz.Length; i++)
                    expectedDb[i % g.Filters] += dz[i];

                double[] dy = (double[])dy0.Clone();
                double[] dk = (double[])initialDk.Clone();
                double[] db = withBias ? (double[])initialDb.Clone() : [];
                Convolution.BackwardKernel<double>(x, dy, relu ? output : [], dk, db, batch, g, scratch, relu ? Activation.ReLU : Activation.Linear);
                KernelTestData.AssertClose(dz, dy, 0, 0, context + " dz in place");
                KernelTestData.AssertClose(expectedDk, dk, 1e-12, 1e-12, context + " kernel gradient");
                if (withBias)
                    KernelTestData.AssertClose(expectedDb, db, 1e-12, 1e-12, context + " bias gradient");
            }
        }
    }

    /// <summary>In float the in-place dz equals Activations.ReluBackward's bit for bit; the gradients stay within the rounding bound.</summary>
    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FusedKernelGradientInFloat(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] xf = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 131));
        float[] af = KernelTestData.ToSingle(Array.ConvertAll(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 132), v => Math.Max(v, 0)));
        float[] dyf = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 133));
        var expectedDz = new float[dyf.Length];
        Activations.ReluBackward<float>(af, af, dyf, expectedDz);
        float[] dz = (float[])dyf.Clone();
        var dk = new float[g.KernelSize];
        var db = new float[g.Filters];
        Convolution.BackwardKernel<float>(xf, dz, af, dk, db, batch, g, new float[Convolution.ScratchLength(g, batch)], Activation.ReLU);
        for (int i = 0; i < dz.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedDz[i]), BitConverter.SingleToInt32Bits(dz[i]));
        double[] x = KernelTestData.ToDouble(xf), dzd = KernelTestData.ToDouble(expectedDz);
        double[] absX = Array.ConvertAll(x, Math.Abs), absDz = Array.ConvertAll(dzd, Math.Abs);
        AssertWithin(ConvolutionReference.BackwardKernel(x, dzd, batch, g), ConvolutionReference.BackwardKernel(absX, absDz, batch, g), dk, name + " kernel gradient");
        var expectedDb = new double[g.Filters];
        var scaleDb = new double[g.Filters];
        for (int i = 0; i < dzd.Length; i++)
        {
            expectedDb[i % g.Filters] += dzd[i];
            scaleDb[i % g.Filters] += absDz[i];
        }
        AssertWithin(expectedDb, scaleDb, db, name + " bias gradient");
    }

    [Fact]
    public void FusedKernelGradientErrorsNameTheProblem()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false);
        const int batch = 2;
        var x = new double[batch * g.InputSize];
        var dy = new double[batch * g.OutputSize];
        var a = new double[dy.Length];
        var dk = new double[g.KernelSize];
        var db = new double[g.Filters];
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        var e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy, a, dk, db, batch, g, scratch, Activation.Tanh));
        Assert.Equal("activation", e.ParamName);
        Assert.Contains("only Activation.Linear or Activation.ReLU, not Tanh", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy, a.AsSpan(1), dk, db, batch, g, scratch, Activation.ReLU));
        Assert.Equal("output", e.ParamName);
        Assert.Contains($"output length {a.Length - 1} does not match dy length {dy.Length}", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy, a, dk, db.AsSpan(1), batch, g, scratch, Activation.ReLU));
        Assert.Equal("dBias", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy.AsSpan(1), a, dk, db, batch, g, scratch, Activation.Linear));
        Assert.Equal("dy", e.ParamName);
        Assert.Contains($"dy length {dy.Length - 1} does not match [batch 2, 3, 3, 3] = {dy.Length}", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy, a, dk, db, batch, g, scratch.AsSpan(1), Activation.ReLU));
        Assert.Equal("scratch", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy, dy, dk, db, batch, g, scratch, Activation.ReLU));
        Assert.Equal("dy", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Convolution.BackwardKernel<double>(x, dy, a, dk, dk.AsSpan(0, 3), batch, g, scratch, Activation.ReLU));
        Assert.Equal("dKernel", e.ParamName);
        // Linear does not read the output, which may then be empty; a layer without bias passes an empty dBias.
        Convolution.BackwardKernel<double>(x, dy, [], dk, [], batch, g, scratch, Activation.Linear);
    }

    /// <summary>
    /// One thread or two, the results are bit for bit the same: the ranges and blocks follow from the shape, and the
    /// second range's kernel gradient is always added last.
    /// </summary>
    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false);
        const int batch = 7;
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 101));
        float[] k = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 102));
        float[] bias = KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 103));
        float[] dy = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, seed: 104));
        var scratch = new float[Convolution.ScratchLength(g, batch)];

        (float[] Y, float[] Dk, float[] Dx) Run()
        {
            var y = new float[dy.Length];
            var dk = new float[k.Length];
            var dx = new float[x.Length];
            Convolution.Forward<float>(x, k, bias, y, batch, g, scratch, Activation.ReLU);
            Convolution.BackwardKernel<float>(x, dy, dk, batch, g, scratch);
            Convolution.BackwardInput<float>(dy, k, dx, batch, g, scratch);
            // The fused form too (kernel and bias partials of the second range are added last); dz goes to a copy.
            float[] dz = (float[])dy.Clone();
            var db = new float[g.Filters];
            Convolution.BackwardKernel<float>(x, dz, y, dk, db, batch, g, scratch, Activation.ReLU);
            dk = [.. dk, .. db];
            return (y, dk, dx);
        }

        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            var single = Run();
            Gemm.MaxThreads = 2;
            for (int round = 0; round < 5; round++)
            {
                var shared = Run();
                Assert.Equal(single.Y, shared.Y);
                Assert.Equal(single.Dk, shared.Dk);
                Assert.Equal(single.Dx, shared.Dx);
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData("mnist first layer batch 5")]
    [InlineData("deep batch 5")]
    [InlineData("1x1 s1")]
    public void FusedAndBlockedCallsDoNotAllocate(string name)
    {
        (int batch, Conv2DGeometry g) = Shape(name);
        float[] x = new float[batch * g.InputSize], k = new float[g.KernelSize], bias = new float[g.Filters];
        float[] y = new float[batch * g.OutputSize], dk = new float[k.Length], dx = new float[x.Length], dz = new float[y.Length];
        float[] scratch = new float[Convolution.ScratchLength(g, batch)];
        x.AsSpan().Fill(0.5f);
        k.AsSpan().Fill(0.25f);
        bias.AsSpan().Fill(-1f);
        for (int round = 0; round < 3; round++)
        {
            // The first rounds warm up the JIT and each thread's GEMM buffers; the last is measured.
            long before = GC.GetAllocatedBytesForCurrentThread();
            long workerBefore = WorkerPool.AllocatedBytes;
            Convolution.Forward<float>(x, k, bias, y, batch, g, scratch, Activation.ReLU);
            Convolution.BackwardKernel<float>(x, y, dk, batch, g, scratch);
            Convolution.BackwardInput<float>(y, k, dx, batch, g, scratch);
            Convolution.BackwardKernel<float>(x, dz, y, dk, bias, batch, g, scratch, Activation.ReLU);
            if (round == 2)
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
                Assert.Equal(workerBefore, WorkerPool.AllocatedBytes);
            }
        }
    }

    /// <summary>The overload the generated code calls: every strategy that applies gives the reference; the others are refused.</summary>
    [Fact]
    public void StrategyArgumentIsHonouredAndChecked()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(7, 6, 3, 5, 3, 3, 1, 1, 1, 1, true);   // patch 27: the rule says Direct
        const int batch = 2;
        Assert.Equal(ConvolutionStrategy.Direct, Convolution.Choose<double>(g));
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 111);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 112);
        double[] bias = KernelTestData.Uniform(g.Filters, -1, 1, seed: 113);
        double[] expected = Expected(x, k, bias, relu: true, batch, g);
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        foreach (ConvolutionStrategy strategy in new[] { ConvolutionStrategy.Direct, ConvolutionStrategy.Im2Col })
        {
            var y = new double[expected.Length];
            Convolution.Forward<double>(x, k, bias, y, batch, g, scratch, Activation.ReLU, strategy);
            KernelTestData.AssertClose(expected, y, 1e-12, 1e-13, strategy.ToString());
        }
        // Direct needs no scratch; a forced Im2Col does.
        Convolution.Forward<double>(x, k, bias, new double[expected.Length], batch, g, [], Activation.ReLU, ConvolutionStrategy.Direct);
        var e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[expected.Length], batch, g, [], Activation.ReLU, ConvolutionStrategy.Im2Col));
        Assert.Equal("scratch", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[expected.Length], batch, g, scratch, Activation.ReLU, ConvolutionStrategy.Pointwise));
        Assert.Equal("strategy", e.ParamName);
        Assert.Contains("Pointwise needs a 1×1 kernel with stride 1, but the geometry has a 3×3 kernel with stride 1×1; its strategy is Direct", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[expected.Length], batch, g, scratch, Activation.ReLU, ConvolutionStrategy.SmallPatch));
        Assert.Equal("strategy", e.ParamName);
        Assert.Contains("SmallPatch needs a patch (kh·kw·C) of 9 and 16 filters of Double, but the geometry has a patch of 27 and 5 filters; its strategy is Direct", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[expected.Length], batch, g, scratch, Activation.ReLU, (ConvolutionStrategy)7));
        Assert.Equal("strategy", e.ParamName);

        // A 1×1, stride-1 geometry takes any of the three; im2col then needs the blocked scratch although ScratchLength is 0.
        Conv2DGeometry pointwise = Conv2DGeometry.Create(4, 5, 6, 7, 1, 1, 1, 1, 1, 1, false);
        Assert.Equal(ConvolutionStrategy.Pointwise, Convolution.Choose<double>(pointwise));
        double[] px = KernelTestData.Uniform(batch * pointwise.InputSize, -1, 1, seed: 114);
        double[] pk = KernelTestData.Uniform(pointwise.KernelSize, -1, 1, seed: 115);
        double[] pb = KernelTestData.Uniform(pointwise.Filters, -1, 1, seed: 116);
        double[] pExpected = Expected(px, pk, pb, relu: false, batch, pointwise);
        foreach (ConvolutionStrategy strategy in new[] { ConvolutionStrategy.Pointwise, ConvolutionStrategy.Direct, ConvolutionStrategy.Im2Col })
        {
            var y = new double[pExpected.Length];
            Convolution.Forward<double>(px, pk, pb, y, batch, pointwise, new double[ScratchFor(pointwise, batch)], Activation.Linear, strategy);
            KernelTestData.AssertClose(pExpected, y, 1e-12, 1e-13, "1x1 " + strategy);
        }
        Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(px, pk, pb, new double[pExpected.Length], batch, pointwise, [], Activation.Linear, ConvolutionStrategy.Im2Col));
    }

    /// <summary>The runtime's choice is the shared rule the generator evaluates (one rule, one place).</summary>
    [Fact]
    public void RuntimeChoiceIsTheSharedRule()
    {
        foreach (var shape in Shapes)
        {
            Conv2DGeometry g = shape.G;
            foreach (int elementSize in new[] { sizeof(float), sizeof(double) })
            {
                ConvolutionStrategy rule = ConvolutionStrategyRule.Choose(g.KernelHeight, g.KernelWidth, g.Channels, g.Filters, g.StrideHeight,
                    g.StrideWidth, g.DilationHeight, g.DilationWidth, g.OutputHeight, g.OutputWidth, elementSize);
                Assert.Equal(rule, elementSize == sizeof(float) ? Convolution.Choose<float>(g) : Convolution.Choose<double>(g));
                Assert.Equal(rule is ConvolutionStrategy.Direct or ConvolutionStrategy.SmallPatch, Convolution.PreferDirect(g));
            }
            // The kernel gradient takes the register kernel exactly where the forward pass does, else one GEMM or
            // im2col (it has no Winograd form, unlike the input gradient).
            Assert.Equal(Convolution.Choose<float>(g) == ConvolutionStrategy.SmallPatch ? ConvolutionStrategy.SmallPatch
                : Convolution.IsPointwise(g) ? ConvolutionStrategy.Pointwise : ConvolutionStrategy.Im2Col,
                Convolution.ChooseBackwardKernel<float>(g));
        }
    }

    /// <summary>The rule's table: (kh, kw, C, F, stride, dilation, output, element size) → strategy.</summary>
    [Theory]
    [InlineData(3, 3, 1, 8, 1, 1, 26, 26, 4, ConvolutionStrategy.Direct)]          // patch 9, too few filters for the register kernel
    [InlineData(3, 3, 1, 32, 1, 1, 26, 26, 4, ConvolutionStrategy.SmallPatch)]     // patch 9, 32 floats: two 512-bit vectors
    [InlineData(3, 3, 1, 32, 1, 1, 26, 26, 8, ConvolutionStrategy.Direct)]         // 32 doubles are four vectors
    [InlineData(3, 3, 1, 16, 1, 1, 26, 26, 8, ConvolutionStrategy.SmallPatch)]     // 16 doubles are two
    [InlineData(3, 3, 1, 16, 1, 1, 26, 26, 4, ConvolutionStrategy.Direct)]         // 16 floats are one
    [InlineData(3, 3, 1, 64, 1, 1, 26, 26, 4, ConvolutionStrategy.Direct)]
    [InlineData(3, 3, 1, 32, 2, 2, 13, 13, 4, ConvolutionStrategy.SmallPatch)]     // any stride and dilation
    [InlineData(1, 1, 9, 32, 2, 1, 5, 5, 4, ConvolutionStrategy.SmallPatch)]       // nine channels of a strided 1×1 kernel
    [InlineData(1, 1, 9, 32, 1, 1, 5, 5, 4, ConvolutionStrategy.Pointwise)]        // ... but with stride 1 it is one GEMM
    [InlineData(3, 3, 3, 32, 1, 1, 26, 26, 4, ConvolutionStrategy.Direct)]         // patch 27
    [InlineData(4, 8, 1, 32, 2, 1, 9, 9, 4, ConvolutionStrategy.Direct)]           // patch 32
    [InlineData(3, 3, 4, 32, 1, 1, 9, 9, 4, ConvolutionStrategy.Im2Col)]           // patch 36
    [InlineData(1, 1, 16, 8, 2, 1, 9, 9, 4, ConvolutionStrategy.Direct)]           // 1×1 with stride 2
    [InlineData(1, 1, 64, 8, 2, 1, 5, 5, 4, ConvolutionStrategy.Im2Col)]
    [InlineData(3, 3, 8, 32, 1, 1, 11, 11, 4, ConvolutionStrategy.Winograd4x4)]    // 8 channels
    [InlineData(3, 3, 8, 32, 1, 1, 5, 5, 8, ConvolutionStrategy.Winograd)]         // small output
    [InlineData(3, 3, 7, 32, 1, 1, 11, 11, 4, ConvolutionStrategy.Im2Col)]         // too few channels
    [InlineData(3, 3, 128, 128, 1, 1, 28, 28, 4, ConvolutionStrategy.Winograd4x4)] // C·F = 2¹⁴
    [InlineData(3, 3, 128, 256, 1, 1, 14, 14, 4, ConvolutionStrategy.Winograd4x4)] // C·F = 2¹⁵, the largest for 4×4 tiles
    [InlineData(3, 3, 129, 256, 1, 1, 14, 14, 4, ConvolutionStrategy.Winograd)]    // just above: 2×2 tiles
    [InlineData(3, 3, 256, 256, 1, 1, 14, 14, 8, ConvolutionStrategy.Winograd)]
    [InlineData(3, 3, 256, 512, 1, 1, 7, 7, 4, ConvolutionStrategy.Winograd)]      // C·F = 2¹⁷, the largest for Winograd
    [InlineData(3, 3, 512, 257, 1, 1, 7, 7, 4, ConvolutionStrategy.Im2Col)]        // just above
    [InlineData(3, 3, 512, 512, 1, 1, 7, 7, 4, ConvolutionStrategy.Im2Col)]        // ResNet-18's last stage
    [InlineData(3, 3, 32, 32, 1, 2, 9, 9, 4, ConvolutionStrategy.Im2Col)]          // dilated
    [InlineData(3, 3, 32, 32, 2, 1, 6, 6, 4, ConvolutionStrategy.Im2Col)]          // strided
    public void RuleTable(int kh, int kw, int channels, int filters, int stride, int dilation, int outputHeight, int outputWidth,
        int elementSize, ConvolutionStrategy expected)
    {
        Assert.Equal(expected, ConvolutionStrategyRule.Choose(kh, kw, channels, filters, stride, stride, dilation, dilation,
            outputHeight, outputWidth, elementSize));
        // By shape alone the register kernel reads Direct: the buffers are the same.
        Assert.Equal(expected == ConvolutionStrategy.SmallPatch ? ConvolutionStrategy.Direct : expected,
            ConvolutionStrategyRule.ChooseByShape(kh, kw, channels, filters, stride, stride, dilation, dilation, outputHeight, outputWidth));
    }

    /// <summary>
    /// The generated code's overload runs the strategy it names: SmallPatch and Direct both give the reference on a
    /// geometry the register kernel fits, and SmallPatch is refused where it does not fit the geometry or the element type.
    /// </summary>
    [Fact]
    public void SmallPatchStrategyIsNamedAndChecked()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(9, 10, 1, 16, 3, 3, 1, 1, 1, 1, true);   // patch 9, 16 doubles
        const int batch = 2;
        Assert.Equal(ConvolutionStrategy.SmallPatch, Convolution.Choose<double>(g));
        Assert.Equal(ConvolutionStrategy.Direct, Convolution.Choose<float>(g));
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 117);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 118);
        double[] bias = KernelTestData.Uniform(g.Filters, -1, 1, seed: 119);
        double[] expected = Expected(x, k, bias, relu: true, batch, g);
        foreach (ConvolutionStrategy strategy in new[] { ConvolutionStrategy.SmallPatch, ConvolutionStrategy.Direct })
        {
            var y = new double[expected.Length];
            Convolution.Forward<double>(x, k, bias, y, batch, g, [], Activation.ReLU, strategy);   // neither needs scratch
            KernelTestData.AssertClose(expected, y, 1e-12, 1e-13, strategy.ToString());
        }
        // 16 floats are one vector, not two: the geometry fits the register kernel only for double.
        float[] xf = KernelTestData.ToSingle(x), kf = KernelTestData.ToSingle(k), bf = KernelTestData.ToSingle(bias);
        var e = Assert.Throws<ArgumentException>(() => Convolution.Forward<float>(xf, kf, bf, new float[expected.Length], batch, g, [], Activation.ReLU, ConvolutionStrategy.SmallPatch));
        Assert.Equal("strategy", e.ParamName);
        Assert.Contains("SmallPatch needs a patch (kh·kw·C) of 9 and 32 filters of Single, but the geometry has a patch of 9 and 16 filters; its strategy is Direct", e.Message, StringComparison.Ordinal);
        // Like Direct, the register kernel applies to a pointwise geometry of nine channels, which the rule gives one GEMM.
        Conv2DGeometry pointwise = Conv2DGeometry.Create(5, 5, 9, 16, 1, 1, 1, 1, 1, 1, false);
        Assert.Equal(ConvolutionStrategy.Pointwise, Convolution.Choose<double>(pointwise));
        double[] px = KernelTestData.Uniform(pointwise.InputSize, -1, 1, seed: 120);
        double[] pk = KernelTestData.Uniform(pointwise.KernelSize, -1, 1, seed: 121);
        var py = new double[pointwise.OutputSize];
        Convolution.Forward<double>(px, pk, [], py, 1, pointwise, [], Activation.Linear, ConvolutionStrategy.SmallPatch);
        KernelTestData.AssertClose(Expected(px, pk, [], relu: false, 1, pointwise), py, 1e-12, 1e-13, "pointwise SmallPatch");
    }

    /// <summary>4×4 tiles where they need fewer products than 2×2 tiles, counting the tiles that overhang the edge.</summary>
    [Theory]
    [InlineData(11, 11, true)]   // 9·36 = 324 against 36·16 = 576
    [InlineData(26, 26, true)]   // 49·36 = 1764 against 169·16 = 2704
    [InlineData(7, 7, true)]     // 4·36 = 144 against 16·16 = 256
    [InlineData(8, 8, true)]     // 144 against 256
    [InlineData(6, 6, false)]    // 144 against 144: a tie keeps the cheaper transforms
    [InlineData(5, 5, false)]    // 144 against 144
    [InlineData(2, 2, false)]    // 36 against 16
    [InlineData(1, 6, false)]    // a 1-D layer: 72 against 48
    [InlineData(1, 100, false)]  // 900 against 800
    public void LargeTilesWhereTheyNeedFewerProducts(int outputHeight, int outputWidth, bool expected) =>
        Assert.Equal(expected, ConvolutionStrategyRule.PreferLargeTiles(outputHeight, outputWidth));

    /// <summary>A Winograd layer through the generated code's overload: the reference, and refused where it does not apply.</summary>
    [Fact]
    public void WinogradStrategyGivesTheReferenceAndIsRefusedElsewhere()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(9, 7, 8, 5, 3, 3, 1, 1, 1, 1, true);
        const int batch = 2;
        // A 9×7 output: 4×4 tiles need 6·36 products against 20·16 for 2×2 tiles.
        Assert.Equal(ConvolutionStrategy.Winograd4x4, Convolution.Choose<double>(g));
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 121);
        double[] k = KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 122);
        double[] bias = KernelTestData.Uniform(g.Filters, -1, 1, seed: 123);
        var scratch = new double[Convolution.ScratchLength(g, batch)];
        var anyScratch = new double[ScratchFor(g, batch)];
        foreach (bool relu in new[] { false, true })
        {
            Activation activation = relu ? Activation.ReLU : Activation.Linear;
            double[] expected = Expected(x, k, bias, relu, batch, g);
            var y = new double[expected.Length];
            Convolution.Forward<double>(x, k, bias, y, batch, g, scratch, activation);
            KernelTestData.AssertClose(expected, y, 1e-12, 1e-12, "rule-chosen Winograd, relu " + relu);
            foreach (ConvolutionStrategy strategy in new[] { ConvolutionStrategy.Winograd, ConvolutionStrategy.Winograd4x4 })
            {
                y.AsSpan().Clear();
                Convolution.Forward<double>(x, k, bias, y, batch, g, anyScratch, activation, strategy);
                KernelTestData.AssertClose(expected, y, 1e-12, 1e-12, "named " + strategy + ", relu " + relu);
                // With the kernel cache the generated code passes, twice: filled, then reused.
                var cache = new double[Convolution.KernelCacheLength(g, strategy)];
                for (int call = 0; call < 2; call++)
                {
                    y.AsSpan().Clear();
                    Convolution.Forward<double>(x, k, bias, y, batch, g, anyScratch, activation, strategy, cache);
                    KernelTestData.AssertClose(expected, y, 1e-12, 1e-12, "cached " + strategy + ", relu " + relu + ", call " + call);
                }
                var wrongCache = new double[cache.Length + 1];
                var wrong = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[expected.Length], batch, g, anyScratch, activation, strategy, wrongCache));
                Assert.Equal("kernelCache", wrong.ParamName);
            }
        }
        // Strategies without a transformed kernel take no cache.
        var noCache = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[batch * g.OutputSize], batch, g, anyScratch, Activation.ReLU, ConvolutionStrategy.Im2Col, new double[16]));
        Assert.Contains("ConvolutionStrategy.Im2Col keeps no kernel cache, but kernelCache has 16 elements", noCache.Message, StringComparison.Ordinal);
        Assert.Equal("kernelCache", noCache.ParamName);
        var e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, new double[batch * g.OutputSize], batch, g, [], Activation.ReLU, ConvolutionStrategy.Winograd));
        Assert.Equal("scratch", e.ParamName);
        Conv2DGeometry strided = Conv2DGeometry.Create(9, 7, 8, 5, 3, 3, 2, 2, 1, 1, true);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(
            KernelTestData.Uniform(strided.InputSize, -1, 1, seed: 124), k, bias, new double[strided.OutputSize], 1, strided,
            new double[ScratchFor(strided, 1)], Activation.ReLU, ConvolutionStrategy.Winograd));
        Assert.Equal("strategy", e.ParamName);
        Assert.Contains("Winograd needs a 3×3 kernel with stride 1 and dilation 1, but the geometry has a 3×3 kernel with stride 2×2 and dilation 1×1; its strategy is Im2Col", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallPatchKernelsCoverTheMnistFirstLayerOnEveryMachine()
    {
        // The strategy depends on the shape and element type only; Vector512 decides which loops run it.
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, ConvolutionSmallPatch.IsAccelerated<float>());
        Conv2DGeometry mnist = Conv2DGeometry.Create(28, 28, 1, 32, 3, 3, 1, 1, 1, 1, false);
        Assert.True(ConvolutionSmallPatch.Fits<float>(mnist));
        Assert.Equal(ConvolutionStrategy.SmallPatch, Convolution.Choose<float>(mnist));
        Assert.Equal(ConvolutionStrategy.SmallPatch, Convolution.ChooseBackwardKernel<float>(mnist));
        Assert.Equal(ConvolutionStrategy.Im2Col, Convolution.ChooseBackward(mnist));
        Assert.False(ConvolutionSmallPatch.Fits<double>(mnist));   // 32 doubles are four vectors
        Assert.True(ConvolutionSmallPatch.Fits<double>(mnist with { Filters = 16 }));
        Assert.False(ConvolutionSmallPatch.Fits<float>(mnist with { Filters = 64 }));
        Assert.False(ConvolutionSmallPatch.Fits<float>(Conv2DGeometry.Create(28, 28, 3, 32, 3, 3, 1, 1, 1, 1, false)));
    }

    [Fact]
    public void FusedForwardErrorsNameTheProblem()
    {
        Conv2DGeometry g = Conv2DGeometry.Create(5, 5, 2, 3, 3, 3, 1, 1, 1, 1, false);
        const int batch = 2;
        var x = new double[batch * g.InputSize];
        var k = new double[g.KernelSize];
        var bias = new double[g.Filters];
        var y = new double[batch * g.OutputSize];
        var scratch = new double[Convolution.ScratchLength(g, batch)];

        var e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, y, batch, g, scratch, Activation.Sigmoid));
        Assert.Equal("activation", e.ParamName);
        Assert.Contains("only Activation.Linear or Activation.ReLU, not Sigmoid", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias.AsSpan(1), y, batch, g, scratch, Activation.ReLU));
        Assert.Equal("bias", e.ParamName);
        Assert.Contains("bias length 2 does not match the 3 filters", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, bias, y.AsSpan(1), batch, g, scratch, Activation.ReLU));
        Assert.Equal("y", e.ParamName);
        Assert.Contains($"y length {y.Length - 1} does not match [batch 2, 3, 3, 3] = {y.Length}", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x.AsSpan(2), k, bias, y, batch, g, scratch, Activation.Linear));
        Assert.Equal("x", e.ParamName);
        // This geometry runs forward directly (no scratch); one with a longer patch needs the column blocks.
        Conv2DGeometry deep = Conv2DGeometry.Create(5, 5, 4, 3, 3, 3, 1, 1, 1, 1, false);
        var deepScratch = new double[Convolution.ScratchLength(deep, batch)];
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(new double[batch * deep.InputSize], new double[deep.KernelSize], bias,
            y, batch, deep, deepScratch.AsSpan(1), Activation.ReLU));
        Assert.Equal("scratch", e.ParamName);
        Assert.Contains($"scratch length {deepScratch.Length - 1} is less than the {deepScratch.Length} elements", e.Message, StringComparison.Ordinal);
        // The output sharing memory with the bias.
        var shared = new double[y.Length + 1];
        e = Assert.Throws<ArgumentException>(() => Convolution.Forward<double>(x, k, shared.AsSpan(y.Length - 2, 3), shared.AsSpan(0, y.Length), batch, g, scratch, Activation.ReLU));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("overlaps the bias", e.Message, StringComparison.Ordinal);
        // No bias and an empty batch are fine.
        Convolution.Forward<double>(x, k, [], y, batch, g, scratch, Activation.Linear);
        Convolution.Forward<double>([], k, bias, [], 0, g, [], Activation.ReLU);
    }
}
