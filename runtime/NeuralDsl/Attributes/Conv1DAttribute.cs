using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>Conv1D</c> on (steps, channels) input: cross-correlation along the steps with a kernel
/// (kernelSize, in, filters), plus bias and activation.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : LayerAttribute
{
    /// <summary>A convolution of <paramref name="filters"/> output channels over windows of <paramref name="kernelSize"/> steps.</summary>
    public Conv1DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelSize = kernelSize;
        Activation = activation;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel length in steps.</summary>
    public int KernelSize { get; }

    /// <summary>Activation applied after the bias.</summary>
    public Activation Activation { get; }

    /// <summary>Stride in steps (Keras <c>strides</c>, default 1).</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Dilation in steps (Keras <c>dilation_rate</c>, default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary><see cref="NeuralDsl.Padding.Valid"/> (Keras default) or <see cref="NeuralDsl.Padding.Same"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer (Keras default glorot_uniform over fan in kernelSize·in, fan out kernelSize·filters).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer (Keras default zeros).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
