using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>GlobalMaxPooling1D</c>: the maximum of each channel over the steps, (steps, channels) → (channels). After an
/// <c>Embedding(MaskZero = true)</c> the masked steps are skipped; a sample whose steps are all masked gives 0.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling1DAttribute : LayerAttribute
{
}
