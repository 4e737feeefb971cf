using System;

namespace NeuralDsl;

/// <summary>
/// How a large product is cut into chunks for the worker pool. Every rule here reads the shape (and the element size)
/// only, never the thread count: one thread computes exactly the chunks many threads would, in the same way, so the
/// bits of C never depend on how many threads shared it.
/// </summary>
/// <remarks>
/// Rows and columns: a grid of blocks, halving the longer side while every block keeps at least
/// <see cref="ChunkWork"/> multiply-adds and both sides stay at least <see cref="MinRows"/> rows and
/// <see cref="MinColumns"/> columns, up to <see cref="MaxChunks"/> blocks; at least two blocks (the longer side
/// halved) for any product above the threshold. A block re-reads the operand it does not
/// split, so blocks are kept large enough for the packing to stay a small share of their work. Depth: chunks of about
/// one packed depth block (<see cref="GemmBlocked.DepthBytes"/>), an even number (so two threads share them evenly),
/// at most <see cref="MaxDepthChunks"/>. Between <see cref="Gemm.RowSplitThreshold"/> and the threshold: row blocks
/// only (<see cref="RowSplit"/>). See docs/kernels.md#threads.
/// </remarks>
internal static class GemmPartition
{
    /// <summary>Fewest multiply-adds per grid block: Gemm's parallel threshold, about 20-40 µs on one core.</summary>
    internal const long ChunkWork = Gemm.ParallelThreshold;

    /// <summary>Most grid blocks per product (enough for 64 threads).</summary>
    internal const int MaxChunks = 64;

    /// <summary>Fewest rows in a grid block: up to 192 rows B is read in place (no packing), so a row block costs little.</summary>
    internal const int MinRows = 96;

    /// <summary>Fewest columns in a grid block: each column block packs its rows of A again.</summary>
    internal const int MinColumns = 128;

    /// <summary>Most depth chunks: each one past the first adds an m×n partial and one pass over C.</summary>
    internal const int MaxDepthChunks = 8;

    /// <summary>
    /// The grid of a product large enough to share: rows and columns per block (multiples of the register tile
    /// <paramref name="tileRows"/> × <paramref name="tileColumns"/>) and the resulting block counts.
    /// </summary>
    public static GemmGrid Grid(int m, int k, int n, int tileRows, int tileColumns)
    {
        long work = (long)m * k * n;
        long maxChunks = Math.Clamp(work / ChunkWork, 1, MaxChunks);
        int rowBlocks = 1, columnBlocks = 1;
        while ((long)rowBlocks * columnBlocks * 2 <= maxChunks)
        {
            int rowExtent = (m + rowBlocks - 1) / rowBlocks, columnExtent = (n + columnBlocks - 1) / columnBlocks;
            bool rows = rowExtent >= 2 * MinRows, columns = columnExtent >= 2 * MinColumns;
            if (columns && (columnExtent >= rowExtent || !rows))
                columnBlocks *= 2;
            else if (rows)
                rowBlocks *= 2;
            else
                break;
        }
        if (rowBlocks * columnBlocks == 1)
        {
            // Above the threshold a product is always worth two blocks (as with the old helper thread): halve the
            // longer side, below the minimum extents if need be.
            if (n >= m)
                columnBlocks = 2;
            else
                rowBlocks = 2;
        }
        int rowChunk = RoundUp((m + rowBlocks - 1) / rowBlocks, tileRows);
        int columnChunk = RoundUp((n + columnBlocks - 1) / columnBlocks, tileColumns);
        return new GemmGrid(rowChunk, columnChunk, (m + rowChunk - 1) / rowChunk, (n + columnChunk - 1) / columnChunk);
    }

    /// <summary>Fewest rows in a row block of a product below the threshold (<see cref="RowSplit"/>).</summary>
    internal const int RowSplitMinRows = 32;

    /// <summary>
    /// Rows per block of <see cref="RowSplit"/> are a multiple of this, not of the register tile: blocks of equal size
    /// (32 + 32 rows rather than 36 + 28) finish together on two threads, and the few-row tile takes a ragged end.
    /// </summary>
    internal const int RowSplitGranule = 8;

    /// <summary>Fewest multiply-adds in a row block of a product below the threshold: a few microseconds on one core.</summary>
    internal const long RowSplitChunkWork = 1L << 17;

    /// <summary>
    /// Row blocks of a product between <see cref="Gemm.RowSplitThreshold"/> and the parallel threshold: as many as keep
    /// every block at least <see cref="RowSplitMinRows"/> rows and <see cref="RowSplitChunkWork"/> multiply-adds (one
    /// block when that is fewer than two), rows per block a multiple of <see cref="RowSplitGranule"/>, one column
    /// block. The LSTM and GRU per-step products of batch 32 (32 rows) stay whole.
    /// </summary>
    public static GemmGrid RowSplit(int m, int k, int n)
    {
        long work = (long)m * k * n;
        int blocks = (int)Math.Clamp(Math.Min(m / RowSplitMinRows, work / RowSplitChunkWork), 1, MaxChunks);
        int rowChunk = RoundUp((m + blocks - 1) / blocks, RowSplitGranule);
        return new GemmGrid(rowChunk, n, (m + rowChunk - 1) / rowChunk, 1);
    }

    /// <summary>Depths per chunk of a depth split (a multiple of <see cref="Gemm.DepthSplitGranule"/>); the last chunk may be shorter.</summary>
    public static int DepthChunk(int m, int k, int n, int elementSize)
    {
        int depthBlock = GemmBlocked.DepthBytes / elementSize;
        // Two parallel thresholds of work per chunk: each chunk past the first costs a partial and a pass over C, and
        // the MNIST MLP's 64×784·784×128 forward product is fastest in two halves (in four it was 1.6x slower).
        long byWork = Math.Max(2, (long)m * k * n / (2 * ChunkWork));
        int chunks = (int)Math.Min(Math.Min(MaxDepthChunks, byWork), Math.Max(2, (k + depthBlock - 1) / depthBlock));
        chunks += chunks & 1;
        return RoundUp((k + chunks - 1) / chunks, Gemm.DepthSplitGranule);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

/// <summary>A product's grid: blocks of <paramref name="RowChunk"/> rows × <paramref name="ColumnChunk"/> columns, row-block major.</summary>
internal readonly record struct GemmGrid(int RowChunk, int ColumnChunk, int RowBlocks, int ColumnBlocks)
{
    /// <summary>Blocks in the grid.</summary>
    public int Chunks => RowBlocks * ColumnBlocks;
}
