using System;

namespace NeuralDsl;

/// <summary>An activation as its own layer, Keras <c>Activation</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>Declares an activation layer.</summary>
    public ActivationAttribute(Activation activation) => Activation = activation;

    /// <summary>The activation function.</summary>
    public Activation Activation { get; }

    /// <summary>Layer name; defaults to Keras naming (<c>activation</c>, <c>activation_1</c>, ...).</summary>
    public string? Name { get; set; }
}
