using System;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// The row-vector × matrix product <c>c[1×n] (+)= a[1×k]·B[k×n]</c> (B row-major), the per-step recurrent product
/// of a batch-1 LSTM or GRU. Eight vectors of C stay in registers while h[p] is broadcast and row p of B is streamed,
/// so there are eight independent FMA chains instead of the four of the few-rows kernels, and a ragged last group of
/// columns is one masked pass of up to eight vectors rather than a pass per vector.
/// </summary>
/// <remarks>
/// Every element is summed exactly as the blocked product sums the same row in a larger batch: one FMA chain per
/// element, depth in order, restarted per depth block of <see cref="GemmBlocked.DepthBytes"/> bytes, each block's sum
/// added to C in turn (when the blocked product would be used, i.e. k and n at least <see cref="Gemm.SmallDimension"/>;
/// otherwise one chain over the whole depth, as the few-rows kernels do). So a row's result does not depend on
/// whether it was computed alone or in a batch of 5 or more rows (without the two-thread depth split).
/// </remarks>
internal static unsafe class GemmRow
{
    /// <summary>Vectors of C held in registers per pass.</summary>
    private const int Vectors = 8;

    /// <summary>
    /// c[1×n] (+)= a[1×k]·b[k×n]; <paramref name="depthBlock"/> is the depth after which the chains restart. With
    /// <paramref name="backward"/> the column passes of each depth block run from the last to the first: every element
    /// is summed the same way (same bits), but a caller that alternates the direction on consecutive calls with the
    /// same B (a recurrent step) starts each call on the columns the previous one read last, which are still in L1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TS, TVec, T>(T* a, T* b, T* c, int k, int n, bool add, int depthBlock, bool backward = false)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int span = Vectors * TS.Count;
        if (AlignedShift<TS, TVec, T>(b, n) is var shift and > 0 && n - shift >= 2 * span)
        {
            MultiplyAligned<TS, TVec, T>(a, b, c, k, n, add, depthBlock, backward, shift);
            return;
        }
        // The passes: `full` passes of eight vectors from column 0, then the rest from column `restAt`: a ninth, masked
        // chain joined to the last full pass when at most one vector would be left (`ninth` columns), else the
        // narrowest masked pass that covers it (loading and multiplying vectors that are all mask would cost as much
        // as useful ones: n = 200 floats leaves one vector, not eight).
        int full = 0, ninth = 0;
        for (int j = 0; j + span <= n; j += span)
        {
            if (n - j - span is > 0 and var last && last <= TS.Count)
            {
                ninth = last;
                break;
            }
            full++;
        }
        int restAt = full * span;
        for (int p0 = 0; p0 < k; p0 += depthBlock)
        {
            int kc = Math.Min(depthBlock, k - p0);
            // Later depth blocks add to what the first one wrote.
            bool addBlock = add || p0 > 0;
            T* ab = a + p0;
            T* bb = b + (nint)p0 * n;
            if (backward)
            {
                Rest<TS, TVec, T>(kc, ab, bb + restAt, n, c + restAt, n - restAt, ninth, addBlock);
                for (int q = full - 1; q >= 0; q--)
                    Vectors8<TS, TVec, T>(kc, ab, bb + q * span, n, c + q * span, addBlock);
            }
            else
            {
                for (int q = 0; q < full; q++)
                    Vectors8<TS, TVec, T>(kc, ab, bb + q * span, n, c + q * span, addBlock);
                Rest<TS, TVec, T>(kc, ab, bb + restAt, n, c + restAt, n - restAt, ninth, addBlock);
            }
        }
    }

    /// <summary>
    /// The columns before B's first vector-aligned one (0 when B is aligned, or when its rows do not all share one
    /// alignment, or the element does not divide the vector): with every row on the same phase, starting the passes
    /// there keeps their loads inside cache lines (a 200-float row of a B at 16 or 8 bytes past a 32-byte boundary split
    /// about half of them, ~3 µs per LSTM(50) sequence).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AlignedShift<TS, TVec, T>(T* b, int n)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int bytes = TS.Count * sizeof(T);
        nint misaligned = (nint)b & (bytes - 1);
        if (misaligned == 0 || misaligned % sizeof(T) != 0 || (long)n * sizeof(T) % bytes != 0)
            return 0;
        return (int)((bytes - misaligned) / sizeof(T));
    }

    /// <summary>
    /// <see cref="Multiply{TS, TVec, T}"/> with the passes laid over columns <c>shift .. n</c> (their loads aligned) and
    /// the first <paramref name="shift"/> columns as a ninth, masked chain of the first pass. Every element is still one
    /// FMA chain over the depth in order, added to C once per depth block: the same bits as the unshifted passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAligned<TS, TVec, T>(T* a, T* b, T* c, int k, int n, bool add, int depthBlock, bool backward,
        int shift)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int span = Vectors * TS.Count;
        int body = n - shift;
        // The same pass layout as Multiply over the body; the caller checked there are at least two full passes.
        int full = 0, ninth = 0;
        for (int j = 0; j + span <= body; j += span)
        {
            if (body - j - span is > 0 and var last && last <= TS.Count)
            {
                ninth = last;
                break;
            }
            full++;
        }
        int restAt = shift + full * span;
        for (int p0 = 0; p0 < k; p0 += depthBlock)
        {
            int kc = Math.Min(depthBlock, k - p0);
            bool addBlock = add || p0 > 0;
            T* ab = a + p0;
            T* bb = b + (nint)p0 * n;
            if (backward)
            {
                Rest<TS, TVec, T>(kc, ab, bb + restAt, n, c + restAt, n - restAt, ninth, addBlock);
                for (int q = full - 1; q >= 1; q--)
                    Vectors8<TS, TVec, T>(kc, ab, bb + shift + q * span, n, c + shift + q * span, addBlock);
                Vectors8Head<TS, TVec, T>(kc, ab, bb + shift, n, c + shift, shift, addBlock);
            }
            else
            {
                Vectors8Head<TS, TVec, T>(kc, ab, bb + shift, n, c + shift, shift, addBlock);
                for (int q = 1; q < full; q++)
                    Vectors8<TS, TVec, T>(kc, ab, bb + shift + q * span, n, c + shift + q * span, addBlock);
                Rest<TS, TVec, T>(kc, ab, bb + restAt, n, c + restAt, n - restAt, ninth, addBlock);
            }
        }
    }

    /// <summary>
    /// <see cref="Vectors8"/> plus a ninth, masked chain over the <paramref name="head"/> (1 to w − 1) columns just
    /// before <paramref name="b"/> and <paramref name="c"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors8Head<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, int head, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec m8 = TS.Mask(head);
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        TVec c4 = TS.Zero, c5 = TS.Zero, c6 = TS.Zero, c7 = TS.Zero, c8 = TS.Zero;
        for (int p = 0; p < kc; p++, b += ldb)
        {
            TVec x = TS.Broadcast(a + p);
            c8 = TS.Fma(x, TS.LoadMasked(b - head, m8), c8);
            c0 = TS.Fma(x, TS.Load(b), c0);
            c1 = TS.Fma(x, TS.Load(b + w), c1);
            c2 = TS.Fma(x, TS.Load(b + 2 * w), c2);
            c3 = TS.Fma(x, TS.Load(b + 3 * w), c3);
            c4 = TS.Fma(x, TS.Load(b + 4 * w), c4);
            c5 = TS.Fma(x, TS.Load(b + 5 * w), c5);
            c6 = TS.Fma(x, TS.Load(b + 6 * w), c6);
            c7 = TS.Fma(x, TS.Load(b + 7 * w), c7);
        }
        WritePart<TS, TVec, T>(c - head, c8, head, add);
        WritePart<TS, TVec, T>(c, c0, w, add);
        WritePart<TS, TVec, T>(c + w, c1, w, add);
        WritePart<TS, TVec, T>(c + 2 * w, c2, w, add);
        WritePart<TS, TVec, T>(c + 3 * w, c3, w, add);
        WritePart<TS, TVec, T>(c + 4 * w, c4, w, add);
        WritePart<TS, TVec, T>(c + 5 * w, c5, w, add);
        WritePart<TS, TVec, T>(c + 6 * w, c6, w, add);
        WritePart<TS, TVec, T>(c + 7 * w, c7, w, add);
    }

    /// <summary>The <paramref name="rest"/> columns after the full passes (none, or a ninth chain's 8·w + ninth).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rest<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, int rest, int ninth, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        if (ninth > 0)
            Vectors9Masked<TS, TVec, T>(kc, a, b, ldb, c, ninth, add);
        else if (rest > 4 * TS.Count)
            Vectors8Masked<TS, TVec, T>(kc, a, b, ldb, c, rest, add);
        else if (rest > TS.Count)
            Vectors4Masked<TS, TVec, T>(kc, a, b, ldb, c, rest, add);
        else if (rest > 0)
            Vectors1Masked<TS, TVec, T>(kc, a, b, ldb, c, rest, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors8<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        TVec c4 = TS.Zero, c5 = TS.Zero, c6 = TS.Zero, c7 = TS.Zero;
        for (int p = 0; p < kc; p++, b += ldb)
        {
            TVec x = TS.Broadcast(a + p);
            c0 = TS.Fma(x, TS.Load(b), c0);
            c1 = TS.Fma(x, TS.Load(b + w), c1);
            c2 = TS.Fma(x, TS.Load(b + 2 * w), c2);
            c3 = TS.Fma(x, TS.Load(b + 3 * w), c3);
            c4 = TS.Fma(x, TS.Load(b + 4 * w), c4);
            c5 = TS.Fma(x, TS.Load(b + 5 * w), c5);
            c6 = TS.Fma(x, TS.Load(b + 6 * w), c6);
            c7 = TS.Fma(x, TS.Load(b + 7 * w), c7);
        }
        WritePart<TS, TVec, T>(c, c0, w, add);
        WritePart<TS, TVec, T>(c + w, c1, w, add);
        WritePart<TS, TVec, T>(c + 2 * w, c2, w, add);
        WritePart<TS, TVec, T>(c + 3 * w, c3, w, add);
        WritePart<TS, TVec, T>(c + 4 * w, c4, w, add);
        WritePart<TS, TVec, T>(c + 5 * w, c5, w, add);
        WritePart<TS, TVec, T>(c + 6 * w, c6, w, add);
        WritePart<TS, TVec, T>(c + 7 * w, c7, w, add);
    }

    /// <summary>
    /// The last 1 to 8·w columns: every vector loads through a lane mask (all lanes, some, or none), so one loop
    /// covers a ragged width; vectors beyond <paramref name="count"/> multiply zeros and are never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors8Masked<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec m0 = TS.Mask(count), m1 = TS.Mask(count - w), m2 = TS.Mask(count - 2 * w), m3 = TS.Mask(count - 3 * w);
        TVec m4 = TS.Mask(count - 4 * w), m5 = TS.Mask(count - 5 * w), m6 = TS.Mask(count - 6 * w), m7 = TS.Mask(count - 7 * w);
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        TVec c4 = TS.Zero, c5 = TS.Zero, c6 = TS.Zero, c7 = TS.Zero;
        for (int p = 0; p < kc; p++, b += ldb)
        {
            TVec x = TS.Broadcast(a + p);
            c0 = TS.Fma(x, TS.LoadMasked(b, m0), c0);
            c1 = TS.Fma(x, TS.LoadMasked(b + w, m1), c1);
            c2 = TS.Fma(x, TS.LoadMasked(b + 2 * w, m2), c2);
            c3 = TS.Fma(x, TS.LoadMasked(b + 3 * w, m3), c3);
            c4 = TS.Fma(x, TS.LoadMasked(b + 4 * w, m4), c4);
            c5 = TS.Fma(x, TS.LoadMasked(b + 5 * w, m5), c5);
            c6 = TS.Fma(x, TS.LoadMasked(b + 6 * w, m6), c6);
            c7 = TS.Fma(x, TS.LoadMasked(b + 7 * w, m7), c7);
        }
        WritePart<TS, TVec, T>(c, c0, count, add);
        WritePart<TS, TVec, T>(c + w, c1, count - w, add);
        WritePart<TS, TVec, T>(c + 2 * w, c2, count - 2 * w, add);
        WritePart<TS, TVec, T>(c + 3 * w, c3, count - 3 * w, add);
        WritePart<TS, TVec, T>(c + 4 * w, c4, count - 4 * w, add);
        WritePart<TS, TVec, T>(c + 5 * w, c5, count - 5 * w, add);
        WritePart<TS, TVec, T>(c + 6 * w, c6, count - 6 * w, add);
        WritePart<TS, TVec, T>(c + 7 * w, c7, count - 7 * w, add);
    }

    /// <summary>
    /// The last 8·w + 1 to 9·w columns: <see cref="Vectors8"/> with a ninth, masked chain for the last
    /// <paramref name="last"/> columns (nine accumulators, the broadcast, the mask and a load fit AVX2's 16 registers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors9Masked<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, int last, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec m8 = TS.Mask(last);
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        TVec c4 = TS.Zero, c5 = TS.Zero, c6 = TS.Zero, c7 = TS.Zero, c8 = TS.Zero;
        for (int p = 0; p < kc; p++, b += ldb)
        {
            TVec x = TS.Broadcast(a + p);
            c0 = TS.Fma(x, TS.Load(b), c0);
            c1 = TS.Fma(x, TS.Load(b + w), c1);
            c2 = TS.Fma(x, TS.Load(b + 2 * w), c2);
            c3 = TS.Fma(x, TS.Load(b + 3 * w), c3);
            c4 = TS.Fma(x, TS.Load(b + 4 * w), c4);
            c5 = TS.Fma(x, TS.Load(b + 5 * w), c5);
            c6 = TS.Fma(x, TS.Load(b + 6 * w), c6);
            c7 = TS.Fma(x, TS.Load(b + 7 * w), c7);
            c8 = TS.Fma(x, TS.LoadMasked(b + 8 * w, m8), c8);
        }
        WritePart<TS, TVec, T>(c, c0, w, add);
        WritePart<TS, TVec, T>(c + w, c1, w, add);
        WritePart<TS, TVec, T>(c + 2 * w, c2, w, add);
        WritePart<TS, TVec, T>(c + 3 * w, c3, w, add);
        WritePart<TS, TVec, T>(c + 4 * w, c4, w, add);
        WritePart<TS, TVec, T>(c + 5 * w, c5, w, add);
        WritePart<TS, TVec, T>(c + 6 * w, c6, w, add);
        WritePart<TS, TVec, T>(c + 7 * w, c7, w, add);
        WritePart<TS, TVec, T>(c + 8 * w, c8, last, add);
    }

    /// <summary>The last 2 to 4·w columns, as <see cref="Vectors8Masked"/> with four vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors4Masked<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec m0 = TS.Mask(count), m1 = TS.Mask(count - w), m2 = TS.Mask(count - 2 * w), m3 = TS.Mask(count - 3 * w);
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        for (int p = 0; p < kc; p++, b += ldb)
        {
            TVec x = TS.Broadcast(a + p);
            c0 = TS.Fma(x, TS.LoadMasked(b, m0), c0);
            c1 = TS.Fma(x, TS.LoadMasked(b + w, m1), c1);
            c2 = TS.Fma(x, TS.LoadMasked(b + 2 * w, m2), c2);
            c3 = TS.Fma(x, TS.LoadMasked(b + 3 * w, m3), c3);
        }
        WritePart<TS, TVec, T>(c, c0, count, add);
        WritePart<TS, TVec, T>(c + w, c1, count - w, add);
        WritePart<TS, TVec, T>(c + 2 * w, c2, count - 2 * w, add);
        WritePart<TS, TVec, T>(c + 3 * w, c3, count - 3 * w, add);
    }

    /// <summary>The last 1 to w columns, one masked vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors1Masked<TS, TVec, T>(int kc, T* a, T* b, nint ldb, T* c, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TVec m0 = TS.Mask(count);
        TVec c0 = TS.Zero;
        for (int p = 0; p < kc; p++, b += ldb)
            c0 = TS.Fma(TS.Broadcast(a + p), TS.LoadMasked(b, m0), c0);
        WritePart<TS, TVec, T>(c, c0, count, add);
    }

    /// <summary>C = v or C + v (the same order as the blocked kernels' write) on the first <paramref name="count"/>
    /// lanes; nothing when count ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WritePart<TS, TVec, T>(T* c, TVec v, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        if (count >= TS.Count)
            TS.Store(c, add ? TS.Add(TS.Load(c), v) : v);
        else if (count > 0)
            TS.StorePartial(c, add ? TS.Add(TS.LoadPartial(c, count), v) : v, count);
    }
}
