using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// A fixed sparse matrix in float for reservoir products, stored as sliced ELLPACK with slices of
/// <see cref="SliceHeight"/> rows, the rows sorted by their number of non-zeros (SELL-8-σ): inside a slice, the k-th
/// non-zero of each of its rows sits in lane k·8 + position, so one 256-bit step multiplies eight rows' k-th weights by
/// the eight inputs they read. Sorting puts rows of similar length together, so little padding (zero weights on
/// column 0) fills the shorter rows of a slice: 25,296 stored lanes for the 25,000 non-zeros of a 500-unit reservoir at
/// 10 % density, against 29,824 in row order. Each row sums its non-zeros in ascending column order with fused multiply-adds, starting from the initial
/// value, on the vector and the scalar path alike, so results do not depend on the hardware. Immutable once built.
/// </summary>
public sealed class ReservoirMatrix
{
    /// <summary>Rows per slice: one Vector256 of floats.</summary>
    public const int SliceHeight = 8;

    private readonly int[] _sliceStart;   // per slice: first lane in _columns/_values; slice s spans width·8 lanes
    private readonly int[] _sliceWidth;   // per slice: non-zeros of its longest row
    private readonly int[] _rowOf;        // per slice position (s·8 + i): the matrix row it holds, or −1 past the last row
    private readonly int[] _columns;
    private readonly float[] _values;
    private ReservoirStep? _step;         // the fused step with the last input matrix it was asked for

    private ReservoirMatrix(int rows, int columns, int nonZeros, int[] sliceStart, int[] sliceWidth, int[] rowOf, int[] columnIndex, float[] values)
    {
        Rows = rows;
        Columns = columns;
        NonZeroCount = nonZeros;
        _sliceStart = sliceStart;
        _sliceWidth = sliceWidth;
        _rowOf = rowOf;
        _columns = columnIndex;
        _values = values;
    }

    /// <summary>Rows of the matrix.</summary>
    public int Rows { get; }

    /// <summary>Columns of the matrix.</summary>
    public int Columns { get; }

    /// <summary>Stored non-zero entries (padding excluded).</summary>
    public int NonZeroCount { get; }

    /// <summary>Stored lanes, non-zeros and padding: the multiply-adds one product runs.</summary>
    public int StoredCount => _values.Length;

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
        var counts = new int[rows];
        int nonZeros = 0;
        for (int r = 0; r < rows; r++)
        {
            foreach (float v in dense.Slice(r * columns, columns))
            {
                if (!float.IsFinite(v))
                    throw new ArgumentException(Invariant($"The dense matrix has the non-finite value {v} in row {r}."), nameof(dense));
                if (v != 0)
                    counts[r]++;
            }
            nonZeros += counts[r];
        }
        // Longest rows first, ties in row order: the order depends on the matrix alone.
        var order = new int[rows];
        for (int r = 0; r < rows; r++)
            order[r] = r;
        Array.Sort(order, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));

        int slices = (rows + SliceHeight - 1) / SliceHeight;
        var sliceStart = new int[slices];
        var sliceWidth = new int[slices];
        var rowOf = new int[slices * SliceHeight];
        rowOf.AsSpan().Fill(-1);
        long lanes = 0;
        for (int s = 0; s < slices; s++)
        {
            int width = 0;
            for (int i = 0; i < SliceHeight && s * SliceHeight + i < rows; i++)
            {
                int r = order[s * SliceHeight + i];
                rowOf[s * SliceHeight + i] = r;
                width = Math.Max(width, counts[r]);
            }
            sliceStart[s] = checked((int)lanes);
            sliceWidth[s] = width;
            lanes += (long)width * SliceHeight;
        }
        var columnIndex = new int[checked((int)lanes)];
        var values = new float[lanes];
        for (int s = 0; s < slices; s++)
        {
            for (int i = 0; i < SliceHeight; i++)
            {
                int r = rowOf[s * SliceHeight + i];
                if (r < 0)
                    break;
                int k = 0;
                ReadOnlySpan<float> row = dense.Slice(r * columns, columns);
                for (int c = 0; c < columns; c++)
                {
                    if (row[c] == 0)
                        continue;
                    columnIndex[sliceStart[s] + k * SliceHeight + i] = c;
                    values[sliceStart[s] + k * SliceHeight + i] = row[c];
                    k++;
                }
            }
        }
        return new ReservoirMatrix(rows, columns, nonZeros, sliceStart, sliceWidth, rowOf, columnIndex, values);
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
                for (int i = 0; i < SliceHeight; i++)
                {
                    int r = _rowOf[s * SliceHeight + i];
                    int at = _sliceStart[s] + k * SliceHeight + i;
                    if (r >= 0 && _values[at] != 0)
                        dense[r * Columns + _columns[at]] = _values[at];
                }
            }
        }
    }

    /// <summary>Each row's non-zeros in column order (padding left out).</summary>
    internal (int Column, float Value)[][] RowEntries()
    {
        var entries = new (int Column, float Value)[Rows][];
        for (int s = 0; s < _sliceStart.Length; s++)
        {
            for (int i = 0; i < SliceHeight; i++)
            {
                int r = _rowOf[s * SliceHeight + i];
                if (r < 0)
                    break;
                var row = new System.Collections.Generic.List<(int, float)>(_sliceWidth[s]);
                for (int k = 0; k < _sliceWidth[s]; k++)
                {
                    int at = _sliceStart[s] + k * SliceHeight + i;
                    if (_values[at] != 0)
                        row.Add((_columns[at], _values[at]));
                }
                entries[r] = row.ToArray();
            }
        }
        return entries;
    }

    /// <summary>
    /// The fused step of this reservoir matrix with <paramref name="win"/>, built on first use and kept (a racing
    /// second build makes an equal one); null when <see cref="ReservoirStep.Supports"/> says no.
    /// </summary>
    internal ReservoirStep? StepWith(ReservoirMatrix win)
    {
        ReservoirStep? step = _step;
        if (step is not null && ReferenceEquals(step.Win, win))
            return step;
        if (!ReservoirStep.Supports(this, win))
            return null;
        step = new ReservoirStep(this, win);
        _step = step;
        return step;
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
        fixed (int* pr = _rowOf)
        {
            bool hasInitial = initial.Length != 0;
            int s = 0;
            if (Avx.IsSupported && Fma.IsSupported && Columns > 0)
            {
                float* lanes = stackalloc float[SliceHeight];
                for (; s < fullSlices; s++)
                {
                    int* r = pr + s * SliceHeight;
                    int at = _sliceStart[s];
                    int width = _sliceWidth[s];
                    Vector256<float> acc = hasInitial
                        ? Vector256.Create(pInit[r[0]], pInit[r[1]], pInit[r[2]], pInit[r[3]], pInit[r[4]], pInit[r[5]], pInit[r[6]], pInit[r[7]])
                        : Vector256<float>.Zero;
                    int* c = pc + at;
                    float* v = pv + at;
                    // The eight inputs are loaded one by one into a vector rather than with vgatherdps: on the Zen 3
                    // machine of docs/benchmarks.md that is 1.5× faster (9.3 µs against 14.2 µs of CPU time for the
                    // 25,000 non-zeros of a 500-unit reservoir), and it fills the same lanes, so the sums are the same.
                    for (int k = 0; k < width; k++, c += SliceHeight, v += SliceHeight)
                        acc = Fma.MultiplyAdd(Avx.LoadVector256(v), Vector256.Create(px[c[0]], px[c[1]], px[c[2]], px[c[3]], px[c[4]], px[c[5]], px[c[6]], px[c[7]]), acc);
                    Avx.Store(lanes, acc);
                    for (int i = 0; i < SliceHeight; i++)
                        py[r[i]] = lanes[i];
                }
            }
            // The scalar path (and the ragged last slice): the same sums in the same order, fused like the vector path.
            int slices = _sliceStart.Length;
            for (; s < slices; s++)
            {
                int at = _sliceStart[s];
                int width = _sliceWidth[s];
                for (int i = 0; i < SliceHeight; i++)
                {
                    int r = pr[s * SliceHeight + i];
                    if (r < 0)
                        break;
                    float acc = hasInitial ? pInit[r] : 0f;
                    for (int k = 0; k < width; k++)
                    {
                        int lane = at + k * SliceHeight + i;
                        acc = MathF.FusedMultiplyAdd(pv[lane], px[pc[lane]], acc);
                    }
                    py[r] = acc;
                }
            }
        }
    }
}
