using System.Numerics;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>ReLU derivative: passes the gradient where z &gt; 0 (the subgradient at 0 is taken as 0, like Keras).</summary>
internal readonly struct ReluBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) => z > T.Zero ? da : T.Zero;

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) =>
        Vector256.GreaterThan(z, Vector256<T>.Zero) & da;

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) =>
        Vector512.GreaterThan(z, Vector512<T>.Zero) & da;
}

/// <summary>Leaky ReLU with the <c>keras.activations.leaky_relu</c> slope 0.2: <c>x ≥ 0 ? x : 0.2·x</c>.</summary>
internal readonly struct LeakyReluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Slope => T.CreateTruncating(0.2);

    public static T Invoke(T x) => x >= T.Zero ? x : x * Slope;

    public static Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), x, x * Vector256.Create(Slope));

    public static Vector512<T> Invoke(Vector512<T> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<T>.Zero), x, x * Vector512.Create(Slope));
}

/// <summary>Leaky ReLU derivative: 1 where z &gt; 0, else the slope 0.2.</summary>
internal readonly struct LeakyReluBackwardOperator<T> : IBackwardOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T z, T a, T da) => z > T.Zero ? da : da * LeakyReluOperator<T>.Slope;

    public static Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da) =>
        Vector256.ConditionalSelect(
            Vector256.GreaterThan(z, Vector256<T>.Zero), da, da * Vector256.Create(LeakyReluOperator<T>.Slope));

    public static Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da) =>
        Vector512.ConditionalSelect(
            Vector512.GreaterThan(z, Vector512<T>.Zero), da, da * Vector512.Create(LeakyReluOperator<T>.Slope));
}
