using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NeuralDsl;

public static partial class Pooling
{
    /// <summary>
    /// MaxPooling2D (and 1-D) forward: <c>y[b, i, j, c]</c> is the largest real input cell of its window, and
    /// <paramref name="argmax"/> receives that cell's flat index into <paramref name="x"/> (batch included) for
    /// <see cref="MaxBackward"/>. Padded cells never win. Ties go to the first cell in row-major window order; a NaN
    /// wins so that it propagates, as in Keras.
    /// </summary>
    /// <param name="x">Input [batch, Height, Width, Channels].</param>
    /// <param name="y">Output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="argmax">One flat input index per output element.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match the geometry, or the geometry is inconsistent.</exception>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        KernelGuard.SameLength(y.Length, argmax.Length, "Arg-max", nameof(argmax));
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
                    Span<T> best = y.Slice(o, channels);
                    Span<int> where = argmax.Slice(o, channels);
                    // Every window has a real cell (checked with the geometry): start from the first one.
                    int start = sample + (r0 * g.Width + c0) * channels;
                    x.Slice(start, channels).CopyTo(best);
                    for (int ch = 0; ch < channels; ch++)
                        where[ch] = start + ch;
                    for (int r = r0; r < r1; r++)
                    {
                        for (int col = r == r0 ? c0 + 1 : c0; col < c1; col++)
                        {
                            int cell = sample + (r * g.Width + col) * channels;
                            Update(x.Slice(cell, channels), cell, best, where);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// MaxPooling2D (and 1-D) backward: <paramref name="dx"/> is overwritten with zeros, then each
    /// <c>dy</c> element is added to its arg-max cell (sums where overlapping windows chose the same cell).
    /// </summary>
    /// <param name="dy">Gradient with respect to the output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="argmax">The indices written by <see cref="MaxForward"/>.</param>
    /// <param name="dx">Gradient with respect to the input [batch, Height, Width, Channels] (overwritten).</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match, or an arg-max index is outside the input.</exception>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        KernelGuard.SameLength(dy.Length, argmax.Length, "Arg-max", nameof(argmax));
        Scatter(dy, argmax, dx);
    }

    /// <summary>
    /// GlobalMaxPooling2D forward on [batch, spatial, channels] (spatial = H·W, or steps for 1-D):
    /// <c>y[b, c] = max_s x[b, s, c]</c>, with the flat input index of the maximum in <paramref name="argmax"/>.
    /// Ties go to the first position; a NaN wins so that it propagates.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match [batch, spatial, channels] / [batch, channels].</exception>
    public static void GlobalMaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        KernelGuard.SameLength(y.Length, argmax.Length, "Arg-max", nameof(argmax));
        for (int b = 0; b < batch; b++)
        {
            int sample = b * spatial * channels;
            Span<T> best = y.Slice(b * channels, channels);
            Span<int> where = argmax.Slice(b * channels, channels);
            x.Slice(sample, channels).CopyTo(best);
            for (int ch = 0; ch < channels; ch++)
                where[ch] = sample + ch;
            for (int s = 1; s < spatial; s++)
            {
                int cell = sample + s * channels;
                Update(x.Slice(cell, channels), cell, best, where);
            }
        }
    }

    /// <summary>
    /// GlobalMaxPooling2D backward: <paramref name="dx"/> is overwritten with zeros and <c>dy[b, c]</c> goes to the
    /// position recorded by <see cref="GlobalMaxForward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match, or an arg-max index is outside the input.</exception>
    public static void GlobalMaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        KernelGuard.SameLength(dy.Length, argmax.Length, "Arg-max", nameof(argmax));
        Scatter(dy, argmax, dx);
    }

    /// <summary>
    /// Folds one channel row into the running maximum: where <c>row[c]</c> is larger (or a NaN meets a number),
    /// <c>best[c] = row[c]</c> and <c>where[c] = cell + c</c>. Strictly larger, so the first of equal values wins.
    /// </summary>
    /// <remarks>
    /// Float runs on Vector&lt;float&gt; with the indices in a Vector&lt;int&gt; of the same lane count, which is
    /// what makes the compare-and-select cheap; double would need indices at half the width, and float is the type
    /// the CNN samples train in, so double stays scalar.
    /// </remarks>
    private static void Update<T>(ReadOnlySpan<T> row, int cell, Span<T> best, Span<int> where)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int ch = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            ReadOnlySpan<float> r = MemoryMarshal.Cast<T, float>(row);
            Span<float> b = MemoryMarshal.Cast<T, float>(best);
            int lanes = Vector<float>.Count;
            for (; ch <= r.Length - lanes; ch += lanes)
            {
                var v = new Vector<float>(r.Slice(ch));
                var current = new Vector<float>(b.Slice(ch));
                // v != v is the NaN test; a NaN replaces a number but not an earlier NaN.
                Vector<int> take = Vector.GreaterThan(v, current)
                    | Vector.AndNot(Vector.Equals(current, current), Vector.Equals(v, v));
                if (take == Vector<int>.Zero)
                    continue;
                Vector.ConditionalSelect(take, v, current).CopyTo(b.Slice(ch));
                Vector.ConditionalSelect(take, new Vector<int>(cell + ch) + Vector<int>.Indices, new Vector<int>(where.Slice(ch)))
                    .CopyTo(where.Slice(ch));
            }
        }
        for (; ch < row.Length; ch++)
        {
            T v = row[ch];
            if (v > best[ch] || (T.IsNaN(v) && !T.IsNaN(best[ch])))
            {
                best[ch] = v;
                where[ch] = cell + ch;
            }
        }
    }

    /// <summary>dx = 0, then dx[argmax[i]] += dy[i]; indices are checked so a stale arg-max buffer fails clearly.</summary>
    private static void Scatter<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        dx.Clear();
        for (int i = 0; i < dy.Length; i++)
        {
            int target = argmax[i];
            if ((uint)target >= (uint)dx.Length)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Arg-max index {target} at position {i} is outside the input of length {dx.Length}; pass the indices written by the forward pass."),
                    nameof(argmax));
            }
            dx[target] += dy[i];
        }
    }
}
