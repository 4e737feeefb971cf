using System;
using System.Globalization;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Forward Conv2D by Winograd F(2×2, 3×3) for 3×3, stride-1, undilated kernels in NHWC layout: each 2×2 block of
/// outputs (a tile) comes from a 4×4 input patch through 16 element-wise products in the transformed domain instead
/// of 36 multiply-adds per channel and filter, 2.25× fewer multiplications. Over a block of tiles the 16 products
/// are 16 matrix products [tiles, C]·[C, F] run by <see cref="Gemm"/>; the bias and ReLU are applied in the output
/// transform, so the output is written once. The kernel transform is redone on every call because the weights may
/// have changed since the last one (a training step, LoadWeights, a user writing the parameters); it costs about a
/// pass over the kernel.
/// </summary>
/// <remarks>
/// Tiles are processed in chunks of whole tile rows sized to keep their transformed inputs and products near the size
/// of L2 (see <see cref="ChunkBytes"/>); each chunk runs all three steps on one thread, and the chunks are shared with the
/// <see cref="GemmWorker"/> thread when the convolution is large enough to pay for the hand-off. When all tiles fit one
/// chunk (batch 1 of a small image) the two threads split the 16 ξ instead, then the output transform by tile rows.
/// Every tile's result depends only on its own inputs and each product's sums run in the same order whichever way
/// the work is split, so the output does not depend on the chunking or on which thread ran what.
/// </remarks>
internal static unsafe class ConvolutionWinograd
{
    /// <summary>Elements of a 4×4 transform: the number of matrix products per chunk.</summary>
    private const int TransformSize = 16;

    /// <summary>
    /// Bytes of transformed input plus products a chunk aims for, Zen 4's L2. Taller products run faster and that
    /// outweighs the misses: at batch 32 of 13×13×32 → 64 on one core, chunks of 128 KB / 256 KB / 512 KB / 1 MB /
    /// 2 MB / all took 1.32 / 1.06 / 0.89 / 0.89 / 1.06 / 1.17 ms in float and 4.7 / 3.4 / 2.6 / 2.1 / 2.4 / 3.0 ms
    /// in double (float chunks of 1 MB hold 170 tiles, double ones 85).
    /// </summary>
    internal const int ChunkBytes = 1024 * 1024;

    /// <summary>
    /// Multiply-adds in the products below which the work stays on the calling thread: a guess (the hand-off costs a
    /// few microseconds, about what 2¹⁸ multiply-adds take), not measured, because the shared test machine rarely left
    /// the second core free long enough to time the small shapes on two threads.
    /// </summary>
    internal const long ParallelWork = 1L << 18;

    /// <summary>Whether this kernel computes the geometry: a 3×3 kernel, stride 1, dilation 1 (any padding).</summary>
    public static bool Supports(in Conv2DGeometry g) =>
        ConvolutionStrategyRule.IsWinogradShape(g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.DilationHeight, g.DilationWidth);

    /// <summary>
    /// Elements of scratch <see cref="Forward{T}"/> needs for <paramref name="batch"/> samples: the transformed kernel
    /// U [16, C, F] (its 16 matrices <see cref="KernelRowStride"/> apart, a few elements more than C·F), one zero
    /// pixel [C] (read for patch cells in the padding), the transformed input V [16, tiles, C] and the products
    /// M [16, tiles, F], where tiles = batch·⌈OH/2⌉·⌈OW/2⌉.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not a supported, valid one, the batch is negative, or the
    /// buffer would exceed <see cref="int.MaxValue"/> elements.</exception>
    public static int ScratchLength(in Conv2DGeometry g, int batch)
    {
        CheckGeometry(g);
        if (batch < 0)
            throw new ArgumentException(Invariant($"The batch size must not be negative, but it is {batch}."), nameof(batch));
        // batch and ⌈OH/2⌉·⌈OW/2⌉ (at most OH·OW, which the geometry keeps below 2³¹) are each below 2³¹, so
        // tiles fits a long; the sum is checked before it is formed.
        long tiles = (long)batch * TileCount(g.OutputHeight) * TileCount(g.OutputWidth);
        long kernelPart = TransformSize * KernelRowStride(g) + g.Channels;
        long perTile = TransformSize * ((long)g.Channels + g.Filters);
        long length = tiles > (long.MaxValue - kernelPart) / perTile ? long.MaxValue : kernelPart + tiles * perTile;
        if (length > int.MaxValue)
        {
            string total = length == long.MaxValue ? "more than 2⁶³" : length.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(Invariant($"The Winograd scratch for batch {batch} ({tiles} tiles of {g.Channels} channels and {g.Filters} filters) would hold {total} elements, more than {int.MaxValue}; use smaller batches."), nameof(batch));
        }
        return (int)length;
    }

    /// <summary>
    /// y [batch, OH, OW, F] = x [batch, H, W, C] ⋆ kernel [3, 3, C, F] (+ bias) (then max(·, 0) if
    /// <paramref name="relu"/>); every element of y is overwritten.
    /// </summary>
    /// <param name="x">Input, NHWC.</param>
    /// <param name="kernel">Kernel in Keras layout.</param>
    /// <param name="bias">F biases, or empty for none.</param>
    /// <param name="y">Output; must not overlap the other spans.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry; <see cref="Supports"/> must be true.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements; contents are not preserved.</param>
    /// <param name="relu">Apply ReLU after the bias.</param>
    /// <exception cref="ArgumentException">The geometry is not supported, a span length does not match it, or the output or
    /// scratch overlaps another span.</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y, int batch,
        in Conv2DGeometry g, Span<T> scratch, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int scratchNeeded = ScratchLength(g, batch);
        CheckLengths(x.Length, kernel.Length, bias.Length, y.Length, scratch.Length, scratchNeeded, batch, g);
        if (y.Overlaps(x) || y.Overlaps(kernel) || y.Overlaps(bias))
            throw new ArgumentException("The output overlaps an input; the convolution cannot be computed in place.", nameof(y));
        if (scratch.Overlaps(x) || scratch.Overlaps(kernel) || scratch.Overlaps(bias) || scratch.Overlaps(y))
            throw new ArgumentException("The scratch overlaps an input or the output.", nameof(scratch));
        if (batch == 0)
            return;

        int c = g.Channels, f = g.Filters;
        int tilesHigh = TileCount(g.OutputHeight), tilesWide = TileCount(g.OutputWidth);
        int tileRows = batch * tilesHigh;
        long tiles = (long)tileRows * tilesWide;
        fixed (T* px = x)
        fixed (T* pk = kernel)
        fixed (T* pb = bias)
        fixed (T* py = y)
        fixed (T* ps = scratch)
        {
            T* u = ps;
            nint uStride = KernelRowStride(g);
            T* zeroPixel = u + TransformSize * uStride;
            T* v = zeroPixel + c;
            var job = new Job<T>
            {
                X = px, Kernel = pk, U = u, UStride = uStride, ZeroPixel = zeroPixel, V = v,
                M = v + (nint)TransformSize * tiles * c, Bias = bias.IsEmpty ? null : pb, Y = py, Geometry = g,
                TilesHigh = tilesHigh, TilesWide = tilesWide, TileRows = tileRows, Relu = relu,
            };
            new Span<T>(zeroPixel, c).Clear();

            int rowsPerChunk = ChunkRows(g, tilesWide, tileRows, sizeof(T));
            int chunks = (tileRows + rowsPerChunk - 1) / rowsPerChunk;
            bool share = tiles * TransformSize * c * f >= ParallelWork && Gemm.MaxThreads >= 2 && GemmWorker.TryAcquire();
            if (share && chunks == 1)
            {
                // Too few tiles to split well (one MNIST sample has 36): each thread transforms the kernel and the
                // input for its 8 of the 16 ξ and runs those 8 full-height products (16 products of 18 rows would take
                // 1.4× as long as 8 of 36).
                GemmWorker.RunRange(&RunTransformRows<T>, &job, 4, 2);
                // The output transform needs all 16 ξ of a tile, so it waits for both halves; split by tile rows
                // when the worker is back in time, else the caller does all of it.
                if (tileRows >= 2 && GemmWorker.TryAcquire())
                    GemmWorker.RunRange(&RunOutputRows<T>, &job, tileRows, (tileRows + 1) / 2);
                else
                    TransformOutputs(ref job, 0, tileRows, job.M, (nint)tiles);
                return;
            }
            ConvolutionWinogradTransforms.Kernel(pk, u, (nint)c * f, uStride, 0, 4);
            if (share)
            {
                // An even number of chunks, so that when both threads keep up neither waits for a last odd one.
                int evenChunks = chunks + (chunks & 1);
                GemmWorker.RunRange(&RunChunk<T>, &job, tileRows, (tileRows + evenChunks - 1) / evenChunks);
            }
            else
            {
                for (int start = 0; start < tileRows; start += rowsPerChunk)
                    RunChunk<T>(&job, start, Math.Min(tileRows, start + rowsPerChunk));
            }
        }
    }

    /// <summary>
    /// Elements between the 16 matrices of the transformed kernel: C·F rounded up to an odd number of 16-element
    /// blocks (64-byte lines of floats, pairs of lines of doubles). With C·F a power of two the matrices would start
    /// 4 KB multiples apart, so the kernel transform's four output rows would share one L1 set and alias the loads.
    /// </summary>
    internal static nint KernelRowStride(in Conv2DGeometry g)
    {
        long blocks = ((long)g.Channels * g.Filters + 15) / 16;
        return (nint)((blocks | 1) * 16);
    }

    /// <summary>Tiles along an output axis: ⌈outputs / 2⌉.</summary>
    internal static int TileCount(int outputs) => (int)(((long)outputs + 1) / 2);

    /// <summary>
    /// Tile rows per chunk: as many as keep the chunk's V and M within <see cref="ChunkBytes"/> (at least one, at most
    /// all). Shorter products cost more than the cache misses they save: 16 products of 18 rows take 1.4× as long
    /// as 16 of 36 rows (36×32·32×64, float, one core).
    /// </summary>
    internal static int ChunkRows(in Conv2DGeometry g, int tilesWide, int tileRows, int elementSize)
    {
        long rowBytes = (long)tilesWide * TransformSize * (g.Channels + g.Filters) * elementSize;
        return (int)Math.Clamp(ChunkBytes / rowBytes, 1, tileRows);
    }

    /// <summary>Everything a chunk needs, on the caller's stack for the duration of the call.</summary>
    private struct Job<T>
        where T : unmanaged
    {
        public T* X, Kernel, U, ZeroPixel, V, M, Bias, Y;
        public nint UStride;
        public Conv2DGeometry Geometry;
        public int TilesHigh, TilesWide, TileRows;
        public bool Relu;
    }

    /// <summary>
    /// Tile rows [<paramref name="start"/>, <paramref name="end"/>) (row r is tile row r mod ⌈OH/2⌉ of sample
    /// r div ⌈OH/2⌉): input transform, the 16 products, output transform. The chunk's V and M are its own slices of
    /// the scratch, so chunks on two threads never share a written element.
    /// </summary>
    private static void RunChunk<T>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int c = job.Geometry.Channels, f = job.Geometry.Filters;
        nint firstTile = (nint)start * job.TilesWide, tiles = (nint)(end - start) * job.TilesWide;
        T* v = job.V + TransformSize * firstTile * c;
        T* m = job.M + TransformSize * firstTile * f;
        TransformInputs(ref job, start, end, v, tiles, 0, 4);
        for (int xi = 0; xi < TransformSize; xi++)
            Product(v + xi * tiles * c, job.U + xi * job.UStride, m + xi * tiles * f, (int)tiles, c, f);
        TransformOutputs(ref job, start, end, m, tiles);
    }

    /// <summary>
    /// Rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of the 4×4 transforms (ξ = 4·i … 4·i + 3 for each
    /// row i) over every tile: kernel transform, input transform and products of those ξ only. Two threads each take
    /// half the rows and write disjoint parts of U, V and M.
    /// </summary>
    private static void RunTransformRows<T>(void* context, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int c = job.Geometry.Channels, f = job.Geometry.Filters;
        nint tiles = (nint)job.TileRows * job.TilesWide;
        ConvolutionWinogradTransforms.Kernel(job.Kernel, job.U, (nint)c * f, job.UStride, firstRow, endRow);
        TransformInputs(ref job, 0, job.TileRows, job.V, tiles, firstRow, endRow);
        for (int xi = 4 * firstRow; xi < 4 * endRow; xi++)
            Product(job.V + xi * tiles * c, job.U + xi * job.UStride, job.M + xi * tiles * f, (int)tiles, c, f);
    }

    /// <summary>Output transforms of tile rows [<paramref name="start"/>, <paramref name="end"/>) of the one block of
    /// all tiles that <see cref="RunTransformRows{T}"/> filled.</summary>
    private static void RunOutputRows<T>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        nint tiles = (nint)job.TileRows * job.TilesWide;
        TransformOutputs(ref job, start, end, job.M + (nint)start * job.TilesWide * job.Geometry.Filters, tiles);
    }

    /// <summary>
    /// Input transforms of tile rows [<paramref name="start"/>, <paramref name="end"/>) into the block
    /// <paramref name="v"/> [16, <paramref name="tiles"/>, C], rows i ∈ [<paramref name="firstRow"/>,
    /// <paramref name="endRow"/>) of each transform only.
    /// </summary>
    private static void TransformInputs<T>(ref Job<T> job, int start, int end, T* v, nint tiles, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref readonly Conv2DGeometry g = ref job.Geometry;
        int c = g.Channels;
        T** cells = stackalloc T*[TransformSize];
        nint tile = 0;
        for (int row = start; row < end; row++)
        {
            int b = row / job.TilesHigh, top = 2 * (row % job.TilesHigh) - g.PadTop;
            T* sample = job.X + (nint)b * g.Height * g.Width * c;
            for (int column = 0; column < job.TilesWide; column++, tile++)
            {
                int left = 2 * column - g.PadLeft;
                for (int r = 0; r < 4; r++)
                {
                    int inputRow = top + r;
                    bool rowInside = (uint)inputRow < (uint)g.Height;
                    for (int s = 0; s < 4; s++)
                    {
                        int inputColumn = left + s;
                        cells[4 * r + s] = rowInside && (uint)inputColumn < (uint)g.Width
                            ? sample + ((nint)inputRow * g.Width + inputColumn) * c
                            : job.ZeroPixel;
                    }
                }
                ConvolutionWinogradTransforms.InputTile(cells, v + tile * c, tiles * c, c, firstRow, endRow);
            }
        }
    }

    /// <summary>
    /// Output transforms (with bias and ReLU) of tile rows [<paramref name="start"/>, <paramref name="end"/>) into y.
    /// <paramref name="m"/> points at the products of the first of these tiles inside a block [16, <paramref name="tiles"/>,
    /// F], so consecutive ξ of a tile are <paramref name="tiles"/>·F apart.
    /// </summary>
    private static void TransformOutputs<T>(ref Job<T> job, int start, int end, T* m, nint tiles)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref readonly Conv2DGeometry g = ref job.Geometry;
        int f = g.Filters;
        nint rowStride = (nint)g.OutputWidth * f;
        nint tile = 0;
        for (int row = start; row < end; row++)
        {
            int b = row / job.TilesHigh, top = 2 * (row % job.TilesHigh);
            T* outputRow = job.Y + ((nint)b * g.OutputHeight + top) * rowStride;
            bool storeBottom = top + 1 < g.OutputHeight;
            for (int column = 0; column < job.TilesWide; column++, tile++)
            {
                int left = 2 * column;
                ConvolutionWinogradTransforms.OutputTile(m + tile * f, tiles * f, job.Bias, outputRow + (nint)left * f,
                    rowStride, f, left + 1 < g.OutputWidth, storeBottom, job.Relu);
            }
        }
    }

    /// <summary>
    /// m [tiles, F] = v [tiles, C]·u [C, F]. Inside a chunk shared with the worker, <see cref="Gemm"/> finds the worker
    /// taken and runs the product on the calling thread.
    /// </summary>
    private static void Product<T>(T* v, T* u, T* m, int tiles, int c, int f)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Gemm.MultiplyUnchecked(v, u, m, tiles, c, f, false, false, false);

    /// <summary>
    /// Rejects geometries this kernel does not compute or that <see cref="Conv2DGeometry.Create"/> would not produce:
    /// the loops trust the sizes, and a padding of 3 or more would start a tile's patch beyond its first output.
    /// </summary>
    private static void CheckGeometry(in Conv2DGeometry g)
    {
        if (!Supports(g))
        {
            throw new ArgumentException(Invariant($"Winograd F(2×2, 3×3) needs a 3×3 kernel, stride 1 and dilation 1, but the geometry has a {g.KernelHeight}×{g.KernelWidth} kernel, stride {g.StrideHeight}×{g.StrideWidth} and dilation {g.DilationHeight}×{g.DilationWidth}."), "g");
        }
        if (g.Height <= 0 || g.Width <= 0 || g.Channels <= 0 || g.Filters <= 0 || g.OutputHeight <= 0 || g.OutputWidth <= 0
            || g.PadTop < 0 || g.PadTop > 2 || g.PadLeft < 0 || g.PadLeft > 2
            || (long)g.Height * g.Width * g.Channels > int.MaxValue
            || (long)g.OutputHeight * g.OutputWidth * g.Filters > int.MaxValue
            || 9L * g.Channels * g.Filters > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"The geometry {g} is not one Conv2DGeometry.Create produces (a non-positive size, a padding outside [0, 2] or a tensor beyond int)."), "g");
        }
    }

    /// <summary>Validates every span length against the geometry, naming expected and actual sizes.</summary>
    private static void CheckLengths(int xLength, int kernelLength, int biasLength, int yLength, int scratchLength,
        int scratchNeeded, int batch, in Conv2DGeometry g)
    {
        long inputNeeded = (long)batch * g.InputSize;
        long outputNeeded = (long)batch * g.OutputSize;
        if (xLength != inputNeeded)
            throw new ArgumentException(Invariant($"x length {xLength} does not match [batch {batch}, {g.Height}, {g.Width}, {g.Channels}] = {inputNeeded}."), "x");
        if (kernelLength != g.KernelSize)
            throw new ArgumentException(Invariant($"kernel length {kernelLength} does not match [3, 3, {g.Channels}, {g.Filters}] = {g.KernelSize}."), "kernel");
        if (biasLength != 0 && biasLength != g.Filters)
            throw new ArgumentException(Invariant($"bias length {biasLength} does not match the {g.Filters} filters (or 0 for no bias)."), "bias");
        if (yLength != outputNeeded)
            throw new ArgumentException(Invariant($"y length {yLength} does not match [batch {batch}, {g.OutputHeight}, {g.OutputWidth}, {g.Filters}] = {outputNeeded}."), "y");
        if (scratchLength < scratchNeeded)
            throw new ArgumentException(Invariant($"scratch length {scratchLength} is less than the {scratchNeeded} elements this geometry and batch need (ConvolutionWinograd.ScratchLength)."), "scratch");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
