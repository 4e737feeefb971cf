using System;
using System.Threading;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// One instance, many threads (issue #9 item 4): Predict runs on per-thread buffers over shared read-only parameters,
/// and a training call that overlaps another call on the instance throws instead of corrupting it.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    private const int CallsPerThread = 10_000;
    private const int Samples = 12;

    /// <summary>
    /// 8 threads × 10,000 Predicts on one instance, batch sizes 1 to 4, equal bit for bit to the same calls made serially
    /// before; after its first call a thread allocates nothing.
    /// </summary>
    [Fact]
    public void Predict_from_eight_threads_on_one_instance_equals_serial_results()
    {
        var model = new ThreadedCnn(seed: 5);
        var rng = new Rng(11);
        float[] x = new float[Samples * ThreadedCnn.InputSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(2 * rng.NextDouble() - 1);
        float[] labels = new float[Samples];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = i % ThreadedCnn.OutputSize;
        // One training step first, so the weights and the moving statistics are not the initial ones.
        model.TrainStep(x, labels, new Sgd(0.1));

        // expected[b - 1][chunk]: the serial output of the chunk-th group of b samples.
        float[][][] expected = new float[4][][];
        for (int b = 1; b <= 4; b++)
        {
            expected[b - 1] = new float[Samples / b][];
            for (int chunk = 0; chunk < Samples / b; chunk++)
                expected[b - 1][chunk] = model.Predict(x.AsSpan(chunk * b * ThreadedCnn.InputSize, b * ThreadedCnn.InputSize));
        }

        int[] mismatches = new int[Threads];
        long[] allocated = new long[Threads];
        Exception?[] failures = new Exception?[Threads];
        using var start = new Barrier(Threads);
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    int b = 1 + id % 4;
                    float[] output = new float[b * ThreadedCnn.OutputSize];
                    start.SignalAndWait();
                    long before = 0;
                    for (int call = 0; call < CallsPerThread; call++)
                    {
                        int chunk = (call + id) % (Samples / b);
                        model.Predict(x.AsSpan(chunk * b * ThreadedCnn.InputSize, b * ThreadedCnn.InputSize), output);
                        if (!output.AsSpan().SequenceEqual(expected[b - 1][chunk]))
                            mismatches[id]++;
                        if (call == 0)
                            before = GC.GetAllocatedBytesForCurrentThread();
                    }
                    allocated[id] = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                catch (Exception ex)
                {
                    failures[id] = ex;
                }
            });
            threads[t].Start();
        }
        foreach (Thread thread in threads)
            thread.Join();

        Assert.All(failures, Assert.Null);
        Assert.Equal(new int[Threads], mismatches);
        Assert.Equal(new long[Threads], allocated);
    }

    /// <summary>
    /// While a TrainStep is inside its optimizer step, every other call on the instance — training calls and Predict —
    /// throws InvalidOperationException and changes nothing; once the step returns (or throws), the instance works again.
    /// </summary>
    [Fact]
    public void A_call_that_overlaps_a_training_call_throws_and_changes_nothing()
    {
        var model = new ThreadedCnn(seed: 3);
        float[] x = new float[2 * ThreadedCnn.InputSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 7 * 0.1f;
        float[] labels = [0, 1];
        float[] output = new float[2 * ThreadedCnn.OutputSize];
        float[] inputGradient = new float[x.Length];
        using var optimizer = new BlockingOptimizer();

        var training = new Thread(() => model.TrainStep(x, labels, optimizer));
        training.Start();
        Assert.True(optimizer.Entered.Wait(TimeSpan.FromSeconds(30)), "The training step never reached the optimizer.");
        float[] parameters = model.Parameters.ToArray();
        float[] state = model.State.ToArray();
        float[] gradients = model.Gradients.ToArray();

        Assert.Throws<InvalidOperationException>(() => model.TrainStep(x, labels, new Sgd(0.1)));
        Assert.Throws<InvalidOperationException>(() => model.ComputeGradients(x, labels));
        Assert.Throws<InvalidOperationException>(() => model.Forward(x, output, training: true));
        Assert.Throws<InvalidOperationException>(() => model.Backward(output, inputGradient));
        Assert.Throws<InvalidOperationException>(() => model.Predict(x, output));
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        Assert.Equal(gradients, model.Gradients.ToArray());

        optimizer.Release.Set();
        training.Join();
        model.Predict(x, output);
        model.TrainStep(x, labels, new Sgd(0.1));
        model.Forward(x, output, training: false);
        model.Backward(output, inputGradient);

        // A training call that throws inside releases the instance too.
        using var failing = new BlockingOptimizer { Throw = true };
        Assert.Throws<NotSupportedException>(() => model.TrainStep(x, labels, failing));
        model.TrainStep(x, labels, new Sgd(0.1));
        model.Predict(x, output);
    }

    /// <summary>An optimizer whose step waits for the test (or throws), to hold a training call open.</summary>
    private sealed class BlockingOptimizer() : Optimizer(0.1), IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public bool Throw { get; init; }

        internal override string[] SlotNames => [];

        private protected override void Update<T>(Span<T> parameters, ReadOnlySpan<T> gradients)
        {
            if (Throw)
                throw new NotSupportedException("This optimizer only fails.");
            Entered.Set();
            Release.Wait();
        }

        public void Dispose()
        {
            Entered.Dispose();
            Release.Dispose();
        }
    }
}

/// <summary>
/// Every buffer kind a Predict touches: a Winograd convolution with its kernel cache, batch normalization in inference,
/// max pooling, a Flatten view, dropout (off in Predict) and GEMM-sized dense layers.
/// </summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(10, 10, 8)]
[Conv2D(8, 3, Activation.ReLU)]
[BatchNormalization]
[MaxPooling2D]
[Flatten]
[Dropout(0.25)]
[Dense(12, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class ThreadedCnn;
