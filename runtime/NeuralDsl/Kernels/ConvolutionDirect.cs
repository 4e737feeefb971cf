using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>
/// Direct NHWC convolution loops, vectorized over the filters (the contiguous last axis of the kernel, the output
/// and the output gradient). They need no column buffer, which pays off when a patch is so short (few channels,
/// e.g. the first layer on a grey image) that building the im2col matrix costs as much as the product itself.
/// Callers have validated every length; the loops only visit cells inside the input.
/// </summary>
internal static class ConvolutionDirect
{
    /// <summary>y [batch, OH, OW, F] = x ⋆ kernel (overwritten).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> y, int batch, in Conv2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters;
        int pixel = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                for (int ow = 0; ow < g.OutputWidth; ow++, pixel++)
                {
                    Span<T> yRow = y.Slice(pixel * f, f);
                    // Filters in register blocks of four vectors: each block reads the whole patch once and is
                    // stored once, instead of loading and storing the output row for every tap.
                    int j = 0;
                    int block = 4 * Vector<T>.Count;
                    for (; j + block <= f; j += block)
                        ForwardBlock4(x, kernel, yRow, b, oh, ow, j, g);
                    for (; j < f; j++)
                        yRow[j] = ForwardScalar(x, kernel, b, oh, ow, j, g);
                }
            }
        }
    }

    /// <summary>dKernel [kh, kw, C, F] += Σ over pixels of patch ⊗ dy.</summary>
    public static void BackwardKernel<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dKernel, int batch, in Conv2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters, c = g.Channels;
        int pixel = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                for (int ow = 0; ow < g.OutputWidth; ow++, pixel++)
                {
                    ReadOnlySpan<T> dyRow = dy.Slice(pixel * f, f);
                    for (int di = 0; di < g.KernelHeight; di++)
                    {
                        int ih = oh * g.StrideHeight + di * g.DilationHeight - g.PadTop;
                        if ((uint)ih >= (uint)g.Height)
                            continue;
                        for (int dj = 0; dj < g.KernelWidth; dj++)
                        {
                            int iw = ow * g.StrideWidth + dj * g.DilationWidth - g.PadLeft;
                            if ((uint)iw >= (uint)g.Width)
                                continue;
                            ReadOnlySpan<T> xCell = x.Slice(((b * g.Height + ih) * g.Width + iw) * c, c);
                            Span<T> dTap = dKernel.Slice((di * g.KernelWidth + dj) * c * f, c * f);
                            for (int ch = 0; ch < c; ch++)
                                MultiplyAdd(xCell[ch], dyRow, dTap.Slice(ch * f, f));
                        }
                    }
                }
            }
        }
    }

    /// <summary>dx [batch, H, W, C] = the adjoint of <see cref="Forward{T}"/> applied to dy (overwritten).</summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> kernel, Span<T> dx, int batch, in Conv2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters, c = g.Channels;
        dx.Clear();
        int pixel = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                for (int ow = 0; ow < g.OutputWidth; ow++, pixel++)
                {
                    ReadOnlySpan<T> dyRow = dy.Slice(pixel * f, f);
                    for (int di = 0; di < g.KernelHeight; di++)
                    {
                        int ih = oh * g.StrideHeight + di * g.DilationHeight - g.PadTop;
                        if ((uint)ih >= (uint)g.Height)
                            continue;
                        for (int dj = 0; dj < g.KernelWidth; dj++)
                        {
                            int iw = ow * g.StrideWidth + dj * g.DilationWidth - g.PadLeft;
                            if ((uint)iw >= (uint)g.Width)
                                continue;
                            Span<T> dxCell = dx.Slice(((b * g.Height + ih) * g.Width + iw) * c, c);
                            ReadOnlySpan<T> tap = kernel.Slice((di * g.KernelWidth + dj) * c * f, c * f);
                            for (int ch = 0; ch < c; ch++)
                                dxCell[ch] += Dot(tap.Slice(ch * f, f), dyRow);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Filters j..j+4·Vector&lt;T&gt;.Count of one output pixel, accumulated in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardBlock4<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> yRow, int b, int oh, int ow,
        int j, in Conv2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters, c = g.Channels, n = Vector<T>.Count;
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        ref T k0 = ref MemoryMarshal.GetReference(kernel);
        for (int di = 0; di < g.KernelHeight; di++)
        {
            int ih = oh * g.StrideHeight + di * g.DilationHeight - g.PadTop;
            if ((uint)ih >= (uint)g.Height)
                continue;
            for (int dj = 0; dj < g.KernelWidth; dj++)
            {
                int iw = ow * g.StrideWidth + dj * g.DilationWidth - g.PadLeft;
                if ((uint)iw >= (uint)g.Width)
                    continue;
                ReadOnlySpan<T> xCell = x.Slice(((b * g.Height + ih) * g.Width + iw) * c, c);
                int tapBase = (di * g.KernelWidth + dj) * c;
                for (int ch = 0; ch < c; ch++)
                {
                    // The offset is in range: (tapBase + ch)·F + j + 4n ≤ kh·kw·C·F because j + 4n ≤ F.
                    ref T k = ref Unsafe.Add(ref k0, (tapBase + ch) * f + j);
                    var s = new Vector<T>(xCell[ch]);
                    a0 += s * Vector.LoadUnsafe(ref k);
                    a1 += s * Vector.LoadUnsafe(ref k, (nuint)n);
                    a2 += s * Vector.LoadUnsafe(ref k, (nuint)(2 * n));
                    a3 += s * Vector.LoadUnsafe(ref k, (nuint)(3 * n));
                }
            }
        }
        Span<T> target = yRow.Slice(j, 4 * n);
        a0.CopyTo(target);
        a1.CopyTo(target.Slice(n));
        a2.CopyTo(target.Slice(2 * n));
        a3.CopyTo(target.Slice(3 * n));
    }

    /// <summary>Filter j of one output pixel, for the filters left over after the vector blocks.</summary>
    private static T ForwardScalar<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, int b, int oh, int ow, int j, in Conv2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters, c = g.Channels;
        T sum = T.Zero;
        for (int di = 0; di < g.KernelHeight; di++)
        {
            int ih = oh * g.StrideHeight + di * g.DilationHeight - g.PadTop;
            if ((uint)ih >= (uint)g.Height)
                continue;
            for (int dj = 0; dj < g.KernelWidth; dj++)
            {
                int iw = ow * g.StrideWidth + dj * g.DilationWidth - g.PadLeft;
                if ((uint)iw >= (uint)g.Width)
                    continue;
                int xBase = ((b * g.Height + ih) * g.Width + iw) * c;
                int kBase = (di * g.KernelWidth + dj) * c * f + j;
                for (int ch = 0; ch < c; ch++)
                    sum += x[xBase + ch] * kernel[kBase + ch * f];
            }
        }
        return sum;
    }

    /// <summary>target += s·source (equal lengths).</summary>
    private static void MultiplyAdd<T>(T s, ReadOnlySpan<T> source, Span<T> target)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0, n = Vector<T>.Count;
        var sv = new Vector<T>(s);
        for (; i + n <= target.Length; i += n)
            (new Vector<T>(target.Slice(i)) + sv * new Vector<T>(source.Slice(i))).CopyTo(target.Slice(i));
        for (; i < target.Length; i++)
            target[i] += s * source[i];
    }

    /// <summary>Σ a[i]·b[i] (equal lengths).</summary>
    private static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0, n = Vector<T>.Count;
        Vector<T> acc = Vector<T>.Zero;
        for (; i + n <= a.Length; i += n)
            acc += new Vector<T>(a.Slice(i)) * new Vector<T>(b.Slice(i));
        T sum = Vector.Sum(acc);
        for (; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }
}
