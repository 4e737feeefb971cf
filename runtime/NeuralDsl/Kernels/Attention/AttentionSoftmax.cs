using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The float row passes of the attention softmax, 8 lanes at a time: the row maximum and <c>e^((s − max)·scale)</c>
/// by <see cref="SingleLogistic.ExpNonPositive(Vector256{float})"/> (Cephes <c>expf</c> in float; the argument is never
/// positive once the maximum is subtracted). <c>TensorPrimitives.Exp</c> evaluates float in double and took 1.1 ns per
/// element on the Zen 3 machine, two thirds of an attention forward pass at batch 1 (docs/kernels.md#attention).
/// </summary>
internal static class AttentionSoftmax
{
    /// <summary>The largest element of a non-empty row (NaN when one is NaN).</summary>
    public static float Max(ReadOnlySpan<float> row)
    {
        ref float r = ref MemoryMarshal.GetReference(row);
        float max = float.NegativeInfinity;
        int j = 0;
        if (row.Length >= Vector256<float>.Count)
        {
            Vector256<float> m = Vector256.LoadUnsafe(ref r);
            for (j = Vector256<float>.Count; j <= row.Length - Vector256<float>.Count; j += Vector256<float>.Count)
                m = Vector256.Max(m, Vector256.LoadUnsafe(ref r, (nuint)j));
            for (int lane = 0; lane < Vector256<float>.Count; lane++)
                max = MathF.Max(max, m.GetElement(lane));
        }
        for (; j < row.Length; j++)
            max = MathF.Max(max, Unsafe.Add(ref r, j));
        return max;
    }

    /// <summary><c>row[j] = e^((row[j] − max)·scale)</c> in place (−∞ gives 0); the vector body and scalar tail agree bitwise.</summary>
    public static void Exponentials(Span<float> row, float max, float scale)
    {
        ref float r = ref MemoryMarshal.GetReference(row);
        int j = 0;
        if (row.Length >= Vector256<float>.Count)
        {
            Vector256<float> vmax = Vector256.Create(max), vscale = Vector256.Create(scale);
            for (; j <= row.Length - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                Vector256<float> x = (Vector256.LoadUnsafe(ref r, (nuint)j) - vmax) * vscale;
                SingleLogistic.ExpNonPositive(x).StoreUnsafe(ref r, (nuint)j);
            }
        }
        for (; j < row.Length; j++)
            Unsafe.Add(ref r, j) = SingleLogistic.ExpNonPositive((Unsafe.Add(ref r, j) - max) * scale);
    }
}
