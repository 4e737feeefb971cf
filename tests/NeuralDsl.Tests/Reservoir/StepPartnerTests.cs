using System;
using System.Threading;
using Xunit;

namespace NeuralDsl.Tests.Reservoir;

/// <summary>
/// <see cref="StepPartner"/>: the pool worker that stays beside a caller across a run's steps. Every chunk runs once
/// per step whoever claims it; a long reservoir run gives the same bits on 1, 2, 3, 4 and 8 threads; many models on
/// many threads finish, each with its one-thread bits, while products published between steps call the partner away;
/// and a step allocates nothing. The runs use <see cref="NeuralDslThreads.Limit"/> on their own threads; the partner
/// counters are process-wide, so the class runs alone.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed unsafe class StepPartnerTests
{
    private const int Units = 500;

    private struct Counts
    {
        public int* Items;
        public int Spin;
    }

    /// <summary>A chunk body: each item counted (not atomically: a chunk run twice or by two threads at once shows).</summary>
    private static void CountItems(void* context, int start, int end)
    {
        Counts* counts = (Counts*)context;
        for (int i = start; i < end; i++)
        {
            counts->Items[i]++;
            Thread.SpinWait(counts->Spin);
        }
    }

    [Fact]
    public void Every_chunk_runs_exactly_once_per_step_whoever_claims_it()
    {
        const int items = 64, steps = 20_000;
        int[] bounds = [0, 20, 24, 28, 32, 36, 40, 44, 64];
        var seen = new int[items];
        long before = StepPartner.PartnerChunks;
        using (NeuralDslThreads.Limit(2))
        {
            fixed (int* pItems = seen)
            fixed (int* pBounds = bounds)
            {
                var counts = new Counts { Items = pItems, Spin = 4 };
                StepPartner partner = StepPartner.Current;
                for (int t = 0; t < steps; t++)
                    partner.Run(&CountItems, &counts, pBounds, bounds.Length - 1);
                // A partner that never came would leave this test proving nothing: give it more steps if needed.
                for (int attempt = 0; attempt < 200 && StepPartner.PartnerChunks == before; attempt++)
                {
                    for (int t = 0; t < 1000; t++)
                        partner.Run(&CountItems, &counts, pBounds, bounds.Length - 1);
                    Thread.Sleep(1);
                }
            }
        }
        Assert.True(StepPartner.PartnerChunks > before, "no partner ever computed a chunk");
        for (int i = 0; i < items; i++)
            Assert.Equal(seen[0], seen[i]);
        Assert.True(seen[0] >= steps);
    }

    private static (ReservoirMatrix W, ReservoirMatrix Win, float[] Bias, float[] U) Network(int seed, int steps)
    {
        ReservoirMatrix w = ReservoirInitializer.Recurrent(Units, 0.1, 1.25, seed);
        ReservoirMatrix win = ReservoirInitializer.Input(Units, 1, 0.1, 1.0, seed);
        float[] bias = ReservoirInitializer.Bias(Units, 0.1, 1.0, seed);
        var u = new float[steps];
        for (int t = 0; t < steps; t++)
            u[t] = 0.5f + (0.4f * MathF.Sin(0.07f * t * (1 + (seed % 5))));
        return (w, win, bias, u);
    }

    /// <summary>The states after every step, the run on <paramref name="threads"/> threads (a scope on this thread).</summary>
    private static float[] Trace(ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u, int threads, int gemmEvery = 0)
    {
        var x = new float[Units];
        var scratch = new float[Units];
        var trace = new float[u.Length * Units];
        // 128³ multiply-adds: at Gemm.ParallelThreshold, so the product is a pool call.
        var a = new float[128 * 128];
        var c = new float[128 * 128];
        a.AsSpan().Fill(0.5f);
        using (NeuralDslThreads.Limit(threads))
        {
            for (int t = 0; t < u.Length; t++)
            {
                NeuralDsl.Reservoir.Update(w, win, bias, u.AsSpan(t, 1), x, scratch, 0.3f, Activation.Tanh);
                x.CopyTo(trace, t * Units);
                // A product between steps publishes a pool call: the partner leaves to help, and comes back.
                if (gemmEvery > 0 && t % gemmEvery == 0)
                    Gemm.Multiply<float>(a, a, c, 128, 128, 128);
            }
        }
        return trace;
    }

    /// <summary>Every value of <paramref name="actual"/> equals the one at its index in <paramref name="expected"/>, bit for bit.</summary>
    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.True(actual.Length <= expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                Assert.Fail($"{what}, step {i / Units}, unit {i % Units}: {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    [Fact]
    public void A_long_run_gives_the_same_bits_on_1_2_3_4_and_8_threads()
    {
        const int steps = 4000;
        (ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u) = Network(42, steps);
        float[] single = Trace(w, win, bias, u, threads: 1);
        long before = StepPartner.PartnerChunks;
        foreach (int threads in new[] { 2, 3, 4, 8 })
            AssertSameBits(single, Trace(w, win, bias, u, threads), $"{threads} threads");
        for (int attempt = 0; attempt < 50 && StepPartner.PartnerChunks == before; attempt++)
            AssertSameBits(single, Trace(w, win, bias, u, threads: 2), "2 threads, again");
        Assert.True(StepPartner.PartnerChunks > before, "no partner ever computed a chunk of the steps");
        // The separate products (no partner, no fused step) agree too.
        bool saved = NeuralDsl.Reservoir.Fused;
        try
        {
            NeuralDsl.Reservoir.Fused = false;
            AssertSameBits(single, Trace(w, win, bias, u.AsSpan(0, 500).ToArray(), threads: 1), "separate products");
        }
        finally
        {
            NeuralDsl.Reservoir.Fused = saved;
        }
    }

    [Fact]
    public void Many_models_on_many_threads_finish_with_their_one_thread_bits()
    {
        const int models = 8, steps = 1500;
        var networks = new (ReservoirMatrix W, ReservoirMatrix Win, float[] Bias, float[] U)[models];
        var expected = new float[models][];
        for (int m = 0; m < models; m++)
        {
            networks[m] = Network(100 + m, steps);
            expected[m] = Trace(networks[m].W, networks[m].Win, networks[m].Bias, networks[m].U, threads: 1);
        }
        var actual = new float[models][];
        var errors = new Exception?[models];
        var threads = new Thread[models];
        for (int m = 0; m < models; m++)
        {
            int model = m;
            threads[m] = new Thread(() =>
            {
                try
                {
                    (ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u) = networks[model];
                    // Half the models also publish products between steps, calling partners away.
                    actual[model] = Trace(w, win, bias, u, threads: 2 + (model % 3), gemmEvery: model % 2 == 0 ? 0 : 7);
                }
                catch (Exception e)
                {
                    errors[model] = e;
                }
            });
            threads[m].Start();
        }
        foreach (Thread thread in threads)
            Assert.True(thread.Join(TimeSpan.FromMinutes(5)), "a model's run did not finish");
        for (int m = 0; m < models; m++)
        {
            Assert.Null(errors[m]);
            AssertSameBits(expected[m], actual[m]!, $"model {m}");
        }
    }

    [Fact]
    public void A_shared_step_allocates_nothing()
    {
        (ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u) = Network(42, 3000);
        var x = new float[Units];
        var scratch = new float[Units];
        using (NeuralDslThreads.Limit(2))
        {
            for (int t = 0; t < 100; t++)
                NeuralDsl.Reservoir.Update(w, win, bias, u.AsSpan(t, 1), x, scratch, 0.3f, Activation.Tanh);
            long before = GC.GetAllocatedBytesForCurrentThread(), workers = WorkerPool.AllocatedBytes;
            for (int t = 0; t < u.Length; t++)
                NeuralDsl.Reservoir.Update(w, win, bias, u.AsSpan(t, 1), x, scratch, 0.3f, Activation.Tanh);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(workers, WorkerPool.AllocatedBytes);
        }
    }
}
