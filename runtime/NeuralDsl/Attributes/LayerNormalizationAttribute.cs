using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>LayerNormalization(axis=-1, epsilon=1e-3)</c>: each row (the last axis of every sample and step) is
/// normalized with its own mean and biased variance, <c>y = γ (x − μ) / sqrt(σ² + ε) + β</c>; the same in training
/// and inference. γ (ones) and β (zeros) are trained. Acts per step, so a Keras mask passes through unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormalizationAttribute : LayerAttribute
{
    /// <summary>Added to the variance before the square root (Keras default 1e-3).</summary>
    public double Epsilon { get; set; } = 1e-3;

    /// <summary>Adds the trained offset β (Keras <c>center</c>, default true); ignored with <see cref="RmsScaling"/>.</summary>
    public bool Center { get; set; } = true;

    /// <summary>Multiplies by the trained scale γ (Keras <c>scale</c>, default true).</summary>
    public bool Scale { get; set; } = true;

    /// <summary>
    /// Keras 3 <c>rms_scaling</c>: no mean subtraction and no β; <c>y = γ x / sqrt(mean(x²) + ε)</c> (RMSNorm). γ is
    /// always trained then, as in Keras.
    /// </summary>
    public bool RmsScaling { get; set; }
}
