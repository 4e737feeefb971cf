using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>Conv2D</c> on NHWC input (height, width, channels): cross-correlation with a kernel (kh, kw, in, filters),
/// plus bias and activation.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>A square <paramref name="kernelSize"/> × <paramref name="kernelSize"/> convolution.</summary>
    public Conv2DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
        : this(filters, kernelSize, kernelSize, activation)
    {
    }

    /// <summary>A <paramref name="kernelHeight"/> × <paramref name="kernelWidth"/> convolution.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Activation = activation;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }

    /// <summary>Activation applied after the bias.</summary>
    public Activation Activation { get; }

    /// <summary>Stride along both axes (Keras <c>strides</c>, default 1); <see cref="StrideHeight"/>/<see cref="StrideWidth"/> override one axis.</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Vertical stride; 0 means <see cref="Strides"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride; 0 means <see cref="Strides"/>.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Dilation along both axes (Keras <c>dilation_rate</c>, default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary><see cref="NeuralDsl.Padding.Valid"/> (Keras default) or <see cref="NeuralDsl.Padding.Same"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer (Keras default glorot_uniform over fan in kh·kw·in, fan out kh·kw·filters).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer (Keras default zeros).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
