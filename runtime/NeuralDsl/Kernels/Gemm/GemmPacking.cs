using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layout the micro-kernels stream: transposes are absorbed here,
/// so one kernel serves all four combinations, and partial panels are zero-padded so the kernel never branches on
/// edges. op(A)(i, p) is <c>a[i·k + p]</c>, or <c>a[p·m + i]</c> when transposed; op(B)(p, j) is <c>b[p·n + j]</c>,
/// or <c>b[j·k + p]</c> when transposed.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0 + mc) and depth [p0, p0 + kc) of op(A) into ⌈mc/mr⌉ panels of kc×mr: panel q holds, for
    /// each p, the mr values A(i0 + q·mr + r, p0 + p), zero for rows past mc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(T* a, int m, int k, bool transposeA, int i0, int mc, int p0, int kc, int mr, T* dst)
        where T : unmanaged
    {
        for (int q = 0; q < mc; q += mr)
        {
            int rows = Math.Min(mr, mc - q);
            T* panel = dst + (nint)q * kc;
            if (transposeA)
            {
                // Each depth step reads one contiguous run of rows: a plain copy per p.
                T* src = a + (nint)p0 * m + i0 + q;
                for (int p = 0; p < kc; p++, src += m, panel += mr)
                    CopyPadded(src, rows, panel, mr);
            }
            else
            {
                TransposeInto(a + (nint)(i0 + q) * k + p0, k, rows, kc, panel, mr);
            }
        }
    }

    /// <summary>
    /// Packs depth [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ⌈nc/nr⌉ panels of kc×nr: panel q holds,
    /// for each p, the nr values B(p0 + p, j0 + q·nr + j), zero for columns past nc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(T* b, int k, int n, bool transposeB, int p0, int kc, int j0, int nc, int nr, T* dst)
        where T : unmanaged
    {
        for (int q = 0; q < nc; q += nr)
        {
            int cols = Math.Min(nr, nc - q);
            T* panel = dst + (nint)q * kc;
            if (!transposeB)
            {
                T* src = b + (nint)p0 * n + j0 + q;
                for (int p = 0; p < kc; p++, src += n, panel += nr)
                {
                    new ReadOnlySpan<T>(src, cols).CopyTo(new Span<T>(panel, cols));
                    if (cols < nr)
                        new Span<T>(panel + cols, nr - cols).Clear();
                }
            }
            else
            {
                TransposeInto(b + (nint)(j0 + q) * k + p0, k, cols, kc, panel, nr);
            }
        }
    }

    /// <summary>
    /// dst = the <paramref name="cols"/> / nr full-width micro-panels (kc × nr each, panel q at dst + q·kc·nr) of a
    /// row-major B whose rows are <paramref name="n"/> apart, read row by row: each source row is one contiguous run,
    /// which the hardware prefetchers follow, where panel-by-panel copies read 64-byte pieces n apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanelsByRow<T>(T* src, nint n, int kc, int cols, int nr, T* dst)
        where T : unmanaged
    {
        int bytes = nr * sizeof(T);
        nint panelStride = (nint)kc * nr;
        for (int p = 0; p < kc; p++, src += n, dst += nr)
        {
            T* d = dst;
            for (int q = 0; q < cols; q += nr, d += panelStride)
            {
                if (Vector256.IsHardwareAccelerated && bytes % 32 == 0)
                {
                    for (int offset = 0; offset < bytes; offset += 32)
                        Vector256.Load((byte*)(src + q) + offset).Store((byte*)d + offset);
                }
                else
                {
                    new ReadOnlySpan<T>(src + q, nr).CopyTo(new Span<T>(d, nr));
                }
            }
        }
    }

    /// <summary>
    /// Writes <c>panel[p·width + r] = src[r·stride + p]</c> for r &lt; rows, p &lt; kc, and zeros for rows up to
    /// width: the transposing copy behind row-major A and transposed B. Blocks of 4 rows × 4 depths (float) or
    /// 2 × 2 (double) are transposed in SSE registers, turning four strided scalar stores into one vector store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeInto<T>(T* src, nint stride, int rows, int kc, T* panel, int width)
        where T : unmanaged
    {
        int r = 0;
        if (typeof(T) == typeof(float) && Sse.IsSupported)
        {
            for (; r + 4 <= rows; r += 4)
            {
                float* s0 = (float*)(src + r * stride), s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
                float* d = (float*)(panel + r);
                int p = 0;
                for (; p + 4 <= kc; p += 4, d += 4 * width)
                {
                    Vector128<float> r0 = Sse.LoadVector128(s0 + p), r1 = Sse.LoadVector128(s1 + p);
                    Vector128<float> r2 = Sse.LoadVector128(s2 + p), r3 = Sse.LoadVector128(s3 + p);
                    Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
                    Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
                    Sse.Store(d, Sse.MoveLowToHigh(t0, t1));
                    Sse.Store(d + width, Sse.MoveHighToLow(t1, t0));
                    Sse.Store(d + 2 * width, Sse.MoveLowToHigh(t2, t3));
                    Sse.Store(d + 3 * width, Sse.MoveHighToLow(t3, t2));
                }
                for (; p < kc; p++, d += width)
                {
                    d[0] = s0[p];
                    d[1] = s1[p];
                    d[2] = s2[p];
                    d[3] = s3[p];
                }
            }
        }
        else if (typeof(T) == typeof(double) && Sse2.IsSupported)
        {
            for (; r + 2 <= rows; r += 2)
            {
                double* s0 = (double*)(src + r * stride), s1 = s0 + stride;
                double* d = (double*)(panel + r);
                int p = 0;
                for (; p + 2 <= kc; p += 2, d += 2 * width)
                {
                    Vector128<double> r0 = Sse2.LoadVector128(s0 + p), r1 = Sse2.LoadVector128(s1 + p);
                    Sse2.Store(d, Sse2.UnpackLow(r0, r1));
                    Sse2.Store(d + width, Sse2.UnpackHigh(r0, r1));
                }
                for (; p < kc; p++, d += width)
                {
                    d[0] = s0[p];
                    d[1] = s1[p];
                }
            }
        }
        for (; r < rows; r++)
        {
            T* s = src + r * stride;
            T* d = panel + r;
            for (int p = 0; p < kc; p++, d += width)
                *d = s[p];
        }
        for (; r < width; r++)
        {
            T* d = panel + r;
            for (int p = 0; p < kc; p++, d += width)
                *d = default;
        }
    }

    /// <summary>Copies <paramref name="count"/> elements and zero-fills up to <paramref name="width"/>, in 128-bit chunks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded<T>(T* src, int count, T* dst, int width)
        where T : unmanaged
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<T>.Count <= count; i += Vector128<T>.Count)
                Vector128.Load(src + i).Store(dst + i);
        }
        for (; i < count; i++)
            dst[i] = src[i];
        for (; i < width; i++)
            dst[i] = default;
    }
}
