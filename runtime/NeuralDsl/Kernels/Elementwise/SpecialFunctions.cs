using System;

namespace NeuralDsl;

/// <summary>
/// The error function and its complement in double precision. .NET has no <c>Math.Erf</c> and TensorPrimitives
/// has no Erf, yet exact GELU needs one; this follows W. J. Cody, "Rational Chebyshev approximations for the
/// error function", Math. Comp. 23 (1969) 631–638 (the SPECFUN CALERF coefficients), whose approximations are
/// accurate beyond double precision, so results are within a few ulps.
/// </summary>
internal static partial class SpecialFunctions
{
    private const double OneOverSqrtPi = 0.56418958354775628695;

    // |x| <= 0.46875: erf(x) = x·A(x²)/B(x²).
    private const double A0 = 3.16112374387056560e00, A1 = 1.13864154151050156e02, A2 = 3.77485237685302021e02,
        A3 = 3.20937758913846947e03, A4 = 1.85777706184603153e-1;
    private const double B0 = 2.36012909523441209e01, B1 = 2.44024637934444173e02, B2 = 1.28261652607737228e03,
        B3 = 2.84423683343917062e03;

    // 0.46875 < |x| <= 4: erfc(x) = exp(−x²)·C(x)/D(x).
    private const double C0 = 5.64188496988670089e-1, C1 = 8.88314979438837594e00, C2 = 6.61191906371416295e01,
        C3 = 2.98635138197400131e02, C4 = 8.81952221241769090e02, C5 = 1.71204761263407058e03,
        C6 = 2.05107837782607147e03, C7 = 1.23033935479799725e03, C8 = 2.15311535474403846e-8;
    private const double D0 = 1.57449261107098347e01, D1 = 1.17693950891312499e02, D2 = 5.37181101862009858e02,
        D3 = 1.62138957456669019e03, D4 = 3.29079923573345963e03, D5 = 4.36261909014324716e03,
        D6 = 3.43936767414372164e03, D7 = 1.23033935480374942e03;

    // |x| > 4: erfc(x) = exp(−x²)/x·(1/√π − P(1/x²)/(x²·Q(1/x²))).
    private const double P0 = 3.05326634961232344e-1, P1 = 3.60344899949804439e-1, P2 = 1.25781726111229246e-1,
        P3 = 1.60837851487422766e-2, P4 = 6.58749161529837803e-4, P5 = 1.63153871373020978e-2;
    private const double Q0 = 2.56852019228982242e00, Q1 = 1.87295284992346047e00, Q2 = 5.27905102951428412e-1,
        Q3 = 6.05183413124413191e-2, Q4 = 2.33520497626869185e-3;

    /// <summary>Beyond this erfc underflows to zero in double precision.</summary>
    private const double ErfcUnderflow = 26.543;

    /// <summary>The error function.</summary>
    public static double Erf(double x)
    {
        double y = Math.Abs(x);
        if (y <= 0.46875)
            return SmallErf(x);
        if (double.IsNaN(x))
            return x;
        double r = 0.5 - ErfcPositive(y) + 0.5;
        return x < 0 ? -r : r;
    }

    /// <summary>The complementary error function <c>1 − erf(x)</c>, without cancellation for large x.</summary>
    public static double Erfc(double x)
    {
        double y = Math.Abs(x);
        if (y <= 0.46875)
            return 1.0 - SmallErf(x);
        if (double.IsNaN(x))
            return x;
        double r = ErfcPositive(y);
        return x < 0 ? 2.0 - r : r;
    }

    private static double SmallErf(double x)
    {
        double t = x * x;
        double num = (((A4 * t + A0) * t + A1) * t + A2) * t + A3;
        double den = (((t + B0) * t + B1) * t + B2) * t + B3;
        return x * num / den;
    }

    /// <summary>
    /// The standard normal CDF <c>Φ(x) = erfc(−x/√2)/2</c>. Unlike calling <see cref="Erfc"/> on a rounded
    /// <c>x/√2</c>, the Gaussian factor is computed from <paramref name="x"/> itself, so the tail keeps full
    /// relative precision (rounding x/√2 would cost about x² ulps there).
    /// </summary>
    public static double NormalCdf(double x) => NormalCdf(x, out _);

    /// <summary>Φ(x), also returning the density <c>φ(x) = e^(−x²/2)/√(2π)</c> computed with the same care.</summary>
    public static double NormalCdf(double x, out double density)
    {
        double ax = Math.Abs(x);
        double gaussian = HalfGaussian(ax);
        density = InvSqrt2Pi * gaussian;
        double y = ax * InvSqrt2;
        if (y <= 0.46875)
            return 0.5 + 0.5 * SmallErf(x * InvSqrt2);
        if (double.IsNaN(x))
            return x;
        double tail = 0.5 * gaussian * ErfcRational(y);
        return x < 0 ? tail : 1.0 - tail;
    }

    /// <summary>erfc(y) for y &gt; 0.46875.</summary>
    private static double ErfcPositive(double y)
    {
        if (y >= ErfcUnderflow)
            return 0.0;
        // exp(−y²) with y² split as s² + (y − s)(y + s), s = y rounded down to 1/16: s² is exact, so the
        // rounding error of y² (amplified by up to 2y² in the result) never arises.
        double s = Math.Truncate(y * 16.0) / 16.0;
        double d = (y - s) * (y + s);
        return Math.Exp(-s * s) * Math.Exp(-d) * ErfcRational(y);
    }

    /// <summary>erfc(y)·e^(y²) for y &gt; 0.46875: the smooth factor, insensitive to rounding of y.</summary>
    private static double ErfcRational(double y)
    {
        if (y <= 4.0)
        {
            double num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
            double den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
            return num / den;
        }
        double t = 1.0 / (y * y);
        double pn = ((((P5 * t + P0) * t + P1) * t + P2) * t + P3) * t + P4;
        double qn = ((((t + Q0) * t + Q1) * t + Q2) * t + Q3) * t + Q4;
        return (OneOverSqrtPi - t * pn / qn) / y;
    }

    /// <summary><c>e^(−x²/2)</c> for x ≥ 0, splitting x² like <see cref="ErfcPositive"/> so it is accurate in the tail.</summary>
    private static double HalfGaussian(double x)
    {
        if (x >= 40.0)
            return 0.0;
        double s = Math.Truncate(x * 16.0) / 16.0;
        double d = (x - s) * (x + s);
        return Math.Exp(-0.5 * s * s) * Math.Exp(-0.5 * d);
    }
}
