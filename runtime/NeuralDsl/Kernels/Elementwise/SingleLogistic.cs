using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Single-precision sigmoid and tanh built on one exp of a non-positive argument (Cephes <c>expf</c>: range
/// reduction by ln 2 in two parts and a degree-6 minimax polynomial, by S. L. Moshier). The scalar, 256-bit and
/// 512-bit forms run the same operations with explicit fused multiply-adds, so an element's result does not depend on
/// whether a vector or the scalar tail computed it; the 256-bit forms scale a normal result in its exponent field,
/// which gives the same bits with fewer operations. Double keeps the exact path of <see cref="VectorMath"/>.
/// </summary>
/// <remarks>
/// Measured over every float (docs/kernels.md, "Single-precision sigmoid and tanh"; a strided sweep is
/// <c>SingleLogisticTests</c>): relative error against double <c>Math.Exp</c>/<c>Math.Tanh</c> of at most 2 ulp for
/// normal results; denormal sigmoid outputs (x below about −87.3) are within 1 ulp of the denormal grid. ±∞ give the
/// limits exactly (0, 1, ±1), NaN stays NaN, −0 stays −0 for tanh.
/// </remarks>
internal static class SingleLogistic
{
    // exp(r) ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (Cephes expf).
    private const float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f, P3 = 4.1665795894E-2f,
        P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    // ln 2 = C1 − C2 split so n·C1 is exact for the n used here (|n| ≤ 150).
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float Log2E = 1.44269504088896341f;

    // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits (round to nearest even).
    private const float RoundMagic = 12582912f;
    private const int RoundMagicBits = 0x4B400000;

    // e^x for x < −104 is below half the smallest denormal: the argument is clamped there and the result is 0.
    private const float ExpFloor = -104f;

    // e^x for x ≥ −80 is above 2^−116, a normal float: the 256-bit sigmoid and tanh scale by 2^n in the exponent field
    // there (ExpNonPositiveNormal).
    internal const float NormalFloor = -80f;

    // tanh(x) = x + x³·Q(x²) on |x| < 0.625 (Cephes tanhf), where (1 − e^−2|x|) would cancel.
    private const float Q0 = -5.70498872745E-3f, Q1 = 2.06390887954E-2f, Q2 = -5.37397155531E-2f, Q3 = 1.33314422036E-1f,
        Q4 = -3.33332819422E-1f;
    private const float TanhSmall = 0.625f;

    /// <summary>e^x for x ≤ 0 (or NaN), denormal results included; 0 below about −103.97.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExpNonPositive(float x)
    {
        x = x < ExpFloor ? ExpFloor : x;
        float t = MathF.FusedMultiplyAdd(x, Log2E, RoundMagic);
        float n = t - RoundMagic;
        int ni = BitConverter.SingleToInt32Bits(t) - RoundMagicBits;
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        float y = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        // 2^n as 2^(n − n/2)·2^(n/2): each factor is normal down to n = −150, and only the last product rounds.
        int n1 = ni >> 1;
        return y * BitConverter.Int32BitsToSingle((n1 + 127) << 23) * BitConverter.Int32BitsToSingle((ni - n1 + 127) << 23);
    }

    /// <summary><c>1 / (1 + e^−x)</c> as <c>1/(1 + e)</c> for x ≥ 0 and <c>e/(1 + e)</c> below, with <c>e = e^−|x|</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x)
    {
        float e = ExpNonPositive(-MathF.Abs(x));
        return (x >= 0 ? 1f : e) / (1f + e);
    }

    /// <summary><c>tanh x</c>: the odd polynomial below 0.625, <c>(1 − e)/(1 + e)</c> with <c>e = e^−2|x|</c> above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float ax = MathF.Abs(x);
        float t;
        if (ax < TanhSmall)
        {
            float z = ax * ax;
            float q = MathF.FusedMultiplyAdd(Q0, z, Q1);
            q = MathF.FusedMultiplyAdd(q, z, Q2);
            q = MathF.FusedMultiplyAdd(q, z, Q3);
            q = MathF.FusedMultiplyAdd(q, z, Q4);
            t = MathF.FusedMultiplyAdd(q * z, ax, ax);
        }
        else
        {
            float e = ExpNonPositive(-2f * ax);
            t = (1f - e) / (1f + e);
        }
        return MathF.CopySign(t, x);
    }

    /// <inheritdoc cref="ExpNonPositive(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        // A NaN compares false and passes through, so the result is NaN.
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpFloor)), Vector256.Create(ExpFloor), x);
        Vector256<float> t = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        Vector256<float> n = t - Vector256.Create(RoundMagic);
        Vector256<int> ni = t.AsInt32() - Vector256.Create(RoundMagicBits);
        Vector256<float> y = ExpOfReduced(x, n);
        Vector256<int> n1 = Vector256.ShiftRightArithmetic(ni, 1);
        Vector256<int> bias = Vector256.Create(127);
        return y * Vector256.ShiftLeft(n1 + bias, 23).AsSingle() * Vector256.ShiftLeft(ni - n1 + bias, 23).AsSingle();
    }

    /// <summary>
    /// e^r for the reduced argument r = x − n·ln 2 (in two parts), |r| ≤ ln 2 / 2: the degree-6 polynomial both 256-bit
    /// exps share before they scale by 2^n.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpOfReduced(Vector256<float> x, Vector256<float> n)
    {
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        return Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
    }

    /// <summary>
    /// <see cref="ExpNonPositive(Vector256{float})"/> where the result is normal: the argument is raised to
    /// <see cref="NormalFloor"/> (a lane below it must not need its exact value) and must not be NaN. Then
    /// <c>y·2^n</c> is normal, so the two scalings' products are exact and equal <c>y</c> with <c>n</c> added to its
    /// exponent field: the same bits with two multiplications and five integer operations fewer on the critical path.
    /// <c>(t − RoundMagicBits) ≪ 23 = t ≪ 23</c> because <c>RoundMagicBits</c>' low nine bits are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpNonPositiveNormal(Vector256<float> x)
    {
        x = Vector256.MaxNative(x, Vector256.Create(NormalFloor));
        Vector256<float> t = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        Vector256<float> n = t - Vector256.Create(RoundMagic);
        Vector256<float> y = ExpOfReduced(x, n);
        return (y.AsInt32() + Vector256.ShiftLeft(t.AsInt32(), 23)).AsSingle();
    }

    /// <inheritdoc cref="Sigmoid(float)"/>
    /// <remarks>
    /// When every lane is at least <see cref="NormalFloor"/> (so none is NaN), <c>e = e^−|x|</c> comes from
    /// <see cref="ExpNonPositiveNormal"/>: exact for |x| ≤ −<see cref="NormalFloor"/>, and for larger positive x,
    /// where the clamped <c>e</c> is wrong, <c>1/(1 + e)</c> is 1 for any <c>e</c> below 2^−25 as before. Other
    /// registers take the full range exp. Both give the same bits.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256.GreaterThanOrEqualAll(x, Vector256.Create(NormalFloor)) ? SigmoidAboveFloor(x) : SigmoidFullRange(x);

    /// <summary>
    /// <see cref="Sigmoid(Vector256{float})"/> for a register whose lanes are all at least <see cref="NormalFloor"/>
    /// (so none is NaN); no branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SigmoidAboveFloor(Vector256<float> x) => SigmoidFrom(x, ExpNonPositiveNormal(-Vector256.Abs(x)));

    /// <summary><see cref="Sigmoid(Vector256{float})"/> with the full-range exp (denormal results, NaN).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> SigmoidFullRange(Vector256<float> x) => SigmoidFrom(x, ExpNonPositive(-Vector256.Abs(x)));

    /// <summary>σ(x) from <paramref name="e"/> = e^−|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) below.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SigmoidFrom(Vector256<float> x, Vector256<float> e)
    {
        Vector256<float> numerator = Vector256.ConditionalSelect(
            Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One, e);
        return numerator / (Vector256<float>.One + e);
    }

    /// <inheritdoc cref="Tanh(float)"/>
    /// <remarks>
    /// Without NaN, <c>e^−2|x|</c> comes from <see cref="ExpNonPositiveNormal"/>: it differs from the full-range exp only
    /// for |x| &gt; 40, where <c>(1 − e)/(1 + e)</c> is 1 for either (both are below 2^−25). The same bits.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) => Vector256.EqualsAll(x, x) ? TanhNotNaN(x) : TanhFullRange(x);

    /// <summary><see cref="Tanh(Vector256{float})"/> for a register without NaN; no branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> TanhNotNaN(Vector256<float> x) => TanhFrom(x, ExpNonPositiveNormal(Vector256.Create(-2f) * Vector256.Abs(x)));

    /// <summary><see cref="Tanh(Vector256{float})"/> with the full-range exp (a register holding NaN).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> TanhFullRange(Vector256<float> x) => TanhFrom(x, ExpNonPositive(Vector256.Create(-2f) * Vector256.Abs(x)));

    /// <summary>tanh(x) from <paramref name="e"/> = e^−2|x|: x + x³·Q(x²) below 0.625, else (1 − e)/(1 + e), with x's sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TanhFrom(Vector256<float> x, Vector256<float> e)
    {
        Vector256<float> ax = Vector256.Abs(x);
        Vector256<float> z = ax * ax;
        Vector256<float> q = Vector256.FusedMultiplyAdd(Vector256.Create(Q0), z, Vector256.Create(Q1));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(Q2));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(Q3));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(Q4));
        Vector256<float> small = Vector256.FusedMultiplyAdd(q * z, ax, ax);
        Vector256<float> large = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        Vector256<float> t = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(TanhSmall)), small, large);
        return Vector256.CopySign(t, x);
    }

    /// <inheritdoc cref="ExpNonPositive(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        x = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpFloor)), Vector512.Create(ExpFloor), x);
        Vector512<float> t = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        Vector512<float> n = t - Vector512.Create(RoundMagic);
        Vector512<int> ni = t.AsInt32() - Vector512.Create(RoundMagicBits);
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        Vector512<float> y = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        Vector512<int> n1 = Vector512.ShiftRightArithmetic(ni, 1);
        Vector512<int> bias = Vector512.Create(127);
        return y * Vector512.ShiftLeft(n1 + bias, 23).AsSingle() * Vector512.ShiftLeft(ni - n1 + bias, 23).AsSingle();
    }

    /// <inheritdoc cref="Sigmoid(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x)
    {
        Vector512<float> e = ExpNonPositive(-Vector512.Abs(x));
        Vector512<float> numerator = Vector512.ConditionalSelect(
            Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One, e);
        return numerator / (Vector512<float>.One + e);
    }

    /// <inheritdoc cref="Tanh(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> ax = Vector512.Abs(x);
        Vector512<float> z = ax * ax;
        Vector512<float> q = Vector512.FusedMultiplyAdd(Vector512.Create(Q0), z, Vector512.Create(Q1));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(Q2));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(Q3));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(Q4));
        Vector512<float> small = Vector512.FusedMultiplyAdd(q * z, ax, ax);
        Vector512<float> e = ExpNonPositive(Vector512.Create(-2f) * ax);
        Vector512<float> large = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        Vector512<float> t = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(TanhSmall)), small, large);
        return Vector512.CopySign(t, x);
    }
}
