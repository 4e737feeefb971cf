using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The fused, parallel forward kernels of multi-head attention (<see cref="Attention.ProjectHeads{T}"/>,
/// <see cref="Attention.Forward{T}"/>, <see cref="Attention.Project{T}"/>) against plain double loops written from the
/// formulas, and the same bits at every thread count (their chunks come from the sizes alone).
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class AttentionForwardTests
{
    private const int Heads = 3, Queries = 7, Keys = 7, KeyDim = 5, ValueDim = 4, Features = 6;

    private static double[] Random(int length, int seed)
    {
        var rng = new Rng((ulong)seed);
        var a = new double[length];
        for (int i = 0; i < length; i++)
            a[i] = rng.NextDouble() * 2 - 1;
        return a;
    }

    private static float[] Single(double[] a) => Array.ConvertAll(a, v => (float)v);

    /// <summary>Padding mask [batch × steps]: sample 1 has its last two steps padded.</summary>
    private static double[] Mask(int batch)
    {
        var mask = new double[batch * Keys];
        mask.AsSpan().Fill(1);
        if (batch > 1)
            mask[Keys + Keys - 1] = mask[Keys + Keys - 2] = 0;
        return mask;
    }

    /// <summary>Reference probabilities [b, h, i, j] and merged context [b, i, h, :] by the formulas.</summary>
    private static (double[] P, double[] Context) Reference(double[] q, double[] k, double[] v, double[]? mask, int batch, bool causal)
    {
        var p = new double[batch * Heads * Queries * Keys];
        var context = new double[batch * Queries * Heads * ValueDim];
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < Heads; h++)
            {
                for (int i = 0; i < Queries; i++)
                {
                    var s = new double[Keys];
                    var allowed = new bool[Keys];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < Keys; j++)
                    {
                        allowed[j] = (!causal || j <= i) && (mask is null || (mask[b * Keys + i] != 0 && mask[b * Keys + j] != 0));
                        double dot = 0;
                        for (int d = 0; d < KeyDim; d++)
                            dot += q[((b * Heads + h) * Queries + i) * KeyDim + d] * k[((b * Heads + h) * Keys + j) * KeyDim + d];
                        s[j] = dot / Math.Sqrt(KeyDim);
                        if (allowed[j])
                            max = Math.Max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < Keys; j++)
                        sum += allowed[j] ? Math.Exp(s[j] - max) : 0;
                    for (int j = 0; j < Keys; j++)
                    {
                        double pj = allowed[j] ? Math.Exp(s[j] - max) / sum : 0;
                        p[((b * Heads + h) * Queries + i) * Keys + j] = pj;
                        for (int d = 0; d < ValueDim; d++)
                            context[((b * Queries + i) * Heads + h) * ValueDim + d] += pj * v[((b * Heads + h) * Keys + j) * ValueDim + d];
                    }
                }
            }
        }
        return (p, context);
    }

    private static void Close(double[] expected, ReadOnlySpan<double> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static void Close(double[] expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Forward_gives_the_probabilities_and_both_contexts_of_the_formulas(bool masked, bool causal)
    {
        const int batch = 2;
        double[] q = Random(batch * Heads * Queries * KeyDim, 1), k = Random(batch * Heads * Keys * KeyDim, 2), v = Random(batch * Heads * Keys * ValueDim, 3);
        double[]? mask = masked ? Mask(batch) : null;
        (double[] expectedP, double[] expectedContext) = Reference(q, k, v, mask, batch, causal);
        var expectedHeads = new double[expectedContext.Length];
        Attention.SplitHeads<double>(expectedContext, expectedHeads, batch, Queries, Heads, ValueDim);

        var p = new double[expectedP.Length];
        var ch = new double[expectedContext.Length];
        var context = new double[expectedContext.Length];
        Attention.Forward<double>(q, k, v, p, ch, context, mask, batch, Heads, Queries, Keys, KeyDim, ValueDim, causal);
        // Tolerances: a few ulps of double through 5-term dots, a softmax and 7-term sums.
        Close(expectedP, p, 1e-14);
        Close(expectedContext, context, 1e-14);
        Close(expectedHeads, ch, 1e-14);

        var pf = new float[p.Length];
        var chf = new float[ch.Length];
        var contextf = new float[context.Length];
        Attention.Forward<float>(Single(q), Single(k), Single(v), pf, chf, contextf, mask is null ? default : Single(mask), batch, Heads, Queries, Keys,
            KeyDim, ValueDim, causal);
        // Float: inputs rounded to float (relative 6e-8) and float arithmetic; values are below 1 in magnitude.
        Close(expectedP, pf, 2e-6);
        Close(expectedContext, contextf, 2e-6);
    }

    // Scores of order 10⁴ (q and k scaled by 150): e^s overflows float and double unless the row maximum is subtracted
    // first. Double must still match the formulas (1e-9: the scores carry ~1e-12 of rounding, the probabilities
    // inherit it); float must give finite probabilities that sum to 1 per row (1e-5) and put the largest probability
    // on the same key as the formulas.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_is_stable_on_scores_far_beyond_the_exponential_range(bool causal)
    {
        const int batch = 2;
        double[] q = Array.ConvertAll(Random(batch * Heads * Queries * KeyDim, 4), x => 150 * x);
        double[] k = Array.ConvertAll(Random(batch * Heads * Keys * KeyDim, 5), x => 150 * x);
        double[] v = Random(batch * Heads * Keys * ValueDim, 6);
        (double[] expectedP, _) = Reference(q, k, v, null, batch, causal);

        var p = new double[expectedP.Length];
        var ch = new double[batch * Queries * Heads * ValueDim];
        var context = new double[ch.Length];
        Attention.Forward<double>(q, k, v, p, ch, context, default, batch, Heads, Queries, Keys, KeyDim, ValueDim, causal);
        Close(expectedP, p, 1e-9);

        var pf = new float[p.Length];
        Attention.Forward<float>(Single(q), Single(k), Single(v), pf, new float[ch.Length], new float[ch.Length], default, batch, Heads,
            Queries, Keys, KeyDim, ValueDim, causal);
        for (int row = 0; row < pf.Length / Keys; row++)
        {
            double sum = 0;
            int best = 0, expectedBest = 0;
            for (int j = 0; j < Keys; j++)
            {
                float pj = pf[row * Keys + j];
                Assert.True(float.IsFinite(pj) && pj >= 0, $"row {row}, key {j}: {pj}");
                sum += pj;
                if (pj > pf[row * Keys + best])
                    best = j;
                if (expectedP[row * Keys + j] > expectedP[row * Keys + expectedBest])
                    expectedBest = j;
            }
            Assert.True(Math.Abs(sum - 1) <= 1e-5, $"row {row} sums to {sum:R}");
            Assert.Equal(expectedBest, best);
        }
    }

    [Fact]
    public void ProjectHeads_and_Project_give_the_products_with_bias_in_both_layouts()
    {
        const int batch = 2;
        double[] x = Random(batch * Queries * Features, 4);
        double[] wq = Random(Features * Heads * KeyDim, 5), wk = Random(Features * Heads * KeyDim, 6), wv = Random(Features * Heads * ValueDim, 7);
        double[] bq = Random(Heads * KeyDim, 8), bk = Random(Heads * KeyDim, 9), bv = Random(Heads * ValueDim, 10);

        static double[] Product(double[] x, double[] w, double[]? bias, int rows, int features, int width)
        {
            var y = new double[rows * width];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    double s = bias is null ? 0 : bias[c];
                    for (int f = 0; f < features; f++)
                        s += x[r * features + f] * w[f * width + c];
                    y[r * width + c] = s;
                }
            }
            return y;
        }

        int rows = batch * Queries;
        double[] eq = Product(x, wq, bq, rows, Features, Heads * KeyDim), ek = Product(x, wk, bk, rows, Features, Heads * KeyDim);
        double[] ev = Product(x, wv, bv, rows, Features, Heads * ValueDim);
        double[] eqh = new double[eq.Length], ekh = new double[ek.Length], evh = new double[ev.Length];
        Attention.SplitHeads<double>(eq, eqh, batch, Queries, Heads, KeyDim);
        Attention.SplitHeads<double>(ek, ekh, batch, Keys, Heads, KeyDim);
        Attention.SplitHeads<double>(ev, evh, batch, Keys, Heads, ValueDim);

        double[] q = new double[eq.Length], k = new double[ek.Length], v = new double[ev.Length];
        double[] qh = new double[eq.Length], kh = new double[ek.Length], vh = new double[ev.Length];
        Attention.ProjectHeads<double>(x, x, x, wq, wk, wv, bq, bk, bv, q, k, v, qh, kh, vh, batch, Queries, Keys, Heads, KeyDim, ValueDim);
        foreach ((double[] e, double[] a) in new[] { (eq, q), (ek, k), (ev, v), (eqh, qh), (ekh, kh), (evh, vh) })
            Close(e, a, 1e-14);

        // Without biases, and the output projection with and without its bias.
        Attention.ProjectHeads<double>(x, x, x, wq, wk, wv, default, default, default, q, k, v, qh, kh, vh, batch, Queries, Keys, Heads, KeyDim, ValueDim);
        Close(Product(x, wv, null, rows, Features, Heads * ValueDim), v, 1e-14);
        var y = new double[rows * Heads * KeyDim];
        Attention.Project<double>(x, wq, bq, y, rows, Features, Heads * KeyDim);
        Close(eq, y, 1e-14);
        Attention.Project<double>(x, wq, default, y, rows, Features, Heads * KeyDim);
        Close(Product(x, wq, null, rows, Features, Heads * KeyDim), y, 1e-14);
    }

    [Fact]
    public void Wrong_lengths_name_what_was_expected()
    {
        var x = new float[Queries * Features];
        var w = new float[Features * Heads * KeyDim];
        var y = new float[Queries * Heads * KeyDim - 1];
        var e = Assert.Throws<ArgumentException>(() => Attention.Project<float>(x, w, default, y, Queries, Features, Heads * KeyDim));
        Assert.Contains("Output (rows × width)", e.Message, StringComparison.Ordinal);
        var p = new float[Heads * Queries * Keys];
        var qk = new float[Heads * Queries * KeyDim];
        var vv = new float[Heads * Keys * ValueDim];
        var c = new float[Heads * Queries * ValueDim];
        e = Assert.Throws<ArgumentException>(() => Attention.Forward<float>(qk, qk, vv, p.AsSpan(1), c, c.AsSpan().ToArray(), default, 1, Heads, Queries, Keys,
            KeyDim, ValueDim, false));
        Assert.Contains("Probabilities", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_zero_writes_nothing_and_checks_the_kernels()
    {
        var w = new float[Features * Heads * KeyDim];
        var wv = new float[Features * Heads * ValueDim];
        Attention.ProjectHeads<float>(default, default, default, w, w, wv, default, default, default, default, default, default, default, default, default,
            0, Queries, Keys, Heads, KeyDim, ValueDim);
        Attention.Forward<float>(default, default, default, default, default, default, default, 0, Heads, Queries, Keys, KeyDim, ValueDim, false);
        Attention.Project<float>(default, w, default, default, 0, Features, Heads * KeyDim);
        var e = Assert.Throws<ArgumentException>(() => Attention.ProjectHeads<float>(default, default, default, w, w, wv.AsSpan(1), default, default, default,
            default, default, default, default, default, default, 0, Queries, Keys, Heads, KeyDim, ValueDim));
        Assert.Contains("Value kernel", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Head depths that are whole vectors (16 and 8 here: AVX2 holds 8 floats or 4 doubles) add the bias and copy the
    /// block head-major in one pass: both layouts must still be x · kernel + bias, in float and double, over several
    /// row blocks (260 rows) with the last one short.
    /// </summary>
    [Fact]
    public void ProjectHeads_with_whole_vector_heads_gives_the_products_with_bias_in_both_layouts()
    {
        const int batch = 20, steps = 13, features = 8, heads = 4, keyDim = 16, valueDim = 8;
        int rows = batch * steps;
        double[] x = Random(rows * features, 61);
        double[] wq = Random(features * heads * keyDim, 62), wv = Random(features * heads * valueDim, 63);
        double[] bq = Random(heads * keyDim, 64), bv = Random(heads * valueDim, 65);
        double[] Expected(double[] w, double[] b, int width)
        {
            var y = new double[rows * width];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    double sum = 0;
                    for (int f = 0; f < features; f++)
                        sum += x[r * features + f] * w[f * width + c];
                    y[r * width + c] = sum + b[c];
                }
            }
            return y;
        }
        double[] eq = Expected(wq, bq, heads * keyDim), ev = Expected(wv, bv, heads * valueDim);
        double[] eqh = new double[eq.Length], evh = new double[ev.Length];
        Attention.SplitHeads<double>(eq, eqh, batch, steps, heads, keyDim);
        Attention.SplitHeads<double>(ev, evh, batch, steps, heads, valueDim);

        double[] q = new double[eq.Length], k = new double[eq.Length], v = new double[ev.Length];
        double[] qh = new double[eq.Length], kh = new double[eq.Length], vh = new double[ev.Length];
        Attention.ProjectHeads<double>(x, x, x, wq, wq, wv, bq, bq, bv, q, k, v, qh, kh, vh, batch, steps, steps, heads, keyDim, valueDim);
        foreach ((double[] e, double[] a) in new[] { (eq, q), (eq, k), (ev, v), (eqh, qh), (eqh, kh), (evh, vh) })
            Close(e, a, 1e-14);

        float[] qf = new float[eq.Length], kf = new float[eq.Length], vf = new float[ev.Length];
        float[] qhf = new float[eq.Length], khf = new float[eq.Length], vhf = new float[ev.Length];
        Attention.ProjectHeads<float>(Single(x), Single(x), Single(x), Single(wq), Single(wq), Single(wv), Single(bq), Single(bq), Single(bv), qf, kf, vf,
            qhf, khf, vhf, batch, steps, steps, heads, keyDim, valueDim);
        // Float: 8-term sums of products below 1 plus a bias below 1.
        foreach ((double[] e, float[] a) in new[] { (eq, qf), (eq, kf), (ev, vf), (eqh, qhf), (eqh, khf), (evh, vhf) })
            Close(e, a, 2e-6);
    }

    /// <summary>
    /// Depths that are multiples of 16 take the float register kernel (<see cref="AttentionProduct"/>, K transposed per
    /// pair) instead of the per-pair GEMMs that double keeps: float against double on the benchmark's pairs, on row
    /// counts that are not multiples of 4 and key counts that are not multiples of 16 (the kernel's row and column
    /// tails), with the padding and causal masks. |float − double| ≤ 2e-5·(1 + |double|): float rounding of 16–32-term
    /// scores (|s| ≤ ~6) through the exponential, and of 13–64-term context sums of values below 1.
    /// </summary>
    [Theory]
    [InlineData(16, 4, 64, 64, 16, 16, false, false)] // the benchmark's pairs
    [InlineData(3, 2, 7, 21, 16, 32, false, false)]
    [InlineData(3, 2, 7, 21, 16, 32, false, true)]
    [InlineData(2, 3, 13, 13, 32, 16, true, true)]
    [InlineData(2, 2, 13, 13, 32, 16, true, false)]
    public void Float_register_path_matches_double(int batch, int heads, int queries, int keys, int keyDim, int valueDim, bool masked, bool causal)
    {
        int pairs = batch * heads;
        double[] q = Array.ConvertAll(Random(pairs * queries * keyDim, 21), x => (double)(float)x);
        double[] k = Array.ConvertAll(Random(pairs * keys * keyDim, 22), x => (double)(float)x);
        double[] v = Array.ConvertAll(Random(pairs * keys * valueDim, 23), x => (double)(float)x);
        double[] mask = [];
        if (masked)
        {
            mask = new double[batch * keys];
            mask.AsSpan().Fill(1);
            mask[keys + keys - 1] = mask[keys + 1] = 0;
        }
        var p = new double[pairs * queries * keys];
        var ch = new double[pairs * queries * valueDim];
        var context = new double[ch.Length];
        Attention.Forward<double>(q, k, v, p, ch, context, mask, batch, heads, queries, keys, keyDim, valueDim, causal);
        var pf = new float[p.Length];
        var chf = new float[ch.Length];
        var contextf = new float[ch.Length];
        Attention.Forward<float>(Single(q), Single(k), Single(v), pf, chf, contextf, Single(mask), batch, heads, queries, keys, keyDim, valueDim,
            causal);
        Relative(p, pf, "P");
        Relative(ch, chf, "head-major context");
        Relative(context, contextf, "context");

        static void Relative(double[] expected, float[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]);
                Assert.True(error <= 2e-5 * (1 + Math.Abs(expected[i])), $"{what}[{i}]: float {actual[i]} against double {expected[i]:R}");
            }
        }
    }

    /// <summary>The register kernel's transposes (8×8 blocks when both sizes are multiples of 8, else element by element) are exact copies.</summary>
    [Theory]
    [InlineData(64, 16)]
    [InlineData(16, 64)]
    [InlineData(8, 8)]
    [InlineData(24, 40)]
    [InlineData(7, 21)]
    [InlineData(16, 12)]
    public unsafe void Transpose_moves_every_element(int rows, int columns)
    {
        float[] x = Single(Random(rows * columns, 31));
        var t = new float[rows * columns];
        fixed (float* px = x, pt = t)
            AttentionProduct.Transpose(px, pt, rows, columns);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                Assert.True(BitConverter.SingleToInt32Bits(x[r * columns + c]) == BitConverter.SingleToInt32Bits(t[c * rows + r]), $"[{r}, {c}]");
        }
    }

    [Fact]
    public void Every_thread_count_gives_the_same_bits()
    {
        // Batch 40: the projections cut into several row blocks, the core into 120 (sample, head) chunks.
        const int batch = 40, features = 64, heads = 4, depth = 16, steps = 64;
        int rows = batch * steps, width = heads * depth;
        float[] x = Single(Random(rows * features, 11));
        float[] w = Single(Random(features * width, 12)), bias = Single(Random(width, 13));
        float[] mask = new float[batch * steps];
        mask.AsSpan().Fill(1);
        mask[steps - 1] = 0;

        float[] Run(int threads)
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                float[] q = new float[rows * width], k = new float[rows * width], v = new float[rows * width];
                float[] qh = new float[q.Length], kh = new float[q.Length], vh = new float[q.Length];
                Attention.ProjectHeads<float>(x, x, x, w, w, w, bias, bias, bias, q, k, v, qh, kh, vh, batch, steps, steps, heads, depth, depth);
                float[] p = new float[batch * heads * steps * steps], ch = new float[q.Length], c = new float[q.Length];
                Attention.Forward<float>(qh, kh, vh, p, ch, c, mask, batch, heads, steps, steps, depth, depth, causal: true);
                float[] y = new float[rows * width];
                Attention.Project<float>(c, w, bias, y, rows, width, width);
                return [.. q, .. k, .. v, .. qh, .. p, .. c, .. y];
            }
            finally
            {
                Gemm.MaxThreads = saved;
            }
        }

        float[] one = Run(1);
        foreach (int threads in new[] { 2, 3, 4, 8 })
            Assert.Equal(one, Run(threads));
    }
}
