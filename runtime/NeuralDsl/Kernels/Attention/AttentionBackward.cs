using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// The body of <see cref="Attention.Backward{T}"/> once its lengths are checked: one (sample, head) pair at a time,
/// shared with the worker pool. Each pair reads its own slices of the inputs and writes only its own slices of dQ, dK,
/// dV and the scratch, with the same operations in the same order wherever it runs, so the bits never depend on the
/// thread count (nor on the chunks, which are fixed by the sizes anyway). In float with AVX2 and FMA, and key and value
/// depths that are multiples of 16 (the benchmark's 16), the four products of a pair run in a register kernel
/// (<see cref="Product"/>) instead of four calls of the blocked GEMM, whose packing costs as much as the product at
/// these sizes (64×64·64×16). No call allocates once each thread's scratch has grown.
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
        if (typeof(T) == typeof(float) && Fma.IsSupported && keyDim % Strip == 0 && valueDim % Strip == 0)
        {
            PairsFloat(ref Unsafe.As<Job<T>, Job<float>>(ref job), first, end);
            return;
        }
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

    /// <summary>Columns of a strip of the register kernel: two vectors of 8 floats.</summary>
    private const int Strip = 16;

    /// <summary>
    /// The pairs of <see cref="Pairs{T}"/> in float, with <see cref="Product"/> for the four products: dV = P̃ᵀ·dC,
    /// dP̃ = dC·Vᵀ (V transposed once per pair into this thread's scratch, so the product reads rows), dQ = dS·K,
    /// dK = dSᵀ·Q.
    /// </summary>
    private static void PairsFloat(ref Job<float> job, int first, int end)
    {
        int queries = job.Queries, keys = job.Keys, keyDim = job.KeyDim, valueDim = job.ValueDim;
        nint qSize = queries * keyDim, kSize = keys * keyDim, vSize = keys * valueDim, pSize = queries * keys, cSize = queries * valueDim;
        float* vt = GemmBuffers<float>.GetScratch(valueDim * keys);
        for (int bh = first; bh < end; bh++)
        {
            float* dc = job.DContext + bh * cSize;
            float* v = job.V + bh * vSize;
            float* p = job.P + bh * pSize;
            float* ds = job.Scratch + bh * pSize;
            float* q = job.Q + bh * qSize;
            float* k = job.K + bh * kSize;
            // dV[keys×valueDim] = P̃ᵀ · dC: A(j, i) = P̃[i, j].
            Product(job.Used + bh * pSize, 1, keys, dc, job.DV + bh * vSize, keys, queries, valueDim);
            // Vᵀ[valueDim×keys], then dP̃[queries×keys] = dC · Vᵀ.
            for (int j = 0; j < keys; j++)
            {
                for (int d = 0; d < valueDim; d++)
                    vt[d * keys + j] = v[j * valueDim + d];
            }
            Product(dc, valueDim, 1, vt, ds, queries, valueDim, keys);
            if (job.Mask != null)
            {
                var dsSpan = new Span<float>(ds, (int)pSize);
                TensorPrimitives.Multiply(dsSpan, new ReadOnlySpan<float>(job.Mask + bh * pSize, (int)pSize), dsSpan);
            }
            for (int i = 0; i < queries; i++)
                SoftmaxBackwardRow(ds + i * keys, p + i * keys, keys, job.Scale);
            // dQ[queries×keyDim] = dS · K ; dK[keys×keyDim] = dSᵀ · Q (A(j, i) = dS[i, j]).
            Product(ds, keys, 1, k, job.DQ + bh * qSize, queries, keys, keyDim);
            Product(ds, 1, keys, q, job.DK + bh * kSize, keys, queries, keyDim);
        }
    }

    /// <summary>
    /// <c>C[m×n] = A·B</c> (overwritten), A(i, p) = <c>a[i·rowStride + p·columnStride]</c> (either layout), B [k×n]
    /// row-major: strips of 16 columns, four rows at a time in eight AVX2 accumulators, each sum over p in order with
    /// FMA; columns past the last whole strip (n not a multiple of 16) by a scalar loop in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Product(float* a, nint rowStride, nint columnStride, float* b, float* c, int m, int k, int n)
    {
        int strips = n / Strip * Strip;
        for (int s = 0; s < strips; s += Strip)
        {
            int i = 0;
            for (; i <= m - 4; i += 4)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
                float* a0 = a + i * rowStride;
                float* a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
                float* bp = b + s;
                for (int p = 0; p < k; p++)
                {
                    Vector256<float> b0 = Avx.LoadVector256(bp), b1 = Avx.LoadVector256(bp + 8);
                    nint o = p * columnStride;
                    Vector256<float> x = Vector256.Create(a0[o]);
                    c00 = Fma.MultiplyAdd(x, b0, c00);
                    c01 = Fma.MultiplyAdd(x, b1, c01);
                    x = Vector256.Create(a1[o]);
                    c10 = Fma.MultiplyAdd(x, b0, c10);
                    c11 = Fma.MultiplyAdd(x, b1, c11);
                    x = Vector256.Create(a2[o]);
                    c20 = Fma.MultiplyAdd(x, b0, c20);
                    c21 = Fma.MultiplyAdd(x, b1, c21);
                    x = Vector256.Create(a3[o]);
                    c30 = Fma.MultiplyAdd(x, b0, c30);
                    c31 = Fma.MultiplyAdd(x, b1, c31);
                    bp += n;
                }
                float* cr = c + i * n + s;
                Avx.Store(cr, c00);
                Avx.Store(cr + 8, c01);
                Avx.Store(cr + n, c10);
                Avx.Store(cr + n + 8, c11);
                Avx.Store(cr + 2 * n, c20);
                Avx.Store(cr + 2 * n + 8, c21);
                Avx.Store(cr + 3 * n, c30);
                Avx.Store(cr + 3 * n + 8, c31);
            }
            for (; i < m; i++)
            {
                Vector256<float> c0 = default, c1 = default;
                float* ai = a + i * rowStride;
                float* bp = b + s;
                for (int p = 0; p < k; p++)
                {
                    Vector256<float> x = Vector256.Create(ai[p * columnStride]);
                    c0 = Fma.MultiplyAdd(x, Avx.LoadVector256(bp), c0);
                    c1 = Fma.MultiplyAdd(x, Avx.LoadVector256(bp + 8), c1);
                    bp += n;
                }
                Avx.Store(c + i * n + s, c0);
                Avx.Store(c + i * n + s + 8, c1);
            }
        }
        for (int i = 0; i < m; i++)
        {
            for (int j = strips; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                    sum = MathF.FusedMultiplyAdd(a[i * rowStride + p * columnStride], b[p * n + j], sum);
                c[i * n + j] = sum;
            }
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
