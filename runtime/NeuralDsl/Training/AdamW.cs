using System;

namespace NeuralDsl;

/// <summary>
/// AdamW, Keras 3 form: before each Adam update the weights decay by <c>p −= p·weight_decay·lr</c> (decoupled
/// from the gradient), then <see cref="Adam"/>'s update runs on the decayed weights.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    /// <param name="learningRate">Step size (Keras default 0.001).</param>
    /// <param name="weightDecay">Decoupled weight decay (Keras default 0.004).</param>
    /// <param name="beta1">Decay of the first moment, in [0, 1).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1).</param>
    /// <param name="epsilon">Added to √v for stability (Keras default 1e-7).</param>
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : base(learningRate, beta1, beta2, epsilon, weightDecay)
    {
        WeightDecay = weightDecay;
    }

    /// <summary>Keras <c>weight_decay</c>.</summary>
    public double WeightDecay { get; }
}
