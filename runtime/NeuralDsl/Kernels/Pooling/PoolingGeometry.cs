using System;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// The sizes of one 2-D pooling over NHWC input (batch first): input, window, strides, the top/left padding and the
/// output size, computed by the Keras rules. MaxPooling1D and AveragePooling1D use it with <see cref="Height"/> = 1.
/// </summary>
/// <param name="Height">Input rows.</param>
/// <param name="Width">Input columns (steps for 1-D pooling).</param>
/// <param name="Channels">Channels, the contiguous last axis.</param>
/// <param name="PoolHeight">Window rows.</param>
/// <param name="PoolWidth">Window columns.</param>
/// <param name="StrideHeight">Row stride.</param>
/// <param name="StrideWidth">Column stride.</param>
/// <param name="PadTop">Virtual rows above the input (0 for valid); the rest of the padding is at the bottom.</param>
/// <param name="PadLeft">Virtual columns left of the input (0 for valid); the rest is at the right.</param>
/// <param name="OutputHeight">Output rows.</param>
/// <param name="OutputWidth">Output columns.</param>
public readonly record struct Pool2DGeometry(
    int Height, int Width, int Channels, int PoolHeight, int PoolWidth, int StrideHeight, int StrideWidth,
    int PadTop, int PadLeft, int OutputHeight, int OutputWidth)
{
    /// <summary>Elements of one input sample: Height · Width · Channels.</summary>
    public int InputSize => Height * Width * Channels;

    /// <summary>Elements of one output sample: OutputHeight · OutputWidth · Channels.</summary>
    public int OutputSize => OutputHeight * OutputWidth * Channels;

    /// <summary>
    /// The geometry of a Keras 2-D pooling. The caller passes the strides (Keras defaults them to the pool size).
    /// <c>valid</c>: out = floor((in − pool) / s) + 1, incomplete windows are dropped. <c>same</c>: out = ceil(in / s),
    /// total padding max((out − 1)·s + pool − in, 0), of which top/left get total / 2 and bottom/right the rest.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, or the pool is larger than a valid input.</exception>
    public static Pool2DGeometry Create(int height, int width, int channels, int poolHeight, int poolWidth,
        int strideHeight, int strideWidth, bool samePadding)
    {
        KernelGuard.Positive(height, nameof(height));
        KernelGuard.Positive(width, nameof(width));
        KernelGuard.Positive(channels, nameof(channels));
        KernelGuard.Positive(poolHeight, nameof(poolHeight));
        KernelGuard.Positive(poolWidth, nameof(poolWidth));
        KernelGuard.Positive(strideHeight, nameof(strideHeight));
        KernelGuard.Positive(strideWidth, nameof(strideWidth));
        (int outH, int top) = Axis(height, poolHeight, strideHeight, samePadding, "height", nameof(poolHeight));
        (int outW, int left) = Axis(width, poolWidth, strideWidth, samePadding, "width", nameof(poolWidth));
        FitsInt((long)height * width * channels);
        return new Pool2DGeometry(height, width, channels, poolHeight, poolWidth, strideHeight, strideWidth,
            top, left, outH, outW);
    }

    /// <summary>
    /// The geometry of a Keras 1-D pooling over (batch, steps, channels): a 2-D geometry with one row, steps along
    /// the width.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, or the pool is larger than a valid input.</exception>
    public static Pool2DGeometry Create1D(int steps, int channels, int pool, int stride, bool samePadding)
    {
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(channels, nameof(channels));
        KernelGuard.Positive(pool, nameof(pool));
        KernelGuard.Positive(stride, nameof(stride));
        (int outW, int left) = Axis(steps, pool, stride, samePadding, "steps", nameof(pool));
        FitsInt((long)steps * channels);
        return new Pool2DGeometry(1, steps, channels, 1, pool, 1, stride, 0, left, 1, outW);
    }

    private static (int Output, int PadBefore) Axis(int input, int pool, int stride, bool same, string axis, string poolName)
    {
        if (same)
        {
            int output = (int)(((long)input + stride - 1) / stride);
            long total = Math.Max((long)(output - 1) * stride + pool - input, 0);
            return (output, (int)(total / 2));
        }
        if (pool > input)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Pool size {pool} is larger than the input {axis} {input} with 'valid' padding (the output would be empty)."),
                poolName);
        }
        return ((input - pool) / stride + 1, 0);
    }

    /// <summary>A sample must stay addressable with int offsets, like every other runtime buffer.</summary>
    private static void FitsInt(long elements)
    {
        if (elements > int.MaxValue)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"One input sample has {elements} elements, more than the {int.MaxValue} a span can hold."));
        }
    }
}
