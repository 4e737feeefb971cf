using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// General matrix product <c>C = op(A)·op(B)</c> (or <c>C += …</c>) on row-major spans, float or double.
/// Large shapes run a packed, cache-blocked, register-tiled FMA kernel (AVX-512 or AVX2), shared with the worker
/// pool (<see cref="NeuralDslThreads"/>) in chunks fixed by the shape alone; a single row (GEMV), few rows, or a tiny
/// depth or width take unpacked vector loops. No call allocates once each thread has run one product of its element type.
/// </summary>
public static class Gemm
{
    /// <summary>Below this many multiply-adds a product stays on the calling thread: a hand-off costs more than it saves.</summary>
    // See docs/kernels.md#threads
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// From this many multiply-adds (and below <see cref="ParallelThreshold"/>) a product with rows enough for two
    /// blocks of <see cref="GemmPartition.RowSplitMinRows"/> is cut into row blocks on the worker pool.
    /// </summary>
    // See docs/kernels.md#threads
    internal const long RowSplitThreshold = 1L << 18;

    /// <summary>Depth or width under which packing is not worth it.</summary>
    internal const int SmallDimension = 16;

    /// <summary>Depth split points are multiples of this (a cache line of floats), so no chunk starts mid-line.</summary>
    internal const int DepthSplitGranule = 16;

    /// <summary>Largest C (elements) a depth split may produce as a partial product: the extra passes must stay cheap.</summary>
    internal const int DepthSplitMaxOutput = 1 << 16;

    /// <summary>Row counts up to this use the row kernels (GEMV and near-GEMV).</summary>
    internal const int SmallRows = 4;

    /// <summary>
    /// Threads a single product (or convolution pass, or optimizer update) may use: the same setting as
    /// <see cref="NeuralDslThreads.MaxThreads"/>, kept here for existing callers. Defaults to the core count; 1 keeps
    /// everything on the calling thread. Results are the same bits for every value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or more than <see cref="NeuralDslThreads.MaxWorkers"/> + 1.</exception>
    public static int MaxThreads
    {
        get => NeuralDslThreads.MaxThreads;
        set => NeuralDslThreads.MaxThreads = value;
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

    /// <summary>
    /// <c>c[1×n] (+)= a[1×k]·b[k×n]</c> through the row kernel (the m = 1 case of <see cref="Multiply{T}"/>, the same
    /// bits), its column passes from the last to the first when <paramref name="backward"/>; no argument checks.
    /// </summary>
    internal static unsafe void MultiplyRowUnchecked<T>(T* a, T* b, T* c, int k, int n, bool accumulate, bool backward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (n == 0 || k == 0 || !Vector256.IsHardwareAccelerated)
        {
            MultiplyUnchecked(a, b, c, 1, k, n, false, false, accumulate);
            return;
        }
        int depthBlock = k >= SmallDimension && n >= SmallDimension ? GemmBlocked.DepthBytes / sizeof(T) : k;
        if (Vector512.IsHardwareAccelerated)
            GemmRow.Multiply<GemmSimd512<T>, Vector512<T>, T>(a, b, c, k, n, accumulate, depthBlock, backward);
        else
            GemmRow.Multiply<GemmSimd256<T>, Vector256<T>, T>(a, b, c, k, n, accumulate, depthBlock, backward);
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
            // Split in depth chunks even on one thread, so the sum's order never depends on the thread count.
            MultiplyInDepthChunks(a, b, c, m, k, n, transposeA, transposeB, accumulate);
            return;
        }
        if (work >= ParallelThreshold)
        {
            var plan = GemmPartition.Grid(m, k, n, GemmKernel.WideRows, 2 * TS.Count);
            if (plan.Chunks >= 2 && NeuralDslThreads.Current >= 2)
            {
                var job = new GemmJob<T>(a, b, c, m, k, n, transposeA, transposeB, accumulate) { Plan = plan };
                WorkerPool.Run(&GridChunks<T>, &job, plan.Chunks, 1);
                return;
            }
        }
        else if (work >= RowSplitThreshold && NeuralDslThreads.Current >= 2)
        {
            // Below the threshold but with rows enough for two blocks (a feed-forward layer over a 64-step sequence at
            // batch 1): row blocks, B read in place by each. A row block gives the bits of the whole product, so one
            // thread computes it whole (the same bits).
            var plan = GemmPartition.RowSplit(m, k, n);
            if (plan.Chunks >= 2)
            {
                var job = new GemmJob<T>(a, b, c, m, k, n, transposeA, transposeB, accumulate) { Plan = plan };
                WorkerPool.Run(&GridChunks<T>, &job, plan.Chunks, 1);
                return;
            }
        }
        GemmBlocked.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, 0, m, 0, n);
    }

    /// <summary>
    /// A deep product with a small C (a Dense forward pass such as 256×784·784×128) in depth chunks: C gets the first
    /// chunk's product, each later chunk a partial block of its own, then C += the partials in chunk order. Each thread
    /// packs its slice of A and reads its slice of B instead of all of one of them. The chunks come from the shape alone
    /// (<see cref="GemmPartition.DepthChunk"/>) and one thread computes the same chunks the same way, so the sum never
    /// depends on the thread count.
    /// </summary>
    private static unsafe void MultiplyInDepthChunks<T>(T* a, T* b, T* c, int m, int k, int n,
        bool transposeA, bool transposeB, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int chunk = GemmPartition.DepthChunk(m, k, n, sizeof(T));
        int chunks = (k + chunk - 1) / chunk;
        // The partials live in this (calling) thread's scratch even when workers compute them: the caller adds them to C
        // once every chunk is complete.
        T* partial = GemmBuffers<T>.GetScratch((chunks - 1) * m * n);
        var job = new GemmJob<T>(a, b, c, m, k, n, transposeA, transposeB, accumulate) { Partial = partial, DepthChunk = chunk };
        WorkerPool.Run(&DepthChunks<T>, &job, k, chunk);
        AddPartials(c, partial, m * n, chunks - 1);
    }

    /// <summary>C += each of the <paramref name="count"/> partial products in order (the end of a depth split).</summary>
    internal static unsafe void AddPartials<T>(T* c, T* partial, int length, int count)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var sum = new Span<T>(c, length);
        for (int i = 0; i < count; i++)
            TensorPrimitives.Add(sum, new ReadOnlySpan<T>(partial + (nint)i * length, length), sum);
    }

    /// <summary>One product shared through <see cref="WorkerPool"/>, on the caller's stack for the duration of the call.</summary>
    private unsafe struct GemmJob<T>(T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
        where T : unmanaged
    {
        public readonly T* A = a, B = b, C = c;
        public readonly int M = m, K = k, N = n;
        public readonly bool TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate;
        public GemmGrid Plan;
        public T* Partial;
        public int DepthChunk;
    }

    /// <summary>Grid blocks [first, end): block i covers row block i / ColumnBlocks and column block i % ColumnBlocks.</summary>
    private static unsafe void GridChunks<T>(void* context, int first, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref GemmJob<T> job = ref *(GemmJob<T>*)context;
        GemmGrid plan = job.Plan;
        for (int block = first; block < end; block++)
        {
            int r0 = block / plan.ColumnBlocks * plan.RowChunk, c0 = block % plan.ColumnBlocks * plan.ColumnChunk;
            GemmBlocked.Run(job.A, job.B, job.C, job.M, job.K, job.N, job.TransposeA, job.TransposeB, job.Accumulate,
                r0, Math.Min(job.M, r0 + plan.RowChunk), c0, Math.Min(job.N, c0 + plan.ColumnChunk));
        }
    }

    /// <summary>
    /// Depths [p0, p1), one depth chunk: the first chunk goes into C (adding to it when accumulating), every later one
    /// into its own m×n block of the partials.
    /// </summary>
    private static unsafe void DepthChunks<T>(void* context, int p0, int p1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref GemmJob<T> job = ref *(GemmJob<T>*)context;
        int index = p0 / job.DepthChunk;
        bool first = index == 0;
        T* target = first ? job.C : job.Partial + (nint)(index - 1) * job.M * job.N;
        GemmBlocked.Run(job.A, job.B, target, job.M, job.K, job.N, job.TransposeA, job.TransposeB,
            first && job.Accumulate, 0, job.M, 0, job.N, p0, p1);
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
    /// Whether a product is cut along its depth rather than along rows or columns: when the depth is at least twice
    /// the longer side of a small C, splitting rows or columns would make every thread pack or read the same, much
    /// larger, operand, while the depth split's extra cost is one pass over C per chunk.
    /// </summary>
    internal static bool PreferDepthSplit(int m, int k, int n) =>
        (long)m * n <= DepthSplitMaxOutput && k >= 2 * Math.Max(m, n);

    /// <summary>Builds the message only on failure, so a valid call formats (and allocates) nothing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int actual, int rows, int cols, bool transposed, string shape, string paramName)
    {
        string stored = transposed ? $"[{cols}, {rows}] (the transpose of {shape})" : $"[{rows}, {cols}] ({shape})";
        throw new ArgumentException(
            $"{name} has length {actual}, but the shape needs {(long)rows * cols} elements (expected {stored}).", paramName);
    }
}
