using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="Attention.Backward{T}"/> in float against the same call in double (the per-pair GEMM path), on shapes
/// that take the float register kernel (key and value depths multiples of 16) with row counts that are not multiples
/// of 4 and key counts that are not multiples of 16 (the kernel's row and column tails), with and without a dropout
/// mask; and <see cref="LayerNorm.Backward{T}"/> over several row chunks (partial γ/β sums) against double.
/// </summary>
public sealed class AttentionBackwardTests
{
    /// <summary>|float − double| ≤ Tolerance · (1 + |double|): float rounding over sums of at most 64 terms of size ~1.</summary>
    private const double Tolerance = 2e-5;

    [Theory]
    [InlineData(16, 4, 64, 64, 16, 16, false)] // the benchmark's pairs
    [InlineData(3, 2, 7, 21, 16, 32, false)]
    [InlineData(3, 2, 7, 21, 16, 32, true)]
    [InlineData(2, 3, 13, 13, 32, 16, true)]
    public void Float_backward_matches_double(int batch, int heads, int queries, int keys, int keyDim, int valueDim, bool dropout)
    {
        int pairs = batch * heads;
        double[] q = KernelTestData.Uniform(pairs * queries * keyDim, -1, 1, 11);
        double[] k = KernelTestData.Uniform(pairs * keys * keyDim, -1, 1, 12);
        double[] v = KernelTestData.Uniform(pairs * keys * valueDim, -1, 1, 13);
        double[] dContext = KernelTestData.Uniform(pairs * queries * valueDim, -1, 1, 14);
        // Probability rows: positive, summing to 1; with dropout, P̃ = P ⊙ mask with mask 0 or 1 / (1 − 0.25).
        double[] p = KernelTestData.Uniform(pairs * queries * keys, 0.01, 1, 15);
        for (int row = 0; row < pairs * queries; row++)
        {
            Span<double> r = p.AsSpan(row * keys, keys);
            double sum = 0;
            foreach (double x in r)
                sum += x;
            for (int j = 0; j < keys; j++)
                r[j] = (double)(float)(r[j] / sum); // representable in float, so both runs see the same P
        }
        double[] mask = dropout ? Array.ConvertAll(KernelTestData.Uniform(p.Length, 0, 1, 16), u => u < 0.25 ? 0 : 1 / 0.75) : [];
        double[] used = dropout ? new double[p.Length] : p;
        if (dropout)
        {
            for (int i = 0; i < p.Length; i++)
                used[i] = (double)(float)(p[i] * mask[i]);
            mask = Array.ConvertAll(mask, m => (double)(float)m);
        }
        q = Round(q); k = Round(k); v = Round(v); dContext = Round(dContext);

        var expected = Run(q, k, v, p, used, mask, dContext, batch, heads, queries, keys, keyDim, valueDim);
        var actual = Run(KernelTestData.ToSingle(q), KernelTestData.ToSingle(k), KernelTestData.ToSingle(v), KernelTestData.ToSingle(p),
            KernelTestData.ToSingle(used), KernelTestData.ToSingle(mask), KernelTestData.ToSingle(dContext), batch, heads, queries, keys, keyDim,
            valueDim);
        AssertClose(expected.Dq, actual.Dq, "dQ");
        AssertClose(expected.Dk, actual.Dk, "dK");
        AssertClose(expected.Dv, actual.Dv, "dV");
    }

    [Theory]
    [InlineData(300, 64, false)] // 128 rows per chunk: three chunks, the last one short
    [InlineData(1024, 64, false)]
    [InlineData(37, 1000, true)] // 8 rows per chunk
    public void LayerNorm_backward_in_chunks_matches_double(int rows, int features, bool rmsScaling)
    {
        double[] x = Round(KernelTestData.Uniform(rows * features, -2, 2, 21));
        double[] dy = Round(KernelTestData.Uniform(rows * features, -1, 1, 22));
        double[] gamma = Round(KernelTestData.Uniform(features, 0.5, 1.5, 23));
        double[] mean = new double[rows], inverseStd = new double[rows];
        var y = new double[rows * features];
        LayerNorm.Forward<double>(x, gamma, default, y, mean, inverseStd, rows, features, 1e-3, rmsScaling);
        mean = Round(mean);
        inverseStd = Round(inverseStd);
        double[] dGamma = Round(KernelTestData.Uniform(features, -1, 1, 24)), dBeta = Round(KernelTestData.Uniform(features, -1, 1, 25));

        var dx = new double[rows * features];
        double[] dGammaD = (double[])dGamma.Clone(), dBetaD = (double[])dBeta.Clone();
        LayerNorm.Backward<double>(x, (double[])dy.Clone(), gamma, mean, inverseStd, dx, dGammaD, dBetaD, rows, features, rmsScaling);

        var dxF = new float[rows * features];
        float[] dGammaF = KernelTestData.ToSingle(dGamma), dBetaF = KernelTestData.ToSingle(dBeta);
        LayerNorm.Backward<float>(KernelTestData.ToSingle(x), KernelTestData.ToSingle(dy), KernelTestData.ToSingle(gamma),
            KernelTestData.ToSingle(mean), KernelTestData.ToSingle(inverseStd), dxF, dGammaF, dBetaF, rows, features, rmsScaling);
        AssertClose(dx, dxF, "dx");
        // Sums over up to 1,024 rows: the float error grows with the row count.
        AssertClose(dGammaD, dGammaF, "dGamma", rows * Tolerance);
        AssertClose(dBetaD, dBetaF, "dBeta", rows * Tolerance);
    }

    private static double[] Round(double[] values) => Array.ConvertAll(values, v => (double)(float)v);

    private static (T[] Dq, T[] Dk, T[] Dv) Run<T>(T[] q, T[] k, T[] v, T[] p, T[] used, T[] mask, T[] dContext, int batch, int heads,
        int queries, int keys, int keyDim, int valueDim)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var dq = new T[q.Length];
        var dk = new T[k.Length];
        var dv = new T[v.Length];
        var scratch = new T[p.Length];
        Attention.Backward<T>(q, k, v, p, used, mask, dContext, scratch, dq, dk, dv, batch, heads, queries, keys, keyDim, valueDim);
        return (dq, dk, dv);
    }

    private static void AssertClose(double[] expected, float[] actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: float {actual[i]} against double {expected[i]} (error {error:E2}, tolerance {tolerance:E1}·(1 + |expected|))");
        }
    }
}
