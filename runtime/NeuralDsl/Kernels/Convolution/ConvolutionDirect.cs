using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>
/// Direct NHWC convolution loops, vectorized over the filters (the contiguous last axis of the kernel, the output
/// and the output gradient). They need no column buffer, which pays off when a patch is so short (few channels,
/// e.g. the first layer on a grey image) that building the im2col matrix costs as much as the product itself:
/// <see cref="Convolution"/> uses <see cref="Forward{T}"/> for such shapes. There are no direct backward loops: the
/// backward passes use im2col + GEMM. Callers have validated every length; the loops only visit cells inside the input.
/// </summary>
// See docs/kernels.md#direct-loops-forward-only
internal static class ConvolutionDirect
{
    /// <summary>Longest patch whose offset table goes on the stack (4 KB); longer ones take the checked loops.</summary>
    private const int MaxTablePatch = 1024;

    /// <summary>
    /// y = epilogue(x ⋆ kernel) for the output rows <paramref name="firstRow"/> ≤ r &lt; <paramref name="firstRow"/> +
    /// <paramref name="rowCount"/> (an output row is one (sample, oh) pair, numbered b·OH + oh); <paramref name="y"/>
    /// is the whole output [batch, OH, OW, F] and only those rows are written. The epilogue (bias, ReLU) is applied
    /// in registers before each store.
    /// </summary>
    public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> y, in Conv2DGeometry g,
        int firstRow, int rowCount, in ConvolutionEpilogue.Spec<T> epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters, c = g.Channels, patch = g.PatchSize, n = Vector<T>.Count;
        // Offsets of a window's cells from its top-left input cell, in kernel order (di, dj, c): for a window
        // entirely inside the image the whole patch is then one table walk with no index arithmetic or checks.
        Span<int> offsets = stackalloc int[Math.Min(patch, MaxTablePatch)];
        bool table = patch <= MaxTablePatch;
        if (table)
        {
            int p = 0;
            for (int di = 0; di < g.KernelHeight; di++)
                for (int dj = 0; dj < g.KernelWidth; dj++)
                    for (int ch = 0; ch < c; ch++)
                        offsets[p++] = (di * g.DilationHeight * g.Width + dj * g.DilationWidth) * c + ch;
        }
        int spanH = g.EffectiveKernelHeight, spanW = g.EffectiveKernelWidth;
        // Pixel pairs need the filters to be whole blocks of four vectors (32 floats or 16 doubles per block).
        bool pairs = f % (4 * n) == 0;
        fixed (T* px = x)
        fixed (T* pk = kernel)
        fixed (T* py = y)
        fixed (int* po = offsets)
        {
            int pixel = firstRow * g.OutputWidth;
            for (int outputRow = firstRow; outputRow < firstRow + rowCount; outputRow++)
            {
                int b = outputRow / g.OutputHeight, oh = outputRow - b * g.OutputHeight;
                int top = oh * g.StrideHeight - g.PadTop;
                bool rowsInside = top >= 0 && top + spanH <= g.Height;
                for (int ow = 0; ow < g.OutputWidth; ow++, pixel++)
                {
                    int left = ow * g.StrideWidth - g.PadLeft;
                    if (!table || !rowsInside || left < 0 || left + spanW > g.Width)
                    {
                        ForwardPixel(x, kernel, y.Slice(pixel * f, f), b, oh, ow, g);
                        // A border pixel is stored block by block, so it is finished from memory.
                        ConvolutionEpilogue.ApplyRows(py + pixel * f, 1, f, epilogue);
                        continue;
                    }
                    // In range: the window lies inside sample b, so every offset stays inside x.
                    T* window = px + ((b * g.Height + top) * g.Width + left) * c;
                    T* yRow = py + pixel * f;
                    int j = 0;
                    if (pairs && ow + 1 < g.OutputWidth && left + g.StrideWidth + spanW <= g.Width)
                    {
                        // The next pixel is interior too: both share every kernel load.
                        for (; j < f; j += 4 * n)
                            WindowPairBlock4(window, window + g.StrideWidth * c, po, pk + j, f, patch, yRow + j, yRow + f + j, epilogue, j);
                        ow++;
                        pixel++;
                        continue;
                    }
                    for (; j + 4 * n <= f; j += 4 * n)
                        WindowBlock4(window, po, pk + j, f, patch, yRow + j, epilogue, j);
                    for (; j + n <= f; j += n)
                        WindowBlock1(window, po, pk + j, f, patch, yRow + j, epilogue, j);
                    for (; j < f; j++)
                    {
                        T sum = T.Zero;
                        for (int q = 0; q < patch; q++)
                            sum += window[po[q]] * pk[q * f + j];
                        yRow[j] = ConvolutionEpilogue.Finish(sum, epilogue, j);
                    }
                }
            }
        }
    }

    /// <summary>Four vectors of filters of one interior pixel: per patch cell one broadcast feeds four FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WindowBlock4<T>(T* window, int* offsets, T* kernel, int f, int patch, T* y,
        in ConvolutionEpilogue.Spec<T> epilogue, int j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = Vector<T>.Count;
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        for (int q = 0; q < patch; q++, kernel += f)
        {
            var s = new Vector<T>(window[offsets[q]]);
            a0 = Fma(s, *(Vector<T>*)kernel, a0);
            a1 = Fma(s, *(Vector<T>*)(kernel + n), a1);
            a2 = Fma(s, *(Vector<T>*)(kernel + 2 * n), a2);
            a3 = Fma(s, *(Vector<T>*)(kernel + 3 * n), a3);
        }
        *(Vector<T>*)y = ConvolutionEpilogue.Finish(a0, epilogue, j);
        *(Vector<T>*)(y + n) = ConvolutionEpilogue.Finish(a1, epilogue, j + n);
        *(Vector<T>*)(y + 2 * n) = ConvolutionEpilogue.Finish(a2, epilogue, j + 2 * n);
        *(Vector<T>*)(y + 3 * n) = ConvolutionEpilogue.Finish(a3, epilogue, j + 3 * n);
    }

    /// <summary>
    /// Four vectors of filters of two neighbouring interior pixels: per patch cell four kernel loads and two
    /// broadcasts feed eight FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WindowPairBlock4<T>(T* first, T* second, int* offsets, T* kernel, int f, int patch, T* y0, T* y1,
        in ConvolutionEpilogue.Spec<T> epilogue, int j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = Vector<T>.Count;
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        Vector<T> b0 = Vector<T>.Zero, b1 = Vector<T>.Zero, b2 = Vector<T>.Zero, b3 = Vector<T>.Zero;
        for (int q = 0; q < patch; q++, kernel += f)
        {
            int o = offsets[q];
            var s = new Vector<T>(first[o]);
            var t = new Vector<T>(second[o]);
            Vector<T> k0 = *(Vector<T>*)kernel, k1 = *(Vector<T>*)(kernel + n);
            Vector<T> k2 = *(Vector<T>*)(kernel + 2 * n), k3 = *(Vector<T>*)(kernel + 3 * n);
            a0 = Fma(s, k0, a0);
            a1 = Fma(s, k1, a1);
            a2 = Fma(s, k2, a2);
            a3 = Fma(s, k3, a3);
            b0 = Fma(t, k0, b0);
            b1 = Fma(t, k1, b1);
            b2 = Fma(t, k2, b2);
            b3 = Fma(t, k3, b3);
        }
        *(Vector<T>*)y0 = ConvolutionEpilogue.Finish(a0, epilogue, j);
        *(Vector<T>*)(y0 + n) = ConvolutionEpilogue.Finish(a1, epilogue, j + n);
        *(Vector<T>*)(y0 + 2 * n) = ConvolutionEpilogue.Finish(a2, epilogue, j + 2 * n);
        *(Vector<T>*)(y0 + 3 * n) = ConvolutionEpilogue.Finish(a3, epilogue, j + 3 * n);
        *(Vector<T>*)y1 = ConvolutionEpilogue.Finish(b0, epilogue, j);
        *(Vector<T>*)(y1 + n) = ConvolutionEpilogue.Finish(b1, epilogue, j + n);
        *(Vector<T>*)(y1 + 2 * n) = ConvolutionEpilogue.Finish(b2, epilogue, j + 2 * n);
        *(Vector<T>*)(y1 + 3 * n) = ConvolutionEpilogue.Finish(b3, epilogue, j + 3 * n);
    }

    /// <summary>One vector of filters of one interior pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WindowBlock1<T>(T* window, int* offsets, T* kernel, int f, int patch, T* y,
        in ConvolutionEpilogue.Spec<T> epilogue, int j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector<T> a0 = Vector<T>.Zero;
        for (int q = 0; q < patch; q++, kernel += f)
            a0 = Fma(new Vector<T>(window[offsets[q]]), *(Vector<T>*)kernel, a0);
        *(Vector<T>*)y = ConvolutionEpilogue.Finish(a0, epilogue, j);
    }

    /// <summary>One output pixel, any position (padding cells are skipped); the product only, no epilogue.</summary>
    internal static void ForwardPixel<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> yRow, int b, int oh, int ow,
        in Conv2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = g.Filters;
        // Filters in register blocks of four vectors: each block reads the whole patch once and is stored once,
        // instead of loading and storing the output row for every tap.
        int j = 0;
        int block = 4 * Vector<T>.Count;
        for (; j + block <= f; j += block)
            ForwardBlock4(x, kernel, yRow, b, oh, ow, j, g);
        for (; j < f; j++)
            yRow[j] = ForwardScalar(x, kernel, b, oh, ow, j, g);
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
                    a0 = Fma(s, Vector.LoadUnsafe(ref k), a0);
                    a1 = Fma(s, Vector.LoadUnsafe(ref k, (nuint)n), a1);
                    a2 = Fma(s, Vector.LoadUnsafe(ref k, (nuint)(2 * n)), a2);
                    a3 = Fma(s, Vector.LoadUnsafe(ref k, (nuint)(3 * n)), a3);
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

    /// <summary>a·b + c in one rounding where the hardware has FMA (the JIT does not fuse a generic a·b + c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        return a * b + c;
    }
}
