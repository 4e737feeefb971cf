using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The Winograd products m [tiles, F] = v [tiles, C]·u [C, F] read in place: v and u are already row-major and
/// contiguous, so with 512-bit registers and F a multiple of four vectors (or, without AVX-512, 256-bit registers and
/// F a multiple of two vectors) the register tiles read them directly instead of packing them as <see cref="Gemm"/>
/// must for arbitrary operands: a product here is short (a few to a few hundred tiles) and shallow (C), so packing
/// would be a large share of it. Other shapes go to <see cref="Gemm"/>. Each element of m is one chain of fused multiply-adds over c = 0 … C − 1, so the result
/// does not depend on how the rows are blocked.
/// </summary>
// See docs/kernels.md#winograd-products-in-place
internal static unsafe class ConvolutionWinogradProduct
{
    /// <summary>m [rows, F] = v [rows, C]·u [C, F] (overwritten); rows, C and F are positive.</summary>
    public static void Multiply<T>(T* v, T* u, T* m, int rows, int depth, int filters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated && filters % (4 * Vector512<T>.Count) == 0)
            InPlace<GemmSimd512<T>, Vector512<T>, T>(v, u, m, rows, depth, filters);
        else if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && filters % (2 * Vector256<T>.Count) == 0)
            InPlaceNarrow<GemmSimd256<T>, Vector256<T>, T>(v, u, m, rows, depth, filters);
        else
            Gemm.MultiplyUnchecked(v, u, m, rows, depth, filters, false, false, false);
    }

    /// <summary>Panels of four vectors of filters; in each, blocks of 6, then 3, then single rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InPlace<TS, TVec, T>(T* v, T* u, T* m, int rows, int depth, int filters)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int panel = 4 * TS.Count;
        for (int column = 0; column < filters; column += panel)
        {
            int row = 0;
            for (; row + 6 <= rows; row += 6)
                Rows6<TS, TVec, T>(v + (nint)row * depth, depth, u + column, filters, m + (nint)row * filters + column);
            if (row + 3 <= rows)
            {
                Rows3<TS, TVec, T>(v + (nint)row * depth, depth, u + column, filters, m + (nint)row * filters + column);
                row += 3;
            }
            for (; row < rows; row++)
                Row1<TS, TVec, T>(v + (nint)row * depth, depth, u + column, filters, m + (nint)row * filters + column);
        }
    }

    /// <summary>
    /// The 16-register form (AVX2): panels of two vectors of filters; in each, blocks of 6 rows (12 accumulators, 2
    /// loads of u and 6 broadcasts of v per step of C, as <see cref="GemmKernel"/>'s 6×2 tile), then 3, then single rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InPlaceNarrow<TS, TVec, T>(T* v, T* u, T* m, int rows, int depth, int filters)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int panel = 2 * TS.Count;
        for (int column = 0; column < filters; column += panel)
        {
            int row = 0;
            for (; row + 6 <= rows; row += 6)
                Rows6Narrow<TS, TVec, T>(v + (nint)row * depth, depth, u + column, filters, m + (nint)row * filters + column);
            if (row + 3 <= rows)
            {
                Rows3Narrow<TS, TVec, T>(v + (nint)row * depth, depth, u + column, filters, m + (nint)row * filters + column);
                row += 3;
            }
            for (; row < rows; row++)
                Row1Narrow<TS, TVec, T>(v + (nint)row * depth, depth, u + column, filters, m + (nint)row * filters + column);
        }
    }

    /// <summary>Six rows × two vectors: 12 accumulators, 2 loads of u and 6 broadcasts of v per step of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows6Narrow<TS, TVec, T>(T* v, int depth, T* u, nint filters, T* m)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        T* v3 = v + 3 * (nint)depth;
        nint rowStep = depth;
        TVec c00 = TS.Zero, c01 = TS.Zero, c10 = TS.Zero, c11 = TS.Zero, c20 = TS.Zero, c21 = TS.Zero;
        TVec c30 = TS.Zero, c31 = TS.Zero, c40 = TS.Zero, c41 = TS.Zero, c50 = TS.Zero, c51 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TVec b0 = TS.Load(u), b1 = TS.Load(u + w);
            TVec a = TS.Broadcast(v + p);
            c00 = TS.Fma(a, b0, c00); c01 = TS.Fma(a, b1, c01);
            a = TS.Broadcast(v + rowStep + p);
            c10 = TS.Fma(a, b0, c10); c11 = TS.Fma(a, b1, c11);
            a = TS.Broadcast(v + 2 * rowStep + p);
            c20 = TS.Fma(a, b0, c20); c21 = TS.Fma(a, b1, c21);
            a = TS.Broadcast(v3 + p);
            c30 = TS.Fma(a, b0, c30); c31 = TS.Fma(a, b1, c31);
            a = TS.Broadcast(v3 + rowStep + p);
            c40 = TS.Fma(a, b0, c40); c41 = TS.Fma(a, b1, c41);
            a = TS.Broadcast(v3 + 2 * rowStep + p);
            c50 = TS.Fma(a, b0, c50); c51 = TS.Fma(a, b1, c51);
            u += filters;
        }
        TS.Store(m, c00); TS.Store(m + w, c01);
        TS.Store(m + filters, c10); TS.Store(m + filters + w, c11);
        TS.Store(m + 2 * filters, c20); TS.Store(m + 2 * filters + w, c21);
        TS.Store(m + 3 * filters, c30); TS.Store(m + 3 * filters + w, c31);
        TS.Store(m + 4 * filters, c40); TS.Store(m + 4 * filters + w, c41);
        TS.Store(m + 5 * filters, c50); TS.Store(m + 5 * filters + w, c51);
    }

    /// <summary>Three rows × two vectors: the tail of a block of rows (6 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows3Narrow<TS, TVec, T>(T* v, int depth, T* u, nint filters, T* m)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        nint rowStep = depth;
        TVec c00 = TS.Zero, c01 = TS.Zero, c10 = TS.Zero, c11 = TS.Zero, c20 = TS.Zero, c21 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TVec b0 = TS.Load(u), b1 = TS.Load(u + w);
            TVec a = TS.Broadcast(v + p);
            c00 = TS.Fma(a, b0, c00); c01 = TS.Fma(a, b1, c01);
            a = TS.Broadcast(v + rowStep + p);
            c10 = TS.Fma(a, b0, c10); c11 = TS.Fma(a, b1, c11);
            a = TS.Broadcast(v + 2 * rowStep + p);
            c20 = TS.Fma(a, b0, c20); c21 = TS.Fma(a, b1, c21);
            u += filters;
        }
        TS.Store(m, c00); TS.Store(m + w, c01);
        TS.Store(m + filters, c10); TS.Store(m + filters + w, c11);
        TS.Store(m + 2 * filters, c20); TS.Store(m + 2 * filters + w, c21);
    }

    /// <summary>One row × two vectors: the last one or two rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row1Narrow<TS, TVec, T>(T* v, int depth, T* u, nint filters, T* m)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c0 = TS.Zero, c1 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TVec a = TS.Broadcast(v + p);
            c0 = TS.Fma(a, TS.Load(u), c0);
            c1 = TS.Fma(a, TS.Load(u + w), c1);
            u += filters;
        }
        TS.Store(m, c0);
        TS.Store(m + w, c1);
    }

    /// <summary>Six rows × four vectors: 24 accumulators, 4 loads of u and 6 broadcasts of v per step of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows6<TS, TVec, T>(T* v, int depth, T* u, nint filters, T* m)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        T* v3 = v + 3 * (nint)depth;
        nint rowStep = depth;
        TVec c00 = TS.Zero, c01 = TS.Zero, c02 = TS.Zero, c03 = TS.Zero;
        TVec c10 = TS.Zero, c11 = TS.Zero, c12 = TS.Zero, c13 = TS.Zero;
        TVec c20 = TS.Zero, c21 = TS.Zero, c22 = TS.Zero, c23 = TS.Zero;
        TVec c30 = TS.Zero, c31 = TS.Zero, c32 = TS.Zero, c33 = TS.Zero;
        TVec c40 = TS.Zero, c41 = TS.Zero, c42 = TS.Zero, c43 = TS.Zero;
        TVec c50 = TS.Zero, c51 = TS.Zero, c52 = TS.Zero, c53 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TVec b0 = TS.Load(u), b1 = TS.Load(u + w), b2 = TS.Load(u + 2 * w), b3 = TS.Load(u + 3 * w);
            TVec a = TS.Broadcast(v + p);
            c00 = TS.Fma(a, b0, c00); c01 = TS.Fma(a, b1, c01); c02 = TS.Fma(a, b2, c02); c03 = TS.Fma(a, b3, c03);
            a = TS.Broadcast(v + rowStep + p);
            c10 = TS.Fma(a, b0, c10); c11 = TS.Fma(a, b1, c11); c12 = TS.Fma(a, b2, c12); c13 = TS.Fma(a, b3, c13);
            a = TS.Broadcast(v + 2 * rowStep + p);
            c20 = TS.Fma(a, b0, c20); c21 = TS.Fma(a, b1, c21); c22 = TS.Fma(a, b2, c22); c23 = TS.Fma(a, b3, c23);
            a = TS.Broadcast(v3 + p);
            c30 = TS.Fma(a, b0, c30); c31 = TS.Fma(a, b1, c31); c32 = TS.Fma(a, b2, c32); c33 = TS.Fma(a, b3, c33);
            a = TS.Broadcast(v3 + rowStep + p);
            c40 = TS.Fma(a, b0, c40); c41 = TS.Fma(a, b1, c41); c42 = TS.Fma(a, b2, c42); c43 = TS.Fma(a, b3, c43);
            a = TS.Broadcast(v3 + 2 * rowStep + p);
            c50 = TS.Fma(a, b0, c50); c51 = TS.Fma(a, b1, c51); c52 = TS.Fma(a, b2, c52); c53 = TS.Fma(a, b3, c53);
            u += filters;
        }
        Store<TS, TVec, T>(m, w, c00, c01, c02, c03);
        Store<TS, TVec, T>(m + filters, w, c10, c11, c12, c13);
        Store<TS, TVec, T>(m + 2 * filters, w, c20, c21, c22, c23);
        Store<TS, TVec, T>(m + 3 * filters, w, c30, c31, c32, c33);
        Store<TS, TVec, T>(m + 4 * filters, w, c40, c41, c42, c43);
        Store<TS, TVec, T>(m + 5 * filters, w, c50, c51, c52, c53);
    }

    /// <summary>Three rows × four vectors: the tail of a block of rows (12 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows3<TS, TVec, T>(T* v, int depth, T* u, nint filters, T* m)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        nint rowStep = depth;
        TVec c00 = TS.Zero, c01 = TS.Zero, c02 = TS.Zero, c03 = TS.Zero;
        TVec c10 = TS.Zero, c11 = TS.Zero, c12 = TS.Zero, c13 = TS.Zero;
        TVec c20 = TS.Zero, c21 = TS.Zero, c22 = TS.Zero, c23 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TVec b0 = TS.Load(u), b1 = TS.Load(u + w), b2 = TS.Load(u + 2 * w), b3 = TS.Load(u + 3 * w);
            TVec a = TS.Broadcast(v + p);
            c00 = TS.Fma(a, b0, c00); c01 = TS.Fma(a, b1, c01); c02 = TS.Fma(a, b2, c02); c03 = TS.Fma(a, b3, c03);
            a = TS.Broadcast(v + rowStep + p);
            c10 = TS.Fma(a, b0, c10); c11 = TS.Fma(a, b1, c11); c12 = TS.Fma(a, b2, c12); c13 = TS.Fma(a, b3, c13);
            a = TS.Broadcast(v + 2 * rowStep + p);
            c20 = TS.Fma(a, b0, c20); c21 = TS.Fma(a, b1, c21); c22 = TS.Fma(a, b2, c22); c23 = TS.Fma(a, b3, c23);
            u += filters;
        }
        Store<TS, TVec, T>(m, w, c00, c01, c02, c03);
        Store<TS, TVec, T>(m + filters, w, c10, c11, c12, c13);
        Store<TS, TVec, T>(m + 2 * filters, w, c20, c21, c22, c23);
    }

    /// <summary>One row × four vectors: the last one or two rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row1<TS, TVec, T>(T* v, int depth, T* u, nint filters, T* m)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TVec a = TS.Broadcast(v + p);
            c0 = TS.Fma(a, TS.Load(u), c0);
            c1 = TS.Fma(a, TS.Load(u + w), c1);
            c2 = TS.Fma(a, TS.Load(u + 2 * w), c2);
            c3 = TS.Fma(a, TS.Load(u + 3 * w), c3);
            u += filters;
        }
        Store<TS, TVec, T>(m, w, c0, c1, c2, c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TS, TVec, T>(T* m, int w, TVec c0, TVec c1, TVec c2, TVec c3)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TS.Store(m, c0);
        TS.Store(m + w, c1);
        TS.Store(m + 2 * w, c2);
        TS.Store(m + 3 * w, c3);
    }
}
