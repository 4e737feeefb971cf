using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using NeuralDsl.Tests.Models;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The worker pool (<see cref="WorkerPool"/>, <see cref="NeuralDslThreads"/>): with 1, 3, 4 and 8 threads forced on
/// whatever machine runs the tests (two cores here), every product, convolution pass, optimizer update and whole
/// training step gives the bits of the one-thread run; many models on many threads share the pool without deadlock;
/// warm calls allocate nothing. Chunk boundaries that followed the thread count would change the depth split's and the
/// convolution kernel gradient's partial sums, and these comparisons would fail.
/// </summary>
// The TransformerEncoder benchmark's block (tests/NeuralDsl.Benchmarks/Models.cs), without and with dropout.
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(64, 64)]
[TransformerEncoder(128, 4)]
[GlobalAveragePooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class ThreadsTransformer;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(64, 64)]
[TransformerEncoder(128, 4, Dropout = 0.1)]
[GlobalAveragePooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class ThreadsTransformerDropout;

[Collection(nameof(GemmThreadsCollection))]
public sealed class WorkerPoolTests
{
    private static readonly int[] ThreadCounts = [3, 4, 8];

    /// <summary>Runs <paramref name="run"/> with the process setting at 1 thread, then at 3, 4 and 8, and compares the bits.</summary>
    private static void AssertSameBitsForEveryCount<T>(Func<T[]> run, string context)
        where T : unmanaged
    {
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 1;
            T[] single = run();
            foreach (int threads in ThreadCounts)
            {
                NeuralDslThreads.MaxThreads = threads;
                // Twice: which worker takes which chunk varies from call to call.
                for (int round = 0; round < 2; round++)
                {
                    T[] shared = run();
                    Assert.True(MemoryMarshal.AsBytes(single.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(shared.AsSpan())),
                        $"{context}: {threads} threads (round {round}) differ from 1 thread at element {FirstDifference(single, shared)}");
                }
            }
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    private static int FirstDifference<T>(T[] a, T[] b)
        where T : unmanaged
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (!MemoryMarshal.AsBytes(a.AsSpan(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan(i, 1))))
                return i;
        }
        return a.Length == b.Length ? -1 : Math.Min(a.Length, b.Length);
    }

    // Grid blocks (square, tall, wide), the depth split (the MNIST Dense forward product and an odd depth), a weight
    // gradient (tall C over a shallow depth), row blocks below the threshold (the transformer's feed-forward products at
    // batch 1, and 100 rows cut into 56 + 44), and products too small to share (the LSTM's per-step 32×50·50×200).
    public static TheoryData<int, int, int> GemmShapes => new()
    {
        { 257, 257, 257 },
        { 600, 300, 90 },
        { 100, 200, 1100 },
        { 256, 784, 128 },
        { 45, 1001, 50 },
        { 784, 256, 128 },
        { 64, 64, 128 },
        { 64, 128, 64 },
        { 100, 50, 60 },
        { 32, 50, 200 },
        { 30, 40, 50 },
    };

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void Gemm_gives_the_same_bits_for_any_thread_count(int m, int k, int n)
    {
        foreach ((bool ta, bool tb) in new[] { (false, false), (true, false), (false, true) })
        {
            float[] a = KernelTestData.ToSingle(KernelTestData.Uniform(m * k, -1, 1, 41));
            float[] b = KernelTestData.ToSingle(KernelTestData.Uniform(k * n, -1, 1, 42));
            float[] c0 = KernelTestData.ToSingle(KernelTestData.Uniform(m * n, -1, 1, 43));
            AssertSameBitsForEveryCount(() =>
            {
                float[] c = (float[])c0.Clone();
                Gemm.Multiply<float>(a, b, c, m, k, n, ta, tb, accumulate: true);
                return c;
            }, $"float m={m} k={k} n={n} tA={ta} tB={tb}");
        }
        double[] ad = KernelTestData.Uniform(m * k, -1, 1, 44), bd = KernelTestData.Uniform(k * n, -1, 1, 45);
        AssertSameBitsForEveryCount(() =>
        {
            var c = new double[m * n];
            Gemm.Multiply<double>(ad, bd, c, m, k, n);
            return c;
        }, $"double m={m} k={k} n={n}");
    }

    [Fact]
    public void Depth_split_and_grid_partitions_do_not_read_the_thread_count()
    {
        // The partition is a function of the shape: asking for it under different settings gives the same chunks.
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 1;
            int depth = GemmPartition.DepthChunk(256, 784, 128, sizeof(float));
            GemmGrid grid = GemmPartition.Grid(1024, 1024, 1024, 12, 32);
            NeuralDslThreads.MaxThreads = 8;
            Assert.Equal(depth, GemmPartition.DepthChunk(256, 784, 128, sizeof(float)));
            Assert.Equal(grid, GemmPartition.Grid(1024, 1024, 1024, 12, 32));
            // The MNIST Dense forward product is cut into four depth chunks (an even count, so two threads share it evenly).
            Assert.Equal(4, (784 + depth - 1) / depth);
            Assert.Equal(64, grid.Chunks);
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    [Fact]
    public void Row_split_below_the_threshold_reads_the_shape_only()
    {
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 1;
            GemmGrid feedForward = GemmPartition.RowSplit(64, 64, 128);
            NeuralDslThreads.MaxThreads = 8;
            Assert.Equal(feedForward, GemmPartition.RowSplit(64, 64, 128));
            // Two row blocks of 32 rows, one column block; 100 rows are cut into 56 + 44 (multiples of 8).
            Assert.Equal(new GemmGrid(32, 128, 2, 1), feedForward);
            Assert.Equal(new GemmGrid(56, 60, 2, 1), GemmPartition.RowSplit(100, 50, 60));
            // The LSTM and GRU per-step products at batch 32 stay whole: 32 rows are one block.
            Assert.Equal(1, GemmPartition.RowSplit(32, 50, 200).Chunks);
            // Many rows but little work per row: blocks of 2^17 multiply-adds at least.
            Assert.Equal(2, GemmPartition.RowSplit(4096, 8, 8).Chunks);
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    [Fact]
    public void A_feed_forward_product_below_the_threshold_is_shared_with_a_worker()
    {
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            return; // plain loops on the calling thread only
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 2;
            Assert.True((long)64 * 64 * 128 < Gemm.ParallelThreshold && (long)64 * 64 * 128 >= Gemm.RowSplitThreshold);
            var a = new float[64 * 64];
            var b = new float[64 * 128];
            var c = new float[64 * 128];
            long before = WorkerPool.WorkerChunks;
            // The worker claims a block only if it wakes before the caller has taken both; give it chances.
            for (int attempt = 0; attempt < 2000 && WorkerPool.WorkerChunks == before; attempt++)
                Gemm.Multiply<float>(a, b, c, 64, 64, 128);
            Assert.True(WorkerPool.WorkerChunks > before, "no worker computed a row block of the 64×64·64×128 product");
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    public static TheoryData<string> ConvolutionShapes => new() { "mnist second layer batch 32", "5x5 same batch 16" };

    private static (int Batch, Conv2DGeometry G) ConvolutionShape(string name) => name switch
    {
        // 3×3 stride 1: Winograd forward, im2col or the small patch backward; 16 parts at batch 32.
        "mnist second layer batch 32" => (32, Conv2DGeometry.Create(13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false)),
        _ => (16, Conv2DGeometry.Create(20, 20, 8, 24, 5, 5, 1, 1, 1, 1, true)),
    };

    [Theory]
    [MemberData(nameof(ConvolutionShapes))]
    public void Convolution_forward_and_backward_give_the_same_bits_for_any_thread_count(string name)
    {
        (int batch, Conv2DGeometry g) = ConvolutionShape(name);
        Assert.True(ConvolutionParts.Parts(g, batch) > 4, "the shape must be cut into more parts than two threads would need");
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, 51));
        float[] k = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -0.5, 0.5, 52));
        float[] bias = KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -0.1, 0.1, 53));
        float[] dy = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.OutputSize, -1, 1, 54));
        float[] scratch = new float[Convolution.ScratchLength(g, batch)];
        AssertSameBitsForEveryCount<float>(() =>
        {
            var y = new float[dy.Length];
            var dk = new float[k.Length];
            var dx = new float[x.Length];
            Convolution.Forward<float>(x, k, bias, y, batch, g, scratch, Activation.ReLU);
            Convolution.BackwardKernel<float>(x, dy, dk, batch, g, scratch);
            Convolution.BackwardInput<float>(dy, k, dx, batch, g, scratch);
            // The fused form: dz = dy ⊙ (y > 0) written into a copy, kernel and bias partials added in part order.
            float[] dz = (float[])dy.Clone();
            var dkFused = new float[k.Length];
            var db = new float[g.Filters];
            Convolution.BackwardKernel<float>(x, dz, y, dkFused, db, batch, g, scratch, Activation.ReLU);
            return [.. y, .. dk, .. dx, .. dkFused, .. db];
        }, name);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void Optimizer_step_gives_the_same_bits_for_any_thread_count(string name)
    {
        // Odd length: chunks end mid-vector and a scalar tail remains.
        int length = UpdateDriver.ParallelLength * 3 + 13;
        float[] start = KernelTestData.ToSingle(KernelTestData.Uniform(length, -0.5, 0.5, 61));
        float[] gradient = KernelTestData.ToSingle(KernelTestData.Uniform(length, -0.01, 0.01, 62));
        AssertSameBitsForEveryCount(() =>
        {
            float[] p = (float[])start.Clone();
            Optimizer optimizer = name == "adam" ? new Adam() : new Sgd(momentum: 0.9);
            for (int step = 0; step < 3; step++)
                optimizer.Step<float>(p, gradient);
            return p;
        }, name);
    }

    private static (float[] X, float[] Labels) Digits(int batch, int pixels, ulong seed)
    {
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * pixels, 0, 1, seed));
        var rng = new Rng(seed + 1);
        float[] labels = Enumerable.Range(0, batch).Select(_ => (float)rng.NextInt(10)).ToArray();
        return (x, labels);
    }

    private static float[] Train(MnistMlp model, float[] x, float[] labels, int steps) =>
        Train(model, adam => model.TrainStep(x, labels, adam), x, labels.Length, steps);

    private static float[] Train(DigitCnn model, float[] x, float[] labels, int steps) =>
        Train(model, adam => model.TrainStep(x, labels, adam), x, labels.Length, steps);

    /// <summary>Losses, then every parameter, after <paramref name="steps"/> Adam steps on one batch, then a Predict.</summary>
    private static float[] Train(IModel<float> model, Func<Adam, float> trainStep, float[] x, int batch, int steps, int outputs = 10)
    {
        var adam = new Adam();
        var losses = new float[steps];
        for (int step = 0; step < steps; step++)
            losses[step] = trainStep(adam);
        var prediction = new float[batch * outputs];
        model.Predict(x, prediction);
        return [.. losses, .. model.Parameters.ToArray(), .. prediction];
    }

    [Fact]
    public void Mlp_TrainStep_at_batch_256_gives_the_same_bits_for_any_thread_count()
    {
        (float[] x, float[] labels) = Digits(256, 784, 71);
        AssertSameBitsForEveryCount(() => Train(new MnistMlp(seed: 3), x, labels, steps: 3), "MnistMlp");
    }

    [Fact]
    public void Cnn_TrainStep_at_batch_128_gives_the_same_bits_for_any_thread_count()
    {
        (float[] x, float[] labels) = Digits(128, 784, 72);
        AssertSameBitsForEveryCount(() => Train(new DigitCnn(seed: 3), x, labels, steps: 2), "DigitCnn");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Transformer_TrainStep_at_batch_16_gives_the_same_bits_for_any_thread_count(bool dropout)
    {
        // The benchmark's block (64 steps, model dim 64, 4 heads, feed-forward 128): the attention backward's 64
        // (sample, head) pairs in chunks, the layer norms' 1,024 rows in 8 chunks with partial γ/β sums, the Dense
        // kernel gradients over 1,024 rows in depth chunks; with dropout, the attention's dropout mask too.
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(16 * 64 * 64, -1, 1, 74));
        var rng = new Rng(75);
        float[] labels = Enumerable.Range(0, 16).Select(_ => (float)rng.NextInt(2)).ToArray();
        AssertSameBitsForEveryCount(() =>
        {
            if (dropout)
            {
                var withDropout = new ThreadsTransformerDropout(seed: 3);
                return Train(withDropout, adam => withDropout.TrainStep(x, labels, adam), x, labels.Length, steps: 2, outputs: 1);
            }
            var model = new ThreadsTransformer(seed: 3);
            return Train(model, adam => model.TrainStep(x, labels, adam), x, labels.Length, steps: 2, outputs: 1);
        }, dropout ? "transformer with dropout" : "transformer");
    }

    [Fact]
    public void A_model_thread_count_overrides_the_process_setting_and_changes_no_bit()
    {
        (float[] x, float[] labels) = Digits(64, 784, 73);
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 1;
            float[] single = Train(new DigitCnn(seed: 5), x, labels, steps: 2);
            var model = new DigitCnn(seed: 5);
            Assert.Equal(1, model.MaxThreads);
            model.MaxThreads = 4;
            Assert.Equal(4, model.MaxThreads);
            Assert.Equal(4, ((IModel<float>)model).MaxThreads);
            long before = WorkerPool.WorkerChunks;
            float[] shared = Train(model, x, labels, steps: 2);
            Assert.Equal(single, shared);
            // The model's setting really reached the kernels (the process says 1, which would leave the workers idle).
            for (int attempt = 0; attempt < 50 && WorkerPool.WorkerChunks == before; attempt++)
                Train(model, x, labels, steps: 1);
            Assert.True(WorkerPool.WorkerChunks > before, "no worker ran a chunk of the model's calls");
            // The scope ends with the call: this thread is back on the process setting.
            Assert.Equal(1, NeuralDslThreads.Current);
            model.MaxThreads = 0;
            Assert.Equal(1, model.MaxThreads);
            Assert.Throws<ArgumentOutOfRangeException>(() => model.MaxThreads = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => model.MaxThreads = NeuralDslThreads.MaxWorkers + 2);
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    [Fact]
    public void Limit_scopes_nest_and_restore()
    {
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 2;
            using (NeuralDslThreads.Limit(5))
            {
                Assert.Equal(5, NeuralDslThreads.Current);
                using (NeuralDslThreads.Limit(0))
                    Assert.Equal(5, NeuralDslThreads.Current);
                using (NeuralDslThreads.Limit(3))
                    Assert.Equal(3, NeuralDslThreads.Current);
                Assert.Equal(5, NeuralDslThreads.Current);
            }
            Assert.Equal(2, NeuralDslThreads.Current);
            Assert.Throws<ArgumentOutOfRangeException>(() => NeuralDslThreads.Limit(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => NeuralDslThreads.MaxThreads = 0);
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    [Fact]
    public void Eight_threads_with_eight_models_finish_and_each_equals_its_single_threaded_run()
    {
        const int Models = 8;
        (float[] X, float[] Labels)[] data = Enumerable.Range(0, Models)
            .Select(i => Digits(i % 2 == 0 ? 64 : 16, 784, 100 + (ulong)i)).ToArray();
        float[] Run(int i) => i % 2 == 0
            ? Train(new MnistMlp(seed: i), data[i].X, data[i].Labels, steps: 4)
            : Train(new DigitCnn(seed: i), data[i].X, data[i].Labels, steps: 2);

        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 1;
            float[][] expected = Enumerable.Range(0, Models).Select(Run).ToArray();

            NeuralDslThreads.MaxThreads = 8;
            var results = new float[Models][];
            var errors = new Exception?[Models];
            using var start = new Barrier(Models);
            Thread[] threads = Enumerable.Range(0, Models).Select(i => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    // Twice, so a model's second run meets the pool warm and still busy with the others.
                    results[i] = Run(i);
                    float[] again = Run(i);
                    if (!again.AsSpan().SequenceEqual(results[i]))
                        throw new InvalidOperationException($"model {i}: the second run differs from the first");
                }
                catch (Exception e)
                {
                    errors[i] = e;
                }
            }) { IsBackground = true }).ToArray();
            foreach (Thread thread in threads)
                thread.Start();
            foreach (Thread thread in threads)
                Assert.True(thread.Join(TimeSpan.FromMinutes(3)), "a thread did not finish: the pool deadlocked or starved it");
            for (int i = 0; i < Models; i++)
            {
                Assert.Null(errors[i]);
                Assert.Equal(expected[i], results[i]);
            }
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    [Fact]
    public void Nested_calls_from_chunks_finish_and_exceptions_reach_the_caller()
    {
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 8;
            // A convolution part calls GEMM (a single-part convolution's product is shared itself); run it from
            // several threads at once so nested jobs meet busy workers.
            (int batch, Conv2DGeometry g) = ConvolutionShape("5x5 same batch 16");
            var done = new int[4];
            Thread[] threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                float[] x = new float[batch * g.InputSize], k = new float[g.KernelSize], y = new float[batch * g.OutputSize];
                float[] scratch = new float[Convolution.ScratchLength(g, batch)];
                x.AsSpan().Fill(0.5f);
                k.AsSpan().Fill(0.25f);
                for (int round = 0; round < 20; round++)
                    Convolution.BackwardInput<float>(y, k, x, batch, g, scratch);
                done[i] = 1;
            }) { IsBackground = true }).ToArray();
            foreach (Thread thread in threads)
                thread.Start();
            foreach (Thread thread in threads)
                Assert.True(thread.Join(TimeSpan.FromMinutes(2)));
            Assert.All(done, d => Assert.Equal(1, d));

            // A chunk that throws: the caller gets the exception after every chunk has finished.
            Assert.Throws<InvalidOperationException>(() => ThrowFromChunk());
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }

    private static unsafe void ThrowFromChunk()
    {
        int dummy = 0;
        WorkerPool.Run(&Throwing, &dummy, 64, 1);
    }

    private static unsafe void Throwing(void* context, int start, int end)
    {
        if (start == 37)
            throw new InvalidOperationException("chunk 37");
        Thread.SpinWait(100);
    }

    [Fact]
    public void A_prepared_thread_meets_its_first_products_with_nothing_but_counted_warm_up()
    {
        // A worker's first read of a thread-static reference field allocates the class's per-thread block; unless
        // PrepareThread did it first, that lands in whichever call the worker first joins for that element type and
        // shows in AllocatedBytes as if the call allocated.
        float[] a = new float[257 * 257], b = new float[257 * 257], c = new float[257 * 257];
        double[] ad = new double[257 * 257], bd = new double[257 * 257], cd = new double[257 * 257];
        void Products()
        {
            using (NeuralDslThreads.Limit(1))
            {
                Gemm.Multiply<float>(a, b, c, 257, 257, 257);
                Gemm.Multiply<double>(ad, bd, cd, 257, 257, 257);
            }
        }
        Products(); // static constructors and the JIT, on this thread

        long FirstProductsOnANewThread(bool prepare)
        {
            long unexplained = -1;
            var thread = new Thread(() =>
            {
                if (prepare)
                    WorkerPool.PrepareThread();
                long before = GC.GetAllocatedBytesForCurrentThread(), warmUp = WorkerPool.WarmUpBytes;
                Products();
                unexplained = GC.GetAllocatedBytesForCurrentThread() - before - (WorkerPool.WarmUpBytes - warmUp);
            });
            thread.Start();
            thread.Join();
            return unexplained;
        }

        Assert.Equal(0, FirstProductsOnANewThread(prepare: true));
        Assert.True(FirstProductsOnANewThread(prepare: false) > 0, "an unprepared thread's first products allocate thread-static blocks");
    }

    [Fact]
    public void Warm_calls_allocate_nothing_with_four_threads()
    {
        (float[] x, float[] labels) = Digits(64, 784, 81);
        var mlp = new MnistMlp(seed: 1);
        var cnn = new DigitCnn(seed: 1);
        var adam = new Adam();
        var cnnAdam = new Adam();
        var prediction = new float[64 * 10];
        float[] a = new float[257 * 257], b = new float[257 * 257], c = new float[257 * 257];
        float[] deepA = new float[256 * 784], deepB = new float[784 * 128], deepC = new float[256 * 128];
        int saved = NeuralDslThreads.MaxThreads;
        try
        {
            NeuralDslThreads.MaxThreads = 4;
            for (int round = 0; round < 4; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                long workerBefore = WorkerPool.AllocatedBytes;
                Gemm.Multiply<float>(a, b, c, 257, 257, 257);
                Gemm.Multiply<float>(deepA, deepB, deepC, 256, 784, 128);
                mlp.TrainStep(x, labels, adam);
                cnn.TrainStep(x, labels, cnnAdam);
                mlp.Predict(x, prediction);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                // The first rounds warm up the JIT, the buffers and the workers; then nothing.
                if (round >= 2)
                {
                    Assert.Equal(0, allocated);
                    Assert.Equal(workerBefore, WorkerPool.AllocatedBytes);
                }
            }
        }
        finally
        {
            NeuralDslThreads.MaxThreads = saved;
        }
    }
}
