using System;

namespace NeuralDsl;

/// <summary>Keras <c>Flatten</c>: reshapes each sample to a vector (no copy, no parameters).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}
