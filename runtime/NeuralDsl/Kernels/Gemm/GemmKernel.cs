using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// Register-blocked micro-kernels: an MR×(2 vectors) tile of C held entirely in registers while the packed
/// panels stream through, one broadcast of A and one fused multiply-add per accumulator per k step. With
/// 512-bit registers the 12×2 tile uses 24 accumulators + 2 B vectors + 1 broadcast of the 32 ZMM registers,
/// enough independent FMA chains to cover the FMA latency on Zen 4 (4 cycles, one 512-bit FMA per cycle).
/// The 6×2 tile fits the 16 registers of AVX2.
/// </summary>
internal static unsafe class GemmKernel
{
    /// <summary>Rows of the wide-register micro-tile.</summary>
    public const int WideRows = 12;

    /// <summary>Rows of the narrow-register micro-tile.</summary>
    public const int NarrowRows = 6;

    /// <summary>C[12×2w] (+)= Apanel[kc×12]ᵀ·Bpanel[kc×2w]; A packed, B rows <paramref name="ldb"/> apart (2w when packed, n when read in place), C rows <paramref name="ldc"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel12x2<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c00 = TS.Zero, c01 = TS.Zero;
        TVec c10 = TS.Zero, c11 = TS.Zero;
        TVec c20 = TS.Zero, c21 = TS.Zero;
        TVec c30 = TS.Zero, c31 = TS.Zero;
        TVec c40 = TS.Zero, c41 = TS.Zero;
        TVec c50 = TS.Zero, c51 = TS.Zero;
        TVec c60 = TS.Zero, c61 = TS.Zero;
        TVec c70 = TS.Zero, c71 = TS.Zero;
        TVec c80 = TS.Zero, c81 = TS.Zero;
        TVec c90 = TS.Zero, c91 = TS.Zero;
        TVec c100 = TS.Zero, c101 = TS.Zero;
        TVec c110 = TS.Zero, c111 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = TS.Load(b);
            TVec b1 = TS.Load(b + w);
            TVec a0 = TS.Broadcast(a + 0);
            c00 = TS.Fma(a0, b0, c00);
            c01 = TS.Fma(a0, b1, c01);
            TVec a1 = TS.Broadcast(a + 1);
            c10 = TS.Fma(a1, b0, c10);
            c11 = TS.Fma(a1, b1, c11);
            TVec a2 = TS.Broadcast(a + 2);
            c20 = TS.Fma(a2, b0, c20);
            c21 = TS.Fma(a2, b1, c21);
            TVec a3 = TS.Broadcast(a + 3);
            c30 = TS.Fma(a3, b0, c30);
            c31 = TS.Fma(a3, b1, c31);
            TVec a4 = TS.Broadcast(a + 4);
            c40 = TS.Fma(a4, b0, c40);
            c41 = TS.Fma(a4, b1, c41);
            TVec a5 = TS.Broadcast(a + 5);
            c50 = TS.Fma(a5, b0, c50);
            c51 = TS.Fma(a5, b1, c51);
            TVec a6 = TS.Broadcast(a + 6);
            c60 = TS.Fma(a6, b0, c60);
            c61 = TS.Fma(a6, b1, c61);
            TVec a7 = TS.Broadcast(a + 7);
            c70 = TS.Fma(a7, b0, c70);
            c71 = TS.Fma(a7, b1, c71);
            TVec a8 = TS.Broadcast(a + 8);
            c80 = TS.Fma(a8, b0, c80);
            c81 = TS.Fma(a8, b1, c81);
            TVec a9 = TS.Broadcast(a + 9);
            c90 = TS.Fma(a9, b0, c90);
            c91 = TS.Fma(a9, b1, c91);
            TVec a10 = TS.Broadcast(a + 10);
            c100 = TS.Fma(a10, b0, c100);
            c101 = TS.Fma(a10, b1, c101);
            TVec a11 = TS.Broadcast(a + 11);
            c110 = TS.Fma(a11, b0, c110);
            c111 = TS.Fma(a11, b1, c111);
            a += 12;
            b += ldb;
        }
        if (accumulate)
        {
            WriteAdd<TS, TVec, T>(c + 0 * ldc, w, c00, c01);
            WriteAdd<TS, TVec, T>(c + 1 * ldc, w, c10, c11);
            WriteAdd<TS, TVec, T>(c + 2 * ldc, w, c20, c21);
            WriteAdd<TS, TVec, T>(c + 3 * ldc, w, c30, c31);
            WriteAdd<TS, TVec, T>(c + 4 * ldc, w, c40, c41);
            WriteAdd<TS, TVec, T>(c + 5 * ldc, w, c50, c51);
            WriteAdd<TS, TVec, T>(c + 6 * ldc, w, c60, c61);
            WriteAdd<TS, TVec, T>(c + 7 * ldc, w, c70, c71);
            WriteAdd<TS, TVec, T>(c + 8 * ldc, w, c80, c81);
            WriteAdd<TS, TVec, T>(c + 9 * ldc, w, c90, c91);
            WriteAdd<TS, TVec, T>(c + 10 * ldc, w, c100, c101);
            WriteAdd<TS, TVec, T>(c + 11 * ldc, w, c110, c111);
        }
        else
        {
            Write<TS, TVec, T>(c + 0 * ldc, w, c00, c01);
            Write<TS, TVec, T>(c + 1 * ldc, w, c10, c11);
            Write<TS, TVec, T>(c + 2 * ldc, w, c20, c21);
            Write<TS, TVec, T>(c + 3 * ldc, w, c30, c31);
            Write<TS, TVec, T>(c + 4 * ldc, w, c40, c41);
            Write<TS, TVec, T>(c + 5 * ldc, w, c50, c51);
            Write<TS, TVec, T>(c + 6 * ldc, w, c60, c61);
            Write<TS, TVec, T>(c + 7 * ldc, w, c70, c71);
            Write<TS, TVec, T>(c + 8 * ldc, w, c80, c81);
            Write<TS, TVec, T>(c + 9 * ldc, w, c90, c91);
            Write<TS, TVec, T>(c + 10 * ldc, w, c100, c101);
            Write<TS, TVec, T>(c + 11 * ldc, w, c110, c111);
        }
    }

    /// <summary>C[6×2w] (+)= Apanel[kc×6]ᵀ·Bpanel[kc×2w]; A packed, B rows <paramref name="ldb"/> apart (2w when packed, n when read in place), C rows <paramref name="ldc"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x2<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c00 = TS.Zero, c01 = TS.Zero;
        TVec c10 = TS.Zero, c11 = TS.Zero;
        TVec c20 = TS.Zero, c21 = TS.Zero;
        TVec c30 = TS.Zero, c31 = TS.Zero;
        TVec c40 = TS.Zero, c41 = TS.Zero;
        TVec c50 = TS.Zero, c51 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = TS.Load(b);
            TVec b1 = TS.Load(b + w);
            TVec a0 = TS.Broadcast(a + 0);
            c00 = TS.Fma(a0, b0, c00);
            c01 = TS.Fma(a0, b1, c01);
            TVec a1 = TS.Broadcast(a + 1);
            c10 = TS.Fma(a1, b0, c10);
            c11 = TS.Fma(a1, b1, c11);
            TVec a2 = TS.Broadcast(a + 2);
            c20 = TS.Fma(a2, b0, c20);
            c21 = TS.Fma(a2, b1, c21);
            TVec a3 = TS.Broadcast(a + 3);
            c30 = TS.Fma(a3, b0, c30);
            c31 = TS.Fma(a3, b1, c31);
            TVec a4 = TS.Broadcast(a + 4);
            c40 = TS.Fma(a4, b0, c40);
            c41 = TS.Fma(a4, b1, c41);
            TVec a5 = TS.Broadcast(a + 5);
            c50 = TS.Fma(a5, b0, c50);
            c51 = TS.Fma(a5, b1, c51);
            a += 6;
            b += ldb;
        }
        if (accumulate)
        {
            WriteAdd<TS, TVec, T>(c + 0 * ldc, w, c00, c01);
            WriteAdd<TS, TVec, T>(c + 1 * ldc, w, c10, c11);
            WriteAdd<TS, TVec, T>(c + 2 * ldc, w, c20, c21);
            WriteAdd<TS, TVec, T>(c + 3 * ldc, w, c30, c31);
            WriteAdd<TS, TVec, T>(c + 4 * ldc, w, c40, c41);
            WriteAdd<TS, TVec, T>(c + 5 * ldc, w, c50, c51);
        }
        else
        {
            Write<TS, TVec, T>(c + 0 * ldc, w, c00, c01);
            Write<TS, TVec, T>(c + 1 * ldc, w, c10, c11);
            Write<TS, TVec, T>(c + 2 * ldc, w, c20, c21);
            Write<TS, TVec, T>(c + 3 * ldc, w, c30, c31);
            Write<TS, TVec, T>(c + 4 * ldc, w, c40, c41);
            Write<TS, TVec, T>(c + 5 * ldc, w, c50, c51);
        }
    }

    /// <summary>
    /// C[12×w] (+)= Apanel[kc×12]ᵀ·Bpanel[kc×w]: <see cref="Kernel12x2"/> on the first register of columns only, for a
    /// ragged last panel of at most one register of columns (half the multiply-adds of the full tile). Each element
    /// is the same chain of fused multiply-adds over p as in the full tile, so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel12x1<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero, c4 = TS.Zero, c5 = TS.Zero;
        TVec c6 = TS.Zero, c7 = TS.Zero, c8 = TS.Zero, c9 = TS.Zero, c10 = TS.Zero, c11 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = TS.Load(b);
            c0 = TS.Fma(TS.Broadcast(a + 0), b0, c0);
            c1 = TS.Fma(TS.Broadcast(a + 1), b0, c1);
            c2 = TS.Fma(TS.Broadcast(a + 2), b0, c2);
            c3 = TS.Fma(TS.Broadcast(a + 3), b0, c3);
            c4 = TS.Fma(TS.Broadcast(a + 4), b0, c4);
            c5 = TS.Fma(TS.Broadcast(a + 5), b0, c5);
            c6 = TS.Fma(TS.Broadcast(a + 6), b0, c6);
            c7 = TS.Fma(TS.Broadcast(a + 7), b0, c7);
            c8 = TS.Fma(TS.Broadcast(a + 8), b0, c8);
            c9 = TS.Fma(TS.Broadcast(a + 9), b0, c9);
            c10 = TS.Fma(TS.Broadcast(a + 10), b0, c10);
            c11 = TS.Fma(TS.Broadcast(a + 11), b0, c11);
            a += 12;
            b += ldb;
        }
        WriteOne<TS, TVec, T>(c + 0 * ldc, c0, accumulate);
        WriteOne<TS, TVec, T>(c + 1 * ldc, c1, accumulate);
        WriteOne<TS, TVec, T>(c + 2 * ldc, c2, accumulate);
        WriteOne<TS, TVec, T>(c + 3 * ldc, c3, accumulate);
        WriteOne<TS, TVec, T>(c + 4 * ldc, c4, accumulate);
        WriteOne<TS, TVec, T>(c + 5 * ldc, c5, accumulate);
        WriteOne<TS, TVec, T>(c + 6 * ldc, c6, accumulate);
        WriteOne<TS, TVec, T>(c + 7 * ldc, c7, accumulate);
        WriteOne<TS, TVec, T>(c + 8 * ldc, c8, accumulate);
        WriteOne<TS, TVec, T>(c + 9 * ldc, c9, accumulate);
        WriteOne<TS, TVec, T>(c + 10 * ldc, c10, accumulate);
        WriteOne<TS, TVec, T>(c + 11 * ldc, c11, accumulate);
    }

    /// <summary>
    /// C[6×w] (+)= Apanel[kc×6]ᵀ·Bpanel[kc×w]: <see cref="Kernel6x2"/> on the first register of columns only, for a
    /// ragged last panel of at most one register of columns (half the multiply-adds of the full tile). Each element
    /// is the same chain of fused multiply-adds over p as in the full tile, so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x1<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero, c4 = TS.Zero, c5 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = TS.Load(b);
            c0 = TS.Fma(TS.Broadcast(a + 0), b0, c0);
            c1 = TS.Fma(TS.Broadcast(a + 1), b0, c1);
            c2 = TS.Fma(TS.Broadcast(a + 2), b0, c2);
            c3 = TS.Fma(TS.Broadcast(a + 3), b0, c3);
            c4 = TS.Fma(TS.Broadcast(a + 4), b0, c4);
            c5 = TS.Fma(TS.Broadcast(a + 5), b0, c5);
            a += 6;
            b += ldb;
        }
        WriteOne<TS, TVec, T>(c + 0 * ldc, c0, accumulate);
        WriteOne<TS, TVec, T>(c + 1 * ldc, c1, accumulate);
        WriteOne<TS, TVec, T>(c + 2 * ldc, c2, accumulate);
        WriteOne<TS, TVec, T>(c + 3 * ldc, c3, accumulate);
        WriteOne<TS, TVec, T>(c + 4 * ldc, c4, accumulate);
        WriteOne<TS, TVec, T>(c + 5 * ldc, c5, accumulate);
    }

    /// <summary>Rows of <see cref="Kernel3x2"/>, the tile of a ragged last panel of few rows.</summary>
    public const int EdgeRows = 3;

    /// <summary>
    /// C[3×2w] (+)= the first three rows of Apanel[kc×<paramref name="aStride"/>]ᵀ·Bpanel[kc×2w]: a ragged last panel of
    /// at most three rows (the last 2 of 32) without the multiply-adds of the padded rows. Each element is the same
    /// chain of fused multiply-adds over p as in the full tiles, so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel3x2<TS, TVec, T>(int kc, T* a, int aStride, T* b, nint ldb, T* c, nint ldc, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c00 = TS.Zero, c01 = TS.Zero;
        TVec c10 = TS.Zero, c11 = TS.Zero;
        TVec c20 = TS.Zero, c21 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = TS.Load(b);
            TVec b1 = TS.Load(b + w);
            TVec a0 = TS.Broadcast(a + 0);
            c00 = TS.Fma(a0, b0, c00);
            c01 = TS.Fma(a0, b1, c01);
            TVec a1 = TS.Broadcast(a + 1);
            c10 = TS.Fma(a1, b0, c10);
            c11 = TS.Fma(a1, b1, c11);
            TVec a2 = TS.Broadcast(a + 2);
            c20 = TS.Fma(a2, b0, c20);
            c21 = TS.Fma(a2, b1, c21);
            a += aStride;
            b += ldb;
        }
        WriteOne<TS, TVec, T>(c + 0 * ldc, c00, accumulate);
        WriteOne<TS, TVec, T>(c + 0 * ldc + w, c01, accumulate);
        WriteOne<TS, TVec, T>(c + 1 * ldc, c10, accumulate);
        WriteOne<TS, TVec, T>(c + 1 * ldc + w, c11, accumulate);
        WriteOne<TS, TVec, T>(c + 2 * ldc, c20, accumulate);
        WriteOne<TS, TVec, T>(c + 2 * ldc + w, c21, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteOne<TS, TVec, T>(T* c, TVec v, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TS.Store(c, accumulate ? TS.Add(TS.Load(c), v) : v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<TS, TVec, T>(T* c, int w, TVec v0, TVec v1)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TS.Store(c, v0);
        TS.Store(c + w, v1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteAdd<TS, TVec, T>(T* c, int w, TVec v0, TVec v1)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TS.Store(c, TS.Add(TS.Load(c), v0));
        TS.Store(c + w, TS.Add(TS.Load(c + w), v1));
    }
}
