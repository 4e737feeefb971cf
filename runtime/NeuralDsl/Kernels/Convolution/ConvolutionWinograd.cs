using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>
/// Forward Conv2D by Winograd F(m×m, 3×3) for 3×3, stride-1, undilated kernels in NHWC layout, with m = 2
/// (<see cref="WinogradF2x2"/>, <see cref="ConvolutionStrategy.Winograd"/>) or m = 4 (<see cref="WinogradF4x4"/>,
/// <see cref="ConvolutionStrategy.Winograd4x4"/>): each m×m block of outputs (a tile) comes from an α×α input patch,
/// α = m + 2, through α² element-wise products in the transformed domain instead of 9·m² multiply-adds per channel
/// and filter. Over a block of tiles the α² products are α² matrix products [tiles, C]·[C, F]
/// (<see cref="ConvolutionWinogradProduct"/>); the bias and ReLU are applied in the output transform, so the output
/// is written once.
/// </summary>
/// <remarks>
/// Tiles are processed in chunks of whole tile rows sized to keep their transformed inputs and products near the size
/// of L2 (see <see cref="ChunkBytes"/>); each chunk runs all three steps on one thread, and the chunks are shared with the
/// <see cref="WorkerPool"/> when the convolution is large enough to pay for the hand-off. When all tiles fit one
/// chunk (a few samples of a small image) the threads split the α² ξ instead, then the output transform by tile rows.
/// Every tile's result depends only on its own inputs and each product's sums run in the same order whichever way
/// the work is split, so the output does not depend on the chunking or on which thread ran what.
/// <para>
/// The transformed kernel U is recomputed on every call unless the caller passes a kernel cache: the weights may have
/// changed since the last call (a training step, LoadWeights, a user writing through a parameter span), and nothing
/// short of looking at them tells. The cache keeps a copy of the kernel beside U and reuses U when the kernel is bit
/// for bit the copy, which a vectorized comparison decides in a fraction of the transform's time; inference on fixed
/// weights then skips the transform and training pays one comparison that fails at the first changed weight.
/// </para>
/// </remarks>
internal static unsafe class ConvolutionWinograd
{
    /// <summary>
    /// Bytes of transformed input plus products a chunk aims for, one core's L2: taller products run faster, and that
    /// outweighs the misses up to this size.
    /// </summary>
    // See docs/kernels.md#winograd-chunks
    internal const int ChunkBytes = 1024 * 1024;

    /// <summary>
    /// Multiply-adds in the products below which the work stays on the calling thread: Gemm's threshold, since below
    /// it the hand-off to the worker pool risks more than it can save.
    /// </summary>
    // See docs/kernels.md#winograd-threads
    internal const long ParallelWork = Gemm.ParallelThreshold;

    /// <summary>Elements before the kernel copy in a kernel cache: the first holds one once U is valid;
    /// the rest keep the copy and U aligned to a cache line.</summary>
    private const int CacheHeader = 16;

    /// <summary>Whether this kernel computes the geometry: a 3×3 kernel, stride 1, dilation 1 (any padding).</summary>
    public static bool Supports(in Conv2DGeometry g) =>
        ConvolutionStrategyRule.IsWinogradShape(g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.DilationHeight, g.DilationWidth);

    /// <summary>
    /// Elements of scratch <see cref="Forward{T}"/> needs for <paramref name="batch"/> samples: the transformed kernel
    /// U [α², C, F] (its α² matrices <see cref="KernelRowStride"/> apart, a few elements more than C·F; unused when a
    /// kernel cache is passed), one zero pixel [C] (read for patch cells in the padding), the transformed input
    /// V [α², tiles, C] and the products M [α², tiles, F], where tiles = batch·⌈OH/m⌉·⌈OW/m⌉.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not a supported, valid one, the algorithm is not a Winograd
    /// one, the batch is negative, or the buffer would exceed <see cref="int.MaxValue"/> elements.</exception>
    public static int ScratchLength(in Conv2DGeometry g, int batch, ConvolutionStrategy algorithm)
    {
        CheckGeometry(g);
        (int tileOutputs, int points) = Algorithm(algorithm);
        if (batch < 0)
            throw new ArgumentException(Invariant($"The batch size must not be negative, but it is {batch}."), nameof(batch));
        // batch and ⌈OH/m⌉·⌈OW/m⌉ (at most OH·OW, which the geometry keeps below 2³¹) are each below 2³¹, so
        // tiles fits a long; the sum is checked before it is formed.
        long tiles = (long)batch * TileCount(g.OutputHeight, tileOutputs) * TileCount(g.OutputWidth, tileOutputs);
        long transformSize = (long)points * points;
        long kernelPart = transformSize * KernelRowStride(g) + g.Channels;
        long perTile = transformSize * ((long)g.Channels + g.Filters);
        long length = tiles > (long.MaxValue - kernelPart) / perTile ? long.MaxValue : kernelPart + tiles * perTile;
        if (length > int.MaxValue)
        {
            string total = length == long.MaxValue ? "more than 2⁶³" : length.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(Invariant($"The Winograd scratch for batch {batch} ({tiles} tiles of {g.Channels} channels and {g.Filters} filters) would hold {total} elements, more than {int.MaxValue}; use smaller batches."), nameof(batch));
        }
        return (int)length;
    }

    /// <summary>
    /// Elements of a kernel cache for <see cref="Forward{T}"/>: a header, a copy of the kernel [3, 3, C, F] and the
    /// transformed kernel U [α², C, F]. A zeroed buffer is an empty cache.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not a supported, valid one or the algorithm is not a Winograd one.</exception>
    public static int KernelCacheLength(in Conv2DGeometry g, ConvolutionStrategy algorithm)
    {
        CheckGeometry(g);
        (_, int points) = Algorithm(algorithm);
        // CheckGeometry bounds 9·C·F below 2³¹; 36 such matrices may not fit.
        long length = CacheHeader + RoundUpToLine(g.KernelSize) + (long)points * points * KernelRowStride(g);
        if (length > int.MaxValue)
            throw new ArgumentException(Invariant($"The Winograd kernel cache of {g.Channels} channels and {g.Filters} filters would hold {length} elements, more than {int.MaxValue}."), "g");
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
    /// <param name="algorithm"><see cref="ConvolutionStrategy.Winograd"/> for F(2×2, 3×3) or
    /// <see cref="ConvolutionStrategy.Winograd4x4"/> for F(4×4, 3×3).</param>
    /// <param name="kernelCache">Empty, or <see cref="KernelCacheLength"/> elements kept between calls for this
    /// layer only (zeroed at first): U is reused while the kernel is unchanged.</param>
    /// <exception cref="ArgumentException">The geometry or algorithm is not supported, a span length does not match
    /// it, or the output, scratch or cache overlaps another span.</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y, int batch,
        in Conv2DGeometry g, Span<T> scratch, bool relu, ConvolutionStrategy algorithm, Span<T> kernelCache = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int scratchNeeded = ScratchLength(g, batch, algorithm);
        CheckLengths(x.Length, kernel.Length, bias.Length, y.Length, scratch.Length, scratchNeeded, batch, g);
        if (!kernelCache.IsEmpty && kernelCache.Length != KernelCacheLength(g, algorithm))
            throw new ArgumentException(Invariant($"kernelCache length {kernelCache.Length} is not the {KernelCacheLength(g, algorithm)} elements this geometry needs (ConvolutionWinograd.KernelCacheLength), nor 0 for no cache."), nameof(kernelCache));
        if (y.Overlaps(x) || y.Overlaps(kernel) || y.Overlaps(bias))
            throw new ArgumentException("The output overlaps an input; the convolution cannot be computed in place.", nameof(y));
        if (scratch.Overlaps(x) || scratch.Overlaps(kernel) || scratch.Overlaps(bias) || scratch.Overlaps(y))
            throw new ArgumentException("The scratch overlaps an input or the output.", nameof(scratch));
        if (kernelCache.Overlaps(x) || kernelCache.Overlaps(kernel) || kernelCache.Overlaps(bias) || kernelCache.Overlaps(y) || kernelCache.Overlaps(scratch))
            throw new ArgumentException("The kernel cache overlaps an input, the output or the scratch.", nameof(kernelCache));
        if (batch == 0)
            return;
        if (algorithm == ConvolutionStrategy.Winograd4x4)
            Run<T, WinogradF4x4>(x, kernel, bias, y, batch, g, scratch, relu, kernelCache);
        else
            Run<T, WinogradF2x2>(x, kernel, bias, y, batch, g, scratch, relu, kernelCache);
    }

    /// <summary>The forward pass of one algorithm on validated spans.</summary>
    private static void Run<T, TW>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y, int batch,
        in Conv2DGeometry g, Span<T> scratch, bool relu, Span<T> kernelCache)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : IWinogradTransforms
    {
        int c = g.Channels, f = g.Filters, points = TW.Points, transformSize = points * points;
        int tilesHigh = TileCount(g.OutputHeight, TW.TileOutputs), tilesWide = TileCount(g.OutputWidth, TW.TileOutputs);
        int tileRows = batch * tilesHigh;
        long tiles = (long)tileRows * tilesWide;
        bool cached = !kernelCache.IsEmpty && kernelCache[0] == T.One
            && MemoryMarshal.AsBytes(kernel).SequenceEqual(MemoryMarshal.AsBytes(kernelCache.Slice(CacheHeader, kernel.Length)));
        if (!kernelCache.IsEmpty && !cached)
        {
            // Invalid until the new U is complete, so an exception part-way cannot leave a stale U marked valid.
            kernelCache[0] = T.Zero;
            kernel.CopyTo(kernelCache.Slice(CacheHeader, kernel.Length));
        }
        fixed (T* px = x)
        fixed (T* pk = kernel)
        fixed (T* pb = bias)
        fixed (T* py = y)
        fixed (T* ps = scratch)
        fixed (T* pc = kernelCache)
        {
            nint uStride = KernelRowStride(g);
            T* zeroPixel = ps + transformSize * uStride;
            T* v = zeroPixel + c;
            var job = new Job<T>
            {
                X = px, Kernel = pk, U = pc == null ? ps : pc + CacheHeader + RoundUpToLine(kernel.Length), UStride = uStride,
                TransformKernel = !cached, ZeroPixel = zeroPixel, V = v, M = v + (nint)transformSize * tiles * c,
                Bias = bias.IsEmpty ? null : pb, Y = py, Geometry = g,
                TilesHigh = tilesHigh, TilesWide = tilesWide, TileRows = tileRows, Relu = relu,
            };
            new Span<T>(zeroPixel, c).Clear();

            int rowsPerChunk = ChunkRows(g, tilesWide, tileRows, sizeof(T), transformSize);
            int chunks = (tileRows + rowsPerChunk - 1) / rowsPerChunk;
            bool share = tiles * transformSize * c * f >= ParallelWork && NeuralDslThreads.Current >= 2;
            if (share && chunks == 1)
            {
                // Too few tiles to split well (four MNIST samples have 36 4×4 or 144 2×2 tiles): each thread transforms
                // the kernel and the input for its half of the α² ξ and runs those full-height products (twice as many
                // products of half the tiles would take 1.4× as long). Two halves: each re-reads the whole input.
                WorkerPool.Run(&RunTransformRows<T, TW>, &job, points, points / 2);
                // The output transform needs all α² ξ of a tile, so it waits for both halves; then by tile rows.
                WorkerPool.Run(&RunOutputRows<T, TW>, &job, tileRows, (tileRows + 1) / 2);
            }
            else
            {
                if (job.TransformKernel)
                    TW.Kernel(pk, job.U, (nint)c * f, uStride, 0, points);
                if (share)
                {
                    // An even number of chunks, so that when two threads keep up neither waits for a last odd one.
                    int evenChunks = chunks + (chunks & 1);
                    WorkerPool.Run(&RunChunk<T, TW>, &job, tileRows, (tileRows + evenChunks - 1) / evenChunks);
                }
                else
                {
                    for (int start = 0; start < tileRows; start += rowsPerChunk)
                        RunChunk<T, TW>(&job, start, Math.Min(tileRows, start + rowsPerChunk));
                }
            }
        }
        if (!kernelCache.IsEmpty)
            kernelCache[0] = T.One;
    }

    /// <summary>
    /// Elements between the matrices of the transformed kernel: C·F rounded up to an odd number of 16-element
    /// blocks (64-byte lines of floats, pairs of lines of doubles). With C·F a power of two the matrices would start
    /// 4 KB multiples apart, so the kernel transform's output rows would share one L1 set and alias the loads.
    /// </summary>
    internal static nint KernelRowStride(in Conv2DGeometry g)
    {
        long blocks = ((long)g.Channels * g.Filters + 15) / 16;
        return (nint)((blocks | 1) * 16);
    }

    /// <summary>Tiles along an output axis: ⌈outputs / m⌉.</summary>
    internal static int TileCount(int outputs, int tileOutputs) => (int)(((long)outputs + tileOutputs - 1) / tileOutputs);

    /// <summary>
    /// Tile rows per chunk: as many as keep the chunk's V and M within <see cref="ChunkBytes"/> (at least one, at most
    /// all). Shorter products cost more than the cache misses they save: 16 products of 18 rows take 1.4× as long
    /// as 16 of 36 rows (36×32·32×64, float, one core).
    /// </summary>
    internal static int ChunkRows(in Conv2DGeometry g, int tilesWide, int tileRows, int elementSize, int transformSize)
    {
        long rowBytes = (long)tilesWide * transformSize * (g.Channels + g.Filters) * elementSize;
        return (int)Math.Clamp(ChunkBytes / rowBytes, 1, tileRows);
    }

    /// <summary>(m, α) of a Winograd strategy.</summary>
    private static (int TileOutputs, int Points) Algorithm(ConvolutionStrategy algorithm) => algorithm switch
    {
        ConvolutionStrategy.Winograd => (WinogradF2x2.TileOutputs, WinogradF2x2.Points),
        ConvolutionStrategy.Winograd4x4 => (WinogradF4x4.TileOutputs, WinogradF4x4.Points),
        _ => throw new ArgumentException(Invariant($"{algorithm} is not a Winograd algorithm (Winograd or Winograd4x4)."), nameof(algorithm)),
    };

    /// <summary>Elements rounded up to whole 64-element blocks (a cache line of doubles is 8, of floats 16).</summary>
    private static int RoundUpToLine(int elements) => (elements + 63) / 64 * 64;

    /// <summary>Everything a chunk needs, on the caller's stack for the duration of the call.</summary>
    private struct Job<T>
        where T : unmanaged
    {
        public T* X, Kernel, U, ZeroPixel, V, M, Bias, Y;
        public nint UStride;
        public Conv2DGeometry Geometry;
        public int TilesHigh, TilesWide, TileRows;
        public bool Relu, TransformKernel;
    }

    /// <summary>
    /// Tile rows [<paramref name="start"/>, <paramref name="end"/>) (row r is tile row r mod ⌈OH/m⌉ of sample
    /// r div ⌈OH/m⌉): input transform, the α² products, output transform. The chunk's V and M are its own slices of
    /// the scratch, so chunks on different threads never share a written element.
    /// </summary>
    private static void RunChunk<T, TW>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : IWinogradTransforms
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int c = job.Geometry.Channels, f = job.Geometry.Filters, transformSize = TW.Points * TW.Points;
        nint firstTile = (nint)start * job.TilesWide, tiles = (nint)(end - start) * job.TilesWide;
        T* v = job.V + transformSize * firstTile * c;
        T* m = job.M + transformSize * firstTile * f;
        TransformInputs<T, TW>(ref job, start, end, v, tiles, 0, TW.Points);
        for (int xi = 0; xi < transformSize; xi++)
            ConvolutionWinogradProduct.Multiply(v + xi * tiles * c, job.U + xi * job.UStride, m + xi * tiles * f, (int)tiles, c, f);
        TransformOutputs<T, TW>(ref job, start, end, m, tiles);
    }

    /// <summary>
    /// Rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of the α×α transforms (ξ = α·i … α·i + α − 1 for
    /// each row i) over every tile: kernel transform (unless cached), input transform and products of those ξ only.
    /// Two threads each take half the rows and write disjoint parts of U, V and M.
    /// </summary>
    private static void RunTransformRows<T, TW>(void* context, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : IWinogradTransforms
    {
        ref Job<T> job = ref *(Job<T>*)context;
        int c = job.Geometry.Channels, f = job.Geometry.Filters;
        nint tiles = (nint)job.TileRows * job.TilesWide;
        if (job.TransformKernel)
            TW.Kernel(job.Kernel, job.U, (nint)c * f, job.UStride, firstRow, endRow);
        TransformInputs<T, TW>(ref job, 0, job.TileRows, job.V, tiles, firstRow, endRow);
        for (int xi = TW.Points * firstRow; xi < TW.Points * endRow; xi++)
            ConvolutionWinogradProduct.Multiply(job.V + xi * tiles * c, job.U + xi * job.UStride, job.M + xi * tiles * f, (int)tiles, c, f);
    }

    /// <summary>Output transforms of tile rows [<paramref name="start"/>, <paramref name="end"/>) of the one block of
    /// all tiles that <see cref="RunTransformRows{T, TW}"/> filled.</summary>
    private static void RunOutputRows<T, TW>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : IWinogradTransforms
    {
        ref Job<T> job = ref *(Job<T>*)context;
        nint tiles = (nint)job.TileRows * job.TilesWide;
        TransformOutputs<T, TW>(ref job, start, end, job.M + (nint)start * job.TilesWide * job.Geometry.Filters, tiles);
    }

    /// <summary>
    /// Input transforms of tile rows [<paramref name="start"/>, <paramref name="end"/>) into the block
    /// <paramref name="v"/> [α², <paramref name="tiles"/>, C], rows i ∈ [<paramref name="firstRow"/>,
    /// <paramref name="endRow"/>) of each transform only.
    /// </summary>
    private static void TransformInputs<T, TW>(ref Job<T> job, int start, int end, T* v, nint tiles, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : IWinogradTransforms
    {
        ref readonly Conv2DGeometry g = ref job.Geometry;
        int c = g.Channels, points = TW.Points, step = TW.TileOutputs;
        T** cells = stackalloc T*[points * points];
        nint tile = 0;
        for (int row = start; row < end; row++)
        {
            int b = row / job.TilesHigh, top = step * (row % job.TilesHigh) - g.PadTop;
            T* sample = job.X + (nint)b * g.Height * g.Width * c;
            for (int column = 0; column < job.TilesWide; column++, tile++)
            {
                int left = step * column - g.PadLeft;
                for (int r = 0; r < points; r++)
                {
                    int inputRow = top + r;
                    bool rowInside = (uint)inputRow < (uint)g.Height;
                    for (int s = 0; s < points; s++)
                    {
                        int inputColumn = left + s;
                        cells[points * r + s] = rowInside && (uint)inputColumn < (uint)g.Width
                            ? sample + ((nint)inputRow * g.Width + inputColumn) * c
                            : job.ZeroPixel;
                    }
                }
                TW.InputTile(cells, v + tile * c, tiles * c, c, firstRow, endRow);
            }
        }
    }

    /// <summary>
    /// Output transforms (with bias and ReLU) of tile rows [<paramref name="start"/>, <paramref name="end"/>) into y.
    /// <paramref name="m"/> points at the products of the first of these tiles inside a block [α², <paramref name="tiles"/>,
    /// F], so consecutive ξ of a tile are <paramref name="tiles"/>·F apart.
    /// </summary>
    private static void TransformOutputs<T, TW>(ref Job<T> job, int start, int end, T* m, nint tiles)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : IWinogradTransforms
    {
        ref readonly Conv2DGeometry g = ref job.Geometry;
        int f = g.Filters, step = TW.TileOutputs;
        nint rowStride = (nint)g.OutputWidth * f;
        nint tile = 0;
        for (int row = start; row < end; row++)
        {
            int b = row / job.TilesHigh, top = step * (row % job.TilesHigh);
            T* outputRow = job.Y + ((nint)b * g.OutputHeight + top) * rowStride;
            int rows = Math.Min(step, g.OutputHeight - top);
            for (int column = 0; column < job.TilesWide; column++, tile++)
            {
                int left = step * column;
                TW.OutputTile(m + tile * f, tiles * f, job.Bias, outputRow + (nint)left * f, rowStride, f,
                    Math.Min(step, g.OutputWidth - left), rows, job.Relu);
            }
        }
    }

    /// <summary>
    /// Rejects geometries this kernel does not compute or that <see cref="Conv2DGeometry.Create"/> would not produce:
    /// the loops trust the sizes, and a padding of 3 or more would start a tile's patch beyond its first output.
    /// </summary>
    private static void CheckGeometry(in Conv2DGeometry g)
    {
        if (!Supports(g))
        {
            throw new ArgumentException(Invariant($"Winograd needs a 3×3 kernel, stride 1 and dilation 1, but the geometry has a {g.KernelHeight}×{g.KernelWidth} kernel, stride {g.StrideHeight}×{g.StrideWidth} and dilation {g.DilationHeight}×{g.DilationWidth}."), "g");
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
