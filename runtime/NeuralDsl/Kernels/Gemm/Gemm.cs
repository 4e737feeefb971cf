using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace NeuralDsl;

/// <summary>
/// General matrix product <c>C = op(A)·op(B)</c> (or <c>C += …</c>) on row-major spans, float or double.
/// Large shapes run a packed, cache-blocked, register-tiled FMA kernel (AVX-512 or AVX2) and may split across
/// a second core; a single row (GEMV), few rows, or a tiny depth or width take unpacked vector loops. No call
/// allocates once each thread has run one product of its element type.
/// </summary>
public static class Gemm
{
    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>From this many multiply-adds a product is cut into four chunks rather than two.</summary>
    internal const long LargeProduct = 1L << 25;

    /// <summary>Depth or width under which packing is not worth it.</summary>
    internal const int SmallDimension = 16;

    /// <summary>Depth split points are multiples of this (a cache line of floats), so neither half starts mid-line.</summary>
    internal const int DepthSplitGranule = 16;

    /// <summary>Largest C (elements) a depth split may produce as a partial product: the extra pass must stay cheap.</summary>
    internal const int DepthSplitMaxOutput = 1 << 16;

    /// <summary>Row counts up to this use the row kernels (GEMV and near-GEMV).</summary>
    internal const int SmallRows = 4;

    private static int s_maxThreads = Math.Min(2, Environment.ProcessorCount);

    /// <summary>
    /// Threads a single product may use: 1 keeps everything on the calling thread, 2 (the default on a
    /// multi-core machine) lets large products use one long-lived helper thread. Values above 2 act as 2.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxThreads, value);
        }
    }

    /// <summary>
    /// <c>C[m×n] = op(A)·op(B)</c>, or <c>C += op(A)·op(B)</c> when <paramref name="accumulate"/> is set.
    /// </summary>
    /// <param name="a">op(A) is m×k: A is stored [m×k], or [k×m] when <paramref name="transposeA"/>.</param>
    /// <param name="b">op(B) is k×n: B is stored [k×n], or [n×k] when <paramref name="transposeB"/>.</param>
    /// <param name="c">[m×n], row-major. Must not overlap <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="k">The shared (inner) dimension.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="transposeA">Use Aᵀ of the stored matrix.</param>
    /// <param name="transposeB">Use Bᵀ of the stored matrix.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span length does not match its shape, or C overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public static unsafe void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.Length != (long)m * k)
            ThrowLength("A", a.Length, m, k, transposeA, "m×k", nameof(a));
        if (b.Length != (long)k * n)
            ThrowLength("B", b.Length, k, n, transposeB, "k×n", nameof(b));
        if (c.Length != (long)m * n)
            ThrowLength("C", c.Length, m, n, false, "m×n", nameof(c));
        if (c.Overlaps(a) || c.Overlaps(b))
            throw new ArgumentException("The output C overlaps an input; the product cannot be computed in place.", nameof(c));

        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            MultiplyUnchecked(pa, pb, pc, m, k, n, transposeA, transposeB, accumulate);
        }
    }

    /// <summary>The product without argument checks, for callers that have proven the shapes.</summary>
    internal static unsafe void MultiplyUnchecked<T>(T* a, T* b, T* c, int m, int k, int n,
        bool transposeA, bool transposeB, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            // An empty sum: C = 0, or C unchanged when accumulating.
            if (!accumulate)
                new Span<T>(c, m * n).Clear();
            return;
        }

        if (Vector512.IsHardwareAccelerated)
            Dispatch<GemmSimd512<T>, Vector512<T>, T>(a, b, c, m, k, n, transposeA, transposeB, accumulate);
        else if (Vector256.IsHardwareAccelerated)
            Dispatch<GemmSimd256<T>, Vector256<T>, T>(a, b, c, m, k, n, transposeA, transposeB, accumulate);
        else
            GemmScalar.Multiply(a, b, c, m, k, n, transposeA, transposeB, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dispatch<TS, TVec, T>(T* a, T* b, T* c, int m, int k, int n,
        bool transposeA, bool transposeB, bool accumulate)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 1 && !transposeB)
        {
            // A row vector (either stored layout of A is the same k contiguous values). Depth blocks as the blocked
            // product would use them for more rows, so the row's sums do not depend on the batch size.
            int depthBlock = k >= SmallDimension && n >= SmallDimension ? GemmBlocked.DepthBytes / sizeof(T) : k;
            GemmRow.Multiply<TS, TVec, T>(a, b, c, k, n, accumulate, depthBlock);
            return;
        }

        bool fewRows = m <= SmallRows;
        if (fewRows || k < SmallDimension || n < SmallDimension)
        {
            // A(i, p) through strides covers both layouts of A without copying it.
            nint rs = transposeA ? 1 : k, cs = transposeA ? m : 1;
            if (!transposeB)
            {
                GemmSmall.RowMajorB<TS, TVec, T>(a, rs, cs, b, c, m, k, n, accumulate);
            }
            else if (fewRows)
            {
                // Dot products against contiguous rows of the stored B; a transposed A (with m > 1) is first
                // copied to row-major so its rows are contiguous too.
                T* rows = a;
                if (transposeA && m > 1)
                {
                    rows = GemmBuffers<T>.GetScratch(m * k);
                    Transpose(a, k, m, rows);
                }
                GemmSmall.TransposedB<TS, TVec, T>(rows, b, c, m, k, n, accumulate);
            }
            else
            {
                // Tiny k or n with many rows: B is small, so transposing it once beats strided access.
                T* bRowMajor = GemmBuffers<T>.GetScratch(k * n);
                Transpose(b, n, k, bRowMajor);
                GemmSmall.RowMajorB<TS, TVec, T>(a, rs, cs, bRowMajor, c, m, k, n, accumulate);
            }
            return;
        }

        long work = (long)m * n * k;
        if (work >= ParallelThreshold && PreferDepthSplit(m, k, n))
        {
            // Split in depth halves even on one thread, so the sum's order never depends on the thread count.
            MultiplyInDepthHalves(a, b, c, m, k, n, transposeA, transposeB, accumulate);
            return;
        }
        if (MaxThreads >= 2 && work >= ParallelThreshold)
        {
            // Split the longer side on tile boundaries, so each chunk re-packs only the smaller operand. Very large
            // products get four chunks so a late worker leaves less for the caller to wait on.
            bool splitColumns = n >= m;
            int extent = splitColumns ? n : m;
            int tile = splitColumns ? 2 * TS.Count : GemmKernel.WideRows;
            int chunks = work >= LargeProduct ? 4 : 2;
            int chunkSize = RoundUp((extent + chunks - 1) / chunks, tile);
            chunks = (extent + chunkSize - 1) / chunkSize;
            if (chunks >= 2 && GemmWorker.TryAcquire())
            {
                GemmWorker.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate,
                    splitColumns ? GemmSplit.Columns : GemmSplit.Rows, chunkSize, chunks);
                return;
            }
        }
        GemmBlocked.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, 0, m, 0, n);
    }

    /// <summary>
    /// A deep product with a small C (a Dense forward pass such as 64×784·784×128) in two halves of the depth: C gets
    /// the first half's product, a partial buffer the second's, then C += partial. With the worker each thread takes
    /// one half, so it packs half of A and reads half of B instead of all of one of them, and B's rows stay with the
    /// thread that reads them in every step (the optimizer update later splits the parameters the same way).
    /// Without the worker the caller computes both halves the same way, so the result never depends on whether the
    /// second thread was free.
    /// </summary>
    private static unsafe void MultiplyInDepthHalves<T>(T* a, T* b, T* c, int m, int k, int n,
        bool transposeA, bool transposeB, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int half = RoundUp((k + 1) / 2, DepthSplitGranule);
        // The second half's partial lives in this (calling) thread's scratch even when the worker computes it: the
        // caller adds it to C after the worker has been released, so a buffer shared between callers could already
        // be taken by the next caller's product.
        T* partial = GemmBuffers<T>.GetScratch(m * n);
        if (MaxThreads >= 2 && GemmWorker.TryAcquire())
        {
            GemmWorker.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, GemmSplit.Depth, half, 2, partial);
            return;
        }
        GemmBlocked.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, 0, m, 0, n, 0, half);
        GemmBlocked.Run(a, b, partial, m, k, n, transposeA, transposeB, false, 0, m, 0, n, half, k);
        GemmWorker.AddPartials(c, partial, m * n, 1);
    }

    /// <summary>dst[cols×rows] = srcᵀ for src [rows×cols], in cache-friendly tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Transpose<T>(T* src, int rows, int cols, T* dst)
        where T : unmanaged
    {
        const int Tile = 16;
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int j1 = Math.Min(cols, j0 + Tile);
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        dst[(nint)j * rows + i] = src[(nint)i * cols + j];
            }
        }
    }

    /// <summary>
    /// Whether two threads share a product along its depth rather than along rows or columns: when the depth is
    /// at least twice the longer side of a small C, splitting rows or columns would make both threads pack or read
    /// the same, much larger, operand, while the depth split's extra cost is one pass over C.
    /// </summary>
    internal static bool PreferDepthSplit(int m, int k, int n) =>
        (long)m * n <= DepthSplitMaxOutput && k >= 2 * Math.Max(m, n);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Builds the message only on failure, so a valid call formats (and allocates) nothing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int actual, int rows, int cols, bool transposed, string shape, string paramName)
    {
        string stored = transposed ? $"[{cols}, {rows}] (the transpose of {shape})" : $"[{rows}, {cols}] ({shape})";
        throw new ArgumentException(
            $"{name} has length {actual}, but the shape needs {(long)rows * cols} elements (expected {stored}).", paramName);
    }
}
