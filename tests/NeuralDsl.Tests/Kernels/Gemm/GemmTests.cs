using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// GEMM against a naive double-precision reference. Tests that change <see cref="Gemm.MaxThreads"/> share the
/// <see cref="GemmThreadsCollection"/>, so xunit never runs two of them at once.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public class GemmTests
{
    private static readonly int[] Sizes = [1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 65, 127, 257];

    /// <summary>
    /// A fixed pseudo-random sample of (m, k, n) from <see cref="Sizes"/>³ in which every size appears in every
    /// position, plus shapes the models use; the full cube would take minutes with a naive reference.
    /// </summary>
    public static IEnumerable<(int M, int K, int N)> Shapes()
    {
        var rng = new Rng(2024);
        for (int i = 0; i < Sizes.Length; i++)
        {
            yield return (Sizes[i], Sizes[rng.NextInt(Sizes.Length)], Sizes[rng.NextInt(Sizes.Length)]);
            yield return (Sizes[rng.NextInt(Sizes.Length)], Sizes[i], Sizes[rng.NextInt(Sizes.Length)]);
            yield return (Sizes[rng.NextInt(Sizes.Length)], Sizes[rng.NextInt(Sizes.Length)], Sizes[i]);
        }
        for (int i = 0; i < 12; i++)
            yield return (Sizes[rng.NextInt(Sizes.Length)], Sizes[rng.NextInt(Sizes.Length)], Sizes[rng.NextInt(Sizes.Length)]);
        yield return (1, 784, 128);
        yield return (32, 784, 128);
        yield return (4, 300, 70);
        yield return (5, 16, 16);
        yield return (130, 520, 600);
    }

    public static TheoryData<bool, bool> Transposes() => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void FloatMatchesReferenceOnSampledShapes(bool transposeA, bool transposeB)
    {
        foreach ((int m, int k, int n) in Shapes())
        {
            foreach (bool accumulate in new[] { false, true })
            {
                ulong seed = (ulong)(m * 1_000_003 + k * 1009 + n) * 4 + (transposeA ? 2UL : 0) + (transposeB ? 1UL : 0);
                float[] a = KernelTestData.ToSingle(KernelTestData.Uniform(m * k, -1, 1, seed));
                float[] b = KernelTestData.ToSingle(KernelTestData.Uniform(k * n, -1, 1, seed + 1));
                float[] c = KernelTestData.ToSingle(KernelTestData.Uniform(m * n, -1, 1, seed + 2));
                double[] expected = Reference(
                    KernelTestData.ToDouble(a), KernelTestData.ToDouble(b), KernelTestData.ToDouble(c),
                    m, k, n, transposeA, transposeB, accumulate);
                Gemm.Multiply<float>(a, b, c, m, k, n, transposeA, transposeB, accumulate);
                AssertProduct(expected, KernelTestData.ToDouble(c), 1e-5 * Math.Sqrt(k),
                    $"float m={m} k={k} n={n} tA={transposeA} tB={transposeB} acc={accumulate}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void DoubleMatchesReferenceOnSampledShapes(bool transposeA, bool transposeB)
    {
        foreach ((int m, int k, int n) in Shapes())
        {
            foreach (bool accumulate in new[] { false, true })
            {
                ulong seed = (ulong)(m * 7919 + k * 104_729 + n) * 4 + (transposeA ? 2UL : 0) + (transposeB ? 1UL : 0);
                double[] a = KernelTestData.Uniform(m * k, -1, 1, seed);
                double[] b = KernelTestData.Uniform(k * n, -1, 1, seed + 1);
                double[] c = KernelTestData.Uniform(m * n, -1, 1, seed + 2);
                double[] expected = Reference(a, b, c, m, k, n, transposeA, transposeB, accumulate);
                Gemm.Multiply<double>(a, b, c, m, k, n, transposeA, transposeB, accumulate);
                AssertProduct(expected, c, 1e-12,
                    $"double m={m} k={k} n={n} tA={transposeA} tB={transposeB} acc={accumulate}");
            }
        }
    }

    [Fact]
    public void BothThreadCountsGiveTheReferenceAndTheSecondThreadRuns()
    {
        int saved = Gemm.MaxThreads;
        try
        {
            long chunksBefore = WorkerPool.WorkerChunks;
            foreach (int threads in new[] { 1, 2 })
            {
                Gemm.MaxThreads = threads;
                // Wide (split by columns), tall (split by rows) and deep (split by depth, an odd depth included)
                // shapes above the parallel threshold.
                foreach ((int m, int k, int n) in new[] { (128, 128, 130), (300, 100, 90), (257, 257, 257), (64, 784, 128), (45, 1001, 50) })
                {
                    foreach ((bool ta, bool tb) in new[] { (false, false), (true, true), (false, true) })
                    {
                        float[] a = KernelTestData.ToSingle(KernelTestData.Uniform(m * k, -1, 1, 31));
                        float[] b = KernelTestData.ToSingle(KernelTestData.Uniform(k * n, -1, 1, 32));
                        float[] c = KernelTestData.ToSingle(KernelTestData.Uniform(m * n, -1, 1, 33));
                        double[] expected = Reference(KernelTestData.ToDouble(a), KernelTestData.ToDouble(b),
                            KernelTestData.ToDouble(c), m, k, n, ta, tb, accumulate: true);
                        Gemm.Multiply<float>(a, b, c, m, k, n, ta, tb, accumulate: true);
                        AssertProduct(expected, KernelTestData.ToDouble(c), 1e-5 * Math.Sqrt(k),
                            $"threads={threads} m={m} k={k} n={n} tA={ta} tB={tb}");
                    }
                }
            }
            // Without SIMD the product runs plain loops on the calling thread only.
            if (!Vector256.IsHardwareAccelerated)
                return;
            // The worker claims a chunk only if it wakes before the caller has taken them all, so give it a number of
            // chances; a working worker joins in on the first or second 257³ product.
            var x = new float[257 * 257];
            var y = new float[257 * 257];
            var z = new float[257 * 257];
            for (int attempt = 0; attempt < 200 && WorkerPool.WorkerChunks == chunksBefore; attempt++)
                Gemm.Multiply<float>(x, y, z, 257, 257, 257);
            Assert.True(WorkerPool.WorkerChunks > chunksBefore, "the worker thread never computed a chunk");
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData(64, 784, 128, true)] // the MNIST Dense forward product
    [InlineData(45, 1001, 50, true)]
    [InlineData(257, 257, 257, false)] // square: rows or columns
    [InlineData(784, 64, 128, false)] // a weight gradient: tall C, shallow depth
    [InlineData(300, 4000, 300, false)] // C too large for a partial copy
    public void DepthSplitIsChosenOnlyForDeepProductsWithSmallOutput(int m, int k, int n, bool expected) =>
        Assert.Equal(expected, Gemm.PreferDepthSplit(m, k, n));

    [Fact]
    public void DepthSplitProductIsTheSameOnEveryCall()
    {
        // The second half's partial is added after the first half whichever thread computed it, and without the
        // worker the caller computes the same two halves, so products agree bit for bit on one or two threads
        // (the worker joins in on some calls and not on others).
        int saved = Gemm.MaxThreads;
        try
        {
            const int m = 64, k = 784, n = 128;
            float[] a = KernelTestData.ToSingle(KernelTestData.Uniform(m * k, -1, 1, 41));
            float[] b = KernelTestData.ToSingle(KernelTestData.Uniform(k * n, -1, 1, 42));
            var first = new float[m * n];
            var again = new float[m * n];
            Gemm.MaxThreads = 1;
            Gemm.Multiply<float>(a, b, first, m, k, n);
            Gemm.MaxThreads = 2;
            for (int call = 0; call < 50; call++)
            {
                Gemm.Multiply<float>(a, b, again, m, k, n);
                Assert.Equal(first, again);
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void DepthSplitProductsOnTwoCallerThreadsAtOnceDoNotShareBuffers()
    {
        // While one caller holds the worker the other computes its depth halves alone; each must keep its own partial.
        const int m = 64, k = 784, n = 128;
        float[][] a = [KernelTestData.ToSingle(KernelTestData.Uniform(m * k, -1, 1, 51)), KernelTestData.ToSingle(KernelTestData.Uniform(m * k, -1, 1, 52))];
        float[] b = KernelTestData.ToSingle(KernelTestData.Uniform(k * n, -1, 1, 53));
        float[][] expected = [new float[m * n], new float[m * n]];
        Gemm.Multiply<float>(a[0], b, expected[0], m, k, n);
        Gemm.Multiply<float>(a[1], b, expected[1], m, k, n);
        int mismatches = 0;
        var threads = new System.Threading.Thread[2];
        for (int t = 0; t < 2; t++)
        {
            int id = t;
            threads[t] = new System.Threading.Thread(() =>
            {
                var c = new float[m * n];
                for (int call = 0; call < 200; call++)
                {
                    Gemm.Multiply<float>(a[id], b, c, m, k, n);
                    if (!c.AsSpan().SequenceEqual(expected[id]))
                        System.Threading.Interlocked.Increment(ref mismatches);
                }
            });
            threads[t].Start();
        }
        foreach (var thread in threads)
            thread.Join();
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void NoAllocationAfterWarmUpOnEitherThread()
    {
        int saved = Gemm.MaxThreads;
        try
        {
            var a = new float[257 * 257];
            var b = new float[257 * 257];
            var c = new float[257 * 257];
            var ad = new double[257 * 257];
            var bd = new double[257 * 257];
            var cd = new double[257 * 257];
            a.AsSpan().Fill(0.5f);
            b.AsSpan().Fill(0.25f);
            ad.AsSpan().Fill(0.5);
            bd.AsSpan().Fill(0.25);

            foreach (int threads in new[] { 1, 2 })
            {
                Gemm.MaxThreads = threads;
                RunAllPaths(a, b, c, ad, bd, cd);
                long workerBefore = WorkerPool.AllocatedBytes;
                long before = GC.GetAllocatedBytesForCurrentThread();
                RunAllPaths(a, b, c, ad, bd, cd);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.Equal(0, allocated);
                Assert.Equal(workerBefore, WorkerPool.AllocatedBytes);
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    private static readonly (bool TransposeA, bool TransposeB)[] AllTransposes =
        [(false, false), (false, true), (true, false), (true, true)];

    private static void RunAllPaths(float[] a, float[] b, float[] c, double[] ad, double[] bd, double[] cd)
    {
        // A static array: the loop itself must not allocate inside the measured region.
        foreach ((bool ta, bool tb) in AllTransposes)
        {
            Gemm.Multiply<float>(a.AsSpan(0, 784), b.AsSpan(0, 784 * 64), c.AsSpan(0, 64), 1, 784, 64, ta, tb);
            Gemm.Multiply<float>(a.AsSpan(0, 3 * 100), b.AsSpan(0, 100 * 70), c.AsSpan(0, 3 * 70), 3, 100, 70, ta, tb, true);
            Gemm.Multiply<float>(a.AsSpan(0, 40 * 10), b.AsSpan(0, 10 * 128), c.AsSpan(0, 40 * 128), 40, 10, 128, ta, tb);
            Gemm.Multiply<float>(a.AsSpan(0, 40 * 128), b.AsSpan(0, 128 * 10), c.AsSpan(0, 40 * 10), 40, 128, 10, ta, tb);
            Gemm.Multiply<float>(a.AsSpan(0, 65 * 33), b.AsSpan(0, 33 * 31), c.AsSpan(0, 65 * 31), 65, 33, 31, ta, tb, true);
            Gemm.Multiply<float>(a, b, c, 257, 257, 257, ta, tb);
            Gemm.Multiply<float>(a.AsSpan(0, 64 * 784), b.AsSpan(0, 784 * 64), c.AsSpan(0, 64 * 64), 64, 784, 64, ta, tb); // depth split
            Gemm.Multiply<double>(ad, bd, cd, 257, 257, 257, ta, tb, true);
            Gemm.Multiply<double>(ad.AsSpan(0, 300), bd.AsSpan(0, 300 * 20), cd.AsSpan(0, 20), 1, 300, 20, ta, tb);
        }
    }

    [Fact]
    public void WrongSpanLengthsThrowNamingExpectedAndActual()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(new float[10], new float[20], new float[15], 3, 4, 5));
        Assert.Contains("10", ex.Message);
        Assert.Contains("12", ex.Message);
        Assert.Equal("a", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply<double>(new double[12], new double[21], new double[15], 3, 4, 5, transposeB: true));
        Assert.Contains("21", ex.Message);
        Assert.Contains("20", ex.Message);
        Assert.Equal("b", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(new float[12], new float[20], new float[16], 3, 4, 5));
        Assert.Contains("16", ex.Message);
        Assert.Contains("15", ex.Message);
        Assert.Equal("c", ex.ParamName);

        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply<float>(new float[0], new float[0], new float[0], -1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);

        var shared = new float[30];
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply<float>(shared.AsSpan(0, 12), shared.AsSpan(12, 12), shared.AsSpan(20, 9), 3, 4, 3));
        Assert.Contains("overlaps", ex.Message);
    }

    [Fact]
    public void EmptyDimensionsAreHandled()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.Multiply<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, 2, 0, 2, accumulate: true);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, c);
        Gemm.Multiply<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, 2, 0, 2);
        Assert.Equal(new float[4], c);
        Gemm.Multiply<float>(ReadOnlySpan<float>.Empty, new float[6], Span<float>.Empty, 0, 3, 2);
        Assert.Throws<NotSupportedException>(() => Gemm.Multiply<Half>(new Half[1], new Half[1], new Half[1], 1, 1, 1));
    }

    private static double[] Reference(double[] a, double[] b, double[] c, int m, int k, int n,
        bool transposeA, bool transposeB, bool accumulate)
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c[i * n + j] : 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transposeA ? a[p * m + i] : a[i * k + p];
                    double y = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += x * y;
                }
                result[i * n + j] = sum;
            }
        }
        return result;
    }

    /// <summary>Every element within <paramref name="relative"/>·max|expected| (at least 1) of the reference.</summary>
    private static void AssertProduct(double[] expected, double[] actual, double relative, string context)
    {
        double scale = 1;
        foreach (double e in expected)
            scale = Math.Max(scale, Math.Abs(e));
        KernelTestData.AssertClose(expected, actual, 0, relative * scale, context);
    }
}
