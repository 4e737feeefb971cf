using System;

namespace NeuralDsl;

/// <summary>
/// Marks a <c>partial</c> class as a sequential model. The layer attributes that follow on the same
/// declaration, in source order, are its layers; the generator writes the forward and backward passes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SequentialAttribute : Attribute
{
    /// <summary>The training loss (Keras <c>compile(loss=...)</c>). <see cref="Loss.None"/> disables <c>Fit</c>.</summary>
    public Loss Loss { get; set; }

    /// <summary>The model's name in summaries; defaults to the class name.</summary>
    public string? Name { get; set; }

    /// <summary>The element type: <c>typeof(float)</c> (default) or <c>typeof(double)</c>.</summary>
    public Type? ElementType { get; set; }
}
