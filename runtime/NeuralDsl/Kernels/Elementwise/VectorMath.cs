using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Transcendental helpers over generic vectors. <see cref="Vector512"/> has Exp and Log only for concrete float
/// and double, so these dispatch on <c>typeof(T)</c> (folded by the JIT); expm1 (a rational near 0) and log1p
/// (Kahan's correction) keep full relative precision near zero, where <c>exp(x) − 1</c> and <c>log(1 + x)</c>
/// would cancel.
/// </summary>
internal static class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector512.Exp(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.Exp(x.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector256.Exp(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.Exp(x.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector512.Log(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.Log(x.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector256.Log(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.Log(x.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    // expm1 on [−0.5, 0.5] as 2r with r = x·P(x²) / (Q(x²) − x·P(x²)), the (2,3) rational of S. L. Moshier's
    // Cephes library (accurate to double precision there); outside it e^x − 1 has no harmful cancellation.
    private const double ExpP0 = 1.2617719307481059087798E-4, ExpP1 = 3.0299440770744196129956E-2,
        ExpP2 = 9.9999999999999999991025E-1;
    private const double ExpQ0 = 3.0019850513866445504159E-6, ExpQ1 = 2.5244834034968410419224E-3,
        ExpQ2 = 2.2726554820815502876593E-1, ExpQ3 = 2.0000000000000000000897E0;

    /// <summary><c>e^x − 1</c> with full relative precision near 0 (−1 for very negative x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Expm1<T>(T x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (!(T.Abs(x) <= T.CreateTruncating(0.5)))
            return T.Exp(x) - T.One;
        T xx = x * x;
        T p = (T.CreateTruncating(ExpP0) * xx + T.CreateTruncating(ExpP1)) * xx + T.CreateTruncating(ExpP2);
        T q = ((T.CreateTruncating(ExpQ0) * xx + T.CreateTruncating(ExpQ1)) * xx + T.CreateTruncating(ExpQ2)) * xx
            + T.CreateTruncating(ExpQ3);
        T r = x * p;
        r /= q - r;
        return r + r;
    }

    /// <inheritdoc cref="Expm1{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Expm1<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> xx = x * x;
        Vector512<T> p = (Vector512.Create(T.CreateTruncating(ExpP0)) * xx + Vector512.Create(T.CreateTruncating(ExpP1))) * xx
            + Vector512.Create(T.CreateTruncating(ExpP2));
        Vector512<T> q = ((Vector512.Create(T.CreateTruncating(ExpQ0)) * xx + Vector512.Create(T.CreateTruncating(ExpQ1))) * xx
            + Vector512.Create(T.CreateTruncating(ExpQ2))) * xx + Vector512.Create(T.CreateTruncating(ExpQ3));
        Vector512<T> r = x * p;
        r /= q - r;
        Vector512<T> small = r + r;
        Vector512<T> large = Exp(x) - Vector512<T>.One;
        return Vector512.ConditionalSelect(
            Vector512.LessThanOrEqual(Vector512.Abs(x), Vector512.Create(T.CreateTruncating(0.5))), small, large);
    }

    /// <inheritdoc cref="Expm1{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Expm1<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> xx = x * x;
        Vector256<T> p = (Vector256.Create(T.CreateTruncating(ExpP0)) * xx + Vector256.Create(T.CreateTruncating(ExpP1))) * xx
            + Vector256.Create(T.CreateTruncating(ExpP2));
        Vector256<T> q = ((Vector256.Create(T.CreateTruncating(ExpQ0)) * xx + Vector256.Create(T.CreateTruncating(ExpQ1))) * xx
            + Vector256.Create(T.CreateTruncating(ExpQ2))) * xx + Vector256.Create(T.CreateTruncating(ExpQ3));
        Vector256<T> r = x * p;
        r /= q - r;
        Vector256<T> small = r + r;
        Vector256<T> large = Exp(x) - Vector256<T>.One;
        return Vector256.ConditionalSelect(
            Vector256.LessThanOrEqual(Vector256.Abs(x), Vector256.Create(T.CreateTruncating(0.5))), small, large);
    }

    /// <summary><c>log(1 + x)</c> for x ≥ 0, accurate for tiny x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log1p<T>(T x) where T : IBinaryFloatingPointIeee754<T>
    {
        T w = T.One + x;
        if (w == T.One)
            return x;
        return T.Log(w) * x / (w - T.One);
    }

    /// <inheritdoc cref="Log1p{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log1p<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> one = Vector512<T>.One;
        Vector512<T> w = one + x;
        // log(w)·x / (w − 1) corrects the rounding of 1 + x (Kahan); where w rounds to 1, log1p(x) = x.
        Vector512<T> r = Log(w) * x / (w - one);
        return Vector512.ConditionalSelect(Vector512.Equals(w, one), x, r);
    }

    /// <inheritdoc cref="Log1p{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log1p<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> one = Vector256<T>.One;
        Vector256<T> w = one + x;
        Vector256<T> r = Log(w) * x / (w - one);
        return Vector256.ConditionalSelect(Vector256.Equals(w, one), x, r);
    }

    /// <summary>
    /// The logistic function <c>1 / (1 + e^−x)</c>; exact 0 and 1 at the extremes, NaN only for NaN. Float goes to
    /// <see cref="SingleLogistic"/> (one single-precision exp, at most 2 ulp); double keeps <c>Exp</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>(SingleLogistic.Sigmoid(Unsafe.BitCast<T, float>(x)));
        return T.One / (T.One + T.Exp(-x));
    }

    /// <inheritdoc cref="Sigmoid{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sigmoid<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return SingleLogistic.Sigmoid(x.AsSingle()).As<float, T>();
        return Vector512<T>.One / (Vector512<T>.One + Exp(-x));
    }

    /// <inheritdoc cref="Sigmoid{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sigmoid<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return SingleLogistic.Sigmoid(x.AsSingle()).As<float, T>();
        return Vector256<T>.One / (Vector256<T>.One + Exp(-x));
    }
}
