using System;

namespace NeuralDsl;

/// <summary>Keras <c>AveragePooling2D</c> on NHWC input: the mean of each window; with <c>same</c> padding only the real cells count.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling2DAttribute : LayerAttribute
{
    /// <summary>A square <paramref name="poolSize"/> × <paramref name="poolSize"/> window (Keras default 2).</summary>
    public AveragePooling2DAttribute(int poolSize = 2) : this(poolSize, poolSize)
    {
    }

    /// <summary>A <paramref name="poolHeight"/> × <paramref name="poolWidth"/> window.</summary>
    public AveragePooling2DAttribute(int poolHeight, int poolWidth)
    {
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
    }

    /// <summary>Window rows.</summary>
    public int PoolHeight { get; }

    /// <summary>Window columns.</summary>
    public int PoolWidth { get; }

    /// <summary>Stride along both axes; 0 (default) means the pool size, as in Keras.</summary>
    public int Strides { get; set; }

    /// <summary><see cref="NeuralDsl.Padding.Valid"/> (Keras default) or <see cref="NeuralDsl.Padding.Same"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
