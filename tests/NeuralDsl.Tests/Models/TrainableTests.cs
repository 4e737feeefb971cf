using System;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// <c>Trainable = false</c> on a layer or a model (compile time) and the run-time <c>Trainable</c> switch: gradients
/// still reach the input (double gradient checks), frozen tensors have no gradient and stay bit-identical under an
/// optimizer, BatchNormalization runs in inference mode, and the summary counts as Keras does.
/// </summary>
public sealed class TrainableTests
{
    [Fact]
    public void Frozen_dense_passes_the_input_gradient_and_owns_no_gradient()
    {
        var model = new FrozenDenseD(3);
        // dense_1 (6×5 + 6 = 36) left the trainable vector for the state vector, under its Keras names.
        Assert.Equal(4 * 5 + 5 + 6 * 2 + 2, FrozenDenseD.ParameterCount);
        Assert.Equal(["dense.kernel", "dense.bias", "dense_2.kernel", "dense_2.bias"], FrozenDenseD.ParameterLayout.Select(p => p.Name));
        Assert.Equal(["dense_1.kernel", "dense_1.bias"], FrozenDenseD.StateLayout.Select(p => p.Name));
        Assert.Equal(36, model.State.Length);
        GradientCheck.CheckBackward(model, batch: 3, seed: 7);
    }

    [Fact]
    public void Frozen_gemm_sized_dense_passes_the_input_gradient() =>
        GradientCheck.CheckBackward(new FrozenWideDenseD(4), batch: 3, seed: 8);

    [Fact]
    public void Frozen_convolutions_pass_the_input_gradient()
    {
        Assert.Equal(0, FrozenConvD.StateLayout.Count(p => p.Name.StartsWith("dense", StringComparison.Ordinal)));
        Assert.Equal(4, FrozenConvD.StateLayout.Count);
        GradientCheck.CheckBackward(new FrozenConvD(5), batch: 2, seed: 9);
    }

    [Fact]
    public void Frozen_batch_normalization_passes_the_input_gradient()
    {
        var model = new FrozenBatchNormD(6);
        // Moving statistics away from 0 and 1, so that a wrong scale in the input gradient shows.
        model.BatchNormalizationMovingMean.Fill(0.3);
        model.BatchNormalizationMovingVariance.Fill(2.5);
        model.BatchNormalizationGamma[1] = 1.7;
        GradientCheck.CheckBackward(model, batch: 3, seed: 10);
    }

    [Fact]
    public void Frozen_lstm_passes_the_input_gradient_to_a_trained_gru_below_nothing()
    {
        Assert.All(FrozenLstmD.ParameterLayout, p => Assert.StartsWith("gru.", p.Name, StringComparison.Ordinal));
        GradientCheck.CheckBackward(new FrozenLstmD(7), batch: 3, seed: 11);
    }

    [Fact]
    public void Frozen_embedding_gets_no_gradient_while_the_dense_after_it_does()
    {
        var model = new FrozenEmbeddingD(8);
        Assert.Equal(["embedding.embeddings"], FrozenEmbeddingD.StateLayout.Select(p => p.Name));
        double[] ids = [1, 5, 0, 2, 3, 3, 4, 1];
        GradientCheck.CheckParameterGradients(model, ids, seed: 12);
    }

    [Fact]
    public void A_model_frozen_whole_has_no_trainable_parameter_and_the_same_input_gradient_as_its_twin()
    {
        var frozen = new FrozenModelD(13);
        var twin = new FrozenModelTwinD(13);
        Assert.Equal(0, FrozenModelD.ParameterCount);
        Assert.False(frozen.Trainable);
        // Same seed, same draws: the state vector holds what the twin trains.
        Assert.Equal(twin.Parameters.ToArray(), frozen.State.ToArray());
        Assert.Contains("Trainable params: 0\n", FrozenModelD.Summary, StringComparison.Ordinal);
        Assert.Contains("Non-trainable params: 37\n", FrozenModelD.Summary, StringComparison.Ordinal);

        double[] x = GradientCheck.Random(3 * 4, 14);
        double[] g = GradientCheck.Random(3 * 2, 15);
        var y = new double[6];
        var dxFrozen = new double[x.Length];
        var dxTwin = new double[x.Length];
        frozen.Forward(x, y, training: true);
        frozen.Backward(g, dxFrozen);
        twin.Forward(x, y, training: true);
        twin.Backward(g, dxTwin);
        Assert.Equal(dxTwin, dxFrozen);
        GradientCheck.CheckBackward(frozen, batch: 3, seed: 16);
    }

    [Fact]
    public void Adam_leaves_frozen_tensors_bit_identical_and_trains_the_rest()
    {
        var model = new FrozenAdamF(17);
        float[] frozenBefore = [.. model.Dense1Kernel, .. model.Dense1Bias, .. model.BatchNormalization1Gamma, .. model.BatchNormalization1Beta,
            .. model.BatchNormalization1MovingMean, .. model.BatchNormalization1MovingVariance];
        float[] parametersBefore = model.Parameters.ToArray();
        float[] movingMeanBefore = model.BatchNormalizationMovingMean.ToArray();
        var x = new float[8 * 4];
        var y = new float[8];
        var rng = new Rng(18);
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(3 * rng.NextDouble() + 1);
        for (int i = 0; i < y.Length; i++)
            y[i] = (float)rng.NextDouble();

        var adam = new Adam(0.01);
        for (int step = 0; step < 5; step++)
            model.TrainStep(x, y, adam);

        float[] frozenAfter = [.. model.Dense1Kernel, .. model.Dense1Bias, .. model.BatchNormalization1Gamma, .. model.BatchNormalization1Beta,
            .. model.BatchNormalization1MovingMean, .. model.BatchNormalization1MovingVariance];
        Assert.Equal(Bits(frozenBefore), Bits(frozenAfter));
        // The trainable layers moved, and the trained BatchNormalization updated its moving statistics.
        Assert.NotEqual(Bits(parametersBefore), Bits(model.Parameters.ToArray()));
        Assert.NotEqual(Bits(movingMeanBefore), Bits(model.BatchNormalizationMovingMean.ToArray()));
        // dense (4·8 + 8), batch_normalization's γ and β (8 + 8), dense_2 (8 + 1); the frozen pair lives in State.
        Assert.Equal(40 + 16 + 9, FrozenAdamF.ParameterCount);
    }

    [Fact]
    public void Summary_counts_trainable_and_non_trainable_parameters_as_keras()
    {
        string summary = SummaryCountsF.Summary;
        Assert.Contains("Total params: 35\n", summary, StringComparison.Ordinal);
        Assert.Contains("Trainable params: 21\n", summary, StringComparison.Ordinal);
        Assert.Contains("Non-trainable params: 14\n", summary, StringComparison.Ordinal);
        Assert.Equal(21, SummaryCountsF.ParameterCount);
        Assert.Equal(14, SummaryCountsF.StateCount);
    }

    [Fact]
    public void Frozen_batch_normalization_runs_in_inference_mode_in_training()
    {
        var model = new FrozenBatchNormF(19);
        float[] mean = [0.5f, -1f, 2f];
        float[] variance = [4f, 0.25f, 1f];
        mean.CopyTo(model.BatchNormalizationMovingMean);
        variance.CopyTo(model.BatchNormalizationMovingVariance);
        model.BatchNormalizationGamma[0] = 2f;
        float[] x = [1, 2, 3, -1, 0, 5];
        var trained = new float[6];
        var predicted = new float[6];
        model.Forward(x, trained, training: true);
        model.Predict(x, predicted);
        Assert.Equal(Bits(predicted), Bits(trained));
        // (x − moving mean) / sqrt(moving variance + 1e-3) · γ + β, not the batch statistics.
        Assert.Equal((1 - 0.5) / Math.Sqrt(4.001) * 2, trained[0], 5);
        Assert.Equal((0 + 1) / Math.Sqrt(0.251), trained[4], 5);

        float[] stateBefore = model.State.ToArray();
        model.TrainStep(x, new float[6], new Adam());
        Assert.Equal(Bits(stateBefore), Bits(model.State.ToArray()));
    }

    [Fact]
    public void Switched_off_at_run_time_backward_gives_the_same_input_gradient_and_no_parameter_gradient()
    {
        var model = new RuntimeSwitchF(20);
        float[] x = [.. GradientCheck.Random(5 * 6, 21).Select(v => (float)v)];
        float[] g = [.. GradientCheck.Random(5, 22).Select(v => (float)v)];
        var y = new float[5];
        var dxOn = new float[x.Length];
        var dxOff = new float[x.Length];

        model.ZeroGradients();
        model.Forward(x, y, training: true);
        model.Backward(g, dxOn);
        Assert.Contains(model.Gradients.ToArray(), v => v != 0);

        model.Trainable = false;
        model.ZeroGradients();
        model.Forward(x, y, training: true);
        model.Backward(g, dxOff);
        Assert.Equal(Bits(dxOn), Bits(dxOff));
        Assert.All(model.Gradients.ToArray(), v => Assert.Equal(0f, v));

        float[] before = model.Parameters.ToArray();
        var adam = new Adam();
        model.TrainStep(x, [1, 0, 1, 0, 1], adam);
        Assert.Equal(Bits(before), Bits(model.Parameters.ToArray()));
        Assert.Equal(0, adam.Iterations);

        model.Trainable = true;
        model.TrainStep(x, [1, 0, 1, 0, 1], adam);
        Assert.NotEqual(Bits(before), Bits(model.Parameters.ToArray()));
    }

    [Fact]
    public void Switched_off_at_run_time_batch_normalization_runs_in_inference_mode()
    {
        var model = new RuntimeBatchNormF(23);
        model.BatchNormalizationMovingMean.Fill(0.25f);
        model.BatchNormalizationMovingVariance.Fill(3f);
        float[] x = [1, 2, 3, -1, 0, 5];
        var trained = new float[8];
        var predicted = new float[8];
        model.Trainable = false;
        float[] stateBefore = model.State.ToArray();
        model.Forward(x, trained, training: true);
        model.Predict(x, predicted);
        Assert.Equal(Bits(predicted), Bits(trained));
        var dx = new float[x.Length];
        model.Backward([1, 2, 3, 4, 5, 6, 7, 8], dx);
        Assert.Equal(Bits(stateBefore), Bits(model.State.ToArray()));
        Assert.All(model.Gradients.ToArray(), v => Assert.Equal(0f, v));

        // Switched back on, training mode uses the batch statistics again and updates the moving ones.
        model.Trainable = true;
        model.Forward(x, trained, training: true);
        Assert.NotEqual(Bits(predicted), Bits(trained));
        Assert.NotEqual(Bits(stateBefore), Bits(model.State.ToArray()));
    }

    private static int[] Bits(float[] values) => MemoryMarshal.Cast<float, int>(values).ToArray();
}
