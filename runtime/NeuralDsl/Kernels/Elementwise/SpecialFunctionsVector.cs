using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>Vector forms of the normal CDF, so GELU runs on SIMD registers instead of one element at a time.</summary>
internal static partial class SpecialFunctions
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>Lane-wise <see cref="NormalCdf(double, out double)"/>: Φ(x) and the density φ(x), every region evaluated and selected.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> NormalCdf(Vector512<double> x, out Vector512<double> density)
    {
        Vector512<double> half = Vector512.Create(0.5);
        Vector512<double> ax = Vector512.Abs(x);
        Vector512<double> y = ax * InvSqrt2;

        // e^(−x²/2) with x split as s + (x − s), s = x rounded down to 1/16 so s² is exact; clamped where it underflows.
        Vector512<double> axc = Vector512.Min(ax, Vector512.Create(40.0));
        Vector512<double> s = Vector512.Truncate(axc * 16.0) * (1.0 / 16.0);
        Vector512<double> d = (axc - s) * (axc + s);
        Vector512<double> gaussian = Vector512.Exp(s * s * -0.5) * Vector512.Exp(d * -0.5);
        density = gaussian * InvSqrt2Pi;

        // |x|/√2 ≤ 0.46875: Φ = 1/2 + erf(x/√2)/2 from the A/B rational.
        Vector512<double> u = x * InvSqrt2;
        Vector512<double> t = u * u;
        Vector512<double> erf = u * (Mad(Mad(Mad(Vector512.Create(A4) * t + Vector512.Create(A0), t, A1), t, A2), t, A3)) / (Mad(Mad(Mad(t + Vector512.Create(B0), t, B1), t, B2), t, B3));
        Vector512<double> small = half + half * erf;

        // Otherwise the tail erfc(|x|/√2)/2 = e^(−x²/2)·R(y)/2, R from C/D up to 4 and from P/Q beyond.
        Vector512<double> r2 = (Mad(Mad(Mad(Mad(Mad(Mad(Mad(Vector512.Create(C8) * y + Vector512.Create(C0), y, C1), y, C2), y, C3), y, C4), y, C5), y, C6), y, C7)) / (Mad(Mad(Mad(Mad(Mad(Mad(Mad(y + Vector512.Create(D0), y, D1), y, D2), y, D3), y, D4), y, D5), y, D6), y, D7));
        Vector512<double> w = Vector512<double>.One / (y * y);
        Vector512<double> r3 = (Vector512.Create(OneOverSqrtPi) - w * (Mad(Mad(Mad(Mad(Vector512.Create(P5) * w + Vector512.Create(P0), w, P1), w, P2), w, P3), w, P4)) / (Mad(Mad(Mad(Mad(w + Vector512.Create(Q0), w, Q1), w, Q2), w, Q3), w, Q4))) / y;
        Vector512<double> tail = half * gaussian * Vector512.ConditionalSelect(Vector512.LessThanOrEqual(y, Vector512.Create(4.0)), r2, r3);
        Vector512<double> large = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<double>.Zero), tail, Vector512<double>.One - tail);
        return Vector512.ConditionalSelect(Vector512.LessThanOrEqual(y, Vector512.Create(0.46875)), small, large);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Mad(Vector512<double> a, Vector512<double> b, double c) => a * b + Vector512.Create(c);

    /// <summary>Lane-wise <see cref="NormalCdf(double, out double)"/>: Φ(x) and the density φ(x), every region evaluated and selected.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> NormalCdf(Vector256<double> x, out Vector256<double> density)
    {
        Vector256<double> half = Vector256.Create(0.5);
        Vector256<double> ax = Vector256.Abs(x);
        Vector256<double> y = ax * InvSqrt2;

        // e^(−x²/2) with x split as s + (x − s), s = x rounded down to 1/16 so s² is exact; clamped where it underflows.
        Vector256<double> axc = Vector256.Min(ax, Vector256.Create(40.0));
        Vector256<double> s = Vector256.Truncate(axc * 16.0) * (1.0 / 16.0);
        Vector256<double> d = (axc - s) * (axc + s);
        Vector256<double> gaussian = Vector256.Exp(s * s * -0.5) * Vector256.Exp(d * -0.5);
        density = gaussian * InvSqrt2Pi;

        // |x|/√2 ≤ 0.46875: Φ = 1/2 + erf(x/√2)/2 from the A/B rational.
        Vector256<double> u = x * InvSqrt2;
        Vector256<double> t = u * u;
        Vector256<double> erf = u * (Mad(Mad(Mad(Vector256.Create(A4) * t + Vector256.Create(A0), t, A1), t, A2), t, A3)) / (Mad(Mad(Mad(t + Vector256.Create(B0), t, B1), t, B2), t, B3));
        Vector256<double> small = half + half * erf;

        // Otherwise the tail erfc(|x|/√2)/2 = e^(−x²/2)·R(y)/2, R from C/D up to 4 and from P/Q beyond.
        Vector256<double> r2 = (Mad(Mad(Mad(Mad(Mad(Mad(Mad(Vector256.Create(C8) * y + Vector256.Create(C0), y, C1), y, C2), y, C3), y, C4), y, C5), y, C6), y, C7)) / (Mad(Mad(Mad(Mad(Mad(Mad(Mad(y + Vector256.Create(D0), y, D1), y, D2), y, D3), y, D4), y, D5), y, D6), y, D7));
        Vector256<double> w = Vector256<double>.One / (y * y);
        Vector256<double> r3 = (Vector256.Create(OneOverSqrtPi) - w * (Mad(Mad(Mad(Mad(Vector256.Create(P5) * w + Vector256.Create(P0), w, P1), w, P2), w, P3), w, P4)) / (Mad(Mad(Mad(Mad(w + Vector256.Create(Q0), w, Q1), w, Q2), w, Q3), w, Q4))) / y;
        Vector256<double> tail = half * gaussian * Vector256.ConditionalSelect(Vector256.LessThanOrEqual(y, Vector256.Create(4.0)), r2, r3);
        Vector256<double> large = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), tail, Vector256<double>.One - tail);
        return Vector256.ConditionalSelect(Vector256.LessThanOrEqual(y, Vector256.Create(0.46875)), small, large);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Mad(Vector256<double> a, Vector256<double> b, double c) => a * b + Vector256.Create(c);
}
