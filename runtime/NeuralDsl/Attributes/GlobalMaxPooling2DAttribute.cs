using System;

namespace NeuralDsl;

/// <summary>Keras <c>GlobalMaxPooling2D</c>: the maximum of each channel over height and width, (height, width, channels) → (channels); the gradient goes to the arg-max cell.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling2DAttribute : Attribute
{
    /// <summary>Layer name; defaults to Keras naming (<c>global_max_pooling2d</c>, <c>global_max_pooling2d_1</c>, ...).</summary>
    public string? Name { get; set; }
}
