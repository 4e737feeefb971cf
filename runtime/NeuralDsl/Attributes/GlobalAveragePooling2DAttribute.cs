using System;

namespace NeuralDsl;

/// <summary>Keras <c>GlobalAveragePooling2D</c>: the mean of each channel over height and width, (height, width, channels) → (channels).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling2DAttribute : LayerAttribute
{
}
