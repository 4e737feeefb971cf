using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// The body of <see cref="Attention.Backward{T}"/> once its lengths are checked: one (sample, head) pair at a time,
/// shared with the worker pool. Each pair reads its own slices of the inputs and writes only its own slices of dQ, dK,
/// dV and the scratch, with the same operations in the same order wherever it runs, so the bits never depend on the
/// thread count (nor on the chunks, which are fixed by the sizes anyway). No call allocates.
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
        Span<T> dv, int pairs, int queries, int keys, int keyDim, int valueDim)
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
                DQ = pdq, DK = pdk, DV = pdv, Queries = queries, Keys = keys, KeyDim = keyDim, ValueDim = valueDim,
                Scale = T.One / T.Sqrt(T.CreateTruncating(keyDim)),
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
        public int Queries, Keys, KeyDim, ValueDim;
        public T Scale;
    }

    /// <summary>Pairs [first, end): the chunk body of <see cref="WorkerPool.Run"/>.</summary>
    private static void Pairs<T>(void* context, int first, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int queries = job.Queries, keys = job.Keys, keyDim = job.KeyDim, valueDim = job.ValueDim;
        nint qSize = queries * keyDim, kSize = keys * keyDim, vSize = keys * valueDim, pSize = queries * keys, cSize = queries * valueDim;
        for (int bh = first; bh < end; bh++)
        {
            T* dc = job.DContext + bh * cSize;
            T* p = job.P + bh * pSize;
            T* ds = job.Scratch + bh * pSize;
            // dV[keys×valueDim] = P̃ᵀ · dC
            Gemm.MultiplyUnchecked(job.Used + bh * pSize, dc, job.DV + bh * vSize, keys, queries, valueDim,
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
            Gemm.MultiplyUnchecked(ds, job.K + bh * kSize, job.DQ + bh * qSize, queries, keys, keyDim,
                transposeA: false, transposeB: false, accumulate: false);
            Gemm.MultiplyUnchecked(ds, job.Q + bh * qSize, job.DK + bh * kSize, keys, queries, keyDim,
                transposeA: true, transposeB: false, accumulate: false);
        }
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
