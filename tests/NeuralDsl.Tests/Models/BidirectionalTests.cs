using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

// Every merge mode, last output and sequences, without a mask (Input(5, 2)) and with one (Embedding(MaskZero)).
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional] [LSTM(3)] [Dense(2)]
public partial class BiConcatLast;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional] [GRU(3, ReturnSequences = true)] [Flatten] [Dense(2)]
public partial class BiConcatSequences;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Sum)] [GRU(3)] [Dense(2)]
public partial class BiSumLast;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Sum)] [SimpleRNN(3, ReturnSequences = true)] [Flatten] [Dense(2)]
public partial class BiSumSequences;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Average)] [SimpleRNN(3)] [Dense(2)]
public partial class BiAverageLast;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Average)] [LSTM(3, ReturnSequences = true)] [Flatten] [Dense(2)]
public partial class BiAverageSequences;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Multiply)] [LSTM(3)] [Dense(2)]
public partial class BiMultiplyLast;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Multiply)] [GRU(3, ResetAfter = false, ReturnSequences = true)]
[Flatten] [Dense(2)]
public partial class BiMultiplySequences;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional] [LSTM(3, ReturnSequences = true)] [Bidirectional(MergeMode = MergeMode.Sum)] [GRU(2)]
[Dense(2)]
public partial class BiStack;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional] [LSTM(3)] [Dense(2)]
public partial class BiMaskConcatLast;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional] [GRU(3, ReturnSequences = true)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class BiMaskConcatSequences;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Sum)] [GRU(3)] [Dense(2)]
public partial class BiMaskSumLast;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Sum)]
[SimpleRNN(3, ReturnSequences = true)] [GlobalMaxPooling1D] [Dense(2)]
public partial class BiMaskSumSequences;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Average)] [SimpleRNN(3)] [Dense(2)]
public partial class BiMaskAverageLast;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Average)]
[LSTM(3, ReturnSequences = true)] [GlobalAveragePooling1D] [Dense(2)]
public partial class BiMaskAverageSequences;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Multiply)] [LSTM(3)] [Dense(2)]
public partial class BiMaskMultiplyLast;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Multiply)]
[GRU(3, ReturnSequences = true)] [GlobalAveragePooling1D] [Dense(2)]
public partial class BiMaskMultiplySequences;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional] [LSTM(3, ReturnSequences = true)]
[Bidirectional(MergeMode = MergeMode.Average)] [GRU(2)] [Dense(2)]
public partial class BiMaskStack;

// Hand-combined directions: the same weights in plain layers.
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [Bidirectional] [LSTM(3, ReturnSequences = true)]
[Flatten]
public partial class BiLstmSequence;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [LSTM(3, ReturnSequences = true)] [Flatten]
public partial class ForwardLstmSequence;

[Sequential(ElementType = typeof(double))] [Input(5, 2)] [LSTM(3, ReturnSequences = true, GoBackwards = true)] [Flatten]
public partial class BackwardLstmSequence;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [Bidirectional(MergeMode = MergeMode.Multiply)] [GRU(3)]
public partial class BiMaskGruLast;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3)]
public partial class MaskGruLastForward;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3, GoBackwards = true)]
public partial class MaskGruLastBackward;

// The SpamFilter shape, small: float, masked ids, Bidirectional LSTM, sigmoid output.
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(12)] [Embedding(20, 8, MaskZero = true)] [Bidirectional] [LSTM(8)] [Dense(1, Activation.Sigmoid)]
public partial class BiTokenClassifier;

/// <summary>Keras <c>Bidirectional</c>: gradients, merge modes, the mask, weight names and the summary row.</summary>
public sealed class BidirectionalTests
{
    private static readonly double[] Ids = [1, 2, 2, 3, 0, 0, 4, 0, 4, 4, 2, 1, 0, 0, 3, 1, 2, 4, 0, 0, 0, 0, 0, 0];

    public static TheoryData<string> Unmasked => new()
    {
        nameof(BiConcatLast), nameof(BiConcatSequences), nameof(BiSumLast), nameof(BiSumSequences), nameof(BiAverageLast),
        nameof(BiAverageSequences), nameof(BiMultiplyLast), nameof(BiMultiplySequences), nameof(BiStack),
    };

    public static TheoryData<string> Masked => new()
    {
        nameof(BiMaskConcatLast), nameof(BiMaskConcatSequences), nameof(BiMaskSumLast), nameof(BiMaskSumSequences), nameof(BiMaskAverageLast),
        nameof(BiMaskAverageSequences), nameof(BiMaskMultiplyLast), nameof(BiMaskMultiplySequences), nameof(BiMaskStack),
    };

    [Theory]
    [MemberData(nameof(Unmasked))]
    public void Backward_matches_central_differences(string name) =>
        GradientCheck.CheckBackward(Create(name), batch: 3, seed: 7);

    [Theory]
    [MemberData(nameof(Masked))]
    public void Masked_gradients_match_central_differences(string name)
    {
        double[] dx = GradientCheck.CheckParameterGradients(Create(name), Ids, seed: 23);
        Assert.All(dx, v => Assert.Equal(0.0, v));
    }

    [Theory]
    [MemberData(nameof(Masked))]
    public void Masked_steps_do_not_reach_the_output(string name)
    {
        IModel<double> model = Create(name);
        var before = new double[4 * model.OutputSize];
        model.Predict(Ids, before);
        model.Parameters[..3].Fill(5); // the padding row of the embeddings
        var after = new double[before.Length];
        model.Predict(Ids, after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Concat_of_sequences_is_the_forward_layer_beside_the_backward_layer_flipped_to_input_order()
    {
        var bi = (BiLstmSequence)Create(nameof(BiLstmSequence));
        var forward = new ForwardLstmSequence(1);
        var backward = new BackwardLstmSequence(1);
        int half = forward.Parameters.Length;
        Assert.Equal(2 * half, bi.Parameters.Length);
        bi.Parameters[..half].CopyTo(forward.Parameters);
        bi.Parameters[half..].CopyTo(backward.Parameters);

        const int batch = 3, steps = 5, units = 3;
        double[] x = GradientCheck.Random(batch * BiLstmSequence.InputSize, 12);
        double[] y = new double[batch * steps * 2 * units], yf = new double[batch * steps * units], yb = new double[yf.Length];
        bi.Predict(x, y);
        forward.Predict(x, yf);
        backward.Predict(x, yb);
        for (int b = 0; b < batch; b++)
        {
            for (int s = 0; s < steps; s++)
            {
                for (int u = 0; u < units; u++)
                {
                    int row = (b * steps + s) * 2 * units;
                    Assert.Equal(yf[(b * steps + s) * units + u], y[row + u]);
                    // GoBackwards returns the sequence in processing order: input step s is its step steps - 1 - s.
                    Assert.Equal(yb[(b * steps + steps - 1 - s) * units + u], y[row + units + u]);
                }
            }
        }
    }

    [Fact]
    public void Masked_multiply_of_last_outputs_is_the_product_of_the_two_masked_directions()
    {
        var bi = (BiMaskGruLast)Create(nameof(BiMaskGruLast));
        var forward = new MaskGruLastForward(1);
        var backward = new MaskGruLastBackward(1);
        int embeddings = BiMaskGruLast.ParameterLayout[0].Length, gru = (bi.Parameters.Length - embeddings) / 2;
        bi.Parameters[..(embeddings + gru)].CopyTo(forward.Parameters);
        bi.Parameters[..embeddings].CopyTo(backward.Parameters);
        bi.Parameters[(embeddings + gru)..].CopyTo(backward.Parameters[embeddings..]);

        double[] y = new double[4 * 3], yf = new double[y.Length], yb = new double[y.Length];
        bi.Predict(Ids, y);
        forward.Predict(Ids, yf);
        backward.Predict(Ids, yb);
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(yf[i] * yb[i], y[i], 15);
        Assert.Equal(0.0, y[3 * 3]); // the all-padding row: both states stay zero
    }

    [Fact]
    public void Weights_have_Keras_names_and_the_summary_one_row_with_both_directions()
    {
        IModel<double> model = new BiStack(1);
        string[] names = System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(model.ParameterLayout, p => p.Name));
        Assert.Equal(
        [
            "bidirectional.forward_lstm.kernel", "bidirectional.forward_lstm.recurrent_kernel", "bidirectional.forward_lstm.bias",
            "bidirectional.backward_lstm.kernel", "bidirectional.backward_lstm.recurrent_kernel", "bidirectional.backward_lstm.bias",
            "bidirectional_1.forward_gru.kernel", "bidirectional_1.forward_gru.recurrent_kernel", "bidirectional_1.forward_gru.bias",
            "bidirectional_1.backward_gru.kernel", "bidirectional_1.backward_gru.recurrent_kernel", "bidirectional_1.backward_gru.bias",
            "dense.kernel", "dense.bias",
        ], names);
        // Keras: Bidirectional(LSTM(3)) on 2 features = 2 × 4·3·(2 + 3 + 1) = 144; Bidirectional(GRU(2)) on 6 = 2 × 3·2·(6 + 2 + 2) = 120.
        Assert.Contains(" bidirectional (Bidirectional)", BiStack.Summary);
        Assert.Contains("(None, 5, 6)              144", BiStack.Summary);
        Assert.Contains("(None, 2)                 120", BiStack.Summary);
        Assert.DoesNotContain("(LSTM)", BiStack.Summary);
    }

    [Fact]
    public void Masked_bidirectional_predict_and_train_step_allocate_nothing()
    {
        var model = new BiTokenClassifier(seed: 2);
        int[] ids = new int[4 * BiTokenClassifier.InputSize];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = i % 5 == 0 ? 0 : i % 20;
        var output = new float[4];
        float[] target = [1, 0, 1, 0];
        var adam = new Adam();

        void Steps()
        {
            model.Predict(ids.AsSpan(0, BiTokenClassifier.InputSize), output.AsSpan(0, 1));
            model.Predict(ids, output);
            model.TrainStep(ids, target, adam);
        }

        Steps();
        Steps();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            Steps();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Masked_bidirectional_model_learns_which_token_came_first()
    {
        // Class 1 when the first real token is below 10; lengths 2..12, padded with 0 at the end. A sum or mean of the
        // tokens carries no signal (the same token sets occur in both classes), the order does.
        const int samples = 480, steps = BiTokenClassifier.InputSize;
        var rng = new Rng(17);
        var x = new float[samples * steps];
        var y = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            y[i] = i % 2;
            int length = 2 + (int)(rng.NextDouble() * (steps - 1));
            for (int t = 0; t < length && t < steps; t++)
                x[i * steps + t] = 1 + (int)(rng.NextDouble() * 19);
            x[i * steps] = y[i] == 1 ? 1 + (int)(rng.NextDouble() * 9) : 10 + (int)(rng.NextDouble() * 10);
        }
        (float[] trainX, float[] testX) = Dataset.SplitRows<float>(x, steps, 400);
        (float[] trainY, float[] testY) = Dataset.SplitRows<float>(y, 1, 400);

        var model = new BiTokenClassifier(seed: 5);
        model.Fit(trainX, trainY, epochs: 30, batchSize: 16, optimizer: new Adam(0.01), seed: 3, verbose: false);
        double accuracy = model.Evaluate(testX, testY, metrics: [Metric.BinaryAccuracy])["binary_accuracy"];
        Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy:P1} < 95 %");
    }

    private static IModel<double> Create(string name)
    {
        IModel<double> model = name switch
        {
            nameof(BiConcatLast) => new BiConcatLast(1),
            nameof(BiConcatSequences) => new BiConcatSequences(1),
            nameof(BiSumLast) => new BiSumLast(1),
            nameof(BiSumSequences) => new BiSumSequences(1),
            nameof(BiAverageLast) => new BiAverageLast(1),
            nameof(BiAverageSequences) => new BiAverageSequences(1),
            nameof(BiMultiplyLast) => new BiMultiplyLast(1),
            nameof(BiMultiplySequences) => new BiMultiplySequences(1),
            nameof(BiStack) => new BiStack(1),
            nameof(BiMaskConcatLast) => new BiMaskConcatLast(1),
            nameof(BiMaskConcatSequences) => new BiMaskConcatSequences(1),
            nameof(BiMaskSumLast) => new BiMaskSumLast(1),
            nameof(BiMaskSumSequences) => new BiMaskSumSequences(1),
            nameof(BiMaskAverageLast) => new BiMaskAverageLast(1),
            nameof(BiMaskAverageSequences) => new BiMaskAverageSequences(1),
            nameof(BiMaskMultiplyLast) => new BiMaskMultiplyLast(1),
            nameof(BiMaskMultiplySequences) => new BiMaskMultiplySequences(1),
            nameof(BiMaskStack) => new BiMaskStack(1),
            nameof(BiLstmSequence) => new BiLstmSequence(1),
            nameof(BiMaskGruLast) => new BiMaskGruLast(1),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test model."),
        };
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
                GradientCheck.Random(p.Length, 99, scale: 0.5).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
            if (p.Name.EndsWith(".embeddings", StringComparison.Ordinal))
                GradientCheck.Random(p.Length, 98).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        }
        return model;
    }
}
