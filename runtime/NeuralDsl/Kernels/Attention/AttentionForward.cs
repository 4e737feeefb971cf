using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The forward pass of multi-head attention in few, parallel calls: <see cref="ProjectHeads{T}"/> (the query, key and
/// value projections with their biases, written head-major as well), <see cref="Forward{T}"/> (probabilities and
/// context per (sample, head) in one pass, the context written in both layouts) and <see cref="Project{T}"/> (the
/// output projection with its bias). Each call cuts its work into chunks chosen from the sizes alone and runs them on
/// the <see cref="WorkerPool"/>; every chunk writes its own rows, so the result never depends on the thread count.
/// </summary>
public static partial class Attention
{
    /// <summary>Multiply-adds per projection chunk: rows per chunk are the fewest (a multiple of 8) that reach it.</summary>
    private const int ProjectionChunkWork = 1 << 17;

    /// <summary>Row blocks a projection is cut into at most, once its blocks are past <see cref="ProjectionChunkWork"/>.</summary>
    private const int ProjectionMaxChunks = 8;

    /// <summary>
    /// Rows per chunk of a <c>rows × features · features × width</c> projection, from the sizes alone: the fewest (a
    /// multiple of 8) that reach <see cref="ProjectionChunkWork"/> multiply-adds (32 rows of 64·64: six chunks for the
    /// three projections at batch 1), but no fewer than an eighth of the rows, so a large batch makes a few long blocks
    /// (128 rows at batch 16) rather than dozens of 32-row products that each pack the kernel again.
    /// </summary>
    internal static int ProjectionRows(int rows, int features, int width)
    {
        long perRow = Math.Max(1L, (long)features * width);
        long wanted = (ProjectionChunkWork + perRow - 1) / perRow;
        wanted = Math.Max(wanted, ((long)rows + ProjectionMaxChunks - 1) / ProjectionMaxChunks);
        int block = (int)Math.Min(rows, (wanted + 7) / 8 * 8);
        return Math.Max(1, block);
    }

    /// <summary>
    /// Up to three projections in one parallel call, each <c>y[rows × heads·depth] = x[rows × features] · kernel +
    /// bias</c> followed by the head-major copy <c>yh[b, h, t, :] = y[b, t, h, :]</c> (rows = batch·steps). Chunks are
    /// row blocks of each projection (<see cref="ProjectionRows"/>); a chunk computes its rows, adds the bias and copies
    /// them head-major. Self-attention passes the same <c>x</c> three times; cross-attention its query, key and value
    /// inputs.
    /// </summary>
    /// <param name="xq">Query input [batch × queries × queryFeatures].</param>
    /// <param name="xk">Key input [batch × keys × keyFeatures].</param>
    /// <param name="xv">Value input [batch × keys × valueFeatures].</param>
    /// <param name="kernelQ">Query kernel [queryFeatures × heads·keyDim].</param>
    /// <param name="kernelK">Key kernel [keyFeatures × heads·keyDim].</param>
    /// <param name="kernelV">Value kernel [valueFeatures × heads·valueDim].</param>
    /// <param name="biasQ">Query bias [heads·keyDim], or empty for none.</param>
    /// <param name="biasK">Key bias [heads·keyDim], or empty for none.</param>
    /// <param name="biasV">Value bias [heads·valueDim], or empty for none.</param>
    /// <param name="q">Queries [batch × queries × heads·keyDim], overwritten.</param>
    /// <param name="k">Keys [batch × keys × heads·keyDim], overwritten.</param>
    /// <param name="v">Values [batch × keys × heads·valueDim], overwritten.</param>
    /// <param name="qh">Queries head-major [batch × heads × queries × keyDim], overwritten.</param>
    /// <param name="kh">Keys head-major [batch × heads × keys × keyDim], overwritten.</param>
    /// <param name="vh">Values head-major [batch × heads × keys × valueDim], overwritten.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="queries">Query steps.</param>
    /// <param name="keys">Key (and value) steps.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="keyDim">Elements of a query or key per head.</param>
    /// <param name="valueDim">Elements of a value per head.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or an output overlaps an input.</exception>
    public static unsafe void ProjectHeads<T>(ReadOnlySpan<T> xq, ReadOnlySpan<T> xk, ReadOnlySpan<T> xv,
        ReadOnlySpan<T> kernelQ, ReadOnlySpan<T> kernelK, ReadOnlySpan<T> kernelV, ReadOnlySpan<T> biasQ, ReadOnlySpan<T> biasK, ReadOnlySpan<T> biasV,
        Span<T> q, Span<T> k, Span<T> v, Span<T> qh, Span<T> kh, Span<T> vh, int batch, int queries, int keys, int heads, int keyDim, int valueDim)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, heads, queries, keys, keyDim);
        KernelGuard.Positive(valueDim, nameof(valueDim));
        int qWidth = heads * keyDim, vWidth = heads * valueDim;
        int qFeatures = Features(kernelQ.Length, qWidth, "Query kernel (features × heads·keyDim)", nameof(kernelQ));
        int kFeatures = Features(kernelK.Length, qWidth, "Key kernel (features × heads·keyDim)", nameof(kernelK));
        int vFeatures = Features(kernelV.Length, vWidth, "Value kernel (features × heads·valueDim)", nameof(kernelV));
        KernelGuard.SameLength(batch * queries * qFeatures, xq.Length, "Query input (batch × queries × features)", nameof(xq));
        KernelGuard.SameLength(batch * keys * kFeatures, xk.Length, "Key input (batch × keys × features)", nameof(xk));
        KernelGuard.SameLength(batch * keys * vFeatures, xv.Length, "Value input (batch × keys × features)", nameof(xv));
        KernelGuard.SameLengthOrEmpty(qWidth, biasQ.Length, "Query bias (heads·keyDim)", nameof(biasQ));
        KernelGuard.SameLengthOrEmpty(qWidth, biasK.Length, "Key bias (heads·keyDim)", nameof(biasK));
        KernelGuard.SameLengthOrEmpty(vWidth, biasV.Length, "Value bias (heads·valueDim)", nameof(biasV));
        KernelGuard.SameLength(batch * queries * qWidth, q.Length, "Queries (batch × queries × heads·keyDim)", nameof(q));
        KernelGuard.SameLength(batch * keys * qWidth, k.Length, "Keys (batch × keys × heads·keyDim)", nameof(k));
        KernelGuard.SameLength(batch * keys * vWidth, v.Length, "Values (batch × keys × heads·valueDim)", nameof(v));
        KernelGuard.SameLength(q.Length, qh.Length, "Head-major queries (batch × heads × queries × keyDim)", nameof(qh));
        KernelGuard.SameLength(k.Length, kh.Length, "Head-major keys (batch × heads × keys × keyDim)", nameof(kh));
        KernelGuard.SameLength(v.Length, vh.Length, "Head-major values (batch × heads × keys × valueDim)", nameof(vh));
        NoOverlap(q, xq, xk, xv, nameof(q));
        NoOverlap(k, xq, xk, xv, nameof(k));
        NoOverlap(v, xq, xk, xv, nameof(v));
        if (batch == 0)
            return;

        fixed (T* pxq = xq, pxk = xk, pxv = xv, pwq = kernelQ, pwk = kernelK, pwv = kernelV, pbq = biasQ, pbk = biasK, pbv = biasV)
        fixed (T* pq = q, pk = k, pv = v, pqh = qh, pkh = kh, pvh = vh)
        {
            var job = new ProjectionJob<T>();
            job.Parts[0] = new Projection<T>(pxq, pwq, biasQ.IsEmpty ? null : pbq, pq, pqh, batch * queries, qFeatures, qWidth, queries, heads, keyDim, 0);
            int chunks = job.Parts[0].Chunks;
            job.Parts[1] = new Projection<T>(pxk, pwk, biasK.IsEmpty ? null : pbk, pk, pkh, batch * keys, kFeatures, qWidth, keys, heads, keyDim, chunks);
            chunks += job.Parts[1].Chunks;
            job.Parts[2] = new Projection<T>(pxv, pwv, biasV.IsEmpty ? null : pbv, pv, pvh, batch * keys, vFeatures, vWidth, keys, heads, valueDim, chunks);
            chunks += job.Parts[2].Chunks;
            job.Count = 3;
            WorkerPool.Run(&ProjectionChunks<T>, &job, chunks, 1);
        }
    }

    /// <summary>
    /// <c>y[rows × width] = x[rows × features] · kernel + bias</c> in parallel row blocks (<see cref="ProjectionRows"/>),
    /// the bias added as each block is stored: the output projection of attention (the context against
    /// <c>attention_output.kernel</c>).
    /// </summary>
    /// <param name="x">Input [rows × features].</param>
    /// <param name="kernel">[features × width].</param>
    /// <param name="bias">[width], or empty for none.</param>
    /// <param name="y">Output [rows × width], overwritten; must not overlap the inputs.</param>
    /// <param name="rows">Rows (batch·steps); may be 0.</param>
    /// <param name="features">Columns of <paramref name="x"/>.</param>
    /// <param name="width">Columns of <paramref name="y"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or the output overlaps an input.</exception>
    public static unsafe void Project<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y, int rows, int features, int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.NotNegative(rows, nameof(rows));
        KernelGuard.Positive(features, nameof(features));
        KernelGuard.Positive(width, nameof(width));
        KernelGuard.SameLength(rows * features, x.Length, "Input (rows × features)", nameof(x));
        KernelGuard.SameLength(features * width, kernel.Length, "Kernel (features × width)", nameof(kernel));
        KernelGuard.SameLengthOrEmpty(width, bias.Length, "Bias (width)", nameof(bias));
        KernelGuard.SameLength(rows * width, y.Length, "Output (rows × width)", nameof(y));
        if (y.Overlaps(x) || y.Overlaps(kernel) || y.Overlaps(bias))
            throw new ArgumentException("The output overlaps an input; the projection cannot be computed in place.", nameof(y));
        if (rows == 0)
            return;
        fixed (T* px = x, pw = kernel, pb = bias, py = y)
        {
            var job = new ProjectionJob<T>();
            job.Parts[0] = new Projection<T>(px, pw, bias.IsEmpty ? null : pb, py, null, rows, features, width, rows, 1, width, 0);
            job.Count = 1;
            WorkerPool.Run(&ProjectionChunks<T>, &job, job.Parts[0].Chunks, 1);
        }
    }

    /// <summary>
    /// Probabilities and context in one pass per (sample, head), for a forward pass without attention dropout: S = Q·Kᵀ
    /// (one GEMM; in float with AVX2, FMA and depths that are multiples of 16 the register kernel of
    /// <see cref="AttentionProduct"/>), the masked stable softmax row by row (as <see cref="Probabilities{T}"/>), then
    /// C = P·V (likewise)
    /// into the head-major context and its rows copied into the merged context [batch × queries × heads·valueDim], the
    /// output projection's input. The (sample, head) pairs are the chunks on the <see cref="WorkerPool"/>; each writes
    /// its own blocks.
    /// </summary>
    /// <param name="q">Queries, [batch × heads × queries × keyDim].</param>
    /// <param name="k">Keys, [batch × heads × keys × keyDim].</param>
    /// <param name="v">Values, [batch × heads × keys × valueDim].</param>
    /// <param name="probabilities">[batch × heads × queries × keys], overwritten; kept for <see cref="Backward{T}"/>.</param>
    /// <param name="contextHeads">[batch × heads × queries × valueDim], overwritten.</param>
    /// <param name="context">[batch × queries × heads × valueDim], overwritten.</param>
    /// <param name="mask">The padding mask [batch × steps] (1 real, 0 padded) of a self-attention (queries = keys), or empty for none.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="queries">Query steps.</param>
    /// <param name="keys">Key (and value) steps.</param>
    /// <param name="keyDim">Elements of a query or key per head.</param>
    /// <param name="valueDim">Elements of a value per head.</param>
    /// <param name="causal">Keras <c>use_causal_mask</c>: query i sees keys j ≤ i only.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a mask is given with queries ≠ keys.</exception>
    public static unsafe void Forward<T>(ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v, Span<T> probabilities, Span<T> contextHeads,
        Span<T> context, ReadOnlySpan<T> mask, int batch, int heads, int queries, int keys, int keyDim, int valueDim, bool causal)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, heads, queries, keys, keyDim);
        KernelGuard.Positive(valueDim, nameof(valueDim));
        int bhs = batch * heads;
        KernelGuard.SameLength(bhs * queries * keyDim, q.Length, "Queries (batch × heads × queries × keyDim)", nameof(q));
        KernelGuard.SameLength(bhs * keys * keyDim, k.Length, "Keys (batch × heads × keys × keyDim)", nameof(k));
        KernelGuard.SameLength(bhs * keys * valueDim, v.Length, "Values (batch × heads × keys × valueDim)", nameof(v));
        KernelGuard.SameLength(bhs * queries * keys, probabilities.Length, "Probabilities (batch × heads × queries × keys)", nameof(probabilities));
        KernelGuard.SameLength(bhs * queries * valueDim, contextHeads.Length, "Head-major context (batch × heads × queries × valueDim)", nameof(contextHeads));
        KernelGuard.SameLength(bhs * queries * valueDim, context.Length, "Context (batch × queries × heads × valueDim)", nameof(context));
        CheckMask(mask, batch, queries, keys);
        if (bhs == 0)
            return;
        fixed (T* pq = q, pk = k, pv = v, pp = probabilities, pch = contextHeads, pc = context, pm = mask)
        {
            var job = new CoreJob<T>
            {
                Q = pq, K = pk, V = pv, P = pp, ContextHeads = pch, Context = pc, Mask = mask.IsEmpty ? null : pm,
                Heads = heads, Queries = queries, Keys = keys, KeyDim = keyDim, ValueDim = valueDim, Causal = causal,
                Scale = T.One / T.Sqrt(T.CreateTruncating(keyDim)),
            };
            WorkerPool.Run(&CoreChunks<T>, &job, bhs, 1);
        }
    }

    /// <summary>(sample, head) pairs [first, end) of <see cref="Forward{T}"/>.</summary>
    private static unsafe void CoreChunks<T>(void* context, int first, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref CoreJob<T> job = ref *(CoreJob<T>*)context;
        int queries = job.Queries, keys = job.Keys, keyDim = job.KeyDim, valueDim = job.ValueDim, heads = job.Heads;
        if (typeof(T) == typeof(float) && AttentionProduct.Fits(keyDim, valueDim))
        {
            CoreChunksFloat(ref System.Runtime.CompilerServices.Unsafe.As<CoreJob<T>, CoreJob<float>>(ref job), first, end);
            return;
        }
        for (int bh = first; bh < end; bh++)
        {
            int b = bh / heads, h = bh % heads;
            T* p = job.P + (nint)bh * queries * keys;
            T* ch = job.ContextHeads + (nint)bh * queries * valueDim;
            // S[queries×keys] = Q[queries×keyDim] · K[keys×keyDim]ᵀ
            Gemm.MultiplyUnchecked(job.Q + (nint)bh * queries * keyDim, job.K + (nint)bh * keys * keyDim, p, queries, keyDim, keys,
                transposeA: false, transposeB: true, accumulate: false);
            ReadOnlySpan<T> rowMask = job.Mask == null ? default : new ReadOnlySpan<T>(job.Mask + (nint)b * queries, queries);
            SoftmaxRows(new Span<T>(p, queries * keys), queries, keys, job.Scale, rowMask, job.Causal);
            // C[queries×valueDim] = P[queries×keys] · V[keys×valueDim]
            Gemm.MultiplyUnchecked(p, job.V + (nint)bh * keys * valueDim, ch, queries, keys, valueDim,
                transposeA: false, transposeB: false, accumulate: false);
            // Merged rows: context[b, t, h, :] = ch[t, :].
            T* merged = job.Context + ((nint)b * queries * heads + h) * valueDim;
            for (int t = 0; t < queries; t++)
                CopyDepth(ch + (nint)t * valueDim, merged + (nint)t * heads * valueDim, valueDim);
        }
    }

    /// <summary>
    /// The pairs of <see cref="CoreChunks{T}"/> in float with AVX2 and FMA and depths that are multiples of 16: the two
    /// products through <see cref="AttentionProduct.Multiply"/> instead of the blocked GEMM, which packs both operands of
    /// every 64×16·16×64 and 64×64·64×16 product. K is transposed once per pair into this thread's scratch, so the
    /// scores read rows of Kᵀ. The softmax and the merged copy are those of the general path.
    /// </summary>
    private static unsafe void CoreChunksFloat(ref CoreJob<float> job, int first, int end)
    {
        int queries = job.Queries, keys = job.Keys, keyDim = job.KeyDim, valueDim = job.ValueDim, heads = job.Heads;
        float* kt = GemmBuffers<float>.GetScratch(keyDim * keys);
        for (int bh = first; bh < end; bh++)
        {
            int b = bh / heads, h = bh % heads;
            float* p = job.P + (nint)bh * queries * keys;
            float* ch = job.ContextHeads + (nint)bh * queries * valueDim;
            // Kᵀ[keyDim×keys], then S[queries×keys] = Q[queries×keyDim] · Kᵀ.
            AttentionProduct.Transpose(job.K + (nint)bh * keys * keyDim, kt, keys, keyDim);
            AttentionProduct.Multiply(job.Q + (nint)bh * queries * keyDim, keyDim, 1, kt, keys, p, keys, queries, keyDim, keys);
            ReadOnlySpan<float> rowMask = job.Mask == null ? default : new ReadOnlySpan<float>(job.Mask + (nint)b * queries, queries);
            SoftmaxRows(new Span<float>(p, queries * keys), queries, keys, job.Scale, rowMask, job.Causal);
            // C[queries×valueDim] = P[queries×keys] · V[keys×valueDim]
            AttentionProduct.Multiply(p, keys, 1, job.V + (nint)bh * keys * valueDim, valueDim, ch, valueDim, queries, keys, valueDim);
            float* merged = job.Context + ((nint)b * queries * heads + h) * valueDim;
            for (int t = 0; t < queries; t++)
                CopyDepth(ch + (nint)t * valueDim, merged + (nint)t * heads * valueDim, valueDim);
        }
    }

    /// <summary>
    /// <c>dst[0..depth) = src[0..depth)</c> for the short head rows (16 floats at the benchmark's sizes, one per head and
    /// step): whole 32-byte vectors when the row is a multiple of them, else a span copy, whose call costs more than
    /// the copy at these lengths.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyDepth<T>(T* src, T* dst, int depth)
        where T : unmanaged
    {
        int bytes = depth * sizeof(T);
        if (Vector256.IsHardwareAccelerated && bytes % Vector256<byte>.Count == 0 && bytes <= 8 * Vector256<byte>.Count)
        {
            byte* s = (byte*)src, d = (byte*)dst;
            for (int i = 0; i < bytes; i += Vector256<byte>.Count)
                Vector256.Store(Vector256.Load(s + i), d + i);
            return;
        }
        new ReadOnlySpan<T>(src, depth).CopyTo(new Span<T>(dst, depth));
    }

    /// <summary>Chunks [first, end) of a <see cref="ProjectionJob{T}"/>: each a row block of one of its projections.</summary>
    private static unsafe void ProjectionChunks<T>(void* context, int first, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ProjectionJob<T> job = ref *(ProjectionJob<T>*)context;
        for (int chunk = first; chunk < end; chunk++)
        {
            int part = 0;
            while (part + 1 < job.Count && chunk >= job.Parts[part + 1].FirstChunk)
                part++;
            job.Parts[part].Run(chunk - job.Parts[part].FirstChunk);
        }
    }

    /// <summary>The rows of a kernel [features × width], from its length.</summary>
    private static int Features(int length, int width, string what, string paramName)
    {
        if (length == 0 || length % width != 0)
        {
            throw new ArgumentException(what + " has " + length + " elements, which is not a positive multiple of its " + width +
                " columns (heads × depth).", paramName);
        }
        return length / width;
    }

    private static void NoOverlap<T>(Span<T> output, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, string paramName)
    {
        if (output.Overlaps(a) || output.Overlaps(b) || output.Overlaps(c))
            throw new ArgumentException("The output " + paramName + " overlaps an input; the projection cannot be computed in place.", paramName);
    }

    /// <summary>One projection of a <see cref="ProjectionJob{T}"/>, cut into row blocks.</summary>
    private unsafe struct Projection<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T* _x, _kernel, _bias, _y, _heads;
        private readonly int _rows, _features, _width, _steps, _headCount, _depth, _block;

        public Projection(T* x, T* kernel, T* bias, T* y, T* headMajor, int rows, int features, int width, int steps, int heads, int depth,
            int firstChunk)
        {
            _x = x;
            _kernel = kernel;
            _bias = bias;
            _y = y;
            _heads = headMajor;
            _rows = rows;
            _features = features;
            _width = width;
            _steps = steps;
            _headCount = heads;
            _depth = depth;
            _block = ProjectionRows(rows, features, width);
            FirstChunk = firstChunk;
            Chunks = (rows + _block - 1) / _block;
        }

        /// <summary>The first chunk index of this projection in its job.</summary>
        public int FirstChunk { get; }

        /// <summary>Row blocks of this projection.</summary>
        public int Chunks { get; }

        /// <summary>Row block <paramref name="block"/>: the product, the bias, and the head-major copy when there is one.</summary>
        public readonly void Run(int block)
        {
            int r0 = block * _block, r1 = Math.Min(_rows, r0 + _block);
            T* y = _y + (nint)r0 * _width;
            Gemm.MultiplyUnchecked(_x + (nint)r0 * _features, _kernel, y, r1 - r0, _features, _width, transposeA: false, transposeB: false, accumulate: false);
            if (_bias != null && _heads != null && Vector256.IsHardwareAccelerated && _depth % Vector256<T>.Count == 0)
            {
                // Bias and head-major copy in one pass over the block while it is in cache (a 128-row block of 64 floats
                // is all of L1): y = y + bias, the same single addition per element, stored to both layouts.
                for (int r = r0; r < r1; r++)
                {
                    int b = r / _steps, t = r % _steps;
                    T* row = _y + (nint)r * _width;
                    T* first = _heads + ((nint)b * _headCount * _steps + t) * _depth;
                    for (int h = 0; h < _headCount; h++)
                    {
                        T* head = first + (nint)h * _steps * _depth;
                        for (int d = 0; d < _depth; d += Vector256<T>.Count)
                        {
                            int j = h * _depth + d;
                            Vector256<T> sum = Vector256.Load(row + j) + Vector256.Load(_bias + j);
                            sum.Store(row + j);
                            sum.Store(head + d);
                        }
                    }
                }
                return;
            }
            if (_bias != null)
            {
                // One pass over the block's rows, the same single addition per element as a per-row add.
                Bias.AddRows(new Span<T>(y, (r1 - r0) * _width), new ReadOnlySpan<T>(_bias, _width));
            }
            if (_heads == null)
                return;
            // yh[b, h, t, :] = y[b, t, h, :] for the rows of this block.
            for (int r = r0; r < r1; r++)
            {
                int b = r / _steps, t = r % _steps;
                T* row = _y + (nint)r * _width;
                T* first = _heads + ((nint)b * _headCount * _steps + t) * _depth;
                for (int h = 0; h < _headCount; h++)
                    CopyDepth(row + h * _depth, first + (nint)h * _steps * _depth, _depth);
            }
        }
    }

    /// <summary>Up to three projections run as one pool job.</summary>
    private struct ProjectionJob<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public ProjectionParts<T> Parts;
        public int Count;
    }

    [System.Runtime.CompilerServices.InlineArray(3)]
    private struct ProjectionParts<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private Projection<T> _first;
    }

    /// <summary>The operands of <see cref="Forward{T}"/>.</summary>
    private unsafe struct CoreJob<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public T* Q, K, V, P, ContextHeads, Context, Mask;
        public int Heads, Queries, Keys, KeyDim, ValueDim;
        public bool Causal;
        public T Scale;
    }
}
