using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>Sigmoid <c>1 / (1 + e^−x)</c>: exactly 0 or 1 at the extremes, NaN only for NaN (float: <see cref="SingleLogistic"/>).</summary>
internal readonly struct SigmoidOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke(T x) => VectorMath.Sigmoid(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Invoke(Vector256<T> x) => VectorMath.Sigmoid(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Invoke(Vector512<T> x) => VectorMath.Sigmoid(x);
}

/// <summary>
/// Hyperbolic tangent through expm1 of the non-positive argument −2|x|, which cannot overflow; float goes to
/// <see cref="SingleLogistic.Tanh(float)"/> (one single-precision exp, at most 2 ulp).
/// </summary>
internal readonly struct TanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke(T x)
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>(SingleLogistic.Tanh(Unsafe.BitCast<T, float>(x)));
        T t = VectorMath.Expm1(T.CreateTruncating(-2) * T.Abs(x));
        return T.CopySign(-t / (t + T.CreateTruncating(2)), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Invoke(Vector256<T> x)
    {
        if (typeof(T) == typeof(float))
            return SingleLogistic.Tanh(x.AsSingle()).As<float, T>();
        Vector256<T> two = Vector256.Create(T.CreateTruncating(2));
        Vector256<T> t = VectorMath.Expm1(-two * Vector256.Abs(x));
        return Vector256.CopySign(-t / (t + two), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Invoke(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
            return SingleLogistic.Tanh(x.AsSingle()).As<float, T>();
        Vector512<T> two = Vector512.Create(T.CreateTruncating(2));
        Vector512<T> t = VectorMath.Expm1(-two * Vector512.Abs(x));
        return Vector512.CopySign(-t / (t + two), x);
    }
}

/// <summary>Sigmoid derivative from the output: <c>a·(1 − a)</c>.</summary>
internal readonly struct SigmoidBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) => da * a * (T.One - a);

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) => da * a * (Vector256<T>.One - a);

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) => da * a * (Vector512<T>.One - a);
}

/// <summary>Tanh derivative from the output: <c>1 − a²</c>.</summary>
internal readonly struct TanhBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) => da * (T.One - a * a);

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) => da * (Vector256<T>.One - a * a);

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) => da * (Vector512<T>.One - a * a);
}

/// <summary>Swish (SiLU): <c>x·sigmoid(x) = x / (1 + e^−x)</c>; the quotient form gives −0, not NaN, when e^−x overflows.</summary>
internal readonly struct SwishOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => x / (T.One + T.Exp(-x));

    public static Vector256<T> Invoke(Vector256<T> x) => x / (Vector256<T>.One + VectorMath.Exp(-x));

    public static Vector512<T> Invoke(Vector512<T> x) => x / (Vector512<T>.One + VectorMath.Exp(-x));
}

/// <summary>Swish derivative: <c>s + a·(1 − s)</c> with <c>s = sigmoid(z)</c> recomputed and <c>a = z·s</c>.</summary>
internal readonly struct SwishBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da)
    {
        T s = VectorMath.Sigmoid(z);
        return da * (s + z * s * (T.One - s));
    }

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da)
    {
        Vector256<T> s = VectorMath.Sigmoid(z);
        return da * (s + z * s * (Vector256<T>.One - s));
    }

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da)
    {
        Vector512<T> s = VectorMath.Sigmoid(z);
        return da * (s + z * s * (Vector512<T>.One - s));
    }
}

/// <summary>
/// Softplus <c>log(1 + e^x)</c> in the overflow-free form <c>max(x, 0) + log1p(e^−|x|)</c>, which also keeps
/// full relative precision for very negative x where the result is tiny.
/// </summary>
internal readonly struct SoftplusOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Max(x, T.Zero) + VectorMath.Log1p(T.Exp(-T.Abs(x)));

    public static Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.Max(x, Vector256<T>.Zero) + VectorMath.Log1p(VectorMath.Exp(-Vector256.Abs(x)));

    public static Vector512<T> Invoke(Vector512<T> x) =>
        Vector512.Max(x, Vector512<T>.Zero) + VectorMath.Log1p(VectorMath.Exp(-Vector512.Abs(x)));
}

/// <summary>Softplus derivative: <c>sigmoid(z)</c>.</summary>
internal readonly struct SoftplusBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) => da * VectorMath.Sigmoid(z);

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) => da * VectorMath.Sigmoid(z);

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) => da * VectorMath.Sigmoid(z);
}
