using System.Numerics;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>ELU with alpha 1: <c>x &gt; 0 ? x : e^x − 1</c>, using expm1 so small negative inputs keep full precision.</summary>
internal readonly struct EluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => x > T.Zero ? x : VectorMath.Expm1(x);

    public static Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, VectorMath.Expm1(x));

    public static Vector512<T> Invoke(Vector512<T> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, VectorMath.Expm1(x));
}

/// <summary>ELU derivative from the output: 1 where z &gt; 0, else <c>e^z = a + 1</c>.</summary>
internal readonly struct EluBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) => z > T.Zero ? da : da * (a + T.One);

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<T>.Zero), da, da * (a + Vector256<T>.One));

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<T>.Zero), da, da * (a + Vector512<T>.One));
}

/// <summary>SELU: <c>scale·(x &gt; 0 ? x : alpha·(e^x − 1))</c> with the self-normalizing constants.</summary>
internal readonly struct SeluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Alpha => T.CreateTruncating(1.6732632423543772);

    public static T Scale => T.CreateTruncating(1.0507009873554805);

    /// <summary><c>scale·alpha</c>, rounded once in double so float and double agree to their precision.</summary>
    public static T ScaleAlpha => T.CreateTruncating(1.0507009873554805 * 1.6732632423543772);

    public static T Invoke(T x) => x > T.Zero ? Scale * x : ScaleAlpha * VectorMath.Expm1(x);

    public static Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(
            Vector256.GreaterThan(x, Vector256<T>.Zero),
            Vector256.Create(Scale) * x,
            Vector256.Create(ScaleAlpha) * VectorMath.Expm1(x));

    public static Vector512<T> Invoke(Vector512<T> x) =>
        Vector512.ConditionalSelect(
            Vector512.GreaterThan(x, Vector512<T>.Zero),
            Vector512.Create(Scale) * x,
            Vector512.Create(ScaleAlpha) * VectorMath.Expm1(x));
}

/// <summary>SELU derivative from the output: scale where z &gt; 0, else <c>scale·alpha·e^z = a + scale·alpha</c>.</summary>
internal readonly struct SeluBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) =>
        z > T.Zero ? da * SeluOperator<T>.Scale : da * (a + SeluOperator<T>.ScaleAlpha);

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) =>
        Vector256.ConditionalSelect(
            Vector256.GreaterThan(z, Vector256<T>.Zero),
            da * Vector256.Create(SeluOperator<T>.Scale),
            da * (a + Vector256.Create(SeluOperator<T>.ScaleAlpha)));

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) =>
        Vector512.ConditionalSelect(
            Vector512.GreaterThan(z, Vector512<T>.Zero),
            da * Vector512.Create(SeluOperator<T>.Scale),
            da * (a + Vector512.Create(SeluOperator<T>.ScaleAlpha)));
}
