using System;
using Xunit;

namespace NeuralDsl.Tests.Training;

/// <summary>
/// Long parameter vectors are updated by two threads (the GEMM worker takes half). The split must not change a single
/// bit of the result, nor allocate.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ParallelUpdateTests
{
    public static TheoryData<string> Optimizers => new() { "sgd", "momentum", "adam", "adamw", "rmsprop" };

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(),
        "momentum" => new Sgd(momentum: 0.9, nesterov: true),
        "adam" => new Adam(),
        "adamw" => new AdamW(),
        _ => new RmsProp(),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Two_threads_give_the_same_bits_as_one(string name)
    {
        // Odd length above the parallel threshold: the halves end mid-vector and a scalar tail remains.
        int length = UpdateDriver.ParallelLength * 2 + 13;
        var rng = new Rng(11);
        float[] start = new float[length];
        float[][] gradients = [new float[length], new float[length], new float[length]];
        for (int i = 0; i < length; i++)
        {
            start[i] = (float)(rng.NextDouble() - 0.5);
            foreach (float[] g in gradients)
                g[i] = (float)(rng.NextNormal() * 1e-2);
        }

        float[] Run(int threads)
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                float[] p = (float[])start.Clone();
                Optimizer optimizer = Create(name);
                foreach (float[] g in gradients)
                    optimizer.Step<float>(p, g);
                return p;
            }
            finally
            {
                Gemm.MaxThreads = saved;
            }
        }

        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Parallel_update_allocates_nothing_after_the_first_step()
    {
        var parameters = new double[UpdateDriver.ParallelLength * 3];
        var gradients = new double[parameters.Length];
        gradients.AsSpan().Fill(0.25);
        var adam = new Adam();
        adam.Step<double>(parameters, gradients);
        adam.Step<double>(parameters, gradients);
        // Warm the one-thread path too: when a test running beside this one holds the worker, a measured step runs
        // on this thread alone, and the first such step would otherwise JIT (and allocate) inside the measurement.
        int saved = Gemm.MaxThreads;
        Gemm.MaxThreads = 1;
        try
        {
            adam.Step<double>(parameters, gradients);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
        // Up to three rounds of 20 steps, passing on the first that allocates nothing: a step that allocates fails every
        // round, while a one-off runtime event inside a round (a method reaching its tier-up count, the first step of
        // a path this warm-up missed) no longer fails the test, as it did about once in 18 full-suite runs.
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
                adam.Step<double>(parameters, gradients);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
                break;
        }
        Assert.Equal(0, allocated);
    }
}
