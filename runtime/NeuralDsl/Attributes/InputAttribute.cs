using System;

namespace NeuralDsl;

/// <summary>The per-sample input shape (Keras <c>Input(shape=...)</c>); the batch is the leading run-time dimension.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the per-sample input shape, e.g. <c>[Input(28, 28)]</c>.</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The per-sample shape.</summary>
    public int[] Shape { get; }

    /// <summary>A name for the model input, so that a layer's <c>Input</c> or a merge layer can read it later; null leaves it unnamed.</summary>
    public string? Name { get; set; }
}
