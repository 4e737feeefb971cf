using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// The body of <see cref="Attention.Backward{T}"/> once its lengths are checked: one (sample, head) pair at a time,
/// shared with the worker pool. Each pair reads its own slices of the inputs and writes only its own slices of dQ, dK,
/// dV and the scratch, with the same operations in the same order wherever it runs, so the bits never depend on the
/// thread count (nor on the chunks, which are fixed by the sizes anyway). In float with AVX2 and FMA, and key and value
/// depths that are multiples of 16 (the benchmark's 16), the four products of a pair run in a register kernel
/// (<see cref="AttentionProduct"/>) instead of four calls of the blocked GEMM, whose packing costs as much as the
/// product at these sizes (64×64·64×16). A merged call (<see cref="Attention.BackwardMerged{T}"/>) reads dC and writes
/// dQ, dK, dV in the projections' [steps, heads·depth] rows: in place with strides in the register kernel, through
/// head-major blocks of the pair's own otherwise. No call allocates once each thread's scratch has grown.
/// </summary>
internal static unsafe class AttentionBackward
{
    /// <summary>Fewest multiply-adds of a chunk of pairs: about 10 µs of work, against a hand-off of about 1 µs.</summary>
    internal const long ChunkWork = 1L << 18;

    /// <summary>Pairs per chunk: at least one, and at least <see cref="ChunkWork"/> multiply-adds' worth.</summary>
    internal static int PairsPerChunk(int queries, int keys, int keyDim, int valueDim)
    {
        // Four products per pair: dV and dP over valueDim, dQ and dK over keyDim.
        long pairWork = 2L * queries * keys * ((long)keyDim + valueDim);
        return (int)Math.Clamp((ChunkWork + pairWork - 1) / pairWork, 1, int.MaxValue);
    }

    /// <summary>Runs every pair, on the pool when the whole call is worth at least one parallel threshold of work.</summary>
    public static void Run<T>(ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v, ReadOnlySpan<T> probabilities,
        ReadOnlySpan<T> usedProbabilities, ReadOnlySpan<T> dropoutMask, ReadOnlySpan<T> dContext, Span<T> scratch, Span<T> dq, Span<T> dk,
        Span<T> dv, int pairs, int heads, int queries, int keys, int keyDim, int valueDim, bool merged)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pq = q)
        fixed (T* pk = k)
        fixed (T* pv = v)
        fixed (T* pp = probabilities)
        fixed (T* pu = usedProbabilities)
        fixed (T* pm = dropoutMask)
        fixed (T* pdc = dContext)
        fixed (T* ps = scratch)
        fixed (T* pdq = dq)
        fixed (T* pdk = dk)
        fixed (T* pdv = dv)
        {
            var job = new Job<T>
            {
                Q = pq, K = pk, V = pv, P = pp, Used = pu, Mask = dropoutMask.IsEmpty ? null : pm, DContext = pdc, Scratch = ps,
                DQ = pdq, DK = pdk, DV = pdv, Heads = heads, Queries = queries, Keys = keys, KeyDim = keyDim, ValueDim = valueDim,
                Merged = merged, Scale = T.One / T.Sqrt(T.CreateTruncating(keyDim)),
            };
            long work = 2L * pairs * queries * keys * ((long)keyDim + valueDim);
            if (work >= Gemm.ParallelThreshold && NeuralDslThreads.Current >= 2)
                WorkerPool.Run(&Pairs<T>, &job, pairs, PairsPerChunk(queries, keys, keyDim, valueDim));
            else
                Pairs<T>(&job, 0, pairs);
        }
    }

    private struct Job<T>
        where T : unmanaged
    {
        public T* Q, K, V, P, Used, Mask, DContext, Scratch, DQ, DK, DV;
        public int Heads, Queries, Keys, KeyDim, ValueDim;

        /// <summary>dC, dQ, dK and dV in the projections' layout [batch, steps, heads, depth] instead of head-major.</summary>
        public bool Merged;
        public T Scale;

        /// <summary>Where pair <paramref name="bh"/>'s block of a [batch, steps, heads, depth] tensor starts, and its row stride.</summary>
        public readonly T* Head(T* tensor, int bh, int steps, int depth, out nint stride)
        {
            if (!Merged)
            {
                stride = depth;
                return tensor + (nint)bh * steps * depth;
            }
            int b = bh / Heads, h = bh % Heads;
            stride = (nint)Heads * depth;
            return tensor + ((nint)b * steps * Heads + h) * depth;
        }
    }

    /// <summary>
    /// This thread's head-major blocks of one pair (dC, dQ, dK, dV) for the GEMM path of a merged call, pinned, grown
    /// to the largest request seen (counted as warm-up, as the GEMM's buffers are).
    /// </summary>
    private static class HeadBlocks<T>
        where T : unmanaged
    {
        [ThreadStatic]
        private static T[]? t_buffer;

        public static T* Get(int length)
        {
            T[]? buffer = t_buffer;
            if (buffer is null || buffer.Length < length)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                buffer = GC.AllocateUninitializedArray<T>(length, pinned: true);
                t_buffer = buffer;
                WorkerPool.CountWarmUp(GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        }
    }

    /// <summary><paramref name="rows"/> rows of <paramref name="depth"/> elements from one row stride to another.</summary>
    private static void CopyRows<T>(T* source, nint sourceStride, T* destination, nint destinationStride, int rows, int depth)
        where T : unmanaged
    {
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<T>(source + r * sourceStride, depth).CopyTo(new Span<T>(destination + r * destinationStride, depth));
    }

    /// <summary>Pairs [first, end): the chunk body of <see cref="WorkerPool.Run"/>.</summary>
    private static void Pairs<T>(void* context, int first, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int queries = job.Queries, keys = job.Keys, keyDim = job.KeyDim, valueDim = job.ValueDim;
        nint qSize = queries * keyDim, kSize = keys * keyDim, vSize = keys * valueDim, pSize = queries * keys, cSize = queries * valueDim;
        if (typeof(T) == typeof(float) && Fma.IsSupported && AttentionProduct.Fits(keyDim, valueDim))
        {
            PairsFloat(ref Unsafe.As<Job<T>, Job<float>>(ref job), first, end);
            return;
        }
        // A merged call gathers each pair's dC into head-major blocks and scatters its dQ, dK, dV back.
        T* blocks = job.Merged ? HeadBlocks<T>.Get((int)(cSize + qSize + kSize + vSize)) : null;
        for (int bh = first; bh < end; bh++)
        {
            T* dcAt = job.Head(job.DContext, bh, queries, valueDim, out nint dcStride);
            T* dqAt = job.Head(job.DQ, bh, queries, keyDim, out nint dqStride);
            T* dkAt = job.Head(job.DK, bh, keys, keyDim, out nint dkStride);
            T* dvAt = job.Head(job.DV, bh, keys, valueDim, out nint dvStride);
            T* dc = dcAt, dqOut = dqAt, dkOut = dkAt, dvOut = dvAt;
            if (job.Merged)
            {
                dc = blocks;
                dqOut = blocks + cSize;
                dkOut = dqOut + qSize;
                dvOut = dkOut + kSize;
                CopyRows(dcAt, dcStride, dc, valueDim, queries, valueDim);
            }
            T* p = job.P + bh * pSize;
            T* ds = job.Scratch + bh * pSize;
            // dV[keys×valueDim] = P̃ᵀ · dC
            Gemm.MultiplyUnchecked(job.Used + bh * pSize, dc, dvOut, keys, queries, valueDim,
                transposeA: true, transposeB: false, accumulate: false);
            // dP̃[queries×keys] = dC · Vᵀ
            Gemm.MultiplyUnchecked(dc, job.V + bh * vSize, ds, queries, valueDim, keys,
                transposeA: false, transposeB: true, accumulate: false);
            if (job.Mask != null)
            {
                var dsSpan = new Span<T>(ds, (int)pSize);
                TensorPrimitives.Multiply(dsSpan, new ReadOnlySpan<T>(job.Mask + bh * pSize, (int)pSize), dsSpan);
            }
            for (int i = 0; i < queries; i++)
                SoftmaxBackwardRow(ds + i * keys, p + i * keys, keys, job.Scale);
            // dQ[queries×keyDim] = dS · K ; dK[keys×keyDim] = dSᵀ · Q
            Gemm.MultiplyUnchecked(ds, job.K + bh * kSize, dqOut, queries, keys, keyDim,
                transposeA: false, transposeB: false, accumulate: false);
            Gemm.MultiplyUnchecked(ds, job.Q + bh * qSize, dkOut, keys, queries, keyDim,
                transposeA: true, transposeB: false, accumulate: false);
            if (job.Merged)
            {
                CopyRows(dqOut, keyDim, dqAt, dqStride, queries, keyDim);
                CopyRows(dkOut, keyDim, dkAt, dkStride, keys, keyDim);
                CopyRows(dvOut, valueDim, dvAt, dvStride, keys, valueDim);
            }
        }
    }

    /// <summary>
    /// The pairs of <see cref="Pairs{T}"/> in float, with <see cref="AttentionProduct.Multiply"/> for the four products: dV = P̃ᵀ·dC,
    /// dP̃ = dC·Vᵀ (V transposed once per pair into this thread's scratch, so the product reads rows), dQ = dS·K,
    /// dK = dSᵀ·Q.
    /// </summary>
    private static void PairsFloat(ref Job<float> job, int first, int end)
    {
        int queries = job.Queries, keys = job.Keys, keyDim = job.KeyDim, valueDim = job.ValueDim;
        nint qSize = queries * keyDim, kSize = keys * keyDim, vSize = keys * valueDim, pSize = queries * keys;
        float* vt = GemmBuffers<float>.GetScratch(valueDim * keys);
        for (int bh = first; bh < end; bh++)
        {
            // dC, dQ, dK, dV: head-major blocks, or blocks inside the projections' rows (merged), read and written in place.
            float* dc = job.Head(job.DContext, bh, queries, valueDim, out nint dcStride);
            float* dq = job.Head(job.DQ, bh, queries, keyDim, out nint dqStride);
            float* dk = job.Head(job.DK, bh, keys, keyDim, out nint dkStride);
            float* dvOut = job.Head(job.DV, bh, keys, valueDim, out nint dvStride);
            float* v = job.V + bh * vSize;
            float* p = job.P + bh * pSize;
            float* ds = job.Scratch + bh * pSize;
            float* q = job.Q + bh * qSize;
            float* k = job.K + bh * kSize;
            // dV[keys×valueDim] = P̃ᵀ · dC: A(j, i) = P̃[i, j].
            AttentionProduct.Multiply(job.Used + bh * pSize, 1, keys, dc, dcStride, dvOut, dvStride, keys, queries, valueDim);
            // Vᵀ[valueDim×keys], then dP̃[queries×keys] = dC · Vᵀ.
            AttentionProduct.Transpose(v, vt, keys, valueDim);
            AttentionProduct.Multiply(dc, dcStride, 1, vt, keys, ds, keys, queries, valueDim, keys);
            if (job.Mask != null)
            {
                var dsSpan = new Span<float>(ds, (int)pSize);
                TensorPrimitives.Multiply(dsSpan, new ReadOnlySpan<float>(job.Mask + bh * pSize, (int)pSize), dsSpan);
            }
            for (int i = 0; i < queries; i++)
                SoftmaxBackwardRowFloat(ds + i * keys, p + i * keys, keys, job.Scale);
            // dQ[queries×keyDim] = dS · K ; dK[keys×keyDim] = dSᵀ · Q (A(j, i) = dS[i, j]).
            AttentionProduct.Multiply(ds, keys, 1, k, keyDim, dq, dqStride, queries, keys, keyDim);
            AttentionProduct.Multiply(ds, 1, keys, q, keyDim, dk, dkStride, keys, queries, keyDim);
        }
    }

    /// <summary>
    /// <see cref="SoftmaxBackwardRow{T}"/> in float with AVX2 and FMA: the dot product ⟨dP, P⟩ in two register
    /// accumulators (even and odd vectors, FMA, added at the end, then the scalar tail) instead of a TensorPrimitives call
    /// per row, whose fixed cost is most of a 64-key row's; then the same per-element roundings.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxBackwardRowFloat(float* d, float* p, int length, float scale)
    {
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        int j = 0;
        for (; j + 16 <= length; j += 16)
        {
            even = Fma.MultiplyAdd(Avx.LoadVector256(d + j), Avx.LoadVector256(p + j), even);
            odd = Fma.MultiplyAdd(Avx.LoadVector256(d + j + 8), Avx.LoadVector256(p + j + 8), odd);
        }
        if (j + 8 <= length)
        {
            even = Fma.MultiplyAdd(Avx.LoadVector256(d + j), Avx.LoadVector256(p + j), even);
            j += 8;
        }
        float dot = Vector256.Sum(even + odd);
        for (int t = j; t < length; t++)
            dot = MathF.FusedMultiplyAdd(d[t], p[t], dot);
        Vector256<float> vDot = Vector256.Create(dot), vScale = Vector256.Create(scale);
        int k = 0;
        for (; k + 8 <= length; k += 8)
            Avx.Store(d + k, (Avx.LoadVector256(d + k) - vDot) * Avx.LoadVector256(p + k) * vScale);
        for (; k < length; k++)
            d[k] = (d[k] - dot) * p[k] * scale;
    }

    /// <summary>
    /// Softmax backward of one row in one pass after the dot product: <c>dS = ((dP − ⟨dP, P⟩) ⊙ P) · scale</c>, the same
    /// three roundings per element, in the same order, as three separate element-wise passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxBackwardRow<T>(T* d, T* p, int length, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T dot = TensorPrimitives.Dot(new ReadOnlySpan<T>(d, length), new ReadOnlySpan<T>(p, length));
        int j = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<T>.Count)
        {
            var vDot = new Vector<T>(dot);
            var vScale = new Vector<T>(scale);
            for (; j <= length - Vector<T>.Count; j += Vector<T>.Count)
            {
                var dj = Vector.Load(d + j);
                Vector.Store((dj - vDot) * Vector.Load(p + j) * vScale, d + j);
            }
        }
        for (; j < length; j++)
            d[j] = (d[j] - dot) * p[j] * scale;
    }
}
