using System;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Models;

// Conformance: the shapes and settings of the multi_head_attention fixtures.
[Sequential] [Input(4, 6)] [MultiHeadAttention(2, 3)] public partial class MhaF;
[Sequential(ElementType = typeof(double))] [Input(4, 6)] [MultiHeadAttention(2, 3)] public partial class MhaD;
[Sequential] [Input(5, 4)] [MultiHeadAttention(3, 2, UseCausalMask = true)] public partial class MhaCausalF;
[Sequential(ElementType = typeof(double))] [Input(5, 4)] [MultiHeadAttention(3, 2, UseCausalMask = true)] public partial class MhaCausalD;

// Gradient checks (double).
[Sequential(ElementType = typeof(double))] [Input(5, 4)] [MultiHeadAttention(2, 3, ValueDim = 2, OutputShape = 3)] public partial class GradMha;
[Sequential(ElementType = typeof(double))] [Input(5, 4)] [MultiHeadAttention(3, 2, UseCausalMask = true)] [Dense(2, Activation.Tanh)]
public partial class GradMhaCausal;
[Sequential(ElementType = typeof(double))] [Input(4, 3)] [MultiHeadAttention(2, 2, UseBias = false)] public partial class GradMhaNoBias;

// Cross-attention: the query is the input (4 steps), value and key come from other layers (3 steps).
[Sequential(ElementType = typeof(double))]
[Input(4, 3, Name = "x")]
[Conv1D(5, 2, Activation.Tanh, Name = "memory")]
[Dense(2, Name = "keys")]
[MultiHeadAttention(2, 3, Input = "x", Value = "memory", Key = "keys")]
public partial class GradCrossAttention;

[Sequential(ElementType = typeof(double))]
[Input(4, 3, Name = "x")]
[Conv1D(5, 2, Activation.Tanh, Name = "memory")]
[MultiHeadAttention(2, 3, ValueDim = 4, Input = "x", Value = "memory", UseCausalMask = true)]
public partial class GradCrossAttentionValueOnly;

// Self-attention written as cross-attention (value = the query's own tensor) and the same model as self-attention.
[Sequential(ElementType = typeof(double))] [Input(4, 3, Name = "x")] [MultiHeadAttention(2, 2, Value = "x")] public partial class CrossOnItself;
[Sequential(ElementType = typeof(double))] [Input(4, 3)] [MultiHeadAttention(2, 2)] public partial class SelfOnItself;

// The padding mask: Embedding(MaskZero) → attention (padded keys and queries masked) → masked average pooling.
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(7, 4, MaskZero = true)] [MultiHeadAttention(2, 3)] [GlobalAveragePooling1D] [Dense(2)]
public partial class MaskedMha;
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(7, 4, MaskZero = true)] [MultiHeadAttention(2, 3, UseCausalMask = true)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class MaskedCausalMha;
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(7, 4)] [MultiHeadAttention(2, 3)] [GlobalAveragePooling1D] [Dense(2)]
public partial class UnmaskedMha;

// Attention dropout.
[Sequential(ElementType = typeof(double))] [Input(4, 3)] [MultiHeadAttention(2, 2, Dropout = 0.3)] public partial class GradMhaDropout;

// Allocation: float, mask, dropout, a loss.
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(8)] [Embedding(20, 8, MaskZero = true)] [MultiHeadAttention(2, 4, Dropout = 0.1)]
[GlobalAveragePooling1D] [Dense(1, Activation.Sigmoid)]
public partial class AttentionClassifier;

/// <summary>
/// MultiHeadAttention: the libtorch reference (Keras layout), double gradient checks (self, causal, no bias, cross,
/// padding mask, dropout), mask and cross-attention semantics, zero allocation per call.
/// </summary>
public sealed class AttentionTests
{
    [Theory]
    [InlineData("multi_head_attention")]
    [InlineData("multi_head_attention_causal")]
    public void MultiHeadAttention_matches_libtorch_in_float_and_double(string name)
    {
        // Tolerances (Fixtures/README.md): double 1e-10 relative / 1e-12 absolute, float 1e-5 relative / 1e-6 absolute.
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name == "multi_head_attention"
            ? ((IModel<float>)new MhaF(), (IModel<double>)new MhaD())
            : (new MhaCausalF(), new MhaCausalD());
        Check(fixture, f);
        Check(fixture, d);
    }

    /// <summary>Model tensor <c>multi_head_attention.query.kernel</c> is fixture <c>query_kernel</c>; <c>attention_output.*</c> is <c>output_*</c>.</summary>
    private static string FixtureKey(string parameter)
    {
        string local = parameter[(parameter.IndexOf('.') + 1)..].Replace("attention_output.", "output.", StringComparison.Ordinal);
        return local.Replace('.', '_');
    }

    private static void Check<T>(Fixture fixture, IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Tolerance tolerance = Tolerance.For<T>();
        Assert.Equal(8, model.ParameterLayout.Count);
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            string key = FixtureKey(p.Name);
            Assert.Equal(fixture.Shape(key), p.Shape);
            fixture.Input<T>(key).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        }

        T[] input = fixture.Input<T>("input");
        var output = new T[fixture.Get("output").Length];
        model.Forward(input, output, training: false);
        tolerance.AssertClose<T>(output, fixture.Get("output"), fixture.Name + " output");

        T[] gradOutput = fixture.Input<T>("grad_output");
        var gradInput = new T[input.Length];
        model.ZeroGradients();
        model.Backward(gradOutput, gradInput);
        tolerance.AssertClose<T>(gradInput, fixture.Get("grad_input"), fixture.Name + " grad_input");
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            string key = "grad_" + FixtureKey(p.Name);
            tolerance.AssertClose<T>(model.Gradients.Slice(p.Offset, p.Length), fixture.Get(key), fixture.Name + " " + key);
        }
    }

    [Theory]
    [InlineData(nameof(GradMha))]
    [InlineData(nameof(GradMhaCausal))]
    [InlineData(nameof(GradMhaNoBias))]
    [InlineData(nameof(GradCrossAttention))]
    [InlineData(nameof(GradCrossAttentionValueOnly))]
    public void Backward_matches_central_differences(string name)
    {
        IModel<double> model = name switch
        {
            nameof(GradMha) => new GradMha(1),
            nameof(GradMhaCausal) => new GradMhaCausal(2),
            nameof(GradMhaNoBias) => new GradMhaNoBias(3),
            nameof(GradCrossAttention) => new GradCrossAttention(4),
            _ => new GradCrossAttentionValueOnly(5),
        };
        // Non-zero biases, so a bias gradient routed to the wrong place shows.
        var rng = new Rng(11);
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] += 0.1 * (2 * rng.NextDouble() - 1);
        GradientCheck.CheckBackward(model, batch: 3, seed: 7);
    }

    private static readonly double[] PaddedIds =
    [
        3, 1, 4, 0, 0, 0,
        2, 6, 5, 1, 3, 0,
        5, 0, 0, 0, 0, 0,
    ];

    [Theory]
    [InlineData(nameof(MaskedMha))]
    [InlineData(nameof(MaskedCausalMha))]
    public void Masked_attention_parameter_gradients_match_central_differences(string name)
    {
        IModel<double> model = name == nameof(MaskedMha) ? new MaskedMha(6) : new MaskedCausalMha(6);
        double[] dx = GradientCheck.CheckParameterGradients(model, (double[])PaddedIds.Clone(), seed: 9);
        Assert.All(dx, v => Assert.Equal(0.0, v)); // token ids have no gradient
    }

    [Fact]
    public void Padded_steps_neither_attend_nor_are_attended_to()
    {
        // Embedding row 0 is what the padding id looks up: with the mask honoured (padded keys left out of every softmax,
        // padded queries pooled away) it cannot change the output; without MaskZero it does.
        static double[] Run(IModel<double> model, double shift)
        {
            var rng = new Rng(3);
            for (int i = 0; i < model.Parameters.Length; i++)
                model.Parameters[i] = 0.5 * (2 * rng.NextDouble() - 1);
            for (int j = 0; j < 4; j++)
                model.Parameters[j] += shift; // embeddings[0, :] comes first in the parameter vector
            var y = new double[3 * model.OutputSize];
            model.Predict(PaddedIds, y);
            return y;
        }

        Assert.Equal("embedding.embeddings", MaskedMha.ParameterLayout[0].Name);
        double[] masked = Run(new MaskedMha(), 0), maskedShifted = Run(new MaskedMha(), 0.7);
        for (int i = 0; i < masked.Length; i++)
            Assert.Equal(masked[i], maskedShifted[i], 1e-14);
        double[] plain = Run(new UnmaskedMha(), 0), plainShifted = Run(new UnmaskedMha(), 0.7);
        Assert.NotEqual(plain, plainShifted);
    }

    [Fact]
    public void Cross_attention_on_its_own_input_equals_self_attention()
    {
        // Value = "x" reads the query's tensor as a second operand: the same function, and the input gradient of the
        // two operands summed equals self-attention's.
        var cross = new CrossOnItself(1);
        var self = new SelfOnItself(1);
        var rng = new Rng(5);
        for (int i = 0; i < self.Parameters.Length; i++)
            self.Parameters[i] = cross.Parameters[i] = 2 * rng.NextDouble() - 1;
        double[] x = GradientCheck.Random(2 * SelfOnItself.InputSize, 8);
        double[] g = GradientCheck.Random(2 * SelfOnItself.OutputSize, 9);
        var y1 = new double[g.Length];
        var y2 = new double[g.Length];
        cross.Forward(x, y1, training: false);
        self.Forward(x, y2, training: false);
        var dx1 = new double[x.Length];
        var dx2 = new double[x.Length];
        cross.ZeroGradients();
        self.ZeroGradients();
        cross.Backward(g, dx1);
        self.Backward(g, dx2);
        for (int i = 0; i < y1.Length; i++)
            Assert.Equal(y2[i], y1[i], 1e-12);
        for (int i = 0; i < dx1.Length; i++)
            Assert.Equal(dx2[i], dx1[i], 1e-12);
        for (int i = 0; i < self.Gradients.Length; i++)
            Assert.Equal(self.Gradients[i], cross.Gradients[i], 1e-12);
    }

    [Fact]
    public void Attention_dropout_backward_follows_the_drawn_mask() =>
        // The same seed replays the same dropout mask, so the training pass is a smooth function of the parameters.
        GradientCheck.CheckTrainingReplay(() => new GradMhaDropout(seed: 4), batch: 3, "attention dropout", masksChangeOutput: true);

    [Fact]
    public void Predict_and_TrainStep_allocate_nothing()
    {
        var model = new AttentionClassifier(seed: 1);
        int[] ids = [3, 4, 5, 0, 0, 0, 0, 0, 9, 1, 7, 7, 7, 2, 0, 0, 11, 12, 13, 14, 15, 16, 17, 18, 1, 0, 0, 0, 0, 0, 0, 0];
        var output = new float[4];
        float[] target = [1, 0, 1, 0];
        var adam = new Adam();

        void Steps()
        {
            model.Predict(ids.AsSpan(0, AttentionClassifier.InputSize), output.AsSpan(0, 1));
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
}
