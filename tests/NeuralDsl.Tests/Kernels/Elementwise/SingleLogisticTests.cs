using System;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The single-precision sigmoid and tanh (<see cref="SingleLogistic"/>, behind <see cref="Activations"/> and the
/// recurrent cells for float) against double <c>Math.Exp</c>/<c>Math.Tanh</c>, in ulps of the correctly rounded
/// result: a sweep of every 61st float bit pattern (both signs, every exponent), the special values and the denormal
/// outputs. An exhaustive run over all 2^32 floats gave 2.34 ulp (sigmoid) and 1.49 ulp (tanh); docs/kernels.md.
/// </summary>
public class SingleLogisticTests
{
    // The stated bounds: at most 2.5 ulp for normal results, 1 ulp of the denormal grid (2^-149) below.
    private const double NormalUlps = 2.5;
    private const double DenormalUlps = 1.0;
    private const float SmallestNormal = 1.17549435e-38f;

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>|actual − expected| in units of the float spacing at <paramref name="expected"/> (2^-149 for denormals).</summary>
    private static double Ulps(float actual, double expected)
    {
        double a = Math.Abs(expected);
        double ulp = a < SmallestNormal ? Math.Pow(2, -149) : Math.Pow(2, Math.ILogB(a) - 23);
        return Math.Abs(actual - expected) / ulp;
    }

    private static void Sweep(bool tanh, long stride)
    {
        const int Chunk = 1 << 16;
        var x = new float[Chunk];
        var y = new float[Chunk];
        double worstNormal = 0, worstDenormal = 0;
        float atNormal = 0, atDenormal = 0;
        long bits = 0;
        while (bits < 1L << 32)
        {
            int n = 0;
            for (; n < Chunk && bits < 1L << 32; n++, bits += stride)
                x[n] = BitConverter.Int32BitsToSingle((int)(uint)bits);
            Span<float> xs = x.AsSpan(0, n), ys = y.AsSpan(0, n);
            if (tanh)
                Activations.Tanh<float>(xs, ys);
            else
                Activations.Sigmoid<float>(xs, ys);
            for (int i = 0; i < n; i++)
            {
                double expected = tanh ? Math.Tanh(x[i]) : Sigmoid(x[i]);
                if (double.IsNaN(expected))
                {
                    Assert.True(float.IsNaN(y[i]), $"f({x[i]}) = {y[i]}, expected NaN");
                    continue;
                }
                double e = Ulps(y[i], expected);
                if (Math.Abs(expected) < SmallestNormal)
                {
                    if (e > worstDenormal)
                        (worstDenormal, atDenormal) = (e, x[i]);
                }
                else if (e > worstNormal)
                    (worstNormal, atNormal) = (e, x[i]);
            }
        }
        string name = tanh ? "tanh" : "sigmoid";
        Assert.True(worstNormal <= NormalUlps, $"{name}: {worstNormal:F3} ulp at x = {atNormal:R} (bound {NormalUlps})");
        Assert.True(worstDenormal <= DenormalUlps, $"{name}: {worstDenormal:F3} denormal ulp at x = {atDenormal:R} (bound {DenormalUlps})");
    }

    [Fact]
    public void SigmoidIsWithinTheStatedUlpsOverTheFloatRange() => Sweep(tanh: false, stride: 61);

    [Fact]
    public void TanhIsWithinTheStatedUlpsOverTheFloatRange() => Sweep(tanh: true, stride: 61);

    [Fact]
    public void SpecialValuesGiveTheLimits()
    {
        float[] x = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f, float.MaxValue, -float.MaxValue, 200f, -200f, 104f, -104f,
            float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f];
        var s = new float[x.Length];
        var t = new float[x.Length];
        Activations.Sigmoid<float>(x, s);
        Activations.Tanh<float>(x, t);
        float[] sigmoid = [1f, 0f, float.NaN, 0.5f, 0.5f, 1f, 0f, 1f, 0f, 1f, 0f, 0.5f, 0.5f, 0.5f, 0.5f];
        float[] tanh = [1f, -1f, float.NaN, 0f, -0f, 1f, -1f, 1f, -1f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f];
        for (int i = 0; i < x.Length; i++)
        {
            // Bitwise, so the sign of a zero counts (tanh(−0) = −0) and NaN equals NaN.
            Assert.True(BitConverter.SingleToInt32Bits(sigmoid[i]) == BitConverter.SingleToInt32Bits(s[i]) || float.IsNaN(sigmoid[i]) && float.IsNaN(s[i]),
                $"sigmoid({x[i]}) = {s[i]:R}, expected {sigmoid[i]:R}");
            Assert.True(BitConverter.SingleToInt32Bits(tanh[i]) == BitConverter.SingleToInt32Bits(t[i]) || float.IsNaN(tanh[i]) && float.IsNaN(t[i]),
                $"tanh({x[i]}) = {t[i]:R}, expected {tanh[i]:R}");
        }
    }

    [Fact]
    public void SigmoidKeepsDenormalOutputs()
    {
        // e^x for x in (−103.97, −87.34) is denormal; the kernel produces it instead of flushing to 0.
        for (float x = -103.9f; x < -87.4f; x += 0.37f)
        {
            var y = new float[1];
            Activations.Sigmoid<float>([x], y);
            double expected = Sigmoid(x);
            Assert.True(expected < SmallestNormal && expected > 0);
            Assert.True(y[0] > 0 && Ulps(y[0], expected) <= DenormalUlps, $"sigmoid({x}) = {y[0]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void VectorAndScalarPathsAgreeBitwise()
    {
        // A span of 7 runs the scalar loop; 4,096 runs the vectors (and one overlapping last vector).
        var rng = new Rng(11);
        var x = new float[4096];
        for (int i = 0; i < x.Length; i++)
            x[i] = BitConverter.Int32BitsToSingle((int)rng.NextUInt64());
        foreach (bool tanh in new[] { false, true })
        {
            var vector = new float[x.Length];
            var scalar = new float[7];
            if (tanh)
                Activations.Tanh<float>(x, vector);
            else
                Activations.Sigmoid<float>(x, vector);
            for (int i = 0; i + 7 <= x.Length; i += 7)
            {
                if (tanh)
                    Activations.Tanh<float>(x.AsSpan(i, 7), scalar);
                else
                    Activations.Sigmoid<float>(x.AsSpan(i, 7), scalar);
                for (int j = 0; j < 7; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(vector[i + j]) == BitConverter.SingleToInt32Bits(scalar[j])
                        || float.IsNaN(vector[i + j]) && float.IsNaN(scalar[j]), $"{(tanh ? "tanh" : "sigmoid")}({x[i + j]:R})");
            }
        }
    }

    [Fact]
    public void VectorAndScalarPathsAgreeBitwiseOverTheActiveRange()
    {
        // The 256-bit forms take a shortcut when a register has no lane below −80 (sigmoid) or no NaN (tanh): e^x scaled
        // in the exponent field, the argument raised to −80. Every 97th float in [−110, 110] (both signs), so registers
        // on each side of −80, −87.3 (denormal sigmoid) and ±40 (tanh's clamp); then registers mixing those values with
        // NaNs whose payload would corrupt the exponent field, infinities and large magnitudes.
        var values = new System.Collections.Generic.List<float>();
        for (uint bits = 0; bits <= 0x42DC0000u; bits += 97)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }
        float payloadNaN = BitConverter.UInt32BitsToSingle(0x7FC001FFu), negativeNaN = BitConverter.UInt32BitsToSingle(0xFFC00155u);
        float[] edges = [-80f, MathF.BitDecrement(-80f), MathF.BitIncrement(-80f), 40f, MathF.BitIncrement(40f), -40f, -87.5f, -100f,
            100f, -1e4f, 1e4f, float.PositiveInfinity, float.NegativeInfinity, payloadNaN, negativeNaN, float.NaN, 0f, -0f, 0.625f, -0.625f];
        for (int r = 0; r < 64; r++)
            for (int j = 0; j < 8; j++)
                values.Add(j == r % 8 ? edges[r % edges.Length] : (j - 3.5f) * (r % 5 == 0 ? 30f : 1.3f));
        float[] x = values.ToArray();
        foreach (bool tanh in new[] { false, true })
        {
            var vector = new float[x.Length];
            if (tanh)
                Activations.Tanh<float>(x, vector);
            else
                Activations.Sigmoid<float>(x, vector);
            var scalar = new float[7];
            for (int i = 0; i < x.Length; i += 7)
            {
                int n = Math.Min(7, x.Length - i);
                if (tanh)
                    Activations.Tanh<float>(x.AsSpan(i, n), scalar.AsSpan(0, n));
                else
                    Activations.Sigmoid<float>(x.AsSpan(i, n), scalar.AsSpan(0, n));
                for (int j = 0; j < n; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(vector[i + j]) == BitConverter.SingleToInt32Bits(scalar[j])
                        || float.IsNaN(vector[i + j]) && float.IsNaN(scalar[j]),
                        $"{(tanh ? "tanh" : "sigmoid")}({x[i + j]:R}): vector {vector[i + j]:R}, scalar {scalar[j]:R}");
            }
        }
    }
}
