using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>GlobalMaxPooling1D</c>: the maximum of each channel over the steps, (steps, channels) → (channels). After an
/// <c>Embedding(MaskZero = true)</c> the masked steps are skipped; a sample whose steps are all masked gives 0.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling1DAttribute : Attribute
{
    /// <summary>Layer name; defaults to Keras naming (<c>global_max_pooling1d</c>, <c>global_max_pooling1d_1</c>, ...).</summary>
    public string? Name { get; set; }
}
