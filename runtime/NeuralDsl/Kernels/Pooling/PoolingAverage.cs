using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

public static partial class Pooling
{
    /// <summary>
    /// AveragePooling2D (and 1-D) forward: <c>y[b, i, j, c]</c> is the mean of the real input cells of its window;
    /// with <c>same</c> padding the divisor is the number of real cells, not the window size (Keras/TensorFlow).
    /// </summary>
    /// <param name="x">Input [batch, Height, Width, Channels].</param>
    /// <param name="y">Output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match the geometry, or the geometry is inconsistent.</exception>
    public static void AverageForward<T>(ReadOnlySpan<T> x, Span<T> y, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        int channels = g.Channels;
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            int sample = b * g.InputSize;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                (int r0, int r1) = Window(oh, g.StrideHeight, g.PadTop, g.PoolHeight, g.Height);
                for (int ow = 0; ow < g.OutputWidth; ow++, o += channels)
                {
                    (int c0, int c1) = Window(ow, g.StrideWidth, g.PadLeft, g.PoolWidth, g.Width);
                    Span<T> sum = y.Slice(o, channels);
                    sum.Clear();
                    for (int r = r0; r < r1; r++)
                    {
                        for (int col = c0; col < c1; col++)
                            TensorPrimitives.Add(sum, x.Slice(sample + (r * g.Width + col) * channels, channels), sum);
                    }
                    TensorPrimitives.Divide(sum, T.CreateChecked((r1 - r0) * (c1 - c0)), sum);
                }
            }
        }
    }

    /// <summary>
    /// AveragePooling2D (and 1-D) backward: <paramref name="dx"/> is overwritten; each real cell of a window
    /// receives <c>dy / count</c> (count = real cells of that window), summed over the windows that cover it.
    /// </summary>
    /// <param name="dy">Gradient with respect to the output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="dx">Gradient with respect to the input [batch, Height, Width, Channels] (overwritten).</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match the geometry, or the geometry is inconsistent.</exception>
    public static void AverageBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        dx.Clear();
        int channels = g.Channels;
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            int sample = b * g.InputSize;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                (int r0, int r1) = Window(oh, g.StrideHeight, g.PadTop, g.PoolHeight, g.Height);
                for (int ow = 0; ow < g.OutputWidth; ow++, o += channels)
                {
                    (int c0, int c1) = Window(ow, g.StrideWidth, g.PadLeft, g.PoolWidth, g.Width);
                    ReadOnlySpan<T> grad = dy.Slice(o, channels);
                    T scale = T.One / T.CreateChecked((r1 - r0) * (c1 - c0));
                    for (int r = r0; r < r1; r++)
                    {
                        for (int col = c0; col < c1; col++)
                        {
                            Span<T> cell = dx.Slice(sample + (r * g.Width + col) * channels, channels);
                            TensorPrimitives.MultiplyAdd(grad, scale, cell, cell);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// GlobalAveragePooling2D forward on [batch, spatial, channels] (spatial = H·W; with spatial = steps it is
    /// GlobalAveragePooling1D): <c>y[b, c] = mean_s x[b, s, c]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match [batch, spatial, channels] / [batch, channels].</exception>
    public static void GlobalAverageForward<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        T count = T.CreateChecked(spatial);
        for (int b = 0; b < batch; b++)
        {
            int sample = b * spatial * channels;
            Span<T> sum = y.Slice(b * channels, channels);
            x.Slice(sample, channels).CopyTo(sum);
            for (int s = 1; s < spatial; s++)
                TensorPrimitives.Add(sum, x.Slice(sample + s * channels, channels), sum);
            TensorPrimitives.Divide(sum, count, sum);
        }
    }

    /// <summary>
    /// GlobalAveragePooling2D (and 1-D) backward: <c>dx[b, s, c] = dy[b, c] / spatial</c> (overwrites
    /// <paramref name="dx"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match [batch, spatial, channels] / [batch, channels].</exception>
    public static void GlobalAverageBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        T count = T.CreateChecked(spatial);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> grad = dy.Slice(b * channels, channels);
            Span<T> first = dx.Slice(b * spatial * channels, channels);
            TensorPrimitives.Divide(grad, count, first);
            for (int s = 1; s < spatial; s++)
                first.CopyTo(dx.Slice((b * spatial + s) * channels, channels));
        }
    }
}
