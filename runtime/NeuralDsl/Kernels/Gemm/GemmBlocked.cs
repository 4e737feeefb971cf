using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The cache-blocked product (Goto/BLIS structure) for shapes large enough to amortize packing. Loop order,
/// outermost first: columns in blocks of NC, depth in blocks of KC (one packed B block, kept in L2), rows in
/// blocks of MC (one packed A block), then one A micro-panel (MR×KC, kept in L1) against every B micro-panel.
/// </summary>
/// <remarks>
/// Sizes are chosen for Zen 4 (32 KB L1d, 1 MB L2 per core): the A micro-panel is 12·256·4 B = 12 KB, leaving L1
/// room for the streaming B panel lines; the B block is 256·512·4 B = 512 KB, half of L2. Double keeps the same
/// byte budgets with half the depth. The GEMM loops and packing routines are marked AggressiveOptimization:
/// their tier-0 code is several times slower, and tiering would leave a long-running product on it for the first
/// hundred-odd milliseconds.
/// </remarks>
internal static unsafe class GemmBlocked
{
    /// <summary>Depth block in bytes per row of a panel (256 floats, 128 doubles).</summary>
    internal const int DepthBytes = 1024;

    /// <summary>Columns per packed B block.</summary>
    private const int ColumnBlock = 512;

    /// <summary>
    /// Up to this many micro-panels of rows (192 rows at MR = 12), a row-major B is read in place instead of
    /// packed: with so few rows, packing B costs more than it saves.
    /// </summary>
    // See docs/kernels.md#blocked-product-reading-b-in-place
    private const int InPlaceRowLimit = 16;

    /// <summary>
    /// From this many micro-panels of A in a row block (18 rows at MR = 6, 36 at MR = 12), a B block read in place of
    /// at least <see cref="PanelOrderBlockBytes"/> goes B micro-panel by micro-panel, the block packed once (row by row)
    /// and each packed panel run against all the A panels, instead of streaming past each A panel.
    /// </summary>
    // See docs/kernels.md#blocked-product-reading-b-in-place
    private const int PanelOrderRows = 3;

    /// <summary>
    /// The smallest B block (depth block × column block, in bytes) taken micro-panel by micro-panel: half of Zen 3's
    /// 512 KB L2. A smaller block stays in L2 across the A panels, and the copy would only add work (32×200·200×200
    /// was 3–5 % slower with it).
    /// </summary>
    private const int PanelOrderBlockBytes = 256 * 1024;

    /// <summary>Micro-panels of A per packed A block.</summary>
    private const int PanelsPerRowBlock = 10;

    /// <summary>Computes rows [r0, r1) × columns [c0, c1) of C = op(A)·op(B) (+ C).</summary>
    public static void Run<T>(
        T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate,
        int r0, int r1, int c0, int c1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, r0, r1, c0, c1, 0, k);

    /// <summary>
    /// Computes rows [r0, r1) × columns [c0, c1) of the partial product over depths [p0, p1):
    /// C = op(A)[:, p0..p1)·op(B)[p0..p1, :] (+ C). A and B keep their full shapes (m×k, k×n); only the summation
    /// range shrinks, which is how a product is split along its depth between threads.
    /// </summary>
    public static void Run<T>(
        T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate,
        int r0, int r1, int c0, int c1, int p0, int p1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated)
        {
            RunCore<GemmSimd512Dispatch<T>, T>(a, b, c, m, k, n, transposeA, transposeB, accumulate, r0, r1, c0, c1, p0, p1);
        }
        else
        {
            RunCore<GemmSimd256Dispatch<T>, T>(a, b, c, m, k, n, transposeA, transposeB, accumulate, r0, r1, c0, c1, p0, p1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunCore<TK, T>(
        T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate,
        int r0, int r1, int c0, int c1, int p0, int p1)
        where TK : IGemmMicroKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int mr = TK.Rows, nr = TK.Columns;
        int kcMax = DepthBytes / sizeof(T);
        int mcMax = PanelsPerRowBlock * mr;
        int ncMax = ColumnBlock;
        // B: the ragged last panel of a block read in place, then room for the block's full-width panels (panel order).
        GemmBuffers<T>.Get(mcMax * kcMax, kcMax * (ncMax + nr), mr * nr, out T* ap, out T* bp, out T* tile);

        // With few rows each packed B element would be used by only a few micro-panels, so when B is row-major
        // its full-width panels are read in place (rows n apart) and only the ragged last panel is packed.
        bool readBInPlace = !transposeB && r1 - r0 <= InPlaceRowLimit * mr;
        for (int jc = c0; jc < c1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, c1 - jc);
            int fullCols = readBInPlace ? nc / nr * nr : 0;
            for (int pc = p0; pc < p1; pc += kcMax)
            {
                int kc = Math.Min(kcMax, p1 - pc);
                GemmPacking.PackB(b, k, n, transposeB, pc, kc, jc + fullCols, nc - fullCols, nr, bp);
                // The full-width panels of this B block, packed on first use by the panel order below (once for all
                // its row blocks).
                bool panelsPacked = false;
                // Later depth blocks add to what the first one wrote.
                bool add = accumulate || pc > p0;
                for (int ic = r0; ic < r1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, r1 - ic);
                    GemmPacking.PackA(a, m, k, transposeA, ic, mc, pc, kc, mr, ap);
                    if (readBInPlace && mc >= PanelOrderRows * mr && (long)kc * nc * sizeof(T) >= PanelOrderBlockBytes)
                    {
                        // Several micro-panels of A against a B block read in place: pack the block's full-width
                        // micro-panels once (after the ragged one), reading B row by row so the prefetchers follow the
                        // contiguous rows, and run every A panel against each packed panel in turn, instead of
                        // streaming the whole B block (rows n apart, beyond L2 when it is wide) past each A panel.
                        // Same tiles, same sums: only the order in which the tiles are computed changes.
                        T* bPanels = bp + (nint)kc * nr;
                        if (!panelsPacked)
                        {
                            GemmPacking.PackPanelsByRow(b + (nint)pc * n + jc, n, kc, fullCols, nr, bPanels);
                            panelsPacked = true;
                        }
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            T* bPanel = jr < fullCols ? bPanels + (nint)jr * kc : bp + (nint)(jr - fullCols) * kc;
                            T* cColumn = c + (nint)ic * n + jc + jr;
                            for (int ir = 0; ir < mc; ir += mr)
                                Tile<TK, T>(kc, ap + (nint)ir * kc, bPanel, nr, cColumn + (nint)ir * n, n, Math.Min(mr, mc - ir), cols, add, tile);
                        }
                        continue;
                    }
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int rows = Math.Min(mr, mc - ir);
                        T* aPanel = ap + (nint)ir * kc;
                        T* cRow = c + (nint)(ic + ir) * n + jc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            T* bPanel;
                            nint ldb;
                            if (jr < fullCols)
                            {
                                bPanel = b + (nint)pc * n + jc + jr;
                                ldb = n;
                            }
                            else
                            {
                                bPanel = bp + (nint)(jr - fullCols) * kc;
                                ldb = nr;
                            }
                            if (rows == mr && cols == nr)
                            {
                                TK.Invoke(kc, aPanel, bPanel, ldb, cRow + jr, n, add);
                            }
                            else if (rows <= GemmKernel.EdgeRows && mr > GemmKernel.EdgeRows)
                            {
                                // A ragged last panel of at most three rows (the last 2 of 32): the three-row tile
                                // on the packed panel (rows mr apart), the same bits, into the tile and then C.
                                TK.InvokeFewRows(kc, aPanel, bPanel, ldb, tile, nr, false);
                                WriteEdge(tile, nr, cRow + jr, n, rows, cols, add);
                            }
                            else if (cols <= nr / 2)
                            {
                                // A ragged last panel of at most one register of columns (the last 2 of 50, the last
                                // 8 of 200): the one-register tile, half the multiply-adds, the same bits. A whole
                                // tile's rows and exactly one register of columns are written to C in place.
                                if (rows == mr && cols == nr / 2)
                                {
                                    TK.InvokeHalf(kc, aPanel, bPanel, ldb, cRow + jr, n, add);
                                }
                                else
                                {
                                    TK.InvokeHalf(kc, aPanel, bPanel, ldb, tile, nr, false);
                                    WriteEdge(tile, nr, cRow + jr, n, rows, cols, add);
                                }
                            }
                            else
                            {
                                // Edge tile: compute the full padded tile aside, then write only the valid part.
                                TK.Invoke(kc, aPanel, bPanel, ldb, tile, nr, false);
                                WriteEdge(tile, nr, cRow + jr, n, rows, cols, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// One register tile of C: rows × cols (at most MR × NR) from a packed A micro-panel and a B micro-panel with rows
    /// <paramref name="ldb"/> apart, through the kernel the edge rules of <see cref="RunCore{TK, T}"/> pick.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TK, T>(int kc, T* aPanel, T* bPanel, nint ldb, T* c, int ldc, int rows, int cols, bool add, T* tile)
        where TK : IGemmMicroKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int mr = TK.Rows, nr = TK.Columns;
        if (rows == mr && cols == nr)
        {
            TK.Invoke(kc, aPanel, bPanel, ldb, c, ldc, add);
        }
        else if (rows <= GemmKernel.EdgeRows && mr > GemmKernel.EdgeRows)
        {
            TK.InvokeFewRows(kc, aPanel, bPanel, ldb, tile, nr, false);
            WriteEdge(tile, nr, c, ldc, rows, cols, add);
        }
        else if (cols <= nr / 2)
        {
            if (rows == mr && cols == nr / 2)
            {
                TK.InvokeHalf(kc, aPanel, bPanel, ldb, c, ldc, add);
            }
            else
            {
                TK.InvokeHalf(kc, aPanel, bPanel, ldb, tile, nr, false);
                WriteEdge(tile, nr, c, ldc, rows, cols, add);
            }
        }
        else
        {
            TK.Invoke(kc, aPanel, bPanel, ldb, tile, nr, false);
            WriteEdge(tile, nr, c, ldc, rows, cols, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteEdge<T>(T* tile, int nr, T* c, int ldc, int rows, int cols, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T* src = tile + (nint)r * nr;
            T* dst = c + (nint)r * ldc;
            if (add)
            {
                for (int j = 0; j < cols; j++)
                    dst[j] += src[j];
            }
            else
            {
                new ReadOnlySpan<T>(src, cols).CopyTo(new Span<T>(dst, cols));
            }
        }
    }
}

/// <summary>A micro-kernel with its tile shape, so the blocked driver can be specialized per register width.</summary>
internal unsafe interface IGemmMicroKernel<T>
    where T : unmanaged
{
    /// <summary>MR: rows of the register tile.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of the register tile.</summary>
    static abstract int Columns { get; }

    /// <summary>C[MR×NR] (+)= Apanel[kc×MR]ᵀ·B[kc×NR], B rows <paramref name="ldb"/> apart.</summary>
    static abstract void Invoke(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate);

    /// <summary>C[MR×NR/2] (+)= Apanel[kc×MR]ᵀ·B[kc×NR/2] (one register of columns), with the same sums per element as <see cref="Invoke"/>.</summary>
    static abstract void InvokeHalf(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate);

    /// <summary>The first <see cref="GemmKernel.EdgeRows"/> rows of <see cref="Invoke"/>'s tile (A still packed MR rows wide), with the same sums per element.</summary>
    static abstract void InvokeFewRows(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate);
}

/// <summary>The 12×32 (float) / 12×16 (double) AVX-512 tile.</summary>
internal readonly unsafe struct GemmSimd512Dispatch<T> : IGemmMicroKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Rows => GemmKernel.WideRows;

    public static int Columns => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Invoke(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        GemmKernel.Kernel12x2<GemmSimd512<T>, Vector512<T>, T>(kc, a, b, ldb, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InvokeHalf(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        GemmKernel.Kernel12x1<GemmSimd512<T>, Vector512<T>, T>(kc, a, b, ldb, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InvokeFewRows(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        GemmKernel.Kernel3x2<GemmSimd512<T>, Vector512<T>, T>(kc, a, Rows, b, ldb, c, ldc, accumulate);
}

/// <summary>The 6×16 (float) / 6×8 (double) AVX2 tile.</summary>
internal readonly unsafe struct GemmSimd256Dispatch<T> : IGemmMicroKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Rows => GemmKernel.NarrowRows;

    public static int Columns => 2 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Invoke(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        GemmKernel.Kernel6x2<GemmSimd256<T>, Vector256<T>, T>(kc, a, b, ldb, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InvokeHalf(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        GemmKernel.Kernel6x1<GemmSimd256<T>, Vector256<T>, T>(kc, a, b, ldb, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InvokeFewRows(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        GemmKernel.Kernel3x2<GemmSimd256<T>, Vector256<T>, T>(kc, a, Rows, b, ldb, c, ldc, accumulate);
}
