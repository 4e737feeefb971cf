using System;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// The shape of one Conv2D (or Conv1D) layer in NHWC layout: input [batch, Height, Width, Channels], kernel
/// [KernelHeight, KernelWidth, Channels, Filters] (Keras layout), output [batch, OutputHeight, OutputWidth, Filters].
/// Padding is given by the rows above (<see cref="PadTop"/>) and the columns left (<see cref="PadLeft"/>) of the
/// input; the bottom/right padding follows from the output size. Build it with <see cref="Create"/> or
/// <see cref="Create1D"/>, which apply the Keras rules and validate the sizes.
/// </summary>
/// <param name="Height">Input rows (1 for Conv1D).</param>
/// <param name="Width">Input columns (the steps for Conv1D).</param>
/// <param name="Channels">Input channels.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelHeight">Kernel rows (1 for Conv1D).</param>
/// <param name="KernelWidth">Kernel columns.</param>
/// <param name="StrideHeight">Vertical stride.</param>
/// <param name="StrideWidth">Horizontal stride.</param>
/// <param name="DilationHeight">Vertical dilation (distance between kernel taps).</param>
/// <param name="DilationWidth">Horizontal dilation.</param>
/// <param name="PadTop">Zero rows added above the input.</param>
/// <param name="PadLeft">Zero columns added left of the input.</param>
/// <param name="OutputHeight">Output rows.</param>
/// <param name="OutputWidth">Output columns.</param>
public readonly record struct Conv2DGeometry(int Height, int Width, int Channels, int Filters, int KernelHeight,
    int KernelWidth, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth, int PadTop, int PadLeft,
    int OutputHeight, int OutputWidth)
{
    /// <summary>Rows the dilated kernel spans: <c>(KernelHeight − 1)·DilationHeight + 1</c>.</summary>
    public int EffectiveKernelHeight => (KernelHeight - 1) * DilationHeight + 1;

    /// <summary>Columns the dilated kernel spans: <c>(KernelWidth − 1)·DilationWidth + 1</c>.</summary>
    public int EffectiveKernelWidth => (KernelWidth - 1) * DilationWidth + 1;

    /// <summary>Zero rows added below the input (Keras puts the odd extra row here).</summary>
    public int PadBottom => Math.Max((OutputHeight - 1) * StrideHeight + EffectiveKernelHeight - Height - PadTop, 0);

    /// <summary>Zero columns added right of the input (Keras puts the odd extra column here).</summary>
    public int PadRight => Math.Max((OutputWidth - 1) * StrideWidth + EffectiveKernelWidth - Width - PadLeft, 0);

    /// <summary>Elements of one input sample: <c>Height·Width·Channels</c>.</summary>
    public int InputSize => Height * Width * Channels;

    /// <summary>Elements of one output sample: <c>OutputHeight·OutputWidth·Filters</c>.</summary>
    public int OutputSize => OutputHeight * OutputWidth * Filters;

    /// <summary>Elements of the kernel: <c>KernelHeight·KernelWidth·Channels·Filters</c>.</summary>
    public int KernelSize => KernelHeight * KernelWidth * Channels * Filters;

    /// <summary>Length of one im2col row, the depth of the convolution product: <c>KernelHeight·KernelWidth·Channels</c>.</summary>
    public int PatchSize => KernelHeight * KernelWidth * Channels;

    /// <summary>
    /// The geometry of a Keras Conv2D. <c>valid</c>: out = ⌊(in − ((k − 1)·d + 1)) / s⌋ + 1, no padding.
    /// <c>same</c>: out = ⌈in / s⌉, total padding max((out − 1)·s + (k − 1)·d + 1 − in, 0), of which top/left get
    /// half (rounded down) and bottom/right the rest.
    /// </summary>
    /// <exception cref="ArgumentException">A size, stride or dilation is not positive, the dilated kernel does not
    /// fit a <c>valid</c> input, or a tensor would exceed <see cref="int.MaxValue"/> elements.</exception>
    public static Conv2DGeometry Create(int height, int width, int channels, int filters, int kernelH, int kernelW,
        int strideH, int strideW, int dilationH, int dilationW, bool samePadding)
    {
        Positive(height, "Input height", nameof(height));
        Positive(width, "Input width", nameof(width));
        Positive(channels, "Channel count", nameof(channels));
        Positive(filters, "Filter count", nameof(filters));
        Positive(kernelH, "Kernel height", nameof(kernelH));
        Positive(kernelW, "Kernel width", nameof(kernelW));
        Positive(strideH, "Stride height", nameof(strideH));
        Positive(strideW, "Stride width", nameof(strideW));
        Positive(dilationH, "Dilation height", nameof(dilationH));
        Positive(dilationW, "Dilation width", nameof(dilationW));

        (int outH, int padTop) = Axis(height, kernelH, strideH, dilationH, samePadding, "height", nameof(kernelH));
        (int outW, int padLeft) = Axis(width, kernelW, strideW, dilationW, samePadding, "width", nameof(kernelW));

        // Every buffer length the kernels compute must fit an int (per sample; the batch is checked per call).
        FitsInt((long)height * width * channels, "An input sample", nameof(channels));
        FitsInt((long)outH * outW * filters, "An output sample", nameof(filters));
        FitsInt((long)kernelH * kernelW * channels * filters, "The kernel", nameof(filters));
        FitsInt((long)outH * outW * kernelH * kernelW * channels, "One sample's im2col matrix", nameof(channels));

        return new Conv2DGeometry(height, width, channels, filters, kernelH, kernelW, strideH, strideW, dilationH,
            dilationW, padTop, padLeft, outH, outW);
    }

    /// <summary>
    /// The geometry of a Keras Conv1D on (batch, steps, channels) with kernel (kernel, channels, filters): the
    /// Conv2D geometry with one input row and a one-row kernel.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Create"/>.</exception>
    public static Conv2DGeometry Create1D(int steps, int channels, int filters, int kernel, int stride, int dilation,
        bool samePadding) =>
        Create(1, steps, channels, filters, 1, kernel, 1, stride, 1, dilation, samePadding);

    /// <summary>Output size and leading padding along one axis.</summary>
    private static (int Output, int PadBefore) Axis(int input, int kernel, int stride, int dilation, bool same,
        string axis, string paramName)
    {
        long effective = (long)(kernel - 1) * dilation + 1;
        if (same)
        {
            int output = (int)((input + (long)stride - 1) / stride);
            long total = Math.Max((long)(output - 1) * stride + effective - input, 0);
            if (total > int.MaxValue)
                throw new ArgumentException(Invariant($"The 'same' padding of the {axis} ({total}) is too large."), paramName);
            return (output, (int)(total / 2));
        }
        if (effective > input)
        {
            throw new ArgumentException(Invariant(
                $"Kernel {axis} {kernel} with dilation {dilation} spans {effective}, more than the input {axis} {input}: 'valid' padding would give an output {axis} of 0 (use 'same' padding or a smaller kernel)."), paramName);
        }
        return ((int)((input - effective) / stride) + 1, 0);
    }

    private static void Positive(int value, string what, string paramName)
    {
        if (value <= 0)
            throw new ArgumentException(Invariant($"{what} must be positive, but it is {value}."), paramName);
    }

    private static void FitsInt(long length, string what, string paramName)
    {
        if (length > int.MaxValue)
            throw new ArgumentException(Invariant($"{what} would hold {length} elements, more than {int.MaxValue}."), paramName);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
