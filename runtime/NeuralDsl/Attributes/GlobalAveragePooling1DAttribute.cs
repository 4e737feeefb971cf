using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>GlobalAveragePooling1D</c>: the mean of each channel over the steps, (steps, channels) → (channels). After an
/// <c>Embedding(MaskZero = true)</c> it is the mean over the unmasked steps; a sample whose steps are all masked gives 0.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling1DAttribute : LayerAttribute
{
}
