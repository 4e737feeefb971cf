using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// Every activation, Dense configuration and loss of the generated code, checked against central differences in double
/// precision (relative error below <see cref="GradientCheck.Tolerance"/>).
/// </summary>
public sealed class GradientCheckTests
{
    public static TheoryData<string> ActivationModels => new()
    {
        nameof(GradLinear), nameof(GradRelu), nameof(GradSigmoid), nameof(GradTanh), nameof(GradSoftmax), nameof(GradLeakyRelu),
        nameof(GradElu), nameof(GradSelu), nameof(GradGelu), nameof(GradSwish), nameof(GradSoftplus),
    };

    public static TheoryData<string> DenseModels => new()
    {
        nameof(GradNoBias), nameof(GradDot), nameof(GradWideDot), nameof(GradRank3), nameof(GradFlatten), nameof(GradNarrow),
        nameof(GradCnn), nameof(GradCnnDilated), nameof(GradCnnWinograd),
        nameof(GradGlobalMax), nameof(GradGlobalAverage), nameof(GradGlobalAverage1D), nameof(GradGlobalMax1D), nameof(GradAveragePool), nameof(GradMaxPool1D),
        nameof(GradConv1D), nameof(GradZeroPadding),
    };

    public static TheoryData<string> RecurrentModels => new()
    {
        nameof(GradSimpleRnn),
        nameof(GradSimpleRnnSequencesBackwards),
        nameof(GradLstm),
        nameof(GradLstmSequences),
        nameof(GradLstmBackwards),
        nameof(GradLstmOtherActivations),
        nameof(GradGru),
        nameof(GradGruSequencesBackwards),
        nameof(GradGruResetBefore),
        nameof(GradGruResetBeforeSequences),
        nameof(GradGruNoBias),
        nameof(GradRecurrentStack),
    };

    [Theory]
    [MemberData(nameof(ActivationModels))]
    [MemberData(nameof(DenseModels))]
    [MemberData(nameof(RecurrentModels))]
    public void Backward_matches_central_differences(string model)
    {
        // Batch 3 exercises the row loop of register kernels and a non-multiple-of-vector GEMM row count.
        GradientCheck.CheckBackward(Create(model), batch: 3, seed: 7);
    }

    [Theory]
    [InlineData(nameof(LossBce))]
    [InlineData(nameof(LossBceUnfused))]
    [InlineData(nameof(LossCce))]
    [InlineData(nameof(LossCceActivationLayer))]
    [InlineData(nameof(LossSparse))]
    [InlineData(nameof(LossMse))]
    [InlineData(nameof(LossMae))]
    [InlineData(nameof(LossHuber))]
    [InlineData(nameof(GradCnn))]
    [InlineData(nameof(LossLstmBce))]
    public void ComputeGradients_matches_central_differences_of_the_loss(string model)
    {
        IModel<double> m = Create(model);
        const int batch = 4;
        double[] x = GradientCheck.Random(batch * m.InputSize, 11, scale: 2);
        double[] target = Targets(m, batch);
        GradientCheck.CheckLoss(m, x, target);
    }

    /// <summary>Targets away from the loss's kinks: probabilities strictly inside (0, 1), regression targets far from predictions.</summary>
    private static double[] Targets(IModel<double> m, int batch)
    {
        var rng = new Rng(5);
        var target = new double[batch * m.TargetSize];
        int classes = m.OutputLastAxis;
        for (int r = 0; r < batch; r++)
        {
            switch (m.Loss)
            {
                case Loss.SparseCategoricalCrossEntropy:
                    target[r] = r % classes;
                    break;
                case Loss.CategoricalCrossEntropy:
                    target[r * classes + (r * 2 + 1) % classes] = 1;
                    break;
                case Loss.BinaryCrossEntropy:
                    for (int j = 0; j < classes; j++)
                        target[r * classes + j] = (r + j) % 2;
                    break;
                default:
                    for (int j = 0; j < classes; j++)
                        target[r * classes + j] = 3 + 2 * rng.NextDouble() * ((r + j) % 2 == 0 ? 1 : -1) * 2;
                    break;
            }
        }
        return target;
    }

    [Fact]
    public void Dropout_backward_routes_the_gradient_through_the_training_mask() =>
        // With the mask fixed by the forward pass the network is a smooth function of the parameters; reseeding the
        // model replays the same dropout stream.
        GradientCheck.CheckTrainingReplay(() => new WithDropout(seed: 3), batch: 5, "dropout model", masksChangeOutput: false);

    [Theory]
    [InlineData(nameof(GradRecurrentDropout))]
    [InlineData(nameof(GradRecurrentStateDropout))]
    public void Recurrent_dropout_backward_routes_the_gradient_through_the_sequence_masks(string name) =>
        // The same seed replays the same masks, so the training pass is a smooth function of the parameters.
        GradientCheck.CheckTrainingReplay(
            () => name == nameof(GradRecurrentDropout) ? new GradRecurrentDropout(seed: 4) : new GradRecurrentStateDropout(seed: 4),
            batch: 3, name, masksChangeOutput: true);

    private static IModel<double> Create(string name) => name switch
    {
        nameof(GradLinear) => new GradLinear(1),
        nameof(GradRelu) => new GradRelu(1),
        nameof(GradSigmoid) => new GradSigmoid(1),
        nameof(GradTanh) => new GradTanh(1),
        nameof(GradSoftmax) => new GradSoftmax(1),
        nameof(GradLeakyRelu) => new GradLeakyRelu(1),
        nameof(GradElu) => new GradElu(1),
        nameof(GradSelu) => new GradSelu(1),
        nameof(GradGelu) => new GradGelu(1),
        nameof(GradSwish) => new GradSwish(1),
        nameof(GradSoftplus) => new GradSoftplus(1),
        nameof(GradNoBias) => new GradNoBias(1),
        nameof(GradDot) => new GradDot(1),
        nameof(GradWideDot) => new GradWideDot(1),
        nameof(GradRank3) => new GradRank3(1),
        nameof(GradFlatten) => new GradFlatten(1),
        nameof(GradNarrow) => WithRandomBiases(new GradNarrow(1)),
        nameof(GradCnn) => WithRandomBiases(new GradCnn(1)),
        nameof(GradCnnDilated) => WithRandomBiases(new GradCnnDilated(1)),
        nameof(GradCnnWinograd) => WithRandomBiases(new GradCnnWinograd(1)),
        nameof(GradGlobalMax) => WithRandomBiases(new GradGlobalMax(1)),
        nameof(GradGlobalAverage) => WithRandomBiases(new GradGlobalAverage(1)),
        nameof(GradGlobalAverage1D) => WithRandomBiases(new GradGlobalAverage1D(1)),
        nameof(GradGlobalMax1D) => WithRandomBiases(new GradGlobalMax1D(1)),
        nameof(GradAveragePool) => WithRandomBiases(new GradAveragePool(1)),
        nameof(GradMaxPool1D) => WithRandomBiases(new GradMaxPool1D(1)),
        nameof(GradConv1D) => WithRandomBiases(new GradConv1D(1)),
        nameof(GradZeroPadding) => WithRandomBiases(new GradZeroPadding(1)),
        nameof(GradSimpleRnn) => WithRandomBiases(new GradSimpleRnn(1)),
        nameof(GradSimpleRnnSequencesBackwards) => WithRandomBiases(new GradSimpleRnnSequencesBackwards(1)),
        nameof(GradLstm) => WithRandomBiases(new GradLstm(1)),
        nameof(GradLstmSequences) => WithRandomBiases(new GradLstmSequences(1)),
        nameof(GradLstmBackwards) => WithRandomBiases(new GradLstmBackwards(1)),
        nameof(GradLstmOtherActivations) => WithRandomBiases(new GradLstmOtherActivations(1)),
        nameof(GradGru) => WithRandomBiases(new GradGru(1)),
        nameof(GradGruSequencesBackwards) => WithRandomBiases(new GradGruSequencesBackwards(1)),
        nameof(GradGruResetBefore) => WithRandomBiases(new GradGruResetBefore(1)),
        nameof(GradGruResetBeforeSequences) => WithRandomBiases(new GradGruResetBeforeSequences(1)),
        nameof(GradGruNoBias) => WithRandomBiases(new GradGruNoBias(1)),
        nameof(GradRecurrentStack) => WithRandomBiases(new GradRecurrentStack(1)),
        nameof(LossLstmBce) => WithRandomBiases(new LossLstmBce(1)),
        nameof(LossBce) => new LossBce(1),
        nameof(LossBceUnfused) => new LossBceUnfused(1),
        nameof(LossCce) => new LossCce(1),
        nameof(LossCceActivationLayer) => new LossCceActivationLayer(1),
        nameof(LossSparse) => new LossSparse(1),
        nameof(LossMse) => new LossMse(1),
        nameof(LossMae) => new LossMae(1),
        nameof(LossHuber) => new LossHuber(1),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test model."),
    };

    /// <summary>Keras initializes biases to zero; non-zero biases make the check see the bias terms too.</summary>
    private static IModel<double> WithRandomBiases(IModel<double> model)
    {
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
                GradientCheck.Random(p.Length, 99).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        }
        return model;
    }
}
