using System;
using System.IO;
using Xunit;

namespace NeuralDsl.Tests.Models;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))]
[Input(4)]
[BatchNormalization(Momentum = 0.5)]
[Dense(3, Activation.Softmax)]
public partial class NormalizedClassifier;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))]
[Input(4)]
[Dense(8, Activation.ReLU)]
[Dropout(0.5)]
[Dense(3, Activation.Softmax)]
public partial class DroppingClassifier;

/// <summary>
/// A call rejected for its targets changes nothing: targets are validated before the forward pass moves the moving
/// statistics or the dropout stream, and <c>Fit</c>/<c>Evaluate</c> check every target before the first step, naming
/// the sample and the parameter the caller passed. Sizes computed from user input do not wrap around.
/// </summary>
public sealed class RejectedCallTests
{
    private const int Classes = 3;

    private static (double[] X, double[] Labels) Data(int samples, ulong seed = 5)
    {
        var rng = new Rng(seed);
        var x = new double[samples * 4];
        var labels = new double[samples];
        for (int i = 0; i < x.Length; i++)
            x[i] = 1 + rng.NextNormal();
        for (int s = 0; s < samples; s++)
            labels[s] = s % Classes;
        return (x, labels);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Rejected_train_step_leaves_the_moving_statistics_and_parameters_as_they_were(double badLabel)
    {
        var model = new NormalizedClassifier(seed: 1);
        (double[] x, double[] labels) = Data(8);
        var adam = new Adam();
        model.TrainStep(x, labels, adam);
        double[] state = model.State.ToArray(), parameters = model.Parameters.ToArray();

        labels[5] = badLabel;
        var ex = Assert.Throws<ArgumentException>(() => model.TrainStep(x, labels, adam));

        Assert.Equal("target", ex.ParamName);
        Assert.Contains("sample 5", ex.Message);
        Assert.Equal(state, model.State.ToArray());
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(1, adam.Iterations);
    }

    [Fact]
    public void Rejected_compute_gradients_does_not_advance_the_dropout_stream()
    {
        var rejected = new DroppingClassifier(seed: 2);
        var untouched = new DroppingClassifier(seed: 2);
        (double[] x, double[] labels) = Data(6);
        double[] bad = (double[])labels.Clone();
        bad[0] = Classes;

        Assert.Throws<ArgumentException>(() => rejected.ComputeGradients(x, bad));

        // The next masks are the same only if the rejected call drew none.
        double lossA = rejected.ComputeGradients(x, labels), lossB = untouched.ComputeGradients(x, labels);
        Assert.Equal(lossB, lossA);
        Assert.Equal(untouched.Gradients.ToArray(), rejected.Gradients.ToArray());
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.25)]
    [InlineData(double.NaN)]
    public void Binary_cross_entropy_targets_outside_zero_to_one_are_rejected(double badTarget)
    {
        var model = new CreditModel(seed: 1);
        var x = new float[4 * 8];
        float[] y = [0, 1, (float)badTarget, 1];
        float[] before = model.Parameters.ToArray();

        var ex = Assert.Throws<ArgumentException>(() => model.TrainStep(x, y, new Adam()));

        Assert.Equal("target", ex.ParamName);
        Assert.Contains("target[2]", ex.Message);
        Assert.Contains("[0, 1]", ex.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_regression_targets_are_rejected(double badTarget)
    {
        var model = new LossMse(seed: 1);
        var x = new double[2 * 5];
        var y = new double[2 * 3];
        y[4] = badTarget;

        var ex = Assert.Throws<ArgumentException>(() => model.ComputeGradients(x, y));

        Assert.Equal("target", ex.ParamName);
        Assert.Contains("target[4]", ex.Message);
        Assert.Contains("sample 1", ex.Message);
        Assert.Contains("not finite", ex.Message);
    }

    [Fact]
    public void Fit_names_the_sample_of_a_bad_label_and_trains_nothing()
    {
        var model = new NormalizedClassifier(seed: 1);
        (double[] x, double[] labels) = Data(200);
        labels[150] = 7;
        double[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();
        var adam = new Adam();

        var ex = Assert.Throws<ArgumentException>(() => model.Fit(x, labels, epochs: 2, batchSize: 32, optimizer: adam, verbose: false));

        Assert.Equal("y", ex.ParamName);
        Assert.Contains("sample 150", ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        Assert.Equal(0, adam.Iterations);
    }

    [Fact]
    public void Fit_and_evaluate_check_validation_and_evaluation_targets_up_front()
    {
        var model = new NormalizedClassifier(seed: 1);
        (double[] x, double[] labels) = Data(40);
        (double[] vx, double[] vLabels) = Data(10, seed: 6);
        vLabels[9] = -1;
        double[] parameters = model.Parameters.ToArray();

        var ex = Assert.Throws<ArgumentException>(() => model.Fit(x, labels, validationX: vx, validationY: vLabels, verbose: false));
        Assert.Equal("validationY", ex.ParamName);
        Assert.Contains("sample 9", ex.Message);
        Assert.Equal(parameters, model.Parameters.ToArray());

        ex = Assert.Throws<ArgumentException>(() => model.Evaluate(vx, vLabels));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("sample 9", ex.Message);
    }

    [Fact]
    public void A_batch_larger_than_the_data_is_one_batch()
    {
        (double[] x, double[] labels) = Data(50);
        var reference = new NormalizedClassifier(seed: 1);
        History expected = reference.Fit(x, labels, epochs: 3, batchSize: 40, optimizer: new Sgd(0.1), validationSplit: 0.2, verbose: false);
        var model = new NormalizedClassifier(seed: 1);
        double[] initial = model.Parameters.ToArray();
        var output = new StringWriter();

        History actual = model.Fit(x, labels, epochs: 3, batchSize: int.MaxValue, optimizer: new Sgd(0.1), validationSplit: 0.2, output: output);

        Assert.Contains("1/1 - ", output.ToString());
        Assert.Equal(expected["loss"], actual["loss"]);
        Assert.Equal(expected["val_loss"], actual["val_loss"]);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.NotEqual(initial, model.Parameters.ToArray());
        Assert.Equal(model.Evaluate(x, labels, batchSize: 50).Loss, model.Evaluate(x, labels, batchSize: int.MaxValue).Loss);
    }
}
