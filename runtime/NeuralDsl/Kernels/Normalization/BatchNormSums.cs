using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>
/// The per-channel double accumulations of <see cref="BatchNorm"/>, one row of a channel block at a time. Each
/// channel's sum still runs over the rows in order, so the vector and scalar paths give the same result for a
/// given input and the statistics do not depend on buffer addresses. Float rows are widened to double vectors
/// (one Vector&lt;float&gt; → two Vector&lt;double&gt;), which keeps the double-precision statistics at vector speed.
/// </summary>
internal static class BatchNormSums
{
    /// <summary>Channels consumed per vector step: one Vector&lt;float&gt;, or two Vector&lt;double&gt;.</summary>
    private static int Step => 2 * Vector<double>.Count;

    /// <summary>sum[c] += row[c].</summary>
    public static void AddRow<T>(ReadOnlySpan<T> row, Span<double> sum)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int half = Vector<double>.Count;
            for (; c <= row.Length - Step; c += Step)
            {
                Load(row, c, out Vector<double> lo, out Vector<double> hi);
                Add(sum, c, lo);
                Add(sum, c + half, hi);
            }
        }
        for (; c < row.Length; c++)
            sum[c] += double.CreateTruncating(row[c]);
    }

    /// <summary>squares[c] += (row[c] − mean[c])².</summary>
    public static void AddSquaredDeviations<T>(ReadOnlySpan<T> row, ReadOnlySpan<double> mean, Span<double> squares)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int half = Vector<double>.Count;
            for (; c <= row.Length - Step; c += Step)
            {
                Load(row, c, out Vector<double> lo, out Vector<double> hi);
                Vector<double> dLo = lo - new Vector<double>(mean.Slice(c));
                Vector<double> dHi = hi - new Vector<double>(mean.Slice(c + half));
                Add(squares, c, dLo * dLo);
                Add(squares, c + half, dHi * dHi);
            }
        }
        for (; c < row.Length; c++)
        {
            double d = double.CreateTruncating(row[c]) - mean[c];
            squares[c] += d * d;
        }
    }

    /// <summary>sumDy[c] += dy[c]; sumDyCentered[c] += dy[c]·(x[c] − center[c]).</summary>
    public static void AddGradientRow<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<double> center,
        Span<double> sumDy, Span<double> sumDyCentered)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int half = Vector<double>.Count;
            for (; c <= x.Length - Step; c += Step)
            {
                Load(x, c, out Vector<double> xLo, out Vector<double> xHi);
                Load(dy, c, out Vector<double> gLo, out Vector<double> gHi);
                Add(sumDy, c, gLo);
                Add(sumDy, c + half, gHi);
                Add(sumDyCentered, c, gLo * (xLo - new Vector<double>(center.Slice(c))));
                Add(sumDyCentered, c + half, gHi * (xHi - new Vector<double>(center.Slice(c + half))));
            }
        }
        for (; c < x.Length; c++)
        {
            double g = double.CreateTruncating(dy[c]);
            sumDy[c] += g;
            sumDyCentered[c] += g * (double.CreateTruncating(x[c]) - center[c]);
        }
    }

    /// <summary><see cref="Step"/> values from <paramref name="c"/> on, as two double vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<T>(ReadOnlySpan<T> row, int c, out Vector<double> lo, out Vector<double> hi)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(new Vector<float>(MemoryMarshal.Cast<T, float>(row).Slice(c)), out lo, out hi);
        }
        else
        {
            ReadOnlySpan<double> r = MemoryMarshal.Cast<T, double>(row);
            lo = new Vector<double>(r.Slice(c));
            hi = new Vector<double>(r.Slice(c + Vector<double>.Count));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<double> target, int c, Vector<double> value) =>
        (new Vector<double>(target.Slice(c)) + value).CopyTo(target.Slice(c));
}
