using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="Attention.Backward{T}"/> in float against the same call in double (the per-pair GEMM path), on shapes
/// that take the float register kernel (key and value depths multiples of 16) with row counts that are not multiples
/// of 4 and key counts that are not multiples of 16 (the kernel's row and column tails), with and without a dropout
/// mask; and <see cref="LayerNorm.Backward{T}"/> over several row chunks (partial γ/β sums) against double.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
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

    /// <summary>
    /// <see cref="Attention.BackwardMerged{T}"/> reads dC and writes dQ, dK, dV in the projections' layout: it must give
    /// bit for bit what <c>SplitHeads</c>, <see cref="Attention.Backward{T}"/> and <c>MergeHeads</c> give, on the float
    /// register kernel's shapes (in place, strided) and on the GEMM path's (float depth 5, double), with and without
    /// dropout, at one thread and at four.
    /// </summary>
    [Theory]
    [InlineData(16, 4, 64, 64, 16, 16, false)]
    [InlineData(3, 2, 7, 21, 16, 32, true)]
    [InlineData(2, 3, 13, 13, 32, 16, false)]
    [InlineData(3, 2, 7, 9, 5, 3, true)]
    public void Merged_backward_gives_the_bits_of_split_backward_merge(int batch, int heads, int queries, int keys, int keyDim, int valueDim,
        bool dropout)
    {
        Check<float>();
        Check<double>();

        void Check<T>()
            where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            int pairs = batch * heads;
            T[] Make(int length, ulong seed, double low = -1, double high = 1) => Array.ConvertAll(KernelTestData.Uniform(length, low, high, seed), T.CreateTruncating);
            T[] q = Make(pairs * queries * keyDim, 51), k = Make(pairs * keys * keyDim, 52), v = Make(pairs * keys * valueDim, 53);
            T[] p = Make(pairs * queries * keys, 54, 0, 0.1), used = p, mask = [];
            if (dropout)
            {
                mask = Make(p.Length, 55, 0, 1);
                for (int i = 0; i < mask.Length; i++)
                    mask[i] = mask[i] < T.CreateTruncating(0.25) ? T.Zero : T.CreateTruncating(1 / 0.75);
                used = new T[p.Length];
                for (int i = 0; i < p.Length; i++)
                    used[i] = p[i] * mask[i];
            }
            T[] dc = Make(pairs * queries * valueDim, 56);
            int saved = NeuralDslThreads.MaxThreads;
            try
            {
                foreach (int threads in new[] { 1, 4 })
                {
                    NeuralDslThreads.MaxThreads = threads;
                    var dch = new T[dc.Length];
                    Attention.SplitHeads<T>(dc, dch, batch, queries, heads, valueDim);
                    T[] dqh = new T[q.Length], dkh = new T[k.Length], dvh = new T[v.Length];
                    Attention.Backward<T>(q, k, v, p, used, mask, dch, new T[p.Length], dqh, dkh, dvh, batch, heads, queries, keys, keyDim, valueDim);
                    T[] dq = new T[q.Length], dk = new T[k.Length], dv = new T[v.Length];
                    Attention.MergeHeads<T>(dqh, dq, batch, queries, heads, keyDim);
                    Attention.MergeHeads<T>(dkh, dk, batch, keys, heads, keyDim);
                    Attention.MergeHeads<T>(dvh, dv, batch, keys, heads, valueDim);

                    T[] mq = new T[q.Length], mk = new T[k.Length], mv = new T[v.Length];
                    Attention.BackwardMerged<T>(q, k, v, p, used, mask, dc, new T[p.Length], mq, mk, mv, batch, heads, queries, keys, keyDim, valueDim);
                    Assert.Equal(dq, mq);
                    Assert.Equal(dk, mk);
                    Assert.Equal(dv, mv);
                }
            }
            finally
            {
                NeuralDslThreads.MaxThreads = saved;
            }
        }
    }

    [Fact]
    public void Merged_backward_refuses_outputs_that_overlap()
    {
        const int batch = 1, heads = 2, steps = 4, depth = 16;
        int n = batch * heads * steps * depth, pn = batch * heads * steps * steps;
        float[] q = new float[n], k = new float[n], v = new float[n], p = new float[pn], dc = new float[n], scratch = new float[pn];
        float[] dq = new float[n], dv = new float[n];
        var ex = Assert.Throws<ArgumentException>(() =>
            Attention.BackwardMerged<float>(q, k, v, p, p, default, dc, scratch, dq, dq, dv, batch, heads, steps, steps, depth, depth));
        Assert.Equal("dq", ex.ParamName);
        Assert.Throws<ArgumentException>(() =>
            Attention.BackwardMerged<float>(q, k, v, p, p, default, dc, scratch, dq, dc, dv, batch, heads, steps, steps, depth, depth));
    }

    /// <summary>
    /// <see cref="LayerNorm.Forward{T}"/> shares its rows with the pool in chunks of 8,192 elements: every row must get
    /// the bits it gets alone (a one-row call), at one thread and at four.
    /// </summary>
    [Theory]
    [InlineData(300, 64, false)] // three chunks, the last one short
    [InlineData(1024, 64, true)]
    [InlineData(37, 1000, false)]
    public void LayerNorm_forward_in_chunks_gives_each_row_its_own_bits(int rows, int features, bool rmsScaling)
    {
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(rows * features, -2, 3, 41));
        float[] gamma = KernelTestData.ToSingle(KernelTestData.Uniform(features, 0.5, 1.5, 42));
        float[] beta = KernelTestData.ToSingle(KernelTestData.Uniform(features, -1, 1, 43));
        var alone = new float[x.Length];
        var aloneMean = new float[rows];
        var aloneStd = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            LayerNorm.Forward<float>(x.AsSpan(r * features, features), gamma, beta, alone.AsSpan(r * features, features), aloneMean.AsSpan(r, 1),
                aloneStd.AsSpan(r, 1), 1, features, 1e-3, rmsScaling);
        }
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 4 })
            {
                NeuralDslThreads.MaxThreads = threads;
                var y = new float[x.Length];
                var mean = new float[rows];
                var inverseStd = new float[rows];
                LayerNorm.Forward<float>(x, gamma, beta, y, mean, inverseStd, rows, features, 1e-3, rmsScaling);
                Assert.Equal(alone, y);
                Assert.Equal(aloneMean, mean);
                Assert.Equal(aloneStd, inverseStd);
            }
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
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
