using System;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The <c>loss_*</c> cases against <see cref="Losses"/>: the mean loss (<c>output</c>), each row's loss
/// (<c>per_sample_loss</c>, computed as the mean loss of a one-row batch) and the gradient with respect to the
/// predictions (<c>grad_y_pred</c>; <c>grad_output</c> is 1). Double and float, tolerances of Fixtures/README.md.
/// </summary>
/// <remarks>
/// The float runs keep the default float tolerance even for the cross-entropies whose cases hit the 1e-7 clip (the
/// shared README would allow a looser one there): the clipped entries contribute at most ~1e-8 to the float loss,
/// and their gradient is zero in both precisions, so the default holds.
/// </remarks>
public sealed class LossConformanceTests
{
    public static TheoryData<string, Loss> Cases => new()
    {
        { "loss_binary_crossentropy", Loss.BinaryCrossEntropy },
        { "loss_categorical_crossentropy", Loss.CategoricalCrossEntropy },
        { "loss_sparse_categorical_crossentropy", Loss.SparseCategoricalCrossEntropy },
        { "loss_mean_squared_error", Loss.MeanSquaredError },
        { "loss_mean_absolute_error", Loss.MeanAbsoluteError },
        { "loss_huber", Loss.Huber },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double(string name, Loss loss) => Check<double>(name, loss);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float(string name, Loss loss) => Check<float>(name, loss);

    private static void Check<T>(string name, Loss loss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Assert.Equal(name["loss_".Length..], f.Meta("type"));
        Assert.Equal([1.0], f.Get("grad_output"));
        Tolerance tol = Tolerance.For<T>();
        T[] yPred = f.Input<T>("y_pred");
        T[] yTrue = f.Input<T>("y_true");
        int lastAxis = f.Shape("y_pred")[^1];
        int rows = yPred.Length / lastAxis;
        int targetWidth = yTrue.Length / rows;

        T value = Losses.Compute<T>(loss, yPred, yTrue, lastAxis);
        tol.AssertClose(value, f.Get("output")[0], $"{name} output");

        double[] perSample = f.Get("per_sample_loss");
        for (int r = 0; r < rows; r++)
        {
            T rowLoss = Losses.Compute<T>(loss, yPred.AsSpan(r * lastAxis, lastAxis), yTrue.AsSpan(r * targetWidth, targetWidth), lastAxis);
            tol.AssertClose(rowLoss, perSample[r], $"{name} per_sample_loss[{r}]");
        }

        var gradient = new T[yPred.Length];
        Losses.Gradient<T>(loss, yPred, yTrue, gradient, lastAxis);
        tol.AssertClose<T>(gradient, f.Get("grad_y_pred"), $"{name} grad_y_pred");
    }
}
