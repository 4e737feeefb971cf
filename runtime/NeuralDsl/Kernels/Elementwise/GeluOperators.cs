using System;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Exact GELU <c>x·Φ(x)</c>. Evaluated in double on every path (float lanes are widened and narrowed back), so
/// float and double results are both correctly rounded to within an ulp or two.
/// </summary>
internal readonly struct GeluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x)
    {
        double xd = double.CreateTruncating(x);
        return T.CreateTruncating(xd * SpecialFunctions.NormalCdf(xd));
    }

    public static Vector256<T> Invoke(Vector256<T> x)
    {
        if (typeof(T) == typeof(double))
            return Gelu(x.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
        {
            (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(x.AsSingle());
            return Vector256.Narrow(Gelu(lo), Gelu(hi)).As<float, T>();
        }
        throw new NotSupportedException();
    }

    public static Vector512<T> Invoke(Vector512<T> x)
    {
        if (typeof(T) == typeof(double))
            return Gelu(x.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
        {
            (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(x.AsSingle());
            return Vector512.Narrow(Gelu(lo), Gelu(hi)).As<float, T>();
        }
        throw new NotSupportedException();
    }

    private static Vector256<double> Gelu(Vector256<double> x) => x * SpecialFunctions.NormalCdf(x, out _);

    private static Vector512<double> Gelu(Vector512<double> x) => x * SpecialFunctions.NormalCdf(x, out _);
}

/// <summary>
/// GELU derivative <c>Φ(z) + z·φ(z)</c>, from z, in double like <see cref="GeluOperator{T}"/>; the second term is
/// taken as 0 where φ underflows, so the limits 1 and 0 hold at ±∞.
/// </summary>
internal readonly struct GeluBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da)
    {
        double x = double.CreateTruncating(z);
        double cdf = SpecialFunctions.NormalCdf(x, out double density);
        // Where the density underflows to 0 its term is 0 (not ∞·0 = NaN at z = ±∞).
        double term = density == 0 ? 0 : x * density;
        return T.CreateTruncating(double.CreateTruncating(da) * (cdf + term));
    }

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da)
    {
        if (typeof(T) == typeof(double))
            return Backward(z.AsDouble(), da.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
        {
            (Vector256<double> zlo, Vector256<double> zhi) = Vector256.Widen(z.AsSingle());
            (Vector256<double> dlo, Vector256<double> dhi) = Vector256.Widen(da.AsSingle());
            return Vector256.Narrow(Backward(zlo, dlo), Backward(zhi, dhi)).As<float, T>();
        }
        throw new NotSupportedException();
    }

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da)
    {
        if (typeof(T) == typeof(double))
            return Backward(z.AsDouble(), da.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
        {
            (Vector512<double> zlo, Vector512<double> zhi) = Vector512.Widen(z.AsSingle());
            (Vector512<double> dlo, Vector512<double> dhi) = Vector512.Widen(da.AsSingle());
            return Vector512.Narrow(Backward(zlo, dlo), Backward(zhi, dhi)).As<float, T>();
        }
        throw new NotSupportedException();
    }

    private static Vector256<double> Backward(Vector256<double> z, Vector256<double> da)
    {
        Vector256<double> cdf = SpecialFunctions.NormalCdf(z, out Vector256<double> density);
        Vector256<double> term = Vector256.ConditionalSelect(Vector256.Equals(density, Vector256<double>.Zero), Vector256<double>.Zero, z * density);
        return da * (cdf + term);
    }

    private static Vector512<double> Backward(Vector512<double> z, Vector512<double> da)
    {
        Vector512<double> cdf = SpecialFunctions.NormalCdf(z, out Vector512<double> density);
        Vector512<double> term = Vector512.ConditionalSelect(Vector512.Equals(density, Vector512<double>.Zero), Vector512<double>.Zero, z * density);
        return da * (cdf + term);
    }
}
