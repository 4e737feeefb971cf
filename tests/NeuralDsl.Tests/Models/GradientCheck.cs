using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// Central-difference gradient checks in double precision. The metric is ‖g − n‖ / (‖g‖ + ‖n‖) over a whole
/// gradient (analytic g, numeric n), which stays meaningful when single entries are near zero.
/// </summary>
internal static class GradientCheck
{
    /// <summary>Step for central differences on double models: error O(h²) ≈ 1e-12 against rounding O(ε/h) ≈ 1e-10.</summary>
    public const double Step = 1e-6;

    /// <summary>The bound every analytic gradient must meet.</summary>
    public const double Tolerance = 1e-6;

    public static double RelativeError(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric)
    {
        double diff = 0, a = 0, n = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            a += analytic[i] * analytic[i];
            n += numeric[i] * numeric[i];
        }
        double denominator = Math.Sqrt(a) + Math.Sqrt(n);
        return denominator == 0 ? 0 : Math.Sqrt(diff) / denominator;
    }

    public static double[] Random(int length, ulong seed, double scale = 1)
    {
        var rng = new Rng(seed);
        var values = new double[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (2 * rng.NextDouble() - 1) * scale;
        return values;
    }

    /// <summary>
    /// Checks <see cref="IModel{T}.Backward"/> for the scalar L = Σ output ⊙ G against central differences, for every
    /// parameter and every input element. Inference-mode forward passes, so the function is deterministic.
    /// </summary>
    public static void CheckBackward(IModel<double> model, int batch, ulong seed)
    {
        double[] x = Random(batch * model.InputSize, seed);
        double[] g = Random(batch * model.OutputSize, seed + 1);
        var output = new double[batch * model.OutputSize];
        var dx = new double[x.Length];

        model.Forward(x, output, training: false);
        model.ZeroGradients();
        model.Backward(g, dx);
        double[] analyticParameters = model.Gradients.ToArray();

        double Objective()
        {
            var y = new double[batch * model.OutputSize];
            model.Predict(x, y);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
                sum += y[i] * g[i];
            return sum;
        }

        double[] numericParameters = Numeric(model.Parameters.Length, i => ref model.Parameters[i], Objective);
        double[] numericInput = Numeric(x.Length, i => ref x[i], Objective);

        double parameterError = RelativeError(analyticParameters, numericParameters);
        double inputError = RelativeError(dx, numericInput);
        Assert.True(parameterError < Tolerance, $"{model.Name}: parameter gradient relative error {parameterError:E3} ≥ {Tolerance:E0}");
        Assert.True(inputError < Tolerance, $"{model.Name}: input gradient relative error {inputError:E3} ≥ {Tolerance:E0}");
    }

    /// <summary>
    /// <see cref="CheckBackward"/> for a model whose input has no gradient (token ids): the given input
    /// <paramref name="x"/>, the parameter gradients checked; returns the input gradient Backward wrote.
    /// </summary>
    public static double[] CheckParameterGradients(IModel<double> model, double[] x, ulong seed)
    {
        int batch = x.Length / model.InputSize;
        double[] g = Random(batch * model.OutputSize, seed);
        var output = new double[batch * model.OutputSize];
        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN); // Backward must write every element

        model.Forward(x, output, training: false);
        model.ZeroGradients();
        model.Backward(g, dx);
        double[] analytic = model.Gradients.ToArray();

        double Objective()
        {
            var y = new double[batch * model.OutputSize];
            model.Predict(x, y);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
                sum += y[i] * g[i];
            return sum;
        }

        double[] numeric = Numeric(model.Parameters.Length, i => ref model.Parameters[i], Objective);
        double error = RelativeError(analytic, numeric);
        Assert.True(error < Tolerance, $"{model.Name}: parameter gradient relative error {error:E3} ≥ {Tolerance:E0}");
        return dx;
    }

    /// <summary>Checks <see cref="IModel{T}.ComputeGradients"/> against central differences of the mean loss.</summary>
    public static void CheckLoss(IModel<double> model, double[] x, double[] target)
    {
        int batch = x.Length / model.InputSize;
        double loss = model.ComputeGradients(x, target);
        double[] analytic = model.Gradients.ToArray();

        double Objective()
        {
            var y = new double[batch * model.OutputSize];
            model.Predict(x, y);
            return Losses.Compute(model.Loss, y, target, model.OutputLastAxis);
        }

        Assert.Equal(Objective(), loss, 12);
        double[] numeric = Numeric(model.Parameters.Length, i => ref model.Parameters[i], Objective);
        double error = RelativeError(analytic, numeric);
        Assert.True(error < Tolerance, $"{model.Name} ({model.Loss}): loss gradient relative error {error:E3} ≥ {Tolerance:E0}");
    }

    private delegate ref double Element(int index);

    private static double[] Numeric(int count, Element element, Func<double> objective)
    {
        var numeric = new double[count];
        for (int i = 0; i < count; i++)
        {
            ref double value = ref element(i);
            double saved = value;
            value = saved + Step;
            double plus = objective();
            value = saved - Step;
            double minus = objective();
            value = saved;
            numeric[i] = (plus - minus) / (2 * Step);
        }
        return numeric;
    }

    /// <summary>
    /// Gradient check of a training pass that draws random numbers (dropout masks): the model's parameter gradients
    /// for L = Σ y·g against central differences, each evaluation replaying the same masks on a fresh model from
    /// <paramref name="newModel"/> (the same seed reproduces the same stream). With <paramref name="masksChangeOutput"/>
    /// it first asserts that the training pass differs from inference, so the masks are really in play.
    /// </summary>
    public static void CheckTrainingReplay(Func<IModel<double>> newModel, int batch, string label, bool masksChangeOutput)
    {
        IModel<double> model = newModel();
        double[] x = Random(batch * model.InputSize, 1);
        var y = new double[batch * model.OutputSize];
        model.Forward(x, y, training: true);
        if (masksChangeOutput)
        {
            var inference = new double[y.Length];
            model.Predict(x, inference);
            Assert.NotEqual(inference, y); // the masks changed the training pass
        }
        double[] g = Random(y.Length, 2);
        model.ZeroGradients();
        model.Backward(g, new double[x.Length]);

        double Objective()
        {
            IModel<double> replay = newModel();
            model.Parameters.CopyTo(replay.Parameters);
            var replayed = new double[y.Length];
            replay.Forward(x, replayed, training: true);
            double sum = 0;
            for (int i = 0; i < replayed.Length; i++)
                sum += replayed[i] * g[i];
            return sum;
        }

        double[] analytic = model.Gradients.ToArray();
        var numeric = new double[analytic.Length];
        for (int i = 0; i < numeric.Length; i++)
        {
            double saved = model.Parameters[i];
            model.Parameters[i] = saved + Step;
            double plus = Objective();
            model.Parameters[i] = saved - Step;
            double minus = Objective();
            model.Parameters[i] = saved;
            numeric[i] = (plus - minus) / (2 * Step);
        }
        double error = RelativeError(analytic, numeric);
        Assert.True(error < Tolerance, $"{label} gradient relative error {error:E3}");
    }
}
