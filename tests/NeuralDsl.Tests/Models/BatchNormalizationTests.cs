using System;
using System.IO;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// The generated BatchNormalization layer: libtorch conformance in training (batch statistics, moving-statistics
/// update) and inference (moving statistics), double gradient checks in both modes, and the moving statistics saved
/// with the weights.
/// </summary>
public sealed class BatchNormalizationTests
{
    [Theory]
    [InlineData("batch_normalization_train_2d", true)]
    [InlineData("batch_normalization_train_nhwc", true)]
    [InlineData("batch_normalization_inference", false)]
    public void Matches_libtorch_in_float_and_double(string name, bool training)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name switch
        {
            "batch_normalization_train_2d" => ((IModel<float>)new BatchNorm2DF(), (IModel<double>)new BatchNorm2DD()),
            "batch_normalization_train_nhwc" => (new BatchNormNhwcF(), new BatchNormNhwcD()),
            _ => (new BatchNormInferenceF(), new BatchNormInferenceD()),
        };
        Check(fixture, f, training);
        Check(fixture, d, training);
    }

    private static void Check<T>(Fixture fixture, IModel<T> model, bool training) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Tolerance tolerance = Tolerance.For<T>();
        fixture.Input<T>("gamma").CopyTo(model.Parameters.Slice(model.ParameterLayout[0].Offset, model.ParameterLayout[0].Length));
        fixture.Input<T>("beta").CopyTo(model.Parameters.Slice(model.ParameterLayout[1].Offset, model.ParameterLayout[1].Length));
        Assert.Equal("batch_normalization.moving_mean", model.StateLayout[0].Name);
        Assert.Equal("batch_normalization.moving_variance", model.StateLayout[1].Name);
        fixture.Input<T>("moving_mean").CopyTo(model.State.Slice(model.StateLayout[0].Offset, model.StateLayout[0].Length));
        fixture.Input<T>("moving_variance").CopyTo(model.State.Slice(model.StateLayout[1].Offset, model.StateLayout[1].Length));

        T[] input = fixture.Input<T>("input");
        var output = new T[input.Length];
        model.Forward(input, output, training);
        tolerance.AssertClose<T>(output, fixture.Get("output"), fixture.Name + " output");
        if (training)
        {
            tolerance.AssertClose<T>(model.State.Slice(model.StateLayout[0].Offset, model.StateLayout[0].Length), fixture.Get("moving_mean_updated"), fixture.Name + " moving_mean_updated");
            tolerance.AssertClose<T>(model.State.Slice(model.StateLayout[1].Offset, model.StateLayout[1].Length), fixture.Get("moving_variance_updated"), fixture.Name + " moving_variance_updated");
        }

        var gradInput = new T[input.Length];
        model.ZeroGradients();
        model.Backward(fixture.Input<T>("grad_output"), gradInput);
        tolerance.AssertClose<T>(gradInput, fixture.Get("grad_input"), fixture.Name + " grad_input");
        tolerance.AssertClose<T>(model.Gradients.Slice(model.ParameterLayout[0].Offset, model.ParameterLayout[0].Length), fixture.Get("grad_gamma"), fixture.Name + " grad_gamma");
        tolerance.AssertClose<T>(model.Gradients.Slice(model.ParameterLayout[1].Offset, model.ParameterLayout[1].Length), fixture.Get("grad_beta"), fixture.Name + " grad_beta");
    }

    [Fact]
    public void Inference_mode_backward_matches_central_differences()
    {
        var model = new GradBatchNorm(seed: 2);
        // Moving statistics away from their 0/1 start, so inference really uses them.
        GradientCheck.Random(model.State.Length, 5, scale: 0.5).CopyTo(model.State);
        ParameterInfo variance = GradBatchNorm.StateLayout[1];
        for (int i = variance.Offset; i < variance.Offset + variance.Length; i++)
            model.State[i] = 1 + Math.Abs(model.State[i]);
        GradientCheck.CheckBackward(model, batch: 3, seed: 9);
    }

    [Fact]
    public void Training_mode_backward_matches_central_differences_through_the_batch_statistics()
    {
        var model = new GradBatchNorm(seed: 4);
        const int batch = 3;
        double[] x = GradientCheck.Random(batch * GradBatchNorm.InputSize, 21);
        double[] g = GradientCheck.Random(batch * GradBatchNorm.OutputSize, 22);
        var y = new double[g.Length];
        var dx = new double[x.Length];
        model.Forward(x, y, training: true);
        model.ZeroGradients();
        model.Backward(g, dx);
        double[] analytic = model.Gradients.ToArray();

        // In training the output depends on the batch statistics only, so repeated forward passes (which also move
        // the moving statistics) give the same function of the parameters and the input.
        double Objective()
        {
            var out2 = new double[g.Length];
            model.Forward(x, out2, training: true);
            double sum = 0;
            for (int i = 0; i < out2.Length; i++)
                sum += out2[i] * g[i];
            return sum;
        }

        var numericParameters = new double[analytic.Length];
        for (int i = 0; i < numericParameters.Length; i++)
            numericParameters[i] = Central(ref model.Parameters[i], Objective);
        var numericInput = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            numericInput[i] = Central(ref x[i], Objective);

        double parameterError = GradientCheck.RelativeError(analytic, numericParameters);
        double inputError = GradientCheck.RelativeError(dx, numericInput);
        Assert.True(parameterError < GradientCheck.Tolerance, $"parameter gradient relative error {parameterError:E3}");
        Assert.True(inputError < GradientCheck.Tolerance, $"input gradient relative error {inputError:E3}");
    }

    private static double Central(ref double value, Func<double> objective)
    {
        double saved = value;
        value = saved + GradientCheck.Step;
        double plus = objective();
        value = saved - GradientCheck.Step;
        double minus = objective();
        value = saved;
        return (plus - minus) / (2 * GradientCheck.Step);
    }

    [Fact]
    public void First_layer_trains_and_moving_statistics_follow_the_data()
    {
        var model = new GradBatchNormFirst(seed: 1);
        var rng = new Rng(3);
        var x = new double[64 * 5];
        for (int i = 0; i < x.Length; i++)
            x[i] = 10 + 2 * rng.NextNormal(); // mean 10, variance 4
        var y = new double[64 * 3];
        var adam = new Adam();
        for (int step = 0; step < 200; step++)
            model.TrainStep(x, y, adam);
        // momentum 0.9 over 200 steps: the moving statistics have converged to the batch's.
        foreach (double mean in model.BatchNormalizationMovingMean)
            Assert.InRange(mean, 9, 11);
        foreach (double variance in model.BatchNormalizationMovingVariance)
            Assert.InRange(variance, 2.5, 6);
    }

    [Fact]
    public void Early_stopping_restores_the_moving_statistics_of_the_best_epoch_too()
    {
        var model = new GradBatchNormFirst(seed: 1);
        var rng = new Rng(8);
        var x = new double[40 * 5];
        var y = new double[40 * 3];
        for (int i = 0; i < x.Length; i++)
            x[i] = 3 + rng.NextNormal();
        for (int i = 0; i < y.Length; i++)
            y[i] = rng.NextNormal();
        var losses = new System.Collections.Generic.List<double>();
        var states = new System.Collections.Generic.List<double[]>();
        var progress = new Recorder(log =>
        {
            losses.Add(log.Loss);
            states.Add(model.State.ToArray());
        });
        // "max" on a falling loss makes an early epoch the best one, so restoring has to travel back.
        var stopping = new EarlyStopping(monitor: "loss", patience: 100, restoreBestWeights: true, mode: "max");
        model.Fit(x, y, epochs: 6, batchSize: 8, optimizer: new Adam(0.05), seed: 3, earlyStopping: stopping, verbose: false, progress: progress);

        int best = losses.IndexOf(System.Linq.Enumerable.Max(losses));
        Assert.Equal(states[best], model.State.ToArray());
        Assert.NotEqual(states[^1], states[best]);
    }

    private sealed class Recorder(Action<EpochLog> report) : IProgress<EpochLog>
    {
        public void Report(EpochLog value) => report(value);
    }

    [Fact]
    public void Moving_statistics_are_saved_and_loaded_with_the_weights()
    {
        string path = Path.Combine(Path.GetTempPath(), "ndsl-bn-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            var trained = new GradBatchNormFirst(seed: 1);
            double[] x = GradientCheck.Random(8 * 5, 2, scale: 3);
            trained.TrainStep(x, new double[8 * 3], new Adam());
            trained.SaveWeights(path);
            var loaded = new GradBatchNormFirst(seed: 7);
            loaded.LoadWeights(path);
            Assert.True(trained.Parameters.SequenceEqual(loaded.Parameters));
            Assert.True(trained.State.SequenceEqual(loaded.State));
            Assert.False(loaded.State.SequenceEqual(new GradBatchNormFirst(seed: 7).State));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
