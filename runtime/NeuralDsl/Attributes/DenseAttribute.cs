using System;

namespace NeuralDsl;

/// <summary>
/// A fully connected layer, Keras <c>Dense</c>: <c>y = activation(x · kernel + bias)</c> with kernel (in, units).
/// On inputs of rank above 1 it acts on the last axis.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a dense layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Output features.</summary>
    public int Units { get; }

    /// <summary>Activation applied to the affine result.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer has a bias (Keras <c>use_bias</c>, default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer (Keras default glorot_uniform).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer (Keras default zeros).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
