using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Bias broadcast over the rows of a [rows, units] activation and its gradient reduction. Rows are often short
/// (a convolution's 32 or 64 filters, a Dense layer's 10 units) and many, so both kernels stream the whole buffer
/// in one loop instead of one call per row.
/// </summary>
public static class Bias
{
    /// <summary>The longest bias pattern (elements) <see cref="AddRows"/> builds on the stack for rows that are not whole vectors.</summary>
    private const int MaxPattern = 512;

    /// <summary>Adds <paramref name="bias"/> to every row: <c>z[r, j] += bias[j]</c>.</summary>
    /// <remarks>
    /// The buffer is one stream of vectors added to a repeating bias pattern: the bias itself when a row is a
    /// whole number of vectors, else the bias repeated over lcm(units, vector width) elements on the stack (for
    /// periods up to 512 elements; longer rows are added one row at a time). Every element gets the same single
    /// addition as before, so results are bit-identical to a per-row add.
    /// </remarks>
    /// <param name="z">[rows, bias.Length], row-major.</param>
    /// <param name="bias">One value per column.</param>
    /// <exception cref="ArgumentException"><paramref name="z"/> is not a whole number of rows.</exception>
    public static void AddRows<T>(Span<T> z, ReadOnlySpan<T> bias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.WholeRows(z.Length, bias.Length, "Output", nameof(z));
        int units = bias.Length;
        // The widest accelerated vector (AVX-512, else AVX2): rows of 64 or 128 floats are whole vectors of either,
        // and one stream beats a TensorPrimitives call per row (a feed-forward layer's 64 rows at batch 1).
        int width = Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector256.IsHardwareAccelerated ? Vector256<T>.Count : 0;
        if (width > 0 && z.Length >= width)
        {
            int period = Lcm(units, width);
            if (period == units)
            {
                AddPattern(z, bias, width);
                return;
            }
            if (period <= MaxPattern)
            {
                Span<T> pattern = stackalloc T[period];
                for (int offset = 0; offset < period; offset += units)
                    bias.CopyTo(pattern.Slice(offset));
                AddPattern(z, pattern, width);
                return;
            }
        }
        for (int offset = 0; offset < z.Length; offset += units)
        {
            Span<T> row = z.Slice(offset, units);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>
    /// Adds the column sums of <paramref name="dz"/> to <paramref name="dBias"/>: <c>dBias[j] += Σ_r dz[r, j]</c>.
    /// Each column is summed in row order starting from the old <c>dBias[j]</c>
    /// (<c>((dBias[j] + dz[0, j]) + dz[1, j]) + …</c>), so the result does not depend on buffer addresses or on
    /// the vector width.
    /// </summary>
    /// <remarks>
    /// With AVX-512, columns are taken a block of up to four vectors at a time with the running sums in registers, one
    /// pass over the rows per block. A row that is not a whole number of vectors ends with a load that runs into the
    /// next row; those lanes are discarded, and the last rows, where such a load would pass the end of
    /// <paramref name="dz"/>, are finished one element at a time in the same order. With AVX2 alone, blocks of up to
    /// eight Vector256 (a row of 64 floats in one pass), and the columns past the last whole vector one at a time.
    /// </remarks>
    /// <param name="dz">[rows, dBias.Length] gradient with respect to the biased output.</param>
    /// <param name="dBias">Gradient accumulator, one value per column.</param>
    /// <exception cref="ArgumentException"><paramref name="dz"/> is not a whole number of rows.</exception>
    public static void AccumulateGradient<T>(ReadOnlySpan<T> dz, Span<T> dBias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.WholeRows(dz.Length, dBias.Length, "Gradient", nameof(dz));
        int units = dBias.Length;
        int rows = dz.Length / units;
        int width = Vector512<T>.Count;
        if (!Vector512.IsHardwareAccelerated || dz.Length < width)
        {
            if (Vector256.IsHardwareAccelerated && units >= Vector256<T>.Count)
            {
                AccumulateGradient256(dz, rows, units, dBias);
                return;
            }
            for (int offset = 0; offset < dz.Length; offset += units)
                TensorPrimitives.Add(dBias, dz.Slice(offset, units), dBias);
            return;
        }
        ref T source = ref MemoryMarshal.GetReference(dz);
        ref T sums = ref MemoryMarshal.GetReference(dBias);
        int column = 0;
        for (; column + 4 * width <= units; column += 4 * width)
            SumColumns4(ref source, rows, units, column, ref sums);
        for (; column + width <= units; column += width)
            SumColumns1(ref source, rows, units, column, ref sums);
        if (column < units)
            SumPartialColumns(dz, rows, units, column, dBias);
    }

    /// <summary>
    /// <see cref="AccumulateGradient{T}"/> with AVX2 (no AVX-512), rows of at least one Vector256: blocks of up to
    /// eight vectors of columns (a 64-float row in one pass) with the running sums in registers, each column summed in
    /// row order from the old value as the per-row definition does; the last columns that are not a whole vector one
    /// column at a time in the same order.
    /// </summary>
    private static void AccumulateGradient256<T>(ReadOnlySpan<T> dz, int rows, int units, Span<T> dBias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T source = ref MemoryMarshal.GetReference(dz);
        ref T sums = ref MemoryMarshal.GetReference(dBias);
        int width = Vector256<T>.Count;
        int column = 0;
        for (; column + 8 * width <= units; column += 8 * width)
            SumColumns256x8(ref source, rows, units, column, ref sums);
        for (; column + width <= units; column += width)
        {
            nuint at = (nuint)column;
            Vector256<T> s = Vector256.LoadUnsafe(ref sums, at);
            nuint offset = at;
            for (int r = 0; r < rows; r++, offset += (nuint)units)
                s += Vector256.LoadUnsafe(ref source, offset);
            s.StoreUnsafe(ref sums, at);
        }
        for (; column < units; column++)
        {
            T s = dBias[column];
            for (int r = 0; r < rows; r++)
                s += dz[r * units + column];
            dBias[column] = s;
        }
    }

    private static void SumColumns256x8<T>(ref T source, int rows, int units, int column, ref T sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint width = (nuint)Vector256<T>.Count;
        nuint at = (nuint)column;
        Vector256<T> s0 = Vector256.LoadUnsafe(ref sums, at);
        Vector256<T> s1 = Vector256.LoadUnsafe(ref sums, at + width);
        Vector256<T> s2 = Vector256.LoadUnsafe(ref sums, at + 2 * width);
        Vector256<T> s3 = Vector256.LoadUnsafe(ref sums, at + 3 * width);
        Vector256<T> s4 = Vector256.LoadUnsafe(ref sums, at + 4 * width);
        Vector256<T> s5 = Vector256.LoadUnsafe(ref sums, at + 5 * width);
        Vector256<T> s6 = Vector256.LoadUnsafe(ref sums, at + 6 * width);
        Vector256<T> s7 = Vector256.LoadUnsafe(ref sums, at + 7 * width);
        nuint offset = at;
        for (int r = 0; r < rows; r++, offset += (nuint)units)
        {
            s0 += Vector256.LoadUnsafe(ref source, offset);
            s1 += Vector256.LoadUnsafe(ref source, offset + width);
            s2 += Vector256.LoadUnsafe(ref source, offset + 2 * width);
            s3 += Vector256.LoadUnsafe(ref source, offset + 3 * width);
            s4 += Vector256.LoadUnsafe(ref source, offset + 4 * width);
            s5 += Vector256.LoadUnsafe(ref source, offset + 5 * width);
            s6 += Vector256.LoadUnsafe(ref source, offset + 6 * width);
            s7 += Vector256.LoadUnsafe(ref source, offset + 7 * width);
        }
        s0.StoreUnsafe(ref sums, at);
        s1.StoreUnsafe(ref sums, at + width);
        s2.StoreUnsafe(ref sums, at + 2 * width);
        s3.StoreUnsafe(ref sums, at + 3 * width);
        s4.StoreUnsafe(ref sums, at + 4 * width);
        s5.StoreUnsafe(ref sums, at + 5 * width);
        s6.StoreUnsafe(ref sums, at + 6 * width);
        s7.StoreUnsafe(ref sums, at + 7 * width);
    }

    /// <summary>
    /// <c>z[i] += pattern[i mod pattern.Length]</c>; the pattern is a whole number of vectors (of
    /// <paramref name="vectorWidth"/> elements: a Vector512 or a Vector256) and of rows.
    /// </summary>
    private static void AddPattern<T>(Span<T> z, ReadOnlySpan<T> pattern, int vectorWidth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T zs = ref MemoryMarshal.GetReference(z);
        ref T ps = ref MemoryMarshal.GetReference(pattern);
        nuint n = (nuint)z.Length;
        nuint period = (nuint)pattern.Length;
        nuint width = (nuint)vectorWidth;
        nuint i = 0, j = 0;
        if (vectorWidth == Vector512<T>.Count)
        {
            for (; i + width <= n; i += width)
            {
                (Vector512.LoadUnsafe(ref zs, i) + Vector512.LoadUnsafe(ref ps, j)).StoreUnsafe(ref zs, i);
                j += width;
                if (j == period)
                    j = 0;
            }
        }
        else
        {
            for (; i + width <= n; i += width)
            {
                (Vector256.LoadUnsafe(ref zs, i) + Vector256.LoadUnsafe(ref ps, j)).StoreUnsafe(ref zs, i);
                j += width;
                if (j == period)
                    j = 0;
            }
        }
        // Fewer than a vector left: j is a multiple of the width below the period, so the pattern continues in bounds.
        for (; i < n; i++, j++)
            z[(int)i] += pattern[(int)j];
    }

    private static void SumColumns4<T>(ref T source, int rows, int units, int column, ref T sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint width = (nuint)Vector512<T>.Count;
        nuint at = (nuint)column;
        Vector512<T> s0 = Vector512.LoadUnsafe(ref sums, at);
        Vector512<T> s1 = Vector512.LoadUnsafe(ref sums, at + width);
        Vector512<T> s2 = Vector512.LoadUnsafe(ref sums, at + 2 * width);
        Vector512<T> s3 = Vector512.LoadUnsafe(ref sums, at + 3 * width);
        nuint offset = at;
        for (int r = 0; r < rows; r++, offset += (nuint)units)
        {
            s0 += Vector512.LoadUnsafe(ref source, offset);
            s1 += Vector512.LoadUnsafe(ref source, offset + width);
            s2 += Vector512.LoadUnsafe(ref source, offset + 2 * width);
            s3 += Vector512.LoadUnsafe(ref source, offset + 3 * width);
        }
        s0.StoreUnsafe(ref sums, at);
        s1.StoreUnsafe(ref sums, at + width);
        s2.StoreUnsafe(ref sums, at + 2 * width);
        s3.StoreUnsafe(ref sums, at + 3 * width);
    }

    private static void SumColumns1<T>(ref T source, int rows, int units, int column, ref T sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint at = (nuint)column;
        Vector512<T> s = Vector512.LoadUnsafe(ref sums, at);
        nuint offset = at;
        for (int r = 0; r < rows; r++, offset += (nuint)units)
            s += Vector512.LoadUnsafe(ref source, offset);
        s.StoreUnsafe(ref sums, at);
    }

    /// <summary>
    /// The last <c>units − column</c> (&lt; one vector) columns: a full vector per row whose extra lanes belong to the
    /// next row and are dropped, the sums kept in a stack copy because <paramref name="dBias"/> ends before the vector does.
    /// </summary>
    private static void SumPartialColumns<T>(ReadOnlySpan<T> dz, int rows, int units, int column, Span<T> dBias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = Vector512<T>.Count;
        int count = units - column;
        Span<T> buffer = stackalloc T[Vector512<T>.Count];
        dBias.Slice(column, count).CopyTo(buffer);
        // Rows whose full-vector load stays inside dz: r·units + column + width <= dz.Length.
        int vectorRows = dz.Length - column - width < 0 ? 0 : Math.Min(rows, (dz.Length - column - width) / units + 1);
        ref T source = ref MemoryMarshal.GetReference(dz);
        Vector512<T> s = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(buffer));
        nuint offset = (nuint)column;
        for (int r = 0; r < vectorRows; r++, offset += (nuint)units)
            s += Vector512.LoadUnsafe(ref source, offset);
        s.StoreUnsafe(ref MemoryMarshal.GetReference(buffer));
        for (int r = vectorRows; r < rows; r++)
        {
            int rowStart = r * units + column;
            for (int k = 0; k < count; k++)
                buffer[k] += dz[rowStart + k];
        }
        buffer.Slice(0, count).CopyTo(dBias.Slice(column));
    }

    private static int Lcm(int a, int b)
    {
        long product = (long)a * b;
        while (b != 0)
            (a, b) = (b, a % b);
        return (int)Math.Min(product / a, int.MaxValue);
    }
}
