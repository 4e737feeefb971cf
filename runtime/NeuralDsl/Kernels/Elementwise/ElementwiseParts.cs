using System;

namespace NeuralDsl;

/// <summary>
/// How an element-wise pass over rows (batch normalization at inference, ReLU, zero padding, max pooling) is shared
/// with the worker pool: like the optimizer updates (<see cref="UpdateDriver"/>), a pass of at least
/// <see cref="UpdateDriver.ParallelLength"/> elements gets one chunk of whole rows per thread, each of at least
/// <see cref="UpdateDriver.ChunkLength"/> elements; shorter passes stay on the calling thread. Every output element
/// is computed by the same operations wherever the cut falls, so no bit depends on the thread count.
/// </summary>
// See docs/kernels.md#element-wise-passes-on-the-pool
internal static class ElementwiseParts
{
    /// <summary>
    /// Rows per chunk for <paramref name="rows"/> rows of <paramref name="rowLength"/> elements; <paramref name="rows"/>
    /// itself (one chunk, on the calling thread) when the pass is short or the call may use one thread.
    /// </summary>
    public static int RowsPerChunk(int rows, long rowLength)
    {
        int threads = NeuralDslThreads.Current;
        if (threads < 2 || rows < 2 || rows * rowLength < UpdateDriver.ParallelLength)
            return Math.Max(rows, 1);
        int perThread = (int)(((long)rows + threads - 1) / threads);
        int least = (int)Math.Min(rows, (UpdateDriver.ChunkLength + rowLength - 1) / rowLength);
        return Math.Max(perThread, least);
    }
}
