using System;

namespace NeuralDsl;

/// <summary>An activation as its own layer, Keras <c>Activation</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : LayerAttribute
{
    /// <summary>Declares an activation layer.</summary>
    public ActivationAttribute(Activation activation) => Activation = activation;

    /// <summary>The activation function.</summary>
    public Activation Activation { get; }
}
