using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The three transforms of Winograd F(4×4, 3×3) (Lavin and Gray, 2015): each 4×4 block of outputs comes from a 6×6
/// input patch through 36 element-wise products, 2.25 multiplications per output per channel and filter against 9
/// directly and 4 for F(2×2, 3×3) (<see cref="WinogradF2x2"/>), so the matrix products, most of a convolution's time,
/// shrink by 1.78× over F(2×2, 3×3) where the tiles fit the image. Like that algorithm each transform is vectorized
/// over the contiguous last axis of its operand and the bias and ReLU are applied before the output is stored.
/// </summary>
/// <remarks>
/// With Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0], [0, −2, −1, 2, 1, 0],
/// [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]], G = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙], [1/24, 1/12, ⅙],
/// [1/24, −1/12, ⅙], [0, 0, 1]] and Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0],
/// [0, 1, −1, 8, −8, 1]]. The input and output transforms multiply by small integers (exact); the kernel transform
/// rounds ⅙, 1/12 and 1/24, and the transformed values grow more than F(2×2, 3×3)'s, so float results carry a few
/// times the rounding error of that algorithm (at most 3.6e-6 of the largest output on the tests' shapes). Each
/// 2-D transform runs as two 1-D passes through a small staging buffer, rows then columns, which keeps the 36 live
/// values of a patch out of the register file.
/// </remarks>
[SkipLocalsInit]
internal readonly unsafe struct WinogradF4x4 : IWinogradTransforms
{
    /// <inheritdoc/>
    public static int TileOutputs => 4;

    /// <inheritdoc/>
    public static int Points => 6;

    /// <summary>Bytes of one kernel-transform block per row of its staging buffer (18 rows: 18 KB of stack).</summary>
    private const int KernelBlockBytes = 1024;

    /// <summary>
    /// u[ξ·uStride + e] = (G·g·Gᵀ)[ξ] for every element e of a tap; as in <see cref="WinogradF2x2.Kernel{T}"/>, each
    /// block of the taps goes through G·g over the kernel rows into a staging buffer, then (G·g)·Gᵀ over the columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel<T>(T* kernel, T* u, nint length, nint uStride, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int block = KernelBlockBytes / sizeof(T);
        // staging[(3·i + kw)·block + e] = (G·g)[i, kw] for element e of the block.
        T* staging = stackalloc T[18 * block];
        var g = new KernelConstants<T>();
        for (nint start = 0; start < length; start += block)
        {
            nint count = Math.Min(block, length - start);
            for (int kw = 0; kw < 3; kw++)
                ThreeToSix(kernel + kw * length + start, 3 * length, staging + kw * block, 3 * block, count, g);
            for (int i = firstRow; i < endRow; i++)
                ThreeToSix(staging + 3 * i * block, block, u + 6 * i * uStride + start, uStride, count, g);
        }
    }

    /// <summary>The entries of G, rounded once to T.</summary>
    private readonly struct KernelConstants<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public readonly T Quarter = T.One / T.CreateTruncating(4);
        public readonly T MinusSixth = -T.One / T.CreateTruncating(6);
        public readonly T Sixth = T.One / T.CreateTruncating(6);
        public readonly T Twelfth = T.One / T.CreateTruncating(12);
        public readonly T TwentyFourth = T.One / T.CreateTruncating(24);
    }

    /// <summary>G times three rows <paramref name="inStride"/> apart, into six rows <paramref name="outStride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeToSix<T>(T* input, nint inStride, T* output, nint outStride, nint count, in KernelConstants<T> g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint e = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; e + Vector512<T>.Count <= count; e += Vector512<T>.Count)
                ThreeToSixLane<Vector512Lane<T>, T>(input + e, inStride, output + e, outStride, g);
        }
        for (; e + Vector<T>.Count <= count; e += Vector<T>.Count)
            ThreeToSixLane<VectorLane<T>, T>(input + e, inStride, output + e, outStride, g);
        for (; e < count; e++)
            ThreeToSixLane<ScalarLane<T>, T>(input + e, inStride, output + e, outStride, g);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeToSixLane<TL, T>(T* input, nint inStride, T* output, nint outStride, in KernelConstants<T> g)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TL a = TL.Load(input), b = TL.Load(input + inStride), c = TL.Load(input + 2 * inStride);
        TL outer = a + c, even = a * TL.Broadcast(g.TwentyFourth) + c * TL.Broadcast(g.Sixth), odd = b * TL.Broadcast(g.Twelfth);
        TL minusSixth = TL.Broadcast(g.MinusSixth);
        TL.Store(a * TL.Broadcast(g.Quarter), output);
        TL.Store((outer + b) * minusSixth, output + outStride);
        TL.Store((outer - b) * minusSixth, output + 2 * outStride);
        TL.Store(even + odd, output + 3 * outStride);
        TL.Store(even - odd, output + 4 * outStride);
        TL.Store(c, output + 5 * outStride);
    }

    /// <summary>The input transform of one tile (see <see cref="IWinogradTransforms.InputTile{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputTile<T>(T** cells, T* v, nint vStride, int channels, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Bᵀ·d for one block of channels: 36 vectors, element (i, j) at (6·i + j)·Vector512<T>.Count.
        T* staging = stackalloc T[36 * Vector512<T>.Count];
        nint c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + Vector512<T>.Count <= channels; c += Vector512<T>.Count)
                InputBlock<Vector512Lane<T>, T>(cells, c, v + c, vStride, firstRow, endRow, staging);
        }
        for (; c + Vector<T>.Count <= channels; c += Vector<T>.Count)
            InputBlock<VectorLane<T>, T>(cells, c, v + c, vStride, firstRow, endRow, staging);
        for (; c < channels; c++)
            InputBlock<ScalarLane<T>, T>(cells, c, v + c, vStride, firstRow, endRow, staging);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputBlock<TL, T>(T** cells, nint c, T* v, nint stride, int firstRow, int endRow, T* staging)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lane = Vector512<T>.Count;
        // Bᵀ·d column by column: staging row i holds (Bᵀ·d)[i, ·].
        for (int j = 0; j < 6; j++)
        {
            SixPoints(TL.Load(cells[j] + c), TL.Load(cells[6 + j] + c), TL.Load(cells[12 + j] + c),
                TL.Load(cells[18 + j] + c), TL.Load(cells[24 + j] + c), TL.Load(cells[30 + j] + c),
                staging + j * lane, 6 * lane);
        }
        // (Bᵀ·d)·B row by row, for the rows this call writes.
        for (int i = firstRow; i < endRow; i++)
        {
            T* row = staging + 6 * i * lane;
            SixPoints(TL.Load(row), TL.Load(row + lane), TL.Load(row + 2 * lane), TL.Load(row + 3 * lane),
                TL.Load(row + 4 * lane), TL.Load(row + 5 * lane), v + 6 * i * stride, stride);
        }
    }

    /// <summary>Bᵀ times six values, stored <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SixPoints<TL, T>(TL d0, TL d1, TL d2, TL d3, TL d4, TL d5, T* output, nint stride)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TL two = TL.Broadcast(T.CreateTruncating(2)), four = TL.Broadcast(T.CreateTruncating(4)), five = TL.Broadcast(T.CreateTruncating(5));
        TL sum12 = d1 + d2, sum34 = d3 + d4, dif12 = d1 - d2, dif43 = d4 - d3;
        TL dif42 = d4 - d2, dif31 = d3 - d1;
        TL.Store(d0 * four - d2 * five + d4, output);
        TL.Store(sum34 - sum12 * four, output + stride);
        TL.Store(dif43 + dif12 * four, output + 2 * stride);
        TL.Store(dif42 + dif31 * two, output + 3 * stride);
        TL.Store(dif42 - dif31 * two, output + 4 * stride);
        TL.Store(d1 * four - d3 * five + d5, output + 5 * stride);
    }

    /// <summary>The output transform of one tile (see <see cref="IWinogradTransforms.OutputTile{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputTile<T>(T* m, nint mStride, T* bias, T* y, nint rowStride, int filters, int columns,
        int rows, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Aᵀ·m for one block of filters: 24 vectors, element (r, j) at (6·r + j)·Vector512<T>.Count.
        T* staging = stackalloc T[24 * Vector512<T>.Count];
        nint f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f + Vector512<T>.Count <= filters; f += Vector512<T>.Count)
                OutputBlock<Vector512Lane<T>, T>(m + f, mStride, bias == null ? null : bias + f, y + f, rowStride, filters,
                    columns, rows, relu, staging);
        }
        for (; f + Vector<T>.Count <= filters; f += Vector<T>.Count)
            OutputBlock<VectorLane<T>, T>(m + f, mStride, bias == null ? null : bias + f, y + f, rowStride, filters,
                columns, rows, relu, staging);
        for (; f < filters; f++)
            OutputBlock<ScalarLane<T>, T>(m + f, mStride, bias == null ? null : bias + f, y + f, rowStride, filters,
                columns, rows, relu, staging);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputBlock<TL, T>(T* m, nint s, T* bias, T* y, nint rowStride, nint f, int columns, int rows,
        bool relu, T* staging)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lane = Vector512<T>.Count;
        // Aᵀ·m column by column: staging row r holds (Aᵀ·m)[r, ·].
        for (int j = 0; j < 6; j++)
        {
            TL o0, o1, o2, o3;
            (o0, o1, o2, o3) = FourOfSix<TL, T>(TL.Load(m + j * s), TL.Load(m + (6 + j) * s), TL.Load(m + (12 + j) * s),
                TL.Load(m + (18 + j) * s), TL.Load(m + (24 + j) * s), TL.Load(m + (30 + j) * s));
            TL.Store(o0, staging + j * lane);
            TL.Store(o1, staging + (6 + j) * lane);
            TL.Store(o2, staging + (12 + j) * lane);
            TL.Store(o3, staging + (18 + j) * lane);
        }
        // (Aᵀ·m)·A row by row, then bias and ReLU, storing the outputs inside the image.
        TL b = bias == null ? TL.Zero : TL.Load(bias);
        for (int r = 0; r < rows; r++)
        {
            T* row = staging + 6 * r * lane;
            var (y0, y1, y2, y3) = FourOfSix<TL, T>(TL.Load(row), TL.Load(row + lane), TL.Load(row + 2 * lane),
                TL.Load(row + 3 * lane), TL.Load(row + 4 * lane), TL.Load(row + 5 * lane));
            y0 += b;
            y1 += b;
            y2 += b;
            y3 += b;
            if (relu)
            {
                y0 = TL.ClampNegative(y0);
                y1 = TL.ClampNegative(y1);
                y2 = TL.ClampNegative(y2);
                y3 = TL.ClampNegative(y3);
            }
            T* output = y + r * rowStride;
            TL.Store(y0, output);
            if (columns > 1)
                TL.Store(y1, output + f);
            if (columns > 2)
                TL.Store(y2, output + 2 * f);
            if (columns > 3)
                TL.Store(y3, output + 3 * f);
        }
    }

    /// <summary>Aᵀ times six values: (m0 + m1 + m2 + m3 + m4, (m1 − m2) + 2(m3 − m4), (m1 + m2) + 4(m3 + m4),
    /// (m1 − m2) + 8(m3 − m4) + m5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TL, TL, TL, TL) FourOfSix<TL, T>(TL m0, TL m1, TL m2, TL m3, TL m4, TL m5)
        where TL : ILane<TL, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TL sum12 = m1 + m2, dif12 = m1 - m2, sum34 = m3 + m4, dif34 = m3 - m4;
        return (m0 + sum12 + sum34,
            dif12 + dif34 * TL.Broadcast(T.CreateTruncating(2)),
            sum12 + sum34 * TL.Broadcast(T.CreateTruncating(4)),
            dif12 + dif34 * TL.Broadcast(T.CreateTruncating(8)) + m5);
    }
}
