using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>MaxPooling1D</c> on (steps, channels) input: the maximum of each window of steps; the gradient goes to
/// the arg-max step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling1DAttribute : LayerAttribute
{
    /// <summary>A window of <paramref name="poolSize"/> steps (Keras default 2).</summary>
    public MaxPooling1DAttribute(int poolSize = 2)
    {
        PoolSize = poolSize;
    }

    /// <summary>Window length in steps.</summary>
    public int PoolSize { get; }

    /// <summary>Stride in steps; 0 (default) means the pool size, as in Keras.</summary>
    public int Strides { get; set; }

    /// <summary><see cref="NeuralDsl.Padding.Valid"/> (Keras default) or <see cref="NeuralDsl.Padding.Same"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
