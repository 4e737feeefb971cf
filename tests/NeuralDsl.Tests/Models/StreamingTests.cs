using System;
using System.Numerics;
using System.Reflection;
using Xunit;

namespace NeuralDsl.Tests.Models;

// Streaming pairs: the same layers with ReturnSequences = false (the streaming model) and true (its Predict shows the
// output of every prefix at once). The parameter layouts are equal, so one model's weights load into the other.
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [LSTM(4)] [Dense(2)] public partial class StreamLstmD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [LSTM(4, ReturnSequences = true)] [Dense(2)] public partial class StreamLstmSeqD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [GRU(4)] [Dense(2, Activation.Sigmoid)] public partial class StreamGruD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [GRU(4, ReturnSequences = true)] [Dense(2, Activation.Sigmoid)] public partial class StreamGruSeqD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [GRU(4, ResetAfter = false)] [Dense(2)] public partial class StreamGruBeforeD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [GRU(4, ResetAfter = false, ReturnSequences = true)] [Dense(2)] public partial class StreamGruBeforeSeqD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [SimpleRNN(4)] [Dense(2, Activation.Tanh)] public partial class StreamRnnD;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [SimpleRNN(4, ReturnSequences = true)] [Dense(2, Activation.Tanh)] public partial class StreamRnnSeqD;
[Sequential] [Input(9, 8)] [LSTM(8)] [Dense(1, Activation.Sigmoid)] public partial class StreamLstmF;
[Sequential] [Input(9, 8)] [LSTM(8, ReturnSequences = true)] [Dense(1, Activation.Sigmoid)] public partial class StreamLstmSeqF;

// Every streamable layer kind in one stack, ending in a sequence (Step's output is Predict's row t).
[Sequential(ElementType = typeof(double))]
[Input(5, 3)]
[Dense(5, Activation.Tanh)]
[SimpleRNN(4, ReturnSequences = true, UseBias = false)]
[Dropout(0.3)]
[GRU(3, ReturnSequences = true)]
[Activation(Activation.ReLU)]
[LSTM(3, ReturnSequences = true, Activation = Activation.Sigmoid, RecurrentActivation = Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class StreamStackD;

/// <summary>
/// Streaming inference (issue 11 item 3): <c>Step</c> at every t equals <c>Predict</c> on the prefix x_0..x_t for
/// every cell, <c>ResetState</c> restores the start, <c>GetState</c>/<c>SetState</c> round-trip, nothing is
/// allocated per call, and wrong sizes and overlapping calls throw. Models that cannot stream have no <c>Step</c>.
/// </summary>
public sealed class StreamingTests
{
    /// <summary>Double: Step and Predict sum the same products in another order, so they agree to rounding.</summary>
    private const double DoubleTolerance = 1e-12;

    /// <summary>Float: the same reordering in single precision, over 9 steps of an 8-unit LSTM.</summary>
    private const float FloatTolerance = 2e-6f;

    private static void Randomize<T>(Span<T> values, ulong seed)
        where T : IFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateTruncating(rng.NextDouble() - 0.5);
    }

    private static T[] Sequence<T>(int length, ulong seed)
        where T : IFloatingPointIeee754<T>
    {
        var x = new T[length];
        var rng = new Rng(seed);
        for (int i = 0; i < length; i++)
            x[i] = T.CreateTruncating(2 * rng.NextDouble() - 1);
        return x;
    }

    /// <summary>
    /// Steps <paramref name="step"/> through x and checks each y_t against row t of <paramref name="rows"/>
    /// (Predict of the sequence twin), and the last one against <paramref name="last"/> (Predict of the streaming model).
    /// </summary>
    private static void AssertStepsMatch<T>(Action<ReadOnlySpan<T>, Span<T>> step, T[] x, int steps, int features, T[] rows, T[] last, T tolerance)
        where T : IFloatingPointIeee754<T>
    {
        int outputs = rows.Length / steps;
        var y = new T[outputs];
        for (int t = 0; t < steps; t++)
        {
            step(x.AsSpan(t * features, features), y);
            for (int j = 0; j < outputs; j++)
                Assert.True(T.Abs(y[j] - rows[t * outputs + j]) <= tolerance, $"step {t}, output {j}: Step {y[j]} vs Predict {rows[t * outputs + j]}");
        }
        for (int j = 0; j < outputs; j++)
            Assert.True(T.Abs(y[j] - last[j]) <= tolerance, $"last step, output {j}: Step {y[j]} vs Predict {last[j]}");
    }

    [Fact]
    public void Lstm_Step_equals_Predict_on_every_prefix()
    {
        var stream = new StreamLstmD(seed: 1);
        var sequence = new StreamLstmSeqD(seed: 1);
        Randomize<double>(stream.Parameters, 2);
        stream.Parameters.CopyTo(sequence.Parameters);
        double[] x = Sequence<double>(StreamLstmD.InputSize, 3);
        double[] rows = sequence.Predict(x), last = stream.Predict(x);
        AssertStepsMatch<double>(stream.Step, x, 6, 3, rows, last, DoubleTolerance);
        // The sequence model streams too: its y_t is its own row t.
        AssertStepsMatch<double>(sequence.Step, x, 6, 3, rows, last, DoubleTolerance);
    }

    [Fact]
    public void Gru_Step_equals_Predict_on_every_prefix()
    {
        var stream = new StreamGruD(seed: 1);
        var sequence = new StreamGruSeqD(seed: 1);
        Randomize<double>(stream.Parameters, 4);
        stream.Parameters.CopyTo(sequence.Parameters);
        double[] x = Sequence<double>(StreamGruD.InputSize, 5);
        AssertStepsMatch<double>(stream.Step, x, 6, 3, sequence.Predict(x), stream.Predict(x), DoubleTolerance);
    }

    [Fact]
    public void Gru_reset_before_Step_equals_Predict_on_every_prefix()
    {
        var stream = new StreamGruBeforeD(seed: 1);
        var sequence = new StreamGruBeforeSeqD(seed: 1);
        Randomize<double>(stream.Parameters, 6);
        stream.Parameters.CopyTo(sequence.Parameters);
        double[] x = Sequence<double>(StreamGruBeforeD.InputSize, 7);
        AssertStepsMatch<double>(stream.Step, x, 6, 3, sequence.Predict(x), stream.Predict(x), DoubleTolerance);
    }

    [Fact]
    public void SimpleRnn_Step_equals_Predict_on_every_prefix()
    {
        var stream = new StreamRnnD(seed: 1);
        var sequence = new StreamRnnSeqD(seed: 1);
        Randomize<double>(stream.Parameters, 8);
        stream.Parameters.CopyTo(sequence.Parameters);
        double[] x = Sequence<double>(StreamRnnD.InputSize, 9);
        AssertStepsMatch<double>(stream.Step, x, 6, 3, sequence.Predict(x), stream.Predict(x), DoubleTolerance);
    }

    [Fact]
    public void Float_Lstm_Step_equals_Predict_on_every_prefix()
    {
        var stream = new StreamLstmF(seed: 1);
        var sequence = new StreamLstmSeqF(seed: 1);
        Randomize<float>(stream.Parameters, 10);
        stream.Parameters.CopyTo(sequence.Parameters);
        float[] x = Sequence<float>(StreamLstmF.InputSize, 11);
        AssertStepsMatch<float>(stream.Step, x, 9, 8, sequence.Predict(x), stream.Predict(x), FloatTolerance);
    }

    [Fact]
    public void Stack_of_every_streamable_layer_Step_equals_Predict_rows()
    {
        var model = new StreamStackD(seed: 12);
        Randomize<double>(model.Parameters, 13);
        double[] x = Sequence<double>(StreamStackD.InputSize, 14);
        double[] rows = model.Predict(x);
        Assert.Equal(4 + 3 + 2 * 3, StreamStackD.StateSize); // SimpleRNN h, GRU h, LSTM h and c
        Assert.Equal(3, StreamStackD.StepInputSize);
        Assert.Equal(3, StreamStackD.StepOutputSize);
        AssertStepsMatch<double>(model.Step, x, 5, 3, rows, rows.AsSpan(4 * 3).ToArray(), DoubleTolerance);
    }

    [Fact]
    public void ResetState_restores_the_start_and_state_round_trips()
    {
        var model = new StreamLstmD(seed: 1);
        Randomize<double>(model.Parameters, 15);
        double[] x = Sequence<double>(StreamLstmD.InputSize, 16);
        Assert.Equal(2 * 4, StreamLstmD.StateSize);
        var first = new double[6][];
        for (int t = 0; t < 6; t++)
        {
            first[t] = new double[2];
            model.Step(x.AsSpan(t * 3, 3), first[t]);
        }
        var state = new double[StreamLstmD.StateSize];
        model.GetState(state);
        Assert.Contains(state, v => v != 0);

        // After ResetState the same inputs give the same outputs, bit for bit, and the state is zero.
        model.ResetState();
        var zero = new double[StreamLstmD.StateSize];
        model.GetState(zero);
        Assert.All(zero, v => Assert.Equal(0.0, v));
        var y = new double[2];
        double[] atThree = new double[StreamLstmD.StateSize];
        for (int t = 0; t < 6; t++)
        {
            model.Step(x.AsSpan(t * 3, 3), y);
            Assert.Equal(first[t], y);
            if (t == 2)
                model.GetState(atThree);
        }

        // SetState resumes from the saved point: steps 3..5 repeat exactly, on this instance and on another.
        var other = new StreamLstmD(seed: 99);
        model.Parameters.CopyTo(other.Parameters);
        foreach (StreamLstmD m in new[] { model, other })
        {
            m.SetState(atThree);
            for (int t = 3; t < 6; t++)
            {
                m.Step(x.AsSpan(t * 3, 3), y);
                Assert.Equal(first[t], y);
            }
            var end = new double[StreamLstmD.StateSize];
            m.GetState(end);
            Assert.Equal(state, end);
        }
    }

    [Fact]
    public void Step_allocates_nothing_after_warm_up()
    {
        var lstm = new StreamLstmF(seed: 1);
        var stack = new StreamStackD(seed: 1);
        var gru = new StreamGruBeforeD(seed: 1);
        float[] x = Sequence<float>(8, 17);
        double[] xd = Sequence<double>(3, 18);
        float[] y = new float[1];
        double[] yd = new double[3], yg = new double[2], s = new double[StreamStackD.StateSize];
        lstm.Step(x, y);
        stack.Step(xd, yd);
        gru.Step(xd, yg);
        stack.GetState(s);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            lstm.Step(x, y);
            stack.Step(xd, yd);
            gru.Step(xd, yg);
        }
        stack.GetState(s);
        stack.SetState(s);
        stack.ResetState();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_sizes_throw_naming_expected_and_actual()
    {
        var model = new StreamLstmD(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Step(new double[4], new double[2]));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("3", e.Message);
        Assert.Contains("4", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Step(new double[3], new double[1]));
        Assert.Equal("output", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => model.GetState(new double[7]));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("8", e.Message);
        Assert.Contains("7", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.SetState(new double[9]));
        Assert.Equal("state", e.ParamName);
        // A rejected call leaves the state as it was.
        var state = new double[8];
        model.GetState(state);
        Assert.All(state, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Step_throws_while_another_call_runs_on_the_instance()
    {
        var model = new StreamLstmD(seed: 1);
        FieldInfo callState = typeof(StreamLstmD).GetField("__callState", BindingFlags.NonPublic | BindingFlags.Instance)!;
        foreach (int running in new[] { -1, 1 })
        {
            // -1: a training call (or another Step) holds the instance; 1: a Predict is running.
            callState.SetValue(model, running);
            Assert.Throws<InvalidOperationException>(() => model.Step(new double[3], new double[2]));
            Assert.Throws<InvalidOperationException>(() => model.ResetState());
            Assert.Throws<InvalidOperationException>(() => model.SetState(new double[8]));
            Assert.Throws<InvalidOperationException>(() => model.GetState(new double[8]));
            callState.SetValue(model, 0);
        }
        // Released after each call: training works after Steps.
        model.Step(new double[3], new double[2]);
        model.Forward(new double[StreamLstmD.InputSize], new double[2], training: false);
    }

    [Fact]
    public void Models_that_cannot_stream_have_no_Step()
    {
        Assert.NotNull(typeof(StreamLstmD).GetMethod("Step"));
        // GoBackwards reads the sequence from its end; a model without a recurrent layer has no time to step.
        Assert.Null(typeof(GradLstmBackwards).GetMethod("Step"));
        Assert.Null(typeof(GradLstmBackwards).GetMethod("ResetState"));
        Assert.Null(typeof(SmallMlpForStreaming).GetMethod("Step"));
    }
}

[Sequential] [Input(4)] [Dense(2)] public partial class SmallMlpForStreaming;
