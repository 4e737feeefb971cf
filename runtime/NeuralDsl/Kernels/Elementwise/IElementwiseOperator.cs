using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// An element-wise function of one input, written once per vector width so <see cref="ElementwiseDriver"/>
/// can run it on the widest accelerated registers (TensorPrimitives' operator-struct pattern).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal interface IUnaryOperator<T>
{
    /// <summary>The scalar form, used below one vector and on hardware without SIMD.</summary>
    static abstract T Invoke(T x);

    /// <summary>The 256-bit form.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> x);

    /// <summary>The 512-bit form.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>
/// An activation derivative applied to an upstream gradient: <c>dz = da ⊙ f'(z)</c>, where the operator may
/// use the pre-activation <c>z</c>, the activation <c>a</c>, or both.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal interface IBackwardOperator<T>
{
    /// <summary>The scalar form.</summary>
    static abstract T Invoke(T z, T a, T da);

    /// <summary>The 256-bit form.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> z, Vector256<T> a, Vector256<T> da);

    /// <summary>The 512-bit form.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> z, Vector512<T> a, Vector512<T> da);
}
