using System;
using System.Numerics.Tensors;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Closed-form ridge regression with a bias, as ReservoirPy's <c>Ridge</c> node fits it: with X the rows
/// <c>[1, x]</c> and Y the targets, <c>[b; Wout] = (XᵀX + λ·I)⁻¹·XᵀY</c> (the bias row is penalized too), in double.
/// Rows are added one at a time and gathered in blocks; each full block is added to XᵀX (its upper triangle, in panels)
/// and XᵀY with one double <see cref="Gemm"/> product per panel, so memory stays at a block and the normal equations.
/// <see cref="Solve(double, Span{double}, Span{double})"/> factors XᵀX + λ·I by Cholesky.
/// </summary>
public sealed class RidgeRegression
{
    /// <summary>Rows gathered before they are added to the normal equations.</summary>
    public const int BlockRows = 256;

    private const int Panel = 128;

    private readonly int _features;
    private readonly int _outputs;
    private readonly int _d;                   // features + 1 (the bias column comes first, as in ReservoirPy)
    private readonly float[] _rows;            // [BlockRows × features]: the rows as added, contiguous
    private readonly double[] _block;          // [d × BlockRows]: column r is row r of the block, transposed
    private readonly double[] _targets;        // [outputs × BlockRows]
    private readonly double[] _xtx;            // [d × d], upper triangle filled by panels
    private readonly double[] _xty;            // [d × outputs]
    private readonly double[] _panel;          // [Panel × Panel] product of one panel pair
    private int _rowsInBlock;

    /// <summary>A regression of <paramref name="outputs"/> targets on <paramref name="features"/> features plus a bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public RidgeRegression(int features, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        _features = features;
        _outputs = outputs;
        _d = features + 1;
        _rows = new float[(long)BlockRows * features];
        _block = new double[(long)_d * BlockRows];
        _targets = new double[(long)outputs * BlockRows];
        _xtx = new double[(long)_d * _d];
        _xty = new double[(long)_d * outputs];
        _panel = new double[Panel * Panel];
    }

    /// <summary>Rows added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one row: the features <paramref name="x"/> and its targets <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    public void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Reservoir.Check(x.Length, _features, "x", nameof(x));
        Reservoir.Check(y.Length, _outputs, "y", nameof(y));
        int r = _rowsInBlock;
        // Copied as is; the flush transposes the block in tiles (writing a column per row here would touch a cache
        // line per feature on every row).
        x.CopyTo(_rows.AsSpan(r * _features, _features));
        for (int o = 0; o < y.Length; o++)
            _targets[o * BlockRows + r] = y[o];
        Count++;
        if (++_rowsInBlock == BlockRows)
            Flush();
    }

    /// <summary>Adds the gathered rows to XᵀX and XᵀY (a partial block is padded with zero rows, which add nothing).</summary>
    private void Flush()
    {
        int rows = _rowsInBlock;
        if (rows == 0)
            return;
        if (rows < BlockRows)
        {
            _rows.AsSpan(rows * _features).Clear();
            for (int o = 0; o < _outputs; o++)
                _targets.AsSpan(o * BlockRows + rows, BlockRows - rows).Clear();
        }
        // _block = [1, x]ᵀ: the bias row of ones (zeros past the last row), then the rows transposed in 16 × 16 tiles.
        _block.AsSpan(0, rows).Fill(1);
        _block.AsSpan(rows, BlockRows - rows).Clear();
        const int Tile = 16;
        for (int r0 = 0; r0 < BlockRows; r0 += Tile)
        {
            for (int j0 = 0; j0 < _features; j0 += Tile)
            {
                int jEnd = Math.Min(j0 + Tile, _features);
                for (int r = r0; r < r0 + Tile; r++)
                {
                    int from = r * _features;
                    for (int j = j0; j < jEnd; j++)
                        _block[(j + 1) * BlockRows + r] = _rows[from + j];
                }
            }
        }
        // XᵀX: panel pairs (i ≤ j) of the transposed block, each Bᵢ·Bⱼᵀ, added to the upper triangle.
        for (int i0 = 0; i0 < _d; i0 += Panel)
        {
            int mi = Math.Min(Panel, _d - i0);
            ReadOnlySpan<double> bi = _block.AsSpan(i0 * BlockRows, mi * BlockRows);
            for (int j0 = i0; j0 < _d; j0 += Panel)
            {
                int nj = Math.Min(Panel, _d - j0);
                Span<double> c = _panel.AsSpan(0, mi * nj);
                Gemm.Multiply<double>(bi, _block.AsSpan(j0 * BlockRows, nj * BlockRows), c, mi, BlockRows, nj, transposeB: true);
                for (int i = 0; i < mi; i++)
                {
                    Span<double> row = _xtx.AsSpan((i0 + i) * _d + j0, nj);
                    TensorPrimitives.Add(row, c.Slice(i * nj, nj), row);
                }
            }
        }
        // XᵀY [d × outputs] += B·Tᵀ.
        Gemm.Multiply<double>(_block, _targets, _xty, _d, BlockRows, _outputs, transposeB: true, accumulate: true);
        _rowsInBlock = 0;
    }

    /// <summary>
    /// Solves <c>(XᵀX + λ·I)·[b; Wout] = XᵀY</c> in double: <paramref name="weights"/> receives Wout as [outputs × features]
    /// (each output's weights contiguous), <paramref name="bias"/> the [outputs] intercepts. The accumulated rows are kept,
    /// so more rows may be added and solved again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ridge"/> is negative or not finite.</exception>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    /// <exception cref="InvalidOperationException">No row was added, or XᵀX + λ·I is not positive definite (λ = 0 with
    /// fewer independent rows than features + 1): a positive ridge fixes it.</exception>
    public void Solve(double ridge, Span<double> weights, Span<double> bias)
    {
        if (!(ridge >= 0 && double.IsFinite(ridge)))
            throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "The ridge must be finite and non-negative.");
        Reservoir.Check(weights.Length, _outputs * _features, "weights", nameof(weights));
        Reservoir.Check(bias.Length, _outputs, "bias", nameof(bias));
        if (Count == 0)
            throw new InvalidOperationException("The ridge regression has no rows to fit.");
        Flush();
        int d = _d;
        // The lower factor L (row-major, L[i, k] for k ≤ i) of A = XᵀX + λI, built from the upper triangle.
        var l = new double[(long)d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = _xtx[j * d + i] + (i == j ? ridge : 0);
                sum -= TensorPrimitives.Dot(l.AsSpan(i * d, j), l.AsSpan(j * d, j));
                if (i == j)
                {
                    if (!(sum > 0))
                        throw new InvalidOperationException(Invariant(
                            $"XᵀX + λ·I is not positive definite (pivot {i} is {sum:G6} with λ = {ridge:G6}, after {Count} rows of {_features} features and a bias): set a positive Ridge."));
                    l[i * d + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * d + j] = sum / l[j * d + j];
                }
            }
        }
        var z = new double[d];
        for (int o = 0; o < _outputs; o++)
        {
            // L·z = XᵀY[:, o], then Lᵀ·β = z.
            for (int i = 0; i < d; i++)
                z[i] = (_xty[i * _outputs + o] - TensorPrimitives.Dot(l.AsSpan(i * d, i), z.AsSpan(0, i))) / l[i * d + i];
            for (int i = d - 1; i >= 0; i--)
            {
                double sum = z[i];
                for (int k = i + 1; k < d; k++)
                    sum -= l[k * d + i] * z[k];
                z[i] = sum / l[i * d + i];
            }
            bias[o] = z[0];
            z.AsSpan(1, _features).CopyTo(weights.Slice(o * _features, _features));
        }
    }

    /// <summary><see cref="Solve(double, Span{double}, Span{double})"/>, rounding the solution to float.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ridge"/> is negative or not finite.</exception>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    /// <exception cref="InvalidOperationException">No row was added, or XᵀX + λ·I is not positive definite.</exception>
    public void Solve(double ridge, Span<float> weights, Span<float> bias)
    {
        Reservoir.Check(weights.Length, _outputs * _features, "weights", nameof(weights));
        Reservoir.Check(bias.Length, _outputs, "bias", nameof(bias));
        var w = new double[weights.Length];
        var b = new double[bias.Length];
        Solve(ridge, w, b);
        for (int i = 0; i < w.Length; i++)
            weights[i] = (float)w[i];
        for (int i = 0; i < b.Length; i++)
            bias[i] = (float)b[i];
    }
}
