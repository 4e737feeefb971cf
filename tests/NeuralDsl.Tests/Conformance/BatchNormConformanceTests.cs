using System;
using System.Globalization;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The <c>batch_normalization_*</c> cases against <see cref="BatchNorm"/> (axis −1: rows = every axis but the
/// last). Training cases: <c>output</c>, <c>batch_mean</c>, <c>batch_variance</c>, <c>moving_mean_updated</c>,
/// <c>moving_variance_updated</c> and the gradients <c>grad_input</c>, <c>grad_gamma</c>, <c>grad_beta</c> through the
/// batch statistics. The inference case: <c>output</c> from the moving statistics and the gradients with those
/// statistics held constant. Double and float, tolerances of Fixtures/README.md.
/// </summary>
public sealed class BatchNormConformanceTests
{
    public static TheoryData<string> Training => ["batch_normalization_train_2d", "batch_normalization_train_nhwc"];

    [Theory]
    [MemberData(nameof(Training))]
    public void TrainingDouble(string name) => CheckTraining<double>(name);

    [Theory]
    [MemberData(nameof(Training))]
    public void TrainingFloat(string name) => CheckTraining<float>(name);

    [Fact]
    public void InferenceDouble() => CheckInference<double>("batch_normalization_inference");

    [Fact]
    public void InferenceFloat() => CheckInference<float>("batch_normalization_inference");

    private static void CheckTraining<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Assert.Equal("BatchNormalization", f.Meta("type"));
        Assert.Equal("true", f.Meta("training"));
        (int rows, int channels, double momentum, double epsilon) = Configuration(f);
        Tolerance tol = Tolerance.For<T>();
        T[] x = f.Input<T>("input");
        T[] gamma = f.Input<T>("gamma");
        T[] beta = f.Input<T>("beta");
        T[] movingMean = f.Input<T>("moving_mean");
        T[] movingVariance = f.Input<T>("moving_variance");

        var y = new T[x.Length];
        var mean = new T[channels];
        var inverseStd = new T[channels];
        BatchNorm.TrainingForward<T>(x, gamma, beta, y, mean, inverseStd, movingMean, movingVariance, rows, channels, momentum, epsilon);
        tol.AssertClose<T>(y, f.Get("output"), $"{name} output");
        tol.AssertClose<T>(mean, f.Get("batch_mean"), $"{name} batch_mean");
        tol.AssertClose<T>(movingMean, f.Get("moving_mean_updated"), $"{name} moving_mean_updated");
        tol.AssertClose<T>(movingVariance, f.Get("moving_variance_updated"), $"{name} moving_variance_updated");

        // With momentum 0 the moving variance becomes the batch variance itself.
        var batchVariance = new T[channels];
        BatchNorm.TrainingForward<T>(x, gamma, beta, new T[x.Length], new T[channels], new T[channels], new T[channels],
            batchVariance, rows, channels, 0, epsilon);
        tol.AssertClose<T>(batchVariance, f.Get("batch_variance"), $"{name} batch_variance");

        T[] dy = f.Input<T>("grad_output");
        var dx = new T[x.Length];
        var dGamma = new T[channels];
        var dBeta = new T[channels];
        BatchNorm.Backward<T>(x, dy, gamma, mean, inverseStd, dx, dGamma, dBeta, rows, channels);
        tol.AssertClose<T>(dx, f.Get("grad_input"), $"{name} grad_input");
        tol.AssertClose<T>(dGamma, f.Get("grad_gamma"), $"{name} grad_gamma");
        tol.AssertClose<T>(dBeta, f.Get("grad_beta"), $"{name} grad_beta");
    }

    private static void CheckInference<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Assert.Equal("BatchNormalization", f.Meta("type"));
        Assert.Equal("false", f.Meta("training"));
        (int rows, int channels, _, double epsilon) = Configuration(f);
        Tolerance tol = Tolerance.For<T>();
        T[] x = f.Input<T>("input");
        T[] gamma = f.Input<T>("gamma");
        T[] beta = f.Input<T>("beta");
        T[] movingMean = f.Input<T>("moving_mean");
        T[] movingVariance = f.Input<T>("moving_variance");

        var y = new T[x.Length];
        BatchNorm.InferenceForward<T>(x, gamma, beta, movingMean, movingVariance, y, rows, channels, epsilon);
        tol.AssertClose<T>(y, f.Get("output"), $"{name} output");

        T[] dy = f.Input<T>("grad_output");
        var dx = new T[x.Length];
        var dGamma = new T[channels];
        var dBeta = new T[channels];
        BatchNorm.InferenceBackward<T>(x, dy, gamma, movingMean, movingVariance, dx, dGamma, dBeta, rows, channels, epsilon);
        tol.AssertClose<T>(dx, f.Get("grad_input"), $"{name} grad_input");
        tol.AssertClose<T>(dGamma, f.Get("grad_gamma"), $"{name} grad_gamma");
        tol.AssertClose<T>(dBeta, f.Get("grad_beta"), $"{name} grad_beta");
    }

    /// <summary>rows = product of every axis but the last; momentum and epsilon from the metadata (axis must be −1).</summary>
    private static (int Rows, int Channels, double Momentum, double Epsilon) Configuration(Fixture f)
    {
        Assert.Equal("-1", f.Meta("axis"));
        int[] shape = f.Shape("input");
        int rows = 1;
        for (int i = 0; i < shape.Length - 1; i++)
            rows *= shape[i];
        return (rows, shape[^1], double.Parse(f.Meta("momentum"), CultureInfo.InvariantCulture),
            double.Parse(f.Meta("epsilon"), CultureInfo.InvariantCulture));
    }
}
