using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>BatchNormalization</c> over the last axis: in training, normalizes with the batch mean and (biased)
/// variance and updates the moving statistics; in inference, uses the moving statistics. γ and β are trained; the
/// moving mean and variance are non-trainable state saved with the weights.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : LayerAttribute
{
    /// <summary>Moving-average momentum (Keras default 0.99): moving = moving·momentum + batch·(1 − momentum).</summary>
    public double Momentum { get; set; } = 0.99;

    /// <summary>Added to the variance before the square root (Keras default 1e-3).</summary>
    public double Epsilon { get; set; } = 1e-3;
}
