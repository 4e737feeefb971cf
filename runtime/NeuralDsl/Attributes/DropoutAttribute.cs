using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>Dropout</c>: in training, zeroes each input with probability <c>rate</c> and scales the rest by
/// <c>1 / (1 − rate)</c>; in inference it is the identity.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares a dropout layer; <paramref name="rate"/> must be in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The fraction of inputs dropped in training.</summary>
    public double Rate { get; }
}
