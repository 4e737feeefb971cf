using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// The body of <see cref="LayerNorm.Backward{T}"/> once its lengths are checked, in chunks of rows shared with the
/// worker pool. dx is per row; the γ and β gradients are sums over rows: the first chunk adds into the accumulators as
/// the rows come, every later chunk into a zeroed partial of its own, and the caller adds the partials in chunk order.
/// The chunks depend on the sizes alone (<see cref="RowsPerChunk"/>), and one thread computes them the same way, so the
/// bits never depend on the thread count. No call allocates once the calling thread's scratch has grown.
/// </summary>
internal static unsafe class LayerNormBackward
{
    /// <summary>Elements of a chunk: about 8–10 µs of work on one core, a few times the pool's hand-off.</summary>
    internal const int ChunkElements = 1 << 13;

    /// <summary>Rows per chunk for rows of <paramref name="features"/> values: at least one.</summary>
    internal static int RowsPerChunk(int features) => Math.Max(1, ChunkElements / features);

    /// <summary>Every row (see the class summary); the arguments are checked by <see cref="LayerNorm.Backward{T}"/>.</summary>
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> dy, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean, ReadOnlySpan<T> inverseStd,
        Span<T> dx, Span<T> dGamma, Span<T> dBeta, int rows, int features, bool rmsScaling)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (rows == 0)
            return;
        int chunkRows = RowsPerChunk(features);
        int chunks = (rows + chunkRows - 1) / chunkRows;
        bool sums = !dGamma.IsEmpty || !dBeta.IsEmpty;
        // Chunks past the first: [dγ partial | dβ partial] each, in the calling thread's scratch, zeroed.
        T* partials = null;
        if (chunks > 1 && sums)
        {
            partials = GemmBuffers<T>.GetScratch((chunks - 1) * 2 * features);
            new Span<T>(partials, (chunks - 1) * 2 * features).Clear();
        }
        fixed (T* px = x)
        fixed (T* pdy = dy)
        fixed (T* pg = gamma)
        fixed (T* pmu = mean)
        fixed (T* ps = inverseStd)
        fixed (T* pdx = dx)
        fixed (T* pdg = dGamma)
        fixed (T* pdb = dBeta)
        {
            var job = new Job<T>
            {
                X = px, DY = pdy, Gamma = gamma.IsEmpty ? null : pg, Mean = pmu, InverseStd = ps, DX = pdx,
                DGamma = dGamma.IsEmpty ? null : pdg, DBeta = dBeta.IsEmpty ? null : pdb, Partials = partials,
                Features = features, ChunkRows = chunkRows, RmsScaling = rmsScaling,
            };
            // One chunk or one thread: the pool runs the same chunks in order on this thread.
            WorkerPool.Run(&Rows<T>, &job, rows, chunkRows);
        }
        if (partials == null)
            return;
        for (int c = 0; c < chunks - 1; c++)
        {
            T* partial = partials + (nint)c * 2 * features;
            if (!dGamma.IsEmpty)
                TensorPrimitives.Add(dGamma, new ReadOnlySpan<T>(partial, features), dGamma);
            if (!dBeta.IsEmpty)
                TensorPrimitives.Add(dBeta, new ReadOnlySpan<T>(partial + features, features), dBeta);
        }
    }

    private struct Job<T>
        where T : unmanaged
    {
        public T* X, DY, Gamma, Mean, InverseStd, DX, DGamma, DBeta, Partials;
        public int Features, ChunkRows;
        public bool RmsScaling;
    }

    /// <summary>Rows [r0, r1), one chunk: the chunk body of <see cref="WorkerPool.Run"/>.</summary>
    private static void Rows<T>(void* context, int r0, int r1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int features = job.Features;
        int index = r0 / job.ChunkRows;
        // The first chunk sums into the accumulators themselves, the others into their own partials.
        T* partial = index == 0 ? null : job.Partials + (nint)(index - 1) * 2 * features;
        var dGamma = job.DGamma == null ? default : new Span<T>(index == 0 ? job.DGamma : partial, features);
        var dBeta = job.DBeta == null ? default : new Span<T>(index == 0 ? job.DBeta : partial + features, features);
        var gamma = job.Gamma == null ? default : new ReadOnlySpan<T>(job.Gamma, features);
        T count = T.CreateTruncating(features);
        bool rmsScaling = job.RmsScaling;
        for (int r = r0; r < r1; r++)
        {
            nint offset = (nint)r * features;
            var xr = new ReadOnlySpan<T>(job.X + offset, features);
            var gr = new Span<T>(job.DY + offset, features);
            var xhat = new Span<T>(job.DX + offset, features);
            T s = job.InverseStd[r];
            TensorPrimitives.Subtract(xr, job.Mean[r], xhat);
            TensorPrimitives.Multiply(xhat, s, xhat);
            if (!dGamma.IsEmpty)
                TensorPrimitives.MultiplyAdd(gr, xhat, dGamma, dGamma);
            if (!dBeta.IsEmpty)
                TensorPrimitives.Add(dBeta, gr, dBeta);
            if (!gamma.IsEmpty)
                TensorPrimitives.Multiply(gr, gamma, gr);
            T meanG = rmsScaling ? T.Zero : TensorPrimitives.Sum<T>(gr) / count;
            T meanGx = TensorPrimitives.Dot<T>(gr, xhat) / count;
            // dx = x̂·(−s·mean(g x̂)) + s·g − s·mean(g), written over x̂.
            TensorPrimitives.Multiply(xhat, -s * meanGx, xhat);
            TensorPrimitives.MultiplyAdd(gr, s, xhat, xhat);
            if (!rmsScaling)
                TensorPrimitives.Add(xhat, -s * meanG, xhat);
        }
    }
}
