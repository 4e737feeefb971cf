using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// A fixed sparse matrix in float for reservoir products, stored as sliced ELLPACK with slices of
/// <see cref="SliceHeight"/> rows (SELL-8): inside a slice, the k-th non-zero of each row sits in lane k·8 + row, so
/// one 256-bit step multiplies eight rows' k-th weights by eight gathered inputs. Rows shorter than their slice's longest
/// row are padded with zero weights on column 0. Each row sums its non-zeros in ascending column order with fused
/// multiply-adds, starting from the initial value, on the vector and the scalar path alike, so results do not depend on
/// the hardware. Immutable once built.
/// </summary>
public sealed class ReservoirMatrix
{
    /// <summary>Rows per slice: one Vector256 of floats.</summary>
    public const int SliceHeight = 8;

    private readonly int[] _sliceStart;   // per slice: first lane in _columns/_values; slice s spans width·8 lanes
    private readonly int[] _sliceWidth;   // per slice: non-zeros of its longest row
    private readonly int[] _columns;
    private readonly float[] _values;

    private ReservoirMatrix(int rows, int columns, int nonZeros, int[] sliceStart, int[] sliceWidth, int[] columnIndex, float[] values)
    {
        Rows = rows;
        Columns = columns;
        NonZeroCount = nonZeros;
        _sliceStart = sliceStart;
        _sliceWidth = sliceWidth;
        _columns = columnIndex;
        _values = values;
    }

    /// <summary>Rows of the matrix.</summary>
    public int Rows { get; }

    /// <summary>Columns of the matrix.</summary>
    public int Columns { get; }

    /// <summary>Stored non-zero entries (padding excluded).</summary>
    public int NonZeroCount { get; }

    /// <summary>
    /// Builds the matrix from a dense row-major array [rows × columns]; zeros are not stored.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not rows × columns, or a value is not finite.</exception>
    public static ReservoirMatrix FromDense(ReadOnlySpan<float> dense, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (dense.Length != (long)rows * columns)
            throw new ArgumentException(Invariant($"The dense matrix has {dense.Length} values, expected rows × columns = {rows} × {columns} = {(long)rows * columns}."), nameof(dense));
        int slices = (rows + SliceHeight - 1) / SliceHeight;
        var sliceStart = new int[slices];
        var sliceWidth = new int[slices];
        long lanes = 0;
        int nonZeros = 0;
        for (int s = 0; s < slices; s++)
        {
            int width = 0;
            for (int r = s * SliceHeight; r < Math.Min(rows, (s + 1) * SliceHeight); r++)
            {
                int count = 0;
                foreach (float v in dense.Slice(r * columns, columns))
                {
                    if (!float.IsFinite(v))
                        throw new ArgumentException(Invariant($"The dense matrix has the non-finite value {v} in row {r}."), nameof(dense));
                    if (v != 0)
                        count++;
                }
                nonZeros += count;
                width = Math.Max(width, count);
            }
            sliceStart[s] = checked((int)lanes);
            sliceWidth[s] = width;
            lanes += (long)width * SliceHeight;
        }
        var columnIndex = new int[checked((int)lanes)];
        var values = new float[lanes];
        for (int s = 0; s < slices; s++)
        {
            for (int lane = 0; lane < SliceHeight; lane++)
            {
                int r = s * SliceHeight + lane;
                if (r >= rows)
                    break;
                int k = 0;
                ReadOnlySpan<float> row = dense.Slice(r * columns, columns);
                for (int c = 0; c < columns; c++)
                {
                    if (row[c] == 0)
                        continue;
                    columnIndex[sliceStart[s] + k * SliceHeight + lane] = c;
                    values[sliceStart[s] + k * SliceHeight + lane] = row[c];
                    k++;
                }
            }
        }
        return new ReservoirMatrix(rows, columns, nonZeros, sliceStart, sliceWidth, columnIndex, values);
    }

    /// <summary>Writes the matrix as a dense row-major array [Rows × Columns].</summary>
    /// <exception cref="ArgumentException"><paramref name="dense"/> is not Rows × Columns long.</exception>
    public void ToDense(Span<float> dense)
    {
        if (dense.Length != (long)Rows * Columns)
            throw new ArgumentException(Invariant($"The destination has {dense.Length} values, expected Rows × Columns = {Rows} × {Columns} = {(long)Rows * Columns}."), nameof(dense));
        dense.Clear();
        for (int s = 0; s < _sliceStart.Length; s++)
        {
            for (int k = 0; k < _sliceWidth[s]; k++)
            {
                for (int lane = 0; lane < SliceHeight; lane++)
                {
                    int r = s * SliceHeight + lane;
                    int at = _sliceStart[s] + k * SliceHeight + lane;
                    if (r < Rows && _values[at] != 0)
                        dense[r * Columns + _columns[at]] = _values[at];
                }
            }
        }
    }

    /// <summary>
    /// <c>y = A·x + initial</c>: each row starts from <paramref name="initial"/> (or 0 when it is empty) and adds its
    /// non-zeros in column order. <paramref name="y"/> may be the same memory as <paramref name="initial"/> (for
    /// <c>y += A·x</c>) but must not overlap <paramref name="x"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not fit the matrix, or <paramref name="y"/> overlaps <paramref name="x"/>.</exception>
    public void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> initial, Span<float> y)
    {
        if (x.Length != Columns)
            throw new ArgumentException(Invariant($"x has {x.Length} values, expected the matrix's {Columns} columns."), nameof(x));
        if (y.Length != Rows)
            throw new ArgumentException(Invariant($"y has {y.Length} values, expected the matrix's {Rows} rows."), nameof(y));
        if (initial.Length != 0 && initial.Length != Rows)
            throw new ArgumentException(Invariant($"initial has {initial.Length} values, expected the matrix's {Rows} rows (or none)."), nameof(initial));
        if (y.Overlaps(x))
            throw new ArgumentException("y overlaps x; the product cannot be computed in place.", nameof(y));
        MultiplyUnchecked(x, initial, y);
    }

    /// <summary><see cref="Multiply"/> without the checks, for callers that have proven the lengths.</summary>
    internal unsafe void MultiplyUnchecked(ReadOnlySpan<float> x, ReadOnlySpan<float> initial, Span<float> y)
    {
        int rows = Rows;
        int fullSlices = rows / SliceHeight;
        fixed (float* px = x)
        fixed (float* pInit = initial)
        fixed (float* py = y)
        fixed (int* pc = _columns)
        fixed (float* pv = _values)
        {
            bool hasInitial = initial.Length != 0;
            int s = 0;
            if (Avx2.IsSupported && Fma.IsSupported && Columns > 0)
            {
                for (; s < fullSlices; s++)
                {
                    int at = _sliceStart[s];
                    int width = _sliceWidth[s];
                    Vector256<float> acc = hasInitial ? Avx.LoadVector256(pInit + s * SliceHeight) : Vector256<float>.Zero;
                    int* c = pc + at;
                    float* v = pv + at;
                    for (int k = 0; k < width; k++, c += SliceHeight, v += SliceHeight)
                        acc = Fma.MultiplyAdd(Avx.LoadVector256(v), Avx2.GatherVector256(px, Avx.LoadVector256(c), 4), acc);
                    Avx.Store(py + s * SliceHeight, acc);
                }
            }
            // The scalar path (and the ragged last slice): the same sums in the same order, fused like the vector path.
            int slices = _sliceStart.Length;
            for (; s < slices; s++)
            {
                int at = _sliceStart[s];
                int width = _sliceWidth[s];
                for (int lane = 0; lane < SliceHeight; lane++)
                {
                    int r = s * SliceHeight + lane;
                    if (r >= rows)
                        break;
                    float acc = hasInitial ? pInit[r] : 0f;
                    for (int k = 0; k < width; k++)
                    {
                        int i = at + k * SliceHeight + lane;
                        acc = MathF.FusedMultiplyAdd(pv[i], px[pc[i]], acc);
                    }
                    py[r] = acc;
                }
            }
        }
    }

    /// <summary>The row-major index of every stored non-zero, for tests and files: (row, column, value) in row order.</summary>
    internal (int Row, int Column, float Value)[] Entries()
    {
        var entries = new (int, int, float)[NonZeroCount];
        var dense = new float[(long)Rows * Columns];
        ToDense(dense);
        int n = 0;
        for (int i = 0; i < dense.Length; i++)
        {
            if (dense[i] != 0)
                entries[n++] = (i / Columns, i % Columns, dense[i]);
        }
        return entries;
    }
}
