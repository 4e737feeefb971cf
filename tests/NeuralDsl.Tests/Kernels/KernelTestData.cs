using System;
using System.Collections.Generic;

namespace NeuralDsl.Tests.Kernels;

/// <summary>Shared inputs and comparison helpers for the kernel tests.</summary>
internal static class KernelTestData
{
    /// <summary>Every length from 0 to 257 (all vector tails at every width) plus a 4 KB-sized buffer.</summary>
    public static IEnumerable<int> Lengths()
    {
        for (int n = 0; n <= 257; n++)
            yield return n;
        yield return 4096;
    }

    /// <summary>Uniform values in [lo, hi) with |x| at least <paramref name="minMagnitude"/> (away from kinks at 0).</summary>
    public static double[] Uniform(int length, double lo, double hi, ulong seed, double minMagnitude = 0)
    {
        var rng = new Rng(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            double x;
            do
                x = lo + (hi - lo) * rng.NextDouble();
            while (Math.Abs(x) < minMagnitude);
            values[i] = x;
        }
        return values;
    }

    /// <summary>The values rounded to <typeparamref name="T"/>.</summary>
    public static T[] Convert<T>(double[] values)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> =>
        Array.ConvertAll(values, T.CreateTruncating);

    /// <summary>Whether two floats or doubles have the same bits (so −0 ≠ +0, and a NaN equals itself).</summary>
    public static bool BitEquals<T>(T x, T y)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? BitConverter.SingleToInt32Bits((float)(object)x) == BitConverter.SingleToInt32Bits((float)(object)y)
            : BitConverter.DoubleToInt64Bits((double)(object)x) == BitConverter.DoubleToInt64Bits((double)(object)y);

    public static float[] ToSingle(double[] values) => Array.ConvertAll(values, v => (float)v);

    public static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>‖g − n‖ / (‖g‖ + ‖n‖), the scale-free gradient-check metric (0 when both are zero).</summary>
    public static double RelativeError(ReadOnlySpan<double> g, ReadOnlySpan<double> n)
    {
        double diff = 0, gg = 0, nn = 0;
        for (int i = 0; i < g.Length; i++)
        {
            diff += (g[i] - n[i]) * (g[i] - n[i]);
            gg += g[i] * g[i];
            nn += n[i] * n[i];
        }
        double denominator = Math.Sqrt(gg) + Math.Sqrt(nn);
        return denominator == 0 ? 0 : Math.Sqrt(diff) / denominator;
    }

    /// <summary>Asserts |actual − expected| ≤ rel·|expected| + abs element by element, naming the first failure.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rel, double abs, string context)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (e == a)
                continue;
            if (!(Math.Abs(a - e) <= rel * Math.Abs(e) + abs))
                Xunit.Assert.Fail($"{context}: element {i} of {expected.Length} is {a:R}, expected {e:R} (rel {rel}, abs {abs}).");
        }
    }
}
