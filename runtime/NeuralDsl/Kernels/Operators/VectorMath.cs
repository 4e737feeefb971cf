using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Transcendental helpers over generic vectors. <see cref="Vector512"/> has Exp and Log only for concrete float
/// and double, so these dispatch on <c>typeof(T)</c> (folded by the JIT) and build expm1 and log1p on top with
/// Kahan's correction, which keeps full relative precision near zero where <c>exp(x) − 1</c> and
/// <c>log(1 + x)</c> would cancel.
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

    /// <summary><c>e^x − 1</c>, accurate for tiny x; saturates at −1 for very negative x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Expm1<T>(T x) where T : IBinaryFloatingPointIeee754<T>
    {
        T u = T.Exp(x);
        if (u == T.One)
            return x;
        T um1 = u - T.One;
        if (um1 == -T.One || T.IsPositiveInfinity(u))
            return um1;
        return um1 * x / T.Log(u);
    }

    /// <inheritdoc cref="Expm1{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Expm1<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> one = Vector512<T>.One;
        Vector512<T> u = Exp(x);
        Vector512<T> um1 = u - one;
        // (u − 1)·x / log(u) cancels the rounding error of u exactly to first order (Kahan).
        Vector512<T> r = um1 * x / Log(u);
        r = Vector512.ConditionalSelect(Vector512.Equals(u, one), x, r);
        Vector512<T> saturated = Vector512.Equals(um1, -one) | Vector512.Equals(u, Vector512.Create(T.PositiveInfinity));
        return Vector512.ConditionalSelect(saturated, um1, r);
    }

    /// <inheritdoc cref="Expm1{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Expm1<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> one = Vector256<T>.One;
        Vector256<T> u = Exp(x);
        Vector256<T> um1 = u - one;
        Vector256<T> r = um1 * x / Log(u);
        r = Vector256.ConditionalSelect(Vector256.Equals(u, one), x, r);
        Vector256<T> saturated = Vector256.Equals(um1, -one) | Vector256.Equals(u, Vector256.Create(T.PositiveInfinity));
        return Vector256.ConditionalSelect(saturated, um1, r);
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

    /// <summary>The logistic function <c>1 / (1 + e^−x)</c>; exact 0 and 1 at the extremes, never NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x) where T : IBinaryFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));

    /// <inheritdoc cref="Sigmoid{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sigmoid<T>(Vector512<T> x) where T : IBinaryFloatingPointIeee754<T> =>
        Vector512<T>.One / (Vector512<T>.One + Exp(-x));

    /// <inheritdoc cref="Sigmoid{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sigmoid<T>(Vector256<T> x) where T : IBinaryFloatingPointIeee754<T> =>
        Vector256<T>.One / (Vector256<T>.One + Exp(-x));
}
