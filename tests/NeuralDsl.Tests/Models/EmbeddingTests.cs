using System;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Models;

[Sequential(ElementType = typeof(double))]
[Input(6)]
[Embedding(5, 3)]
[Dense(2, Activation.Tanh)]
public partial class GradEmbedding;

[Sequential(ElementType = typeof(double))]
[Input(6)]
[Embedding(5, 3, MaskZero = true)]
[Dense(4, Activation.Tanh)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class GradEmbeddingMaskAverage;

[Sequential(ElementType = typeof(double))]
[Input(6)]
[Embedding(5, 3, MaskZero = true)]
[Dropout(0.5)]
[GlobalMaxPooling1D]
[Dense(2)]
public partial class GradEmbeddingMaskMax;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(12)]
[Embedding(20, 8, MaskZero = true)]
[GlobalAveragePooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class TokenSetClassifier;

/// <summary>
/// Embedding against libtorch, its gradient (double central differences), the mask through Dense/Dropout into the
/// global poolings over time, token-id checks, the int overloads, and a small masked model that learns.
/// </summary>
public sealed class EmbeddingTests
{
    // Batch 3 × 6 steps: repeated ids, padding (0) at the end, and a row that is all padding.
    private static readonly double[] Ids = [1, 2, 2, 3, 0, 0, 4, 1, 4, 4, 2, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void Embedding_matches_libtorch_in_float_and_double()
    {
        var fixture = Fixture.Load("embedding");
        Check<float>(fixture, new EmbeddingF());
        Check<double>(fixture, new EmbeddingD());
    }

    private static void Check<T>(Fixture fixture, IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Tolerance tolerance = Tolerance.For<T>();
        Assert.Equal(fixture.Shape("embeddings"), model.ParameterLayout[0].Shape);
        Assert.Equal("embedding.embeddings", model.ParameterLayout[0].Name);
        fixture.Input<T>("embeddings").CopyTo(model.Parameters);

        T[] ids = fixture.Input<T>("input");
        var output = new T[fixture.Get("output").Length];
        model.Forward(ids, output, training: false);
        tolerance.AssertClose<T>(output, fixture.Get("output"), "embedding output");

        var gradInput = new T[ids.Length];
        gradInput.AsSpan().Fill(T.One);
        model.ZeroGradients();
        model.Backward(fixture.Input<T>("grad_output"), gradInput);
        tolerance.AssertClose<T>(model.Gradients, fixture.Get("grad_embeddings"), "embedding grad_embeddings");
        // Ids have no gradient (libtorch gives none): Backward writes zeros.
        Assert.All(gradInput, v => Assert.Equal(T.Zero, v));
    }

    [Theory]
    [InlineData(nameof(GradEmbedding))]
    [InlineData(nameof(GradEmbeddingMaskAverage))]
    [InlineData(nameof(GradEmbeddingMaskMax))]
    public void Embedding_gradients_match_central_differences(string name)
    {
        IModel<double> model = Create(name);
        double[] dx = GradientCheck.CheckParameterGradients(model, Ids, seed: 21);
        Assert.All(dx, v => Assert.Equal(0.0, v));
    }

    [Theory]
    [InlineData(nameof(GradEmbeddingMaskAverage))]
    [InlineData(nameof(GradEmbeddingMaskMax))]
    public void Masked_steps_do_not_change_the_output_and_get_zero_gradient(string name)
    {
        IModel<double> model = Create(name);
        int batch = Ids.Length / model.InputSize;
        var before = new double[batch * model.OutputSize];
        model.Predict(Ids, before);

        // Every id-0 step is masked: the padding row of the table never reaches the output...
        Span<double> padding = model.Parameters[..3];
        padding.Fill(1e3);
        var after = new double[before.Length];
        model.Predict(Ids, after);
        Assert.Equal(before, after);

        // ...and gets no gradient.
        model.Forward(Ids, after, training: false);
        model.ZeroGradients();
        model.Backward(GradientCheck.Random(before.Length, 3), new double[Ids.Length]);
        Assert.All(model.Gradients[..3].ToArray(), g => Assert.Equal(0.0, g));

        // The all-padding row pools to 0, so the model outputs the last Dense bias there.
        ReadOnlySpan<double> bias = model.Parameters[^2..];
        Assert.Equal(bias[0], after[2 * 2]);
        Assert.Equal(bias[1], after[2 * 2 + 1]);
    }

    [Fact]
    public void Masked_padding_at_the_end_is_the_same_as_fewer_steps_of_the_same_tokens()
    {
        // Average pooling over the real steps: [1, 2, 3, 0, 0, 0] equals the mean of the per-step outputs of 1, 2, 3.
        var model = new GradEmbeddingMaskAverage(seed: 4);
        double[] padded = [1, 2, 3, 0, 0, 0];
        double[] repeated = [1, 2, 3, 1, 2, 3]; // same tokens twice, no padding: same mean
        double[] a = model.Predict(padded), b = model.Predict(repeated);
        Assert.Equal(b[0], a[0], 14);
        Assert.Equal(b[1], a[1], 14);
    }

    [Theory]
    [InlineData(2.5, "2.5")]
    [InlineData(-1.0, "-1")]
    [InlineData(5.0, "5")]
    [InlineData(double.NaN, "NaN")]
    public void A_bad_token_id_throws_naming_row_position_and_value(double bad, string shown)
    {
        var model = new GradEmbeddingMaskAverage(seed: 1);
        double[] ids = (double[])Ids.Clone();
        ids[6 + 4] = bad;
        var e = Assert.Throws<ArgumentException>(() => model.Predict(ids, new double[6]));
        Assert.Contains("Token id " + shown + " at batch row 1, position 4", e.Message);
        Assert.Throws<ArgumentException>(() => model.Forward(ids, new double[6], training: true));
    }

    [Fact]
    public void A_rejected_forward_leaves_the_last_forward_for_backward()
    {
        var model = new GradEmbeddingMaskAverage(seed: 1);
        var output = new double[3 * 2];
        double[] g = GradientCheck.Random(output.Length, 5);
        model.Forward(Ids, output, training: true);
        model.ZeroGradients();
        model.Backward(g, new double[Ids.Length]);
        double[] expected = model.Gradients.ToArray();

        double[] bad = (double[])Ids.Clone();
        bad[0] = 0.5;
        bad[1] = 9; // ids that differ from Ids, so stale activations would change the gradients
        Assert.Throws<ArgumentException>(() => model.Forward(bad, new double[6], training: true));
        model.ZeroGradients();
        model.Backward(g, new double[Ids.Length]);
        Assert.Equal(expected, model.Gradients.ToArray());
    }

    [Fact]
    public void Int_overloads_match_the_element_type_calls_and_check_ids()
    {
        var model = new TokenSetClassifier(seed: 2);
        int[] ids = [3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 1, 7, 7, 7, 2, 0, 0, 0, 0, 0, 0];
        float[] asFloat = Array.ConvertAll(ids, i => (float)i);
        Assert.Equal(model.Predict(asFloat), model.Predict(ids));

        float[] target = [1, 0];
        float lossInt = model.ComputeGradients(ids, target);
        float[] gradientsInt = model.Gradients.ToArray();
        float lossFloat = model.ComputeGradients(asFloat, target);
        Assert.Equal(lossFloat, lossInt);
        Assert.Equal(model.Gradients.ToArray(), gradientsInt);

        ids[12 + 5] = 20;
        var e = Assert.Throws<ArgumentException>(() => model.Predict(ids, new float[2]));
        Assert.Contains("Token id 20 at batch row 1, position 5", e.Message);
        Assert.Equal("tokenIds", e.ParamName);
        float[] parameters = model.Parameters.ToArray();
        Assert.Throws<ArgumentException>(() => model.TrainStep(ids, target, new Adam()));
        Assert.Equal(parameters, model.Parameters.ToArray()); // rejected before anything moved
        Assert.Throws<ArgumentException>(() => model.Predict(new int[13], new float[2])); // not whole rows
    }

    [Fact]
    public void Int_predict_and_train_step_allocate_nothing()
    {
        var model = new TokenSetClassifier(seed: 2);
        int[] ids = new int[4 * TokenSetClassifier.InputSize];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = i % 3 == 0 ? 0 : i % 20;
        var output = new float[4];
        float[] target = [1, 0, 1, 0];
        var adam = new Adam();

        void Steps()
        {
            model.Predict(ids.AsSpan(0, TokenSetClassifier.InputSize), output.AsSpan(0, 1));
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
    public void Masked_embedding_model_learns_to_tell_two_token_sets_apart()
    {
        // Class 1 sequences draw their tokens from 1..9, class 0 from 10..19; lengths 2..12, padded with 0 at the end.
        // Average pooling over the real steps only, so the padding length carries no signal of its own.
        const int samples = 400, steps = TokenSetClassifier.InputSize;
        var rng = new Rng(17);
        var x = new float[samples * steps];
        var y = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            y[i] = i % 2;
            int length = 2 + (int)(rng.NextDouble() * (steps - 1));
            for (int t = 0; t < length && t < steps; t++)
                x[i * steps + t] = y[i] == 1 ? 1 + (int)(rng.NextDouble() * 9) : 10 + (int)(rng.NextDouble() * 10);
        }
        (float[] trainX, float[] testX) = Dataset.SplitRows<float>(x, steps, 300);
        (float[] trainY, float[] testY) = Dataset.SplitRows<float>(y, 1, 300);

        var model = new TokenSetClassifier(seed: 5);
        model.Fit(trainX, trainY, epochs: 30, batchSize: 16, optimizer: new Adam(0.01), seed: 3, verbose: false);
        double accuracy = model.Evaluate(testX, testY, metrics: [Metric.BinaryAccuracy])["binary_accuracy"];
        Assert.True(accuracy >= 0.98, $"held-out accuracy {accuracy:P1} < 98 %");
    }

    private static IModel<double> Create(string name) => name switch
    {
        nameof(GradEmbedding) => new GradEmbedding(1),
        nameof(GradEmbeddingMaskAverage) => WithRandomBiases(new GradEmbeddingMaskAverage(1)),
        _ => WithRandomBiases(new GradEmbeddingMaskMax(1)),
    };

    private static IModel<double> WithRandomBiases(IModel<double> model)
    {
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
                GradientCheck.Random(p.Length, 99).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        }
        // Embeddings a little larger than Keras' ±0.05, so tanh and the max see distinct values.
        GradientCheck.Random(model.ParameterLayout[0].Length, 98).CopyTo(model.Parameters[..model.ParameterLayout[0].Length]);
        return model;
    }
}
