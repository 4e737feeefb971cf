using System;

namespace NeuralDsl;

/// <summary>Keras <c>Flatten</c>: reshapes each sample to a vector (no copy, no parameters).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
    /// <summary>Layer name; defaults to Keras naming (<c>flatten</c>, <c>flatten_1</c>, ...).</summary>
    public string? Name { get; set; }
}
