using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The float row passes of the attention softmax, 8 lanes at a time: the row maximum, <c>e^((s − max)·scale)</c> by
/// <see cref="SingleLogistic.ExpNonPositive(Vector256{float})"/> (Cephes <c>expf</c> in float; the argument is never
/// positive once the maximum is subtracted, and −∞ gives exactly 0) with the row sum in the same pass, and the division
/// by the sum. <c>TensorPrimitives.Exp</c> evaluates float in double (1.1 ns per element on the Zen 3 machine), and
/// five TensorPrimitives calls per 64-key row cost more than the row's arithmetic (docs/kernels.md#attention).
/// </summary>
internal static class AttentionSoftmax
{
    private static int Width => Vector256<float>.Count;

    /// <summary>
    /// The softmax of <paramref name="rows"/> rows of <paramref name="keys"/> scores in place, without a padding mask:
    /// per row the maximum, the exponentials with their sum, the division, as one call per row of
    /// <c>Attention.SoftmaxRow</c> computes them (the same bits), in one loop so the passes are inlined and their
    /// constants loaded once per call rather than once per 64-key row. With <paramref name="causal"/> row i keeps keys
    /// j ≤ i and zeroes the rest.
    /// </summary>
    public static void Rows(Span<float> scores, int rows, int keys, float scale, bool causal)
    {
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = scores.Slice(i * keys, keys);
            int allowedEnd = causal ? Math.Min(i + 1, keys) : keys;
            row.Slice(allowedEnd).Clear();
            Span<float> allowed = row.Slice(0, allowedEnd);
            float max = Max(allowed);
            if (float.IsNegativeInfinity(max))
            {
                row.Clear();
                continue;
            }
            Divide(allowed, Exponentials(allowed, max, scale));
        }
    }

    /// <summary>The largest element of a non-empty row (a NaN may or may not win: it reaches the sum either way).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(ReadOnlySpan<float> row)
    {
        ref float r = ref MemoryMarshal.GetReference(row);
        float max = float.NegativeInfinity;
        int j = 0;
        if (row.Length >= Width)
        {
            Vector256<float> m = Vector256.LoadUnsafe(ref r);
            for (j = Width; j <= row.Length - Width; j += Width)
                m = Vector256.MaxNative(m, Vector256.LoadUnsafe(ref r, (nuint)j));
            Vector128<float> h = Vector128.MaxNative(m.GetLower(), m.GetUpper());
            max = MathF.Max(MathF.Max(h.GetElement(0), h.GetElement(1)), MathF.Max(h.GetElement(2), h.GetElement(3)));
        }
        for (; j < row.Length; j++)
            max = MathF.Max(max, Unsafe.Add(ref r, j));
        return max;
    }

    /// <summary>
    /// <c>row[j] = e^((row[j] − max)·scale)</c> in place (−∞ gives 0); returns the row's sum. The vector body and the
    /// scalar tail compute an element the same way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exponentials(Span<float> row, float max, float scale)
    {
        ref float r = ref MemoryMarshal.GetReference(row);
        int j = 0;
        float sum = 0;
        if (row.Length >= Width)
        {
            Vector256<float> vmax = Vector256.Create(max), vscale = Vector256.Create(scale), vsum = Vector256<float>.Zero;
            for (; j <= row.Length - Width; j += Width)
            {
                Vector256<float> e = SingleLogistic.ExpNonPositive((Vector256.LoadUnsafe(ref r, (nuint)j) - vmax) * vscale);
                e.StoreUnsafe(ref r, (nuint)j);
                vsum += e;
            }
            sum = Vector256.Sum(vsum);
        }
        for (; j < row.Length; j++)
        {
            float e = SingleLogistic.ExpNonPositive((Unsafe.Add(ref r, j) - max) * scale);
            Unsafe.Add(ref r, j) = e;
            sum += e;
        }
        return sum;
    }

    /// <summary><c>row[j] /= sum</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Divide(Span<float> row, float sum)
    {
        ref float r = ref MemoryMarshal.GetReference(row);
        int j = 0;
        if (row.Length >= Width)
        {
            Vector256<float> vsum = Vector256.Create(sum);
            for (; j <= row.Length - Width; j += Width)
                (Vector256.LoadUnsafe(ref r, (nuint)j) / vsum).StoreUnsafe(ref r, (nuint)j);
        }
        for (; j < row.Length; j++)
            Unsafe.Add(ref r, j) /= sum;
    }
}
