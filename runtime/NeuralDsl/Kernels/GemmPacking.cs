using System;

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
                {
                    int r = 0;
                    for (; r < rows; r++)
                        panel[r] = src[r];
                    for (; r < mr; r++)
                        panel[r] = default;
                }
            }
            else
            {
                // Row-major A: walk each source row sequentially and scatter with stride mr (the panel is in L1).
                for (int r = 0; r < rows; r++)
                {
                    T* src = a + (nint)(i0 + q + r) * k + p0;
                    T* d = panel + r;
                    for (int p = 0; p < kc; p++, d += mr)
                        *d = src[p];
                }
                for (int r = rows; r < mr; r++)
                {
                    T* d = panel + r;
                    for (int p = 0; p < kc; p++, d += mr)
                        *d = default;
                }
            }
        }
    }

    /// <summary>
    /// Packs depth [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ⌈nc/nr⌉ panels of kc×nr: panel q holds,
    /// for each p, the nr values B(p0 + p, j0 + q·nr + j), zero for columns past nc.
    /// </summary>
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
                for (int j = 0; j < cols; j++)
                {
                    T* src = b + (nint)(j0 + q + j) * k + p0;
                    T* d = panel + j;
                    for (int p = 0; p < kc; p++, d += nr)
                        *d = src[p];
                }
                for (int j = cols; j < nr; j++)
                {
                    T* d = panel + j;
                    for (int p = 0; p < kc; p++, d += nr)
                        *d = default;
                }
            }
        }
    }
}
