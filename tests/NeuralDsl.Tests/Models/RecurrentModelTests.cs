using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// Generated SimpleRNN, LSTM and GRU models beyond the numbers of the conformance and gradient checks: Keras summaries and
/// initialization, zero allocation per call, and an LSTM that learns a task needing memory across the sequence.
/// </summary>
public sealed class RecurrentModelTests
{
    [Fact]
    public void Summaries_show_Keras_parameter_counts()
    {
        // Keras: LSTM 4·u·(in + u + 1), GRU with reset_after 3·u·(in + u + 2), SimpleRNN u·(in + u + 1).
        Assert.Contains(" lstm (LSTM)                  (None, 50)                11,800", Lstm50.Summary);
        Assert.Equal(11_800 + 51, Lstm50.ParameterCount);
        Assert.Contains(" gru (GRU)                    (None, 50)                9,000", Gru50.Summary);
        Assert.Equal(9_000 + 51, Gru50.ParameterCount);
        Assert.Contains(" simple_rnn (SimpleRNN)       (None, 50)                2,950", SimpleRnn50.Summary);
        Assert.Equal(2_950 + 51, SimpleRnn50.ParameterCount);
        // reset_after = false: one bias row, 3·u·(in + u + 1).
        Assert.Equal(3 * 4 * (3 + 4 + 1) + 5, GruResetBefore4.ParameterCount);
        Assert.Contains("(None, 30, 16)", Stacked.Summary);
    }

    [Fact]
    public void Initialization_is_orthogonal_recurrent_with_unit_forget_bias()
    {
        var model = new Lstm50(seed: 3);
        ReadOnlySpan<float> bias = model.LstmBias;
        for (int i = 0; i < 200; i++)
            Assert.Equal(i is >= 50 and < 100 ? 1f : 0f, bias[i]);

        // recurrent_kernel (50, 200): orthonormal rows.
        ReadOnlySpan<float> w = model.LstmRecurrentKernel;
        for (int a = 0; a < 50; a += 7)
        {
            for (int b = 0; b < 50; b += 5)
            {
                double dot = 0;
                for (int k = 0; k < 200; k++)
                    dot += (double)w[a * 200 + k] * w[b * 200 + k];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
            }
        }
    }

    [Fact]
    public void Predict_and_TrainStep_allocate_nothing_after_warm_up()
    {
        var lstm = new Lstm50(seed: 1);
        var gru = new Gru50(seed: 1);
        var gruBefore = new GruResetBefore4(seed: 1);
        var stacked = new Stacked(seed: 1);
        float[] x = new float[32 * Lstm50.InputSize];
        float[] xSmall = new float[32 * GruResetBefore4.InputSize];
        float[] y = new float[32];
        var rng = new Rng(2);
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(2 * rng.NextDouble() - 1);
        for (int i = 0; i < y.Length; i++)
            y[i] = i % 2;
        float[] one = new float[1];
        Adam a1 = new(), a2 = new(), a3 = new(), a4 = new();

        void Steps()
        {
            lstm.Predict(x.AsSpan(0, Lstm50.InputSize), one);
            lstm.TrainStep(x, y, a1);
            gru.Predict(x.AsSpan(0, Gru50.InputSize), one);
            gru.TrainStep(x, y, a2);
            gruBefore.Predict(xSmall.AsSpan(0, GruResetBefore4.InputSize), one);
            gruBefore.TrainStep(xSmall, y, a3);
            stacked.Predict(x.AsSpan(0, Stacked.InputSize), one);
            stacked.TrainStep(x, y, a4);
        }

        Steps(); // warm-up: buffers, optimizer slots, JIT
        Steps();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
            Steps();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Lstm_learns_to_remember_the_first_step_of_a_noisy_sequence()
    {
        // Label = the sign of the first of 12 steps (±1); the 11 after it are uniform noise in [-1, 1], so the answer must
        // be carried through 11 updates of the state. A model without memory stays near 50 %.
        static (float[] X, float[] Y) Make(int n, ulong seed)
        {
            var rng = new Rng(seed);
            var x = new float[n * 12];
            var y = new float[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = rng.NextDouble() < 0.5 ? 1 : 0;
                x[i * 12] = 2 * y[i] - 1;
                for (int t = 1; t < 12; t++)
                    x[i * 12 + t] = (float)(2 * rng.NextDouble() - 1);
            }
            return (x, y);
        }

        (float[] trainX, float[] trainY) = Make(1024, 1);
        (float[] testX, float[] testY) = Make(512, 2);
        var model = new FirstStepMemory(seed: 1);
        History history = model.Fit(trainX, trainY, epochs: 20, batchSize: 32, optimizer: new Adam(0.005), seed: 1, verbose: false);
        double accuracy = model.Evaluate(testX, testY, metrics: [Metric.Accuracy])["accuracy"];
        Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy:P2} < 95 % (training loss {history["loss"][0]:F4} -> {history["loss"][^1]:F4}, " + string.Join(",", history["loss"]) + ")");
    }
}

[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(30, 8)] [LSTM(50)] [Dense(1, Activation.Sigmoid)] public partial class Lstm50;
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(30, 8)] [GRU(50)] [Dense(1, Activation.Sigmoid)] public partial class Gru50;
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(30, 8)] [SimpleRNN(50)] [Dense(1, Activation.Sigmoid)] public partial class SimpleRnn50;
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(6, 3)] [GRU(4, ResetAfter = false)] [Dense(1, Activation.Sigmoid)] public partial class GruResetBefore4;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(30, 8)]
[LSTM(16, ReturnSequences = true)]
[SimpleRNN(8, GoBackwards = true)]
[Dense(1, Activation.Sigmoid)]
public partial class Stacked;

[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(12, 1)] [LSTM(8)] [Dense(1, Activation.Sigmoid)] public partial class FirstStepMemory;
