using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Models;

// Gradient checks (double): post-norm and pre-norm on float features, both behind a MaskZero embedding, both with dropout.
[Sequential(ElementType = typeof(double))] [Input(5, 8)] [TransformerEncoder(6, 2)] public partial class GradEncoderPost;
[Sequential(ElementType = typeof(double))] [Input(5, 8)] [TransformerEncoder(6, 4, NormalizeFirst = true, Activation = Activation.GELU)]
public partial class GradEncoderPre;
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(9, 8, MaskZero = true)] [TransformerEncoder(6, 2)] [GlobalAveragePooling1D] [Dense(2)]
public partial class MaskedEncoderPost;
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(9, 8, MaskZero = true)] [TransformerEncoder(6, 2, NormalizeFirst = true)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class MaskedEncoderPre;
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(9, 8)] [TransformerEncoder(6, 2)] [GlobalAveragePooling1D] [Dense(2)]
public partial class UnmaskedEncoder;
[Sequential(ElementType = typeof(double))] [Input(4, 6)] [TransformerEncoder(5, 3, Dropout = 0.25)] public partial class DropoutEncoderPost;
[Sequential(ElementType = typeof(double))] [Input(4, 6)] [TransformerEncoder(5, 3, Dropout = 0.25, NormalizeFirst = true)] public partial class DropoutEncoderPre;

// The expansion against the same layers written out by hand (KerasHub's names, the adds' shortcuts named with From).
[Sequential(ElementType = typeof(double))] [Input(5, 8)] [TransformerEncoder(6, 2, Dropout = 0.2, LayerNormEpsilon = 1e-4, Activation = Activation.Tanh)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class ReadyMadePost;

[Sequential(ElementType = typeof(double))]
[Input(5, 8, Name = "x")]
[MultiHeadAttention(2, 4, Dropout = 0.2, Name = "transformer_encoder_self_attention_layer")]
[Dropout(0.2, Name = "transformer_encoder_self_attention_dropout")]
[Add(From = "x", Name = "transformer_encoder_self_attention_add")]
[LayerNormalization(Epsilon = 1e-4, Name = "transformer_encoder_self_attention_layer_norm")]
[Dense(6, Activation.Tanh, Name = "transformer_encoder_feedforward_intermediate_dense")]
[Dense(8, Name = "transformer_encoder_feedforward_output_dense")]
[Dropout(0.2, Name = "transformer_encoder_feedforward_dropout")]
[Add(From = "transformer_encoder_self_attention_layer_norm", Name = "transformer_encoder_feedforward_add")]
[LayerNormalization(Epsilon = 1e-4, Name = "transformer_encoder_feedforward_layer_norm")]
[GlobalAveragePooling1D] [Dense(2)]
public partial class HandWrittenPost;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(9, 8, MaskZero = true)] [TransformerEncoder(6, 2, NormalizeFirst = true, Name = "encoder")]
[GlobalAveragePooling1D] [Dense(2)]
public partial class ReadyMadePre;

[Sequential(ElementType = typeof(double))]
[Input(6)]
[Embedding(9, 8, MaskZero = true)]
[LayerNormalization(Epsilon = 1e-5, Name = "encoder_self_attention_layer_norm")]
[MultiHeadAttention(2, 4, Name = "encoder_self_attention_layer")]
[Add(From = "embedding", Name = "encoder_self_attention_add")]
[LayerNormalization(Epsilon = 1e-5, Name = "encoder_feedforward_layer_norm")]
[Dense(6, Activation.ReLU, Name = "encoder_feedforward_intermediate_dense")]
[Dense(8, Name = "encoder_feedforward_output_dense")]
[Add(From = "encoder_self_attention_add", Name = "encoder_feedforward_add")]
[GlobalAveragePooling1D] [Dense(2)]
public partial class HandWrittenPre;

// Input = on the use: the attention and the first shortcut both read "x", not the layer written before.
[Sequential(ElementType = typeof(double))] [Input(5, 8, Name = "x")] [Dense(8, Activation.Tanh, Name = "side")] [TransformerEncoder(6, 2, Input = "x")]
[Add(From = "side")]
public partial class ReadyMadeInput;

[Sequential(ElementType = typeof(double))]
[Input(5, 8, Name = "x")]
[Dense(8, Activation.Tanh, Name = "side")]
[MultiHeadAttention(2, 4, Input = "x", Name = "transformer_encoder_self_attention_layer")]
[Add(From = "x", Name = "transformer_encoder_self_attention_add")]
[LayerNormalization(Epsilon = 1e-5, Name = "transformer_encoder_self_attention_layer_norm")]
[Dense(6, Activation.ReLU, Name = "transformer_encoder_feedforward_intermediate_dense")]
[Dense(8, Name = "transformer_encoder_feedforward_output_dense")]
[Add(From = "transformer_encoder_self_attention_layer_norm", Name = "transformer_encoder_feedforward_add")]
[LayerNormalization(Epsilon = 1e-5, Name = "transformer_encoder_feedforward_layer_norm")]
[Add(From = "side")]
public partial class HandWrittenInput;

// Allocation: float, padding mask, dropout, a loss; and the benchmark's shape (float features, no mask, no dropout).
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(8)] [TokenAndPositionEmbedding(20, 8, 8, MaskZero = true)] [TransformerEncoder(16, 2, Dropout = 0.1)]
[GlobalAveragePooling1D] [Dense(1, Activation.Sigmoid)]
public partial class EncoderClassifier;
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(16, 16)] [TransformerEncoder(32, 4)] [GlobalAveragePooling1D] [Dense(1, Activation.Sigmoid)]
public partial class EncoderOnFeatures;

/// <summary>
/// The ready-made TransformerEncoder (KerasHub semantics): double gradient checks through post- and pre-norm blocks,
/// with the padding mask of MaskZero and with dropout (masks replayed), the mask's semantics, and the expansion equal to
/// the same layers written out by hand (parameters, outputs in inference and training, every gradient).
/// </summary>
public sealed class TransformerEncoderTests
{
    private static readonly double[] PaddedIds =
    [
        3, 1, 4, 0, 0, 0,
        2, 6, 5, 1, 3, 0,
        5, 0, 0, 0, 0, 0,
    ];

    [Theory]
    [InlineData(nameof(GradEncoderPost))]
    [InlineData(nameof(GradEncoderPre))]
    public void Encoder_gradients_match_central_differences(string name)
    {
        IModel<double> model = name == nameof(GradEncoderPost) ? new GradEncoderPost(seed: 3) : new GradEncoderPre(seed: 3);
        // Non-zero biases, γ away from 1 and β from 0, so a gradient routed to the wrong tensor shows.
        var rng = new Rng(11);
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] += 0.1 * (2 * rng.NextDouble() - 1);
        GradientCheck.CheckBackward(model, batch: 3, seed: 7);
    }

    [Theory]
    [InlineData(nameof(MaskedEncoderPost))]
    [InlineData(nameof(MaskedEncoderPre))]
    public void Masked_encoder_parameter_gradients_match_central_differences(string name)
    {
        IModel<double> model = name == nameof(MaskedEncoderPost) ? new MaskedEncoderPost(seed: 6) : new MaskedEncoderPre(seed: 6);
        double[] dx = GradientCheck.CheckParameterGradients(model, (double[])PaddedIds.Clone(), seed: 9);
        Assert.All(dx, v => Assert.Equal(0.0, v)); // token ids have no gradient
    }

    [Theory]
    [InlineData(nameof(DropoutEncoderPost))]
    [InlineData(nameof(DropoutEncoderPre))]
    public void Encoder_dropout_backward_follows_the_drawn_masks(string name) =>
        GradientCheck.CheckTrainingReplay(
            () => name == nameof(DropoutEncoderPost) ? new DropoutEncoderPost(seed: 4) : new DropoutEncoderPre(seed: 4),
            batch: 3, name, masksChangeOutput: true);

    [Fact]
    public void Padded_steps_change_nothing_through_the_encoder()
    {
        // Embedding row 0 is what the padding id looks up: with the mask honoured by the attention (padded keys left out
        // of every softmax) and the pooling, it cannot change the output; without MaskZero it does.
        static double[] Run(IModel<double> model, double shift)
        {
            for (int j = 0; j < 8; j++)
                model.Parameters[j] += shift; // embeddings[0, :] comes first in the parameter vector
            var y = new double[3 * model.OutputSize];
            model.Predict(PaddedIds, y);
            return y;
        }

        Assert.Equal("embedding.embeddings", MaskedEncoderPost.ParameterLayout[0].Name);
        double[] masked = Run(new MaskedEncoderPost(2), 0), maskedShifted = Run(new MaskedEncoderPost(2), 0.7);
        for (int i = 0; i < masked.Length; i++)
            Assert.Equal(masked[i], maskedShifted[i], 1e-13);
        double[] plain = Run(new UnmaskedEncoder(2), 0), plainShifted = Run(new UnmaskedEncoder(2), 0.7);
        Assert.NotEqual(plain, plainShifted);
    }

    [Fact]
    public void Encoder_weights_carry_KerasHub_names_and_shapes()
    {
        string[] expected =
        [
            "transformer_encoder_self_attention_layer.query.kernel [8, 2, 4]", "transformer_encoder_self_attention_layer.query.bias [2, 4]",
            "transformer_encoder_self_attention_layer.key.kernel [8, 2, 4]", "transformer_encoder_self_attention_layer.key.bias [2, 4]",
            "transformer_encoder_self_attention_layer.value.kernel [8, 2, 4]", "transformer_encoder_self_attention_layer.value.bias [2, 4]",
            "transformer_encoder_self_attention_layer.attention_output.kernel [2, 4, 8]", "transformer_encoder_self_attention_layer.attention_output.bias [8]",
            "transformer_encoder_self_attention_layer_norm.gamma [8]", "transformer_encoder_self_attention_layer_norm.beta [8]",
            "transformer_encoder_feedforward_intermediate_dense.kernel [8, 6]", "transformer_encoder_feedforward_intermediate_dense.bias [6]",
            "transformer_encoder_feedforward_output_dense.kernel [6, 8]", "transformer_encoder_feedforward_output_dense.bias [8]",
            "transformer_encoder_feedforward_layer_norm.gamma [8]", "transformer_encoder_feedforward_layer_norm.beta [8]",
        ];
        Assert.Equal(expected, GradEncoderPost.ParameterLayout.Select(p => p.Name + " [" + string.Join(", ", p.Shape) + "]"));
    }

    [Fact]
    public void Predict_and_TrainStep_allocate_nothing()
    {
        var model = new EncoderClassifier(seed: 1);
        var features = new EncoderOnFeatures(seed: 1);
        int[] ids = [3, 4, 5, 0, 0, 0, 0, 0, 9, 1, 7, 7, 7, 2, 0, 0, 11, 12, 13, 14, 15, 16, 17, 18, 1, 0, 0, 0, 0, 0, 0, 0];
        float[] x = new float[4 * EncoderOnFeatures.InputSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = (i % 7) * 0.1f - 0.3f;
        var output = new float[4];
        float[] target = [1, 0, 1, 0];
        var adam = new Adam();
        var adam2 = new Adam();

        void Steps()
        {
            model.Predict(ids.AsSpan(0, EncoderClassifier.InputSize), output.AsSpan(0, 1));
            model.Predict(ids, output);
            model.TrainStep(ids, target, adam);
            features.Predict(x.AsSpan(0, EncoderOnFeatures.InputSize), output.AsSpan(0, 1));
            features.TrainStep(x, target, adam2);
        }

        Steps();
        Steps();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            Steps();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    public static TheoryData<string> Pairs => [nameof(HandWrittenPost), nameof(HandWrittenPre), nameof(HandWrittenInput)];

    [Theory]
    [MemberData(nameof(Pairs))]
    public void The_expansion_equals_the_layers_written_out(string pair)
    {
        (IModel<double> ready, IModel<double> hand, IReadOnlyList<ParameterInfo> readyLayout, IReadOnlyList<ParameterInfo> handLayout, bool ids) = pair switch
        {
            nameof(HandWrittenPost) => ((IModel<double>)new ReadyMadePost(seed: 5), (IModel<double>)new HandWrittenPost(seed: 5),
                ReadyMadePost.ParameterLayout, HandWrittenPost.ParameterLayout, false),
            nameof(HandWrittenPre) => (new ReadyMadePre(seed: 5), new HandWrittenPre(seed: 5), ReadyMadePre.ParameterLayout, HandWrittenPre.ParameterLayout, true),
            _ => (new ReadyMadeInput(seed: 5), new HandWrittenInput(seed: 5), ReadyMadeInput.ParameterLayout, HandWrittenInput.ParameterLayout, false),
        };
        Assert.Equal(handLayout.Select(p => (p.Name, p.Offset, string.Join(",", p.Shape))), readyLayout.Select(p => (p.Name, p.Offset, string.Join(",", p.Shape))));
        // The same seed draws the same initial weights (the same initializers in the same order).
        Assert.Equal(hand.Parameters.ToArray(), ready.Parameters.ToArray());

        // Perturbed weights (non-zero biases, γ ≠ 1), then one inference and one training pass with their gradients.
        var rng = new Rng(13);
        for (int i = 0; i < ready.Parameters.Length; i++)
            hand.Parameters[i] = ready.Parameters[i] += 0.1 * (2 * rng.NextDouble() - 1);
        const int batch = 3;
        double[] x = ids ? (double[])PaddedIds.Clone() : GradientCheck.Random(batch * ready.InputSize, 21);
        double[] g = GradientCheck.Random(batch * ready.OutputSize, 22);
        foreach (bool training in new[] { false, true })
        {
            var y1 = new double[g.Length];
            var y2 = new double[g.Length];
            ready.Forward(x, y1, training);
            hand.Forward(x, y2, training);
            Assert.Equal(y2, y1);
            var dx1 = new double[x.Length];
            var dx2 = new double[x.Length];
            ready.ZeroGradients();
            hand.ZeroGradients();
            ready.Backward(g, dx1);
            hand.Backward(g, dx2);
            Assert.Equal(dx2, dx1);
            Assert.Equal(hand.Gradients.ToArray(), ready.Gradients.ToArray());
        }
    }
}
