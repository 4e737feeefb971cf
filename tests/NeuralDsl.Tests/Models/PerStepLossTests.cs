using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

// ---- Per-step classification over token ids (a language model, a tagger): the output [steps, classes] is one row of
// ---- the loss per step, with one class index per step for sparse labels. Double precision for the gradient checks.
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))]
[Input(5)]
[TokenAndPositionEmbedding(6, 5, 4)]
[MultiHeadAttention(2, 2, UseCausalMask = true)]
[Dense(6, Activation.Softmax)]
public partial class PerStepSparse;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))]
[Input(5)]
[Embedding(6, 4)]
[Dense(6)]
[Activation(Activation.Softmax)]
public partial class PerStepSparseActivationLayer;

[Sequential(Loss = Loss.CategoricalCrossEntropy, ElementType = typeof(double))]
[Input(5)]
[TokenAndPositionEmbedding(6, 5, 4)]
[MultiHeadAttention(2, 2, UseCausalMask = true)]
[Dense(6, Activation.Softmax)]
public partial class PerStepCategorical;

[Sequential(Loss = Loss.BinaryCrossEntropy, ElementType = typeof(double))]
[Input(5)]
[Embedding(6, 4)]
[Dense(1, Activation.Sigmoid)]
public partial class PerStepBinary;

/// <summary>
/// Sequence outputs trained per step: <c>ComputeGradients</c> (the fused softmax + cross-entropy over batch × steps
/// rows) against central differences of the mean loss, the loss against a hand loop over the rows, and <c>Fit</c>'s
/// check that the targets hold one label per step.
/// </summary>
public sealed class PerStepLossTests
{
    private const int Batch = 3, Steps = 5, Classes = 6;

    // Ids in [0, 6), every position used; labels the next id (a language model's shift), 0 after the end.
    private static readonly double[] Ids = [1, 4, 2, 5, 3, 1, 2, 0, 0, 0, 1, 5, 5, 4, 0];
    private static readonly double[] Labels = [4, 2, 5, 3, 2, 2, 2, 0, 0, 0, 5, 5, 4, 2, 0];

    private static T Perturbed<T>(T model) where T : IModel<double>
    {
        // Non-zero biases and larger weights, so a gradient routed to the wrong step or row shows.
        var rng = new Rng(5);
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] += 0.2 * (2 * rng.NextDouble() - 1);
        return model;
    }

    [Fact]
    public void Sparse_labels_per_step_match_central_differences()
    {
        GradientCheck.CheckLoss(Perturbed(new PerStepSparse(1)), Ids, Labels);
    }

    [Fact]
    public void Sparse_labels_per_step_after_a_softmax_activation_layer_match_central_differences()
    {
        GradientCheck.CheckLoss(Perturbed(new PerStepSparseActivationLayer(2)), Ids, Labels);
    }

    [Fact]
    public void One_hot_targets_per_step_match_central_differences()
    {
        var oneHot = new double[Labels.Length * Classes];
        for (int r = 0; r < Labels.Length; r++)
            oneHot[r * Classes + (int)Labels[r]] = 1;
        GradientCheck.CheckLoss(Perturbed(new PerStepCategorical(3)), Ids, oneHot);
    }

    [Fact]
    public void Binary_targets_per_step_match_central_differences()
    {
        double[] tags = Array.ConvertAll(Labels, l => l >= 3 ? 1.0 : 0.0);
        GradientCheck.CheckLoss(Perturbed(new PerStepBinary(4)), Ids, tags);
    }

    [Fact]
    public void The_sparse_loss_is_the_mean_over_every_step_of_every_sample()
    {
        var model = Perturbed(new PerStepSparse(6));
        var p = new double[Batch * Steps * Classes];
        model.Predict(Ids, p);
        double sum = 0;
        for (int r = 0; r < Batch * Steps; r++)
            sum -= Math.Log(p[r * Classes + (int)Labels[r]]);

        double loss = model.ComputeGradients(Ids, Labels);

        Assert.Equal(Steps, ((IModel<double>)model).TargetSize);
        Assert.Equal(sum / (Batch * Steps), loss, 12);
    }

    [Fact]
    public void Fit_with_one_label_per_sample_instead_of_per_step_names_the_expected_count()
    {
        var model = new PerStepSparse(7);
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(Ids, [4.0, 2, 5], epochs: 1, verbose: false));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("target size 5", ex.Message, StringComparison.Ordinal);
    }
}
