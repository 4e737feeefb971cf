using System;
using System.IO;
using System.Text.RegularExpressions;
using NeuralDsl.Tests.Models;
using Xunit;

namespace NeuralDsl.Tests.Training;

/// <summary>
/// A batch whose loss or gradients are not finite never reaches the weights: Fit stops there by default (Keras'
/// TerminateOnNaN) naming the epoch and batch, or skips it when told to, and the model keeps its last finite weights.
/// Each run is compared with a reference trained, in the same order, on the batches that were applied.
/// </summary>
public sealed class NonFiniteTrainingTests
{
    private static (float[] X, float[] Y) Credit(int samples)
    {
        var rng = new Rng(11);
        var x = new float[samples * 8];
        var y = new float[samples];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)rng.NextNormal();
        for (int s = 0; s < samples; s++)
            y[s] = x[s * 8] + x[s * 8 + 1] > 0 ? 1 : 0;
        return (x, y);
    }

    private static (double[] X, double[] Y) Regression(int samples, double offset = 0)
    {
        var rng = new Rng(12);
        var x = new double[samples * 5];
        var y = new double[samples * 3];
        for (int i = 0; i < x.Length; i++)
            x[i] = offset + rng.NextNormal();
        for (int i = 0; i < y.Length; i++)
            y[i] = rng.NextNormal();
        return (x, y);
    }

    private static void AssertFinite<T>(ReadOnlySpan<T> values)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            Assert.True(T.IsFinite(values[i]), $"value {i} is {values[i]}");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_input_stops_fit_at_its_batch_with_the_last_finite_weights(float bad)
    {
        (float[] x, float[] y) = Credit(100);
        x[45 * 8 + 3] = bad; // sample 45: epoch 1, batch 5 of 10
        var model = new CreditModel(seed: 1);
        var output = new StringWriter();

        History history = model.Fit(x, y, epochs: 3, batchSize: 10, optimizer: new Adam(0.01), shuffle: false, output: output);

        Assert.NotNull(history.NonFiniteStop);
        Assert.StartsWith("Epoch 1/3, batch 5/10: ", history.NonFiniteStop);
        Assert.Contains("not finite", history.NonFiniteStop);
        Assert.Contains(history.NonFiniteStop, output.ToString());
        Assert.Equal(1, history.StoppedEpoch);
        Assert.Equal(1, history.Epochs);
        AssertFinite<float>(model.Parameters);

        var reference = new CreditModel(seed: 1);
        History expected = reference.Fit(x.AsSpan(0, 40 * 8), y.AsSpan(0, 40), epochs: 1, batchSize: 10, optimizer: new Adam(0.01),
            shuffle: false, verbose: false);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(expected["loss"], history["loss"]);
    }

    [Fact]
    public void A_loss_that_overflows_stops_fit_even_when_the_gradients_are_finite()
    {
        (double[] x, double[] y) = Regression(30);
        y[25 * 3 + 1] = 1e200; // finite, accepted; its squared error is not: epoch 1, batch 3
        var model = new LossMse(seed: 1);

        History history = model.Fit(x, y, epochs: 2, batchSize: 10, optimizer: new Adam(), shuffle: false, verbose: false);

        Assert.StartsWith("Epoch 1/2, batch 3/3: the loss (inf) is not finite", history.NonFiniteStop);
        var reference = new LossMse(seed: 1);
        reference.Fit(x.AsSpan(0, 20 * 5), y.AsSpan(0, 20 * 3), epochs: 1, batchSize: 10, optimizer: new Adam(), shuffle: false, verbose: false);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void A_divergent_learning_rate_stops_fit_with_finite_weights_from_the_last_applied_step()
    {
        (float[] x, float[] y) = Credit(100);
        var model = new CreditModel(seed: 1);

        History history = model.Fit(x, y, epochs: 5, batchSize: 10, optimizer: new Sgd(learningRate: 1e30), shuffle: false, verbose: false);

        Assert.NotNull(history.NonFiniteStop);
        Match where = Regex.Match(history.NonFiniteStop, @"^Epoch 1/5, batch (\d+)/10: ");
        Assert.True(where.Success, history.NonFiniteStop);
        int applied = int.Parse(where.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
        Assert.InRange(applied, 1, 9);
        AssertFinite<float>(model.Parameters);

        var reference = new CreditModel(seed: 1);
        reference.Fit(x.AsSpan(0, applied * 10 * 8), y.AsSpan(0, applied * 10), epochs: 1, batchSize: 10, optimizer: new Sgd(learningRate: 1e30),
            shuffle: false, verbose: false);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void Without_terminate_on_nan_bad_batches_are_skipped_and_the_moving_statistics_put_back()
    {
        (double[] x, double[] y) = Regression(40, offset: 3);
        x[15 * 5 + 2] = double.NaN; // batch 2 of 4 in every epoch
        var model = new GradBatchNormFirst(seed: 1);
        var output = new StringWriter();

        History history = model.Fit(x, y, epochs: 3, batchSize: 10, optimizer: new Adam(0.01), shuffle: false, output: output,
            terminateOnNaN: false);

        Assert.Null(history.NonFiniteStop);
        Assert.Null(history.StoppedEpoch);
        Assert.Equal(3, history.Epochs);
        Assert.Equal(3, history.SkippedSteps);
        Assert.Contains("Epoch 3/3: 1 of 4 batches skipped", output.ToString());
        AssertFinite<double>(model.Parameters);
        AssertFinite<double>(model.State);

        // The same run without batch 2: equal weights, moving statistics and losses, bit for bit.
        double[] keptX = [.. x.AsSpan(0, 10 * 5), .. x.AsSpan(20 * 5)];
        double[] keptY = [.. y.AsSpan(0, 10 * 3), .. y.AsSpan(20 * 3)];
        var reference = new GradBatchNormFirst(seed: 1);
        History expected = reference.Fit(keptX, keptY, epochs: 3, batchSize: 10, optimizer: new Adam(0.01), shuffle: false, verbose: false);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), model.State.ToArray());
        Assert.Equal(expected["loss"], history["loss"]);
    }

    [Fact]
    public void Train_step_on_a_nan_input_returns_the_nan_loss_and_leaves_the_weights()
    {
        (float[] x, float[] y) = Credit(10);
        var model = new CreditModel(seed: 1);
        var adam = new Adam();
        model.TrainStep(x, y, adam);
        float[] before = model.Parameters.ToArray();
        x[7] = float.NaN;

        float loss = model.TrainStep(x, y, adam);

        Assert.True(float.IsNaN(loss));
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(1, adam.Iterations);
        Assert.Equal(1, adam.SkippedSteps);
    }
}
