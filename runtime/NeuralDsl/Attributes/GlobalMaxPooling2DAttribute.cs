using System;

namespace NeuralDsl;

/// <summary>Keras <c>GlobalMaxPooling2D</c>: the maximum of each channel over height and width, (height, width, channels) → (channels); the gradient goes to the arg-max cell.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling2DAttribute : LayerAttribute
{
}
