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
