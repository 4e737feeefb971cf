using System;
using System.IO;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>What a user relies on beyond the numbers: no allocation per step, clear errors, summaries, determinism.</summary>
public sealed class GeneratedModelTests
{
    [Fact]
    public void Predict_and_TrainStep_allocate_nothing_after_warm_up()
    {
        var small = new CreditModel(seed: 1);
        var mnist = new MnistMlp(seed: 1);
        float[] x8 = new float[32 * CreditModel.InputSize];
        float[] y8 = new float[32];
        float[] one = new float[1];
        float[] x784 = new float[64 * MnistMlp.InputSize];
        float[] labels = new float[64];
        float[] probabilities = new float[MnistMlp.OutputSize];
        var rng = new Rng(3);
        for (int i = 0; i < x784.Length; i++)
            x784[i] = (float)rng.NextDouble();
        for (int i = 0; i < labels.Length; i++)
            labels[i] = i % 10;
        var adamSmall = new Adam();
        var adamMnist = new Adam();

        void Steps()
        {
            small.Predict(x8.AsSpan(0, CreditModel.InputSize), one);
            small.TrainStep(x8, y8, adamSmall);
            mnist.Predict(x784.AsSpan(0, MnistMlp.InputSize), probabilities);
            mnist.TrainStep(x784, labels, adamMnist);
        }

        Steps(); // warm-up: buffers, optimizer slots, JIT
        Steps();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            Steps();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Wrong_sizes_throw_naming_expected_and_actual()
    {
        var model = new CreditModel();
        var bad = Assert.Throws<ArgumentException>(() => model.Predict(new float[10], new float[1]));
        Assert.Contains("10", bad.Message);
        Assert.Contains("8", bad.Message);

        var wrongOutput = Assert.Throws<ArgumentException>(() => model.Predict(new float[16], new float[3]));
        Assert.Contains("expected 2", wrongOutput.Message);

        var wrongTarget = Assert.Throws<ArgumentException>(() => model.TrainStep(new float[16], new float[3], new Sgd()));
        Assert.Contains("3", wrongTarget.Message);
        Assert.Contains("expected 2", wrongTarget.Message);
    }

    [Fact]
    public void Backward_without_Forward_and_training_without_a_loss_are_refused()
    {
        var model = new CreditModel();
        model.Predict(new float[8], new float[1]);
        Assert.Throws<InvalidOperationException>(() => model.Backward(new float[1], new float[8]));

        var noLoss = new NoLossModel();
        var error = Assert.Throws<InvalidOperationException>(() => noLoss.ComputeGradients(new float[4], new float[3]));
        Assert.Contains("without a loss", error.Message);
    }

    [Fact]
    public void Summary_lists_layers_shapes_and_parameters_like_Keras()
    {
        Assert.Contains(" dense (Dense)                (None, 12)                108", CreditModel.Summary);
        Assert.Contains("Total params: 221", CreditModel.Summary);
        Assert.Contains("Model: \"mnist_mlp\"", MnistMlp.Summary);
        Assert.Contains(" flatten (Flatten)            (None, 784)               0", MnistMlp.Summary);
        Assert.Equal(101_770, MnistMlp.ParameterCount);
        Assert.Equal(["dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"], LayoutNames(new MnistMlp()));
    }

    private static string[] LayoutNames(IModel<float> model)
    {
        var names = new string[model.ParameterLayout.Count];
        for (int i = 0; i < names.Length; i++)
            names[i] = model.ParameterLayout[i].Name;
        return names;
    }

    [Fact]
    public void Same_seed_gives_the_same_weights_and_Keras_glorot_bounds_hold()
    {
        var a = new MnistMlp(seed: 42);
        var b = new MnistMlp(seed: 42);
        var c = new MnistMlp(seed: 43);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
        float limit = MathF.Sqrt(6f / (784 + 128));
        foreach (float w in a.DenseKernel)
            Assert.InRange(w, -limit, limit);
        foreach (float bias in a.DenseBias)
            Assert.Equal(0f, bias);
    }

    [Fact]
    public void Dropout_is_identity_in_inference_and_drops_in_training()
    {
        var model = new WithDropout(seed: 2);
        double[] x = GradientCheck.Random(4 * WithDropout.InputSize, 8);
        var inference1 = new double[8];
        var inference2 = new double[8];
        var training = new double[8];
        model.Predict(x, inference1);
        model.Predict(x, inference2);
        model.Forward(x, training, training: true);
        Assert.Equal(inference1, inference2);
        Assert.NotEqual(inference1, training);
    }

    [Fact]
    public void Tensor_predict_checks_the_shape_and_matches_the_span_overload()
    {
        var model = new MnistMlp(seed: 5);
        var pixels = new float[2 * 784];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (i % 97) / 97f;
        var tensor = System.Numerics.Tensors.Tensor.Create(pixels, [2, 28, 28]);
        var result = model.Predict(tensor);
        Assert.Equal([2, 10], result.Lengths.ToArray());
        var expected = model.Predict(pixels);
        var actual = new float[20];
        result.FlattenTo(actual);
        Assert.Equal(expected, actual);

        var wrong = System.Numerics.Tensors.Tensor.Create(new float[784], [1, 784]);
        var error = Assert.Throws<ArgumentException>(() => model.Predict(wrong));
        Assert.Contains("[1, 784]", error.Message);
        Assert.Contains("[batch, 28, 28]", error.Message);
    }

    [Fact]
    public void Weights_round_trip_through_safetensors_bit_exactly()
    {
        string path = Path.Combine(Path.GetTempPath(), "ndsl-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            var trained = new CreditModel(seed: 9);
            trained.TrainStep(GradientCheckF(32 * 8), new float[32], new Adam());
            trained.SaveWeights(path);
            var loaded = new CreditModel(seed: 1);
            loaded.LoadWeights(path);
            Assert.True(trained.Parameters.SequenceEqual(loaded.Parameters));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static float[] GradientCheckF(int n)
    {
        double[] d = GradientCheck.Random(n, 4);
        var f = new float[n];
        for (int i = 0; i < n; i++)
            f[i] = (float)d[i];
        return f;
    }
}
