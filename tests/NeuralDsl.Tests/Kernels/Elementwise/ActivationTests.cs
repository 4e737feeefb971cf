using System;
using System.Collections.Generic;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

public class ActivationTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (ActivationCase c in ActivationCase.All)
            data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardMatchesDoubleReferenceAtEveryLength(string name)
    {
        ActivationCase c = ActivationCase.Get(name);
        foreach (int n in KernelTestData.Lengths())
        {
            double[] z = KernelTestData.Uniform(n, -12, 12, seed: (ulong)n + 1);
            var expected = Array.ConvertAll(z, x => c.Reference(x));
            var actual = new double[n];
            c.ForwardDouble(z, actual);
            // The GELU reference rounds x/√2 before erfc, which costs it about x² ulps in the negative tail; the
            // kernel's own tail accuracy is checked against mpmath values in SpecialFunctionTests.
            double tolerance = name == "Gelu" ? 1e-12 : 2e-14;
            KernelTestData.AssertClose(expected, actual, tolerance, 1e-300, $"{name}<double> n={n}");

            float[] zf = KernelTestData.ToSingle(z);
            var expectedF = Array.ConvertAll(zf, x => c.Reference(x));
            var actualF = new float[n];
            c.ForwardSingle(zf, actualF);
            KernelTestData.AssertClose(expectedF, KernelTestData.ToDouble(actualF), 2e-6, 1e-37, $"{name}<float> n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardHandlesExtremeInputs(string name)
    {
        ActivationCase c = ActivationCase.Get(name);
        double[] z = [-1000, -745, -700, -40, -1e-10, 1e-10, 40, 700, 1000, -1e-300, 1e-300];
        var actual = new double[z.Length];
        c.ForwardDouble(z, actual);
        KernelTestData.AssertClose(Array.ConvertAll(z, x => c.Reference(x)), actual, 1e-13, 1e-300, name);

        float[] zf = [-1000f, -100f, -88f, -20f, -1e-7f, 1e-7f, 20f, 88f, 100f, 1000f];
        var actualF = new float[zf.Length];
        c.ForwardSingle(zf, actualF);
        foreach (float v in actualF)
            Assert.False(float.IsNaN(v), $"{name}<float> produced NaN");
        KernelTestData.AssertClose(Array.ConvertAll(zf, x => c.Reference(x)), KernelTestData.ToDouble(actualF), 2e-6, 1e-37, name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesCentralDifferencesInDouble(string name)
    {
        ActivationCase c = ActivationCase.Get(name);
        const double h = 1e-6;
        foreach (int n in new[] { 1, 7, 8, 9, 16, 17, 31, 64, 65, 257, 4096 })
        {
            // Inputs stay at least 1e-3 from the kinks at 0 so the finite difference never straddles one.
            double[] z = KernelTestData.Uniform(n, -6, 6, seed: 100 + (ulong)n, minMagnitude: 1e-3);
            double[] da = KernelTestData.Uniform(n, -1, 1, seed: 200 + (ulong)n);
            var a = new double[n];
            c.ForwardDouble(z, a);
            var dz = new double[n];
            c.BackwardDouble(z, a, da, dz);

            var plus = new double[n];
            var minus = new double[n];
            c.ForwardDouble(Array.ConvertAll(z, x => x + h), plus);
            c.ForwardDouble(Array.ConvertAll(z, x => x - h), minus);
            var numeric = new double[n];
            for (int i = 0; i < n; i++)
                numeric[i] = da[i] * (plus[i] - minus[i]) / (2 * h);

            double error = KernelTestData.RelativeError(dz, numeric);
            Assert.True(error < 1e-6, $"{name} n={n}: relative error {error:E3}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesAnalyticDerivativeAtEveryLength(string name)
    {
        ActivationCase c = ActivationCase.Get(name);
        foreach (int n in KernelTestData.Lengths())
        {
            double[] z = KernelTestData.Uniform(n, -8, 8, seed: 300 + (ulong)n, minMagnitude: 1e-6);
            double[] da = KernelTestData.Uniform(n, -2, 2, seed: 400 + (ulong)n);
            var expected = new double[n];
            for (int i = 0; i < n; i++)
                expected[i] = da[i] * c.DerivativeReference(z[i]);

            var a = new double[n];
            c.ForwardDouble(z, a);
            var dz = new double[n];
            c.BackwardDouble(z, a, da, dz);
            // Derivatives computed from a (1 − a², a·(1 − a)) inherit a's rounding, relative to the derivative's size.
            KernelTestData.AssertClose(expected, dz, 1e-12, 4e-15, $"{name}<double> n={n}");

            float[] zf = KernelTestData.ToSingle(z), daf = KernelTestData.ToSingle(da);
            var expectedF = new double[n];
            for (int i = 0; i < n; i++)
                expectedF[i] = daf[i] * c.DerivativeReference(zf[i]);
            var af = new float[n];
            c.ForwardSingle(zf, af);
            var dzf = new float[n];
            c.BackwardSingle(zf, af, daf, dzf);
            KernelTestData.AssertClose(expectedF, KernelTestData.ToDouble(dzf), 1e-5, 1e-6, $"{name}<float> n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InPlaceGivesTheSameResult(string name)
    {
        ActivationCase c = ActivationCase.Get(name);
        foreach (int n in new[] { 1, 5, 8, 15, 16, 17, 33, 100, 257, 4096 })
        {
            float[] z = KernelTestData.ToSingle(KernelTestData.Uniform(n, -5, 5, seed: 500 + (ulong)n));
            float[] da = KernelTestData.ToSingle(KernelTestData.Uniform(n, -1, 1, seed: 600 + (ulong)n));
            var a = new float[n];
            c.ForwardSingle(z, a);
            var dz = new float[n];
            c.BackwardSingle(z, a, da, dz);

            float[] inPlace = (float[])z.Clone();
            c.ForwardSingle(inPlace, inPlace);
            Assert.Equal(a, inPlace);
            float[] daInPlace = (float[])da.Clone();
            c.BackwardSingle(z, a, daInPlace, daInPlace);
            Assert.Equal(dz, daInPlace);

            double[] zd = KernelTestData.ToDouble(z);
            var ad = new double[n];
            c.ForwardDouble(zd, ad);
            double[] zdInPlace = (double[])zd.Clone();
            c.ForwardDouble(zdInPlace, zdInPlace);
            Assert.Equal(ad, zdInPlace);
        }
    }

    [Fact]
    public void SoftmaxMatchesReferenceAtEveryRowLength()
    {
        foreach (int rowLength in KernelTestData.Lengths())
        {
            if (rowLength == 0)
                continue;
            const int rows = 3;
            double[] z = KernelTestData.Uniform(rows * rowLength, -20, 20, seed: 700 + (ulong)rowLength);
            double[] expected = ReferenceSoftmax(z, rowLength);
            var actual = new double[z.Length];
            Activations.Softmax<double>(z, actual, rowLength);
            KernelTestData.AssertClose(expected, actual, 1e-13, 1e-300, $"softmax<double> row={rowLength}");

            float[] zf = KernelTestData.ToSingle(z);
            var actualF = new float[z.Length];
            Activations.Softmax<float>(zf, actualF, rowLength);
            double[] expectedF = ReferenceSoftmax(KernelTestData.ToDouble(zf), rowLength);
            KernelTestData.AssertClose(expectedF, KernelTestData.ToDouble(actualF), 1e-5, 1e-37, $"softmax<float> row={rowLength}");
        }
    }

    [Fact]
    public void SoftmaxIsStableOnHugeLogits()
    {
        double e = Math.E;
        double[] expected = [1 / (1 + e), e / (1 + e), 0, 1, 0, 0];
        double[] z = [1000, 1001, -1000, 1000, -1000, -1000];
        var a = new double[6];
        Activations.Softmax<double>(z, a, 3);
        KernelTestData.AssertClose(expected, a, 1e-15, 0, "double");

        float[] zf = [1000f, 1001f, -1000f, 1000f, -1000f, -1000f];
        var af = new float[6];
        Activations.Softmax<float>(zf, af, 3);
        KernelTestData.AssertClose(expected, KernelTestData.ToDouble(af), 1e-6, 0, "float");
    }

    [Fact]
    public void SoftmaxBackwardMatchesCentralDifferences()
    {
        const double h = 1e-6;
        foreach (int rowLength in new[] { 1, 2, 7, 10, 33 })
        {
            const int rows = 3;
            double[] z = KernelTestData.Uniform(rows * rowLength, -3, 3, seed: 800 + (ulong)rowLength);
            double[] da = KernelTestData.Uniform(z.Length, -1, 1, seed: 900 + (ulong)rowLength);
            var a = new double[z.Length];
            Activations.Softmax<double>(z, a, rowLength);
            var dz = new double[z.Length];
            Activations.SoftmaxBackward<double>(a, da, dz, rowLength);

            // L(z) = Σ da ⊙ softmax(z); its gradient is what SoftmaxBackward returns.
            var numeric = new double[z.Length];
            var probe = new double[z.Length];
            for (int j = 0; j < z.Length; j++)
            {
                double saved = z[j];
                z[j] = saved + h;
                Activations.Softmax<double>(z, probe, rowLength);
                double up = Dot(da, probe);
                z[j] = saved - h;
                Activations.Softmax<double>(z, probe, rowLength);
                double down = Dot(da, probe);
                z[j] = saved;
                numeric[j] = (up - down) / (2 * h);
            }
            double error = KernelTestData.RelativeError(dz, numeric);
            Assert.True(error < 1e-6 || rowLength == 1, $"row={rowLength}: relative error {error:E3}");
            if (rowLength == 1)
                Assert.All(dz, v => Assert.Equal(0, v, 1e-15));

            // In place: dz aliasing da.
            double[] daInPlace = (double[])da.Clone();
            Activations.SoftmaxBackward<double>(a, daInPlace, daInPlace, rowLength);
            Assert.Equal(dz, daInPlace);
        }
    }

    [Fact]
    public void SoftmaxInPlaceGivesTheSameResult()
    {
        float[] z = KernelTestData.ToSingle(KernelTestData.Uniform(4 * 37, -9, 9, seed: 11));
        var a = new float[z.Length];
        Activations.Softmax<float>(z, a, 37);
        Activations.Softmax<float>(z, z, 37);
        Assert.Equal(a, z);
    }

    [Fact]
    public void WrongLengthsThrowNamingBothSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activations.Relu<float>(new float[10], new float[9]));
        Assert.Contains("10", ex.Message);
        Assert.Contains("9", ex.Message);

        ex = Assert.Throws<ArgumentException>(() =>
            Activations.SigmoidBackward<float>(default, new float[5], new float[6], new float[6]));
        Assert.Contains("5", ex.Message);
        Assert.Contains("6", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Activations.Softmax<double>(new double[10], new double[10], 3));
        Assert.Contains("10", ex.Message);
        Assert.Contains("3", ex.Message);

        ex = Assert.Throws<ArgumentException>(() =>
            Activations.SoftmaxBackward<double>(new double[6], new double[6], new double[6], 4));
        Assert.Contains("6", ex.Message);
        Assert.Contains("4", ex.Message);

        ex = Assert.Throws<ArgumentException>(() =>
        {
            var buffer = new float[20];
            Activations.Tanh<float>(buffer.AsSpan(0, 10), buffer.AsSpan(5, 10));
        });
        Assert.Contains("overlaps", ex.Message);
    }

    [Fact]
    public void BackwardAcceptsAnEmptyUnusedInput()
    {
        float[] z = [-1f, 2f, 3f];
        float[] da = [1f, 1f, 1f];
        var dz = new float[3];
        Activations.ReluBackward<float>(z, default, da, dz);
        Assert.Equal(new[] { 0f, 1f, 1f }, dz);
        Activations.SigmoidBackward<float>(default, [0.5f, 0.5f, 0.5f], da, dz);
        Assert.Equal(new[] { 0.25f, 0.25f, 0.25f }, dz);
    }

    [Fact]
    public void UnsupportedElementTypeThrows()
    {
        Assert.Throws<NotSupportedException>(() => Activations.Relu<Half>(new Half[4], new Half[4]));
    }

    [Fact]
    public void KernelsAllocateNothingAfterWarmUp()
    {
        var z = new float[1000];
        var a = new float[1000];
        var da = new float[1000];
        var dz = new float[1000];
        var zd = new double[1000];
        var ad = new double[1000];
        z.AsSpan().Fill(0.5f);
        da.AsSpan().Fill(1f);
        zd.AsSpan().Fill(0.5);
        RunAll(z, a, da, dz, zd, ad);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunAll(z, a, da, dz, zd, ad);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static void RunAll(float[] z, float[] a, float[] da, float[] dz, double[] zd, double[] ad)
    {
        Activations.Relu<float>(z, a);
        Activations.ReluBackward<float>(z, a, da, dz);
        Activations.Sigmoid<float>(z, a);
        Activations.SigmoidBackward<float>(z, a, da, dz);
        Activations.Tanh<float>(z, a);
        Activations.TanhBackward<float>(z, a, da, dz);
        Activations.LeakyRelu<float>(z, a);
        Activations.LeakyReluBackward<float>(z, a, da, dz);
        Activations.Elu<float>(z, a);
        Activations.EluBackward<float>(z, a, da, dz);
        Activations.Selu<float>(z, a);
        Activations.SeluBackward<float>(z, a, da, dz);
        Activations.Gelu<float>(z, a);
        Activations.GeluBackward<float>(z, a, da, dz);
        Activations.Swish<float>(z, a);
        Activations.SwishBackward<float>(z, a, da, dz);
        Activations.Softplus<float>(z, a);
        Activations.SoftplusBackward<float>(z, a, da, dz);
        Activations.Softmax<float>(z, a, 10);
        Activations.SoftmaxBackward<float>(a, da, dz, 10);
        Activations.Gelu<double>(zd, ad);
        Activations.Softmax<double>(zd, ad, 100);
        Bias.AddRows<float>(a, z.AsSpan(0, 10));
        Bias.AccumulateGradient<float>(dz, a.AsSpan(0, 100));
    }

    private static double[] ReferenceSoftmax(double[] z, int rowLength)
    {
        var result = new double[z.Length];
        for (int offset = 0; offset < z.Length; offset += rowLength)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < rowLength; j++)
                max = Math.Max(max, z[offset + j]);
            double sum = 0;
            for (int j = 0; j < rowLength; j++)
                sum += Math.Exp(z[offset + j] - max);
            for (int j = 0; j < rowLength; j++)
                result[offset + j] = Math.Exp(z[offset + j] - max) / sum;
        }
        return result;
    }

    private static double Dot(double[] x, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += x[i] * y[i];
        return sum;
    }
}
