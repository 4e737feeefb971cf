using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// ZeroPadding2D over NHWC tensors (batch first): the forward pass surrounds each sample with zero rows and
/// columns, the backward pass crops the gradient back to the input. Whole padded rows are one contiguous copy, so
/// both directions are a series of span copies. No allocation.
/// </summary>
public static class Padding2D
{
    /// <summary>
    /// <c>y[b, top + i, left + j, c] = x[b, i, j, c]</c>, every other element of <paramref name="y"/> zero.
    /// </summary>
    /// <param name="x">Input [batch, height, width, channels].</param>
    /// <param name="y">Output [batch, top + height + bottom, left + width + right, channels] (overwritten).</param>
    /// <param name="batch">Samples.</param>
    /// <param name="height">Input rows.</param>
    /// <param name="width">Input columns.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="top">Zero rows above.</param>
    /// <param name="bottom">Zero rows below.</param>
    /// <param name="left">Zero columns on the left.</param>
    /// <param name="right">Zero columns on the right.</param>
    /// <exception cref="ArgumentException">A size is negative or zero, or a length does not match.</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int height, int width, int channels,
        int top, int bottom, int left, int right)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        Check(x.Length, y.Length, batch, height, width, channels, top, bottom, left, right,
            "Input", nameof(x), "Output", nameof(y));
        if (x.Overlaps(y))
            throw new ArgumentException("The padded output overlaps the input; use separate memory.", nameof(y));
        // Each output row is written once: a border row cleared, an inside row as its zero edges around the copied
        // input row (clearing all of y first wrote it twice). Rows are shared with the pool when there are many.
        int rowsOut = batch * (top + height + bottom);
        int rowOut = (left + width + right) * channels;
        unsafe
        {
            fixed (T* px = x)
            fixed (T* py = y)
            {
                var job = new ForwardJob<T>
                {
                    X = px, Y = py, Height = height, Width = width, Channels = channels, Top = top, Bottom = bottom,
                    Left = left, Right = right,
                };
                WorkerPool.Run(&ForwardRows<T>, &job, rowsOut, ElementwiseParts.RowsPerChunk(rowsOut, rowOut));
            }
        }
    }

    private unsafe struct ForwardJob<T>
        where T : unmanaged
    {
        public T* X, Y;
        public int Height, Width, Channels, Top, Bottom, Left, Right;
    }

    /// <summary>Output rows [start, end) of <see cref="Forward"/>, numbered b·(top + height + bottom) + row.</summary>
    private static unsafe void ForwardRows<T>(void* context, int start, int end)
        where T : unmanaged
    {
        ref ForwardJob<T> job = ref System.Runtime.CompilerServices.Unsafe.AsRef<ForwardJob<T>>(context);
        int c = job.Channels, rowIn = job.Width * c, leftOut = job.Left * c, rightOut = job.Right * c;
        int rowOut = leftOut + rowIn + rightOut, heightOut = job.Top + job.Height + job.Bottom;
        for (int r = start; r < end; r++)
        {
            int b = r / heightOut, i = r - b * heightOut - job.Top;
            var target = new Span<T>(job.Y + (long)r * rowOut, rowOut);
            if (i < 0 || i >= job.Height)
            {
                target.Clear();
                continue;
            }
            target[..leftOut].Clear();
            new ReadOnlySpan<T>(job.X + ((long)b * job.Height + i) * rowIn, rowIn).CopyTo(target.Slice(leftOut, rowIn));
            target[(leftOut + rowIn)..].Clear();
        }
    }

    /// <summary>
    /// The gradient of <see cref="Forward"/>: <c>dx[b, i, j, c] = dy[b, top + i, left + j, c]</c> (a crop; the
    /// gradient of the zero border is dropped). Overwrites <paramref name="dx"/>.
    /// </summary>
    /// <param name="dy">Gradient with respect to the padded output.</param>
    /// <param name="dx">Gradient with respect to the input [batch, height, width, channels].</param>
    /// <param name="batch">Samples.</param>
    /// <param name="height">Input rows.</param>
    /// <param name="width">Input columns.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="top">Zero rows above.</param>
    /// <param name="bottom">Zero rows below.</param>
    /// <param name="left">Zero columns on the left.</param>
    /// <param name="right">Zero columns on the right.</param>
    /// <exception cref="ArgumentException">A size is negative or zero, or a length does not match.</exception>
    public static void Backward<T>(ReadOnlySpan<T> dy, Span<T> dx, int batch, int height, int width, int channels,
        int top, int bottom, int left, int right)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        Check(dx.Length, dy.Length, batch, height, width, channels, top, bottom, left, right,
            "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        if (dx.Overlaps(dy))
            throw new ArgumentException("The input gradient overlaps the output gradient; use separate memory.", nameof(dx));
        int rowIn = width * channels;
        int rowOut = (left + width + right) * channels;
        int sampleOut = (top + height + bottom) * rowOut;
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < height; i++)
            {
                dy.Slice(b * sampleOut + (top + i) * rowOut + left * channels, rowIn)
                    .CopyTo(dx.Slice((b * height + i) * rowIn, rowIn));
            }
        }
    }

    private static void Check(int inputLength, int outputLength, int batch, int height, int width, int channels,
        int top, int bottom, int left, int right, string inputWhat, string inputName, string outputWhat, string outputName)
    {
        KernelGuard.NotNegative(batch, nameof(batch));
        KernelGuard.Positive(height, nameof(height));
        KernelGuard.Positive(width, nameof(width));
        KernelGuard.Positive(channels, nameof(channels));
        KernelGuard.NotNegative(top, nameof(top));
        KernelGuard.NotNegative(bottom, nameof(bottom));
        KernelGuard.NotNegative(left, nameof(left));
        KernelGuard.NotNegative(right, nameof(right));
        int inputSize = checked(height * width * channels);
        int outputSize = checked(checked(top + height + bottom) * checked(left + width + right) * channels);
        KernelGuard.SameLength(checked(batch * inputSize), inputLength, inputWhat, inputName);
        KernelGuard.SameLength(checked(batch * outputSize), outputLength, outputWhat, outputName);
    }
}
