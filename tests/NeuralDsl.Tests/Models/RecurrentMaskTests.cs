using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

// Keras masking through the recurrent layers: Embedding(MaskZero) → recurrent layer(s), every cell, last output and
// sequences (a sequence ends in a masked global pooling or a second recurrent layer, which consume the mask).
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [SimpleRNN(3)] [Dense(2)]
public partial class MaskSimpleRnn;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [SimpleRNN(3, ReturnSequences = true, GoBackwards = true)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class MaskSimpleRnnSequencesBackwards;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [LSTM(3)] [Dense(2)]
public partial class MaskLstm;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [LSTM(3, GoBackwards = true)] [Dense(2)]
public partial class MaskLstmBackwards;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [LSTM(3, ReturnSequences = true)] [Dense(3, Activation.Tanh)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class MaskLstmSequences;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3)] [Dense(2)]
public partial class MaskGru;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3, ReturnSequences = true, GoBackwards = true)]
[GlobalMaxPooling1D] [Dense(2)]
public partial class MaskGruSequencesBackwards;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3, ResetAfter = false)] [Dense(2)]
public partial class MaskGruResetBefore;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3, ResetAfter = false, ReturnSequences = true)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class MaskGruResetBeforeSequences;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [LSTM(3, ReturnSequences = true)] [GRU(2)] [Dense(2)]
public partial class MaskRecurrentStack;

// The same layers on the unpadded sequence (3 real steps), for the padding-equals-shorter test.
[Sequential(ElementType = typeof(double))] [Input(3)] [Embedding(5, 3)] [LSTM(3)] [Dense(2)]
public partial class ShortLstm;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [GRU(3, ReturnSequences = true)] [GlobalAveragePooling1D] [Dense(2)]
public partial class MaskGruAverage;

[Sequential(ElementType = typeof(double))] [Input(3)] [Embedding(5, 3)] [GRU(3, ReturnSequences = true)] [GlobalAveragePooling1D] [Dense(2)]
public partial class ShortGruAverage;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [SimpleRNN(3)] [Dense(2)]
public partial class MaskSimpleRnnPadded;

[Sequential(ElementType = typeof(double))] [Input(3)] [Embedding(5, 3)] [SimpleRNN(3)] [Dense(2)]
public partial class ShortSimpleRnn;

/// <summary>
/// Keras semantics of a mask in SimpleRNN, LSTM and GRU: a masked step keeps the state and repeats the last output;
/// backward it passes the state gradient straight through and adds nothing to the weights.
/// </summary>
public sealed class RecurrentMaskTests
{
    // Batch 4 × 6 steps: padding at the end, in the middle, at the start, and a row that is all padding.
    private static readonly double[] Ids = [1, 2, 2, 3, 0, 0, 4, 0, 4, 4, 2, 1, 0, 0, 3, 1, 2, 4, 0, 0, 0, 0, 0, 0];

    public static TheoryData<string> MaskedModels => new()
    {
        nameof(MaskSimpleRnn), nameof(MaskSimpleRnnSequencesBackwards), nameof(MaskLstm), nameof(MaskLstmBackwards),
        nameof(MaskLstmSequences), nameof(MaskGru), nameof(MaskGruSequencesBackwards), nameof(MaskGruResetBefore),
        nameof(MaskGruResetBeforeSequences), nameof(MaskRecurrentStack),
    };

    [Theory]
    [MemberData(nameof(MaskedModels))]
    public void Masked_gradients_match_central_differences(string name)
    {
        IModel<double> model = Create(name);
        double[] dx = GradientCheck.CheckParameterGradients(model, Ids, seed: 23);
        Assert.All(dx, v => Assert.Equal(0.0, v));
    }

    [Theory]
    [MemberData(nameof(MaskedModels))]
    public void Masked_steps_do_not_reach_the_output_and_get_no_gradient(string name)
    {
        IModel<double> model = Create(name);
        var before = new double[4 * model.OutputSize];
        model.Predict(Ids, before);

        // The padding row of the embeddings only ever feeds masked steps.
        model.Parameters[..3].Fill(5);
        var after = new double[before.Length];
        model.Predict(Ids, after);
        Assert.Equal(before, after);

        model.Forward(Ids, after, training: false);
        model.ZeroGradients();
        model.Backward(GradientCheck.Random(after.Length, 3), new double[Ids.Length]);
        Assert.All(model.Gradients[..3].ToArray(), g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void Post_and_pre_padding_give_the_output_of_the_unpadded_sequence()
    {
        double[] real = [3, 1, 4];
        Same(Create(nameof(MaskLstm)), new ShortLstm(2), real);
        Same(Create(nameof(MaskSimpleRnnPadded)), new ShortSimpleRnn(2), real);
        // GlobalAveragePooling1D after a ReturnSequences layer still sees the mask: without it the padded steps,
        // which repeat the last output, would count in the mean.
        Same(Create(nameof(MaskGruAverage)), new ShortGruAverage(2), real);
    }

    private static void Same(IModel<double> padded, IModel<double> shorter, double[] real)
    {
        Assert.Equal(padded.Parameters.Length, shorter.Parameters.Length);
        padded.Parameters.CopyTo(shorter.Parameters);
        double[] expected = new double[shorter.OutputSize];
        shorter.Predict(real, expected);
        foreach (double[] ids in new[] { new double[] { 3, 1, 4, 0, 0, 0 }, [0, 0, 0, 3, 1, 4], [0, 3, 0, 1, 4, 0] })
        {
            var actual = new double[padded.OutputSize];
            padded.Predict(ids, actual);
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], actual[i], 13);
        }
        // And the mask matters: the padding id unmasked would change the result.
        var unmasked = new double[padded.OutputSize];
        padded.Predict(new double[] { 3, 1, 4, 2, 2, 2 }, unmasked);
        Assert.NotEqual(expected[0], unmasked[0], 6);
    }

    [Fact]
    public void A_mask_leaves_the_unmasked_model_unchanged()
    {
        // No padding id: the masked model computes exactly what a model without a mask computes.
        var masked = Create(nameof(MaskLstm));
        var plain = new PlainLstm(1);
        masked.Parameters.CopyTo(plain.Parameters);
        double[] ids = [1, 2, 3, 4, 1, 2, 4, 4, 3, 3, 2, 1];
        double[] expected = new double[2 * 2], actual = new double[2 * 2];
        plain.Predict(ids, expected);
        masked.Predict(ids, actual);
        Assert.Equal(expected, actual);
    }

    private static IModel<double> Create(string name)
    {
        IModel<double> model = name switch
        {
            nameof(MaskSimpleRnn) => new MaskSimpleRnn(1),
            nameof(MaskSimpleRnnSequencesBackwards) => new MaskSimpleRnnSequencesBackwards(1),
            nameof(MaskLstm) => new MaskLstm(1),
            nameof(MaskLstmBackwards) => new MaskLstmBackwards(1),
            nameof(MaskLstmSequences) => new MaskLstmSequences(1),
            nameof(MaskGru) => new MaskGru(1),
            nameof(MaskGruSequencesBackwards) => new MaskGruSequencesBackwards(1),
            nameof(MaskGruResetBefore) => new MaskGruResetBefore(1),
            nameof(MaskGruResetBeforeSequences) => new MaskGruResetBeforeSequences(1),
            nameof(MaskRecurrentStack) => new MaskRecurrentStack(1),
            nameof(MaskGruAverage) => new MaskGruAverage(1),
            nameof(MaskSimpleRnnPadded) => new MaskSimpleRnnPadded(1),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test model."),
        };
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
                GradientCheck.Random(p.Length, 99, scale: 0.5).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        }
        // Embeddings larger than Keras' ±0.05, so each step moves the state visibly.
        GradientCheck.Random(model.ParameterLayout[0].Length, 98).CopyTo(model.Parameters[..model.ParameterLayout[0].Length]);
        return model;
    }
}

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3)] [LSTM(3)] [Dense(2)]
public partial class PlainLstm;
