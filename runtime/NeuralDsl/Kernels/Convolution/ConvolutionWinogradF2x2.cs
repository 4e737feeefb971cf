using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The three transforms of Winograd F(2×2, 3×3) (Lavin and Gray, 2015), each vectorized over the contiguous last
/// axis of its NHWC or Keras-layout operand: the kernel transform U = G·g·Gᵀ over the C·F products of a kernel tap,
/// the input transform V = Bᵀ·d·B over the channels of a 4×4 input patch, and the output transform Y = Aᵀ·m·A over
/// the filters of a 4×4 block of products, with the bias and ReLU applied before the store. Transformed operands
/// are laid out [16, rows, columns]: element ξ = 4·i + j of the 4×4 transform is one row-major matrix, so the
/// 16 products of the algorithm are plain matrix products. Only additions, subtractions and multiplications by ½
/// (exact in binary) appear, so the transforms add next to no rounding error. Callers have validated every length.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct WinogradF2x2 : IWinogradTransforms
{
    /// <inheritdoc/>
    public static int TileOutputs => 2;

    /// <inheritdoc/>
    public static int Points => 4;

    /// <summary>Bytes of one kernel-transform block per row of its staging buffer (12 rows: 12 KB of stack).</summary>
    private const int KernelBlockBytes = 1024;

    /// <summary>
    /// u[ξ·uStride + e] = (G·g·Gᵀ)[ξ] for every element e of a tap (every (c, f)), with
    /// G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]; the kernel is [3, 3, C, F], so tap (kh, kw) is the
    /// contiguous C·F block at (3·kh + kw)·C·F.
    /// </summary>
    /// <remarks>
    /// The taps are C·F apart, typically a power of two such as 8 KB, so a single pass reading all 9 taps and writing
    /// all 16 outputs per vector keeps 25 streams in one L1 set and stalls on 4 KB aliasing between loads and stores
    /// (see docs/kernels.md#winograd-kernel-transform). Instead each block
    /// of a tap goes through two passes of the same 3 → 4 map, G·g over the kernel rows into a small staging buffer,
    /// then (G·g)·Gᵀ over the columns into u, so no pass touches more than seven streams; <paramref name="uStride"/>
    /// is chosen by the caller so the four rows a pass writes fall in different sets.
    /// </remarks>
    /// <param name="kernel">The Keras-layout 3×3 kernel.</param>
    /// <param name="u">The transformed kernel, 16 rows of <paramref name="length"/> elements.</param>
    /// <param name="length">C·F, the elements of one tap.</param>
    /// <param name="uStride">Elements between consecutive rows of <paramref name="u"/> (at least <paramref name="length"/>).</param>
    /// <param name="firstRow">First row i of the 4×4 transform to write (rows ξ = 4·i … 4·i + 3).</param>
    /// <param name="endRow">One past the last row i to write: a thread that multiplies only some ξ transforms only those.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel<T>(T* kernel, T* u, nint length, nint uStride, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int block = KernelBlockBytes / sizeof(T);
        // staging[(3·i + kw)·block + e] = (G·g)[i, kw] for element e of the block.
        T* staging = stackalloc T[12 * block];
        T half = T.One / (T.One + T.One);
        for (nint start = 0; start < length; start += block)
        {
            nint count = Math.Min(block, length - start);
            for (int kw = 0; kw < 3; kw++)
                ThreeToFour(kernel + kw * length + start, 3 * length, staging + kw * block, 3 * block, count, half);
            for (int i = firstRow; i < endRow; i++)
                ThreeToFour(staging + 3 * i * block, block, u + 4 * i * uStride + start, uStride, count, half);
        }
    }

    /// <summary>
    /// The 3 → 4 map of a row or column of G·(·): (a, (a + b + c)/2, (a − b + c)/2, c), element by element over
    /// <paramref name="count"/> elements of three rows <paramref name="inStride"/> apart into four rows
    /// <paramref name="outStride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeToFour<T>(T* input, nint inStride, T* output, nint outStride, nint count, T half)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint e = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; e + Vector512<T>.Count <= count; e += Vector512<T>.Count)
                ThreeToFourLane<Vector512Lane<T>, T>(input + e, inStride, output + e, outStride, half);
        }
        for (; e + Vector<T>.Count <= count; e += Vector<T>.Count)
            ThreeToFourLane<VectorLane<T>, T>(input + e, inStride, output + e, outStride, half);
        for (; e < count; e++)
            ThreeToFourLane<ScalarLane<T>, T>(input + e, inStride, output + e, outStride, half);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeToFourLane<TL, T>(T* input, nint inStride, T* output, nint outStride, T halfValue)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TL half = TL.Broadcast(halfValue);
        TL a = TL.Load(input), b = TL.Load(input + inStride), c = TL.Load(input + 2 * inStride);
        TL even = (a + c) * half, odd = b * half;
        TL.Store(a, output);
        TL.Store(even + odd, output + outStride);
        TL.Store(even - odd, output + 2 * outStride);
        TL.Store(c, output + 3 * outStride);
    }

    /// <summary>
    /// The 4×4 input transforms of one tile: v[ξ·vStride + c] = (Bᵀ·d·B)[ξ] for every channel c, with
    /// Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]].
    /// </summary>
    /// <param name="cells">The 16 input pixels of the patch, row by row (a pointer to C zeros for a cell outside the
    /// padded input), each pointing at its C channels.</param>
    /// <param name="v">Where element ξ = 0 of the tile's transform starts.</param>
    /// <param name="vStride">Elements between consecutive ξ (tiles·C of the transformed block).</param>
    /// <param name="channels">C.</param>
    /// <param name="firstRow">First row i of the transform to write (elements ξ = 4·i … 4·i + 3).</param>
    /// <param name="endRow">One past the last row i to write.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputTile<T>(T** cells, T* v, nint vStride, int channels, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + Vector512<T>.Count <= channels; c += Vector512<T>.Count)
                InputBlock<Vector512Lane<T>, T>(cells, c, v + c, vStride, firstRow, endRow);
        }
        for (; c + Vector<T>.Count <= channels; c += Vector<T>.Count)
            InputBlock<VectorLane<T>, T>(cells, c, v + c, vStride, firstRow, endRow);
        for (; c < channels; c++)
            InputBlock<ScalarLane<T>, T>(cells, c, v + c, vStride, firstRow, endRow);
    }

    /// <summary>
    /// The output transform of one tile: the 2×2 outputs Aᵀ·m·A (+ bias, then ReLU if asked) for every filter, with
    /// Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]; outputs outside the image are computed but not stored.
    /// </summary>
    /// <param name="m">Element ξ = 0 of the tile's products; element ξ is at ξ·<paramref name="mStride"/>.</param>
    /// <param name="mStride">Elements between consecutive ξ (tiles·F of the product block).</param>
    /// <param name="bias">F biases, or null for none.</param>
    /// <param name="y">The tile's top-left output pixel (F filters).</param>
    /// <param name="rowStride">Elements between vertically adjacent output pixels (OW·F).</param>
    /// <param name="filters">F.</param>
    /// <param name="columns">Columns of the tile inside the output (1 or 2).</param>
    /// <param name="rows">Rows of the tile inside the output (1 or 2).</param>
    /// <param name="relu">Clamp negative outputs to zero.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputTile<T>(T* m, nint mStride, T* bias, T* y, nint rowStride, int filters, int columns,
        int rows, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool storeRight = columns > 1, storeBottom = rows > 1;
        nint f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f + Vector512<T>.Count <= filters; f += Vector512<T>.Count)
                OutputBlock<Vector512Lane<T>, T>(m + f, mStride, bias == null ? null : bias + f, y + f, rowStride, filters,
                    storeRight, storeBottom, relu);
        }
        for (; f + Vector<T>.Count <= filters; f += Vector<T>.Count)
            OutputBlock<VectorLane<T>, T>(m + f, mStride, bias == null ? null : bias + f, y + f, rowStride, filters,
                storeRight, storeBottom, relu);
        for (; f < filters; f++)
            OutputBlock<ScalarLane<T>, T>(m + f, mStride, bias == null ? null : bias + f, y + f, rowStride, filters,
                storeRight, storeBottom, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputBlock<TL, T>(T** cells, nint c, T* v, nint stride, int firstRow, int endRow)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Bᵀ·d row by row (w0 = d0 − d2, w1 = d1 + d2, w2 = d2 − d1, w3 = d1 − d3), each row then times B.
        TL d00 = TL.Load(cells[0] + c), d01 = TL.Load(cells[1] + c), d02 = TL.Load(cells[2] + c), d03 = TL.Load(cells[3] + c);
        TL d10 = TL.Load(cells[4] + c), d11 = TL.Load(cells[5] + c), d12 = TL.Load(cells[6] + c), d13 = TL.Load(cells[7] + c);
        TL d20 = TL.Load(cells[8] + c), d21 = TL.Load(cells[9] + c), d22 = TL.Load(cells[10] + c), d23 = TL.Load(cells[11] + c);
        TL d30 = TL.Load(cells[12] + c), d31 = TL.Load(cells[13] + c), d32 = TL.Load(cells[14] + c), d33 = TL.Load(cells[15] + c);
        if (firstRow <= 0 && endRow > 0)
            InputRow(d00 - d20, d01 - d21, d02 - d22, d03 - d23, v, stride);
        if (firstRow <= 1 && endRow > 1)
            InputRow(d10 + d20, d11 + d21, d12 + d22, d13 + d23, v + 4 * stride, stride);
        if (firstRow <= 2 && endRow > 2)
            InputRow(d20 - d10, d21 - d11, d22 - d12, d23 - d13, v + 8 * stride, stride);
        if (firstRow <= 3 && endRow > 3)
            InputRow(d10 - d30, d11 - d31, d12 - d32, d13 - d33, v + 12 * stride, stride);
    }

    /// <summary>One row of (Bᵀ·d)·B: (w0 − w2, w1 + w2, w2 − w1, w1 − w3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputRow<TL, T>(TL w0, TL w1, TL w2, TL w3, T* v, nint stride)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TL.Store(w0 - w2, v);
        TL.Store(w1 + w2, v + stride);
        TL.Store(w2 - w1, v + 2 * stride);
        TL.Store(w1 - w3, v + 3 * stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputBlock<TL, T>(T* m, nint s, T* bias, T* y, nint rowStride, nint f, bool storeRight,
        bool storeBottom, bool relu)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Aᵀ·m: r0 = m0 + m1 + m2 and r1 = m1 − m2 − m3 over the rows, then the same over the columns.
        TL m1x0 = TL.Load(m + 4 * s), m1x1 = TL.Load(m + 5 * s), m1x2 = TL.Load(m + 6 * s), m1x3 = TL.Load(m + 7 * s);
        TL m2x0 = TL.Load(m + 8 * s), m2x1 = TL.Load(m + 9 * s), m2x2 = TL.Load(m + 10 * s), m2x3 = TL.Load(m + 11 * s);
        TL sum0 = m1x0 + m2x0, sum1 = m1x1 + m2x1, sum2 = m1x2 + m2x2, sum3 = m1x3 + m2x3;
        TL dif0 = m1x0 - m2x0, dif1 = m1x1 - m2x1, dif2 = m1x2 - m2x2, dif3 = m1x3 - m2x3;
        TL r00 = TL.Load(m) + sum0, r01 = TL.Load(m + s) + sum1, r02 = TL.Load(m + 2 * s) + sum2, r03 = TL.Load(m + 3 * s) + sum3;
        TL r10 = dif0 - TL.Load(m + 12 * s), r11 = dif1 - TL.Load(m + 13 * s);
        TL r12 = dif2 - TL.Load(m + 14 * s), r13 = dif3 - TL.Load(m + 15 * s);
        TL b = bias == null ? TL.Zero : TL.Load(bias);
        TL y00 = r00 + r01 + r02 + b, y01 = r01 - r02 - r03 + b;
        TL y10 = r10 + r11 + r12 + b, y11 = r11 - r12 - r13 + b;
        if (relu)
        {
            y00 = TL.ClampNegative(y00);
            y01 = TL.ClampNegative(y01);
            y10 = TL.ClampNegative(y10);
            y11 = TL.ClampNegative(y11);
        }
        TL.Store(y00, y);
        if (storeRight)
            TL.Store(y01, y + f);
        if (storeBottom)
        {
            TL.Store(y10, y + rowStride);
            if (storeRight)
                TL.Store(y11, y + rowStride + f);
        }
    }
}
