using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The arithmetic the transforms need, over one SIMD vector or one scalar, so each transform is written once and
/// the JIT specializes it for the vector body and the channel or filter tail.
/// </summary>
internal unsafe interface ILane<TSelf, T>
    where TSelf : ILane<TSelf, T>
    where T : unmanaged
{
    static abstract TSelf Zero { get; }

    static abstract TSelf Broadcast(T value);

    static abstract TSelf Load(T* source);

    static abstract void Store(TSelf value, T* destination);

    static abstract TSelf ClampNegative(TSelf value);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);
}

/// <summary>
/// <see cref="Vector{T}"/> as an <see cref="ILane{TSelf, T}"/>: the vector's own operators cannot satisfy a
/// static abstract interface member, so this thin wrapper forwards them (the JIT erases it).
/// </summary>
internal readonly unsafe struct VectorLane<T>(Vector<T> value) : ILane<VectorLane<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector<T> _value = value;

    public static VectorLane<T> Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Broadcast(T value) => new(new Vector<T>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Load(T* source) => new(*(Vector<T>*)source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(VectorLane<T> value, T* destination) => *(Vector<T>*)destination = value._value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> ClampNegative(VectorLane<T> value) =>
        new(Vector.Max(value._value, Vector<T>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator +(VectorLane<T> left, VectorLane<T> right) => new(left._value + right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator -(VectorLane<T> left, VectorLane<T> right) => new(left._value - right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator *(VectorLane<T> left, VectorLane<T> right) => new(left._value * right._value);
}

/// <summary><see cref="Vector512{T}"/> as an <see cref="ILane{TSelf, T}"/>, used where AVX-512 is accelerated:
/// half the instructions of <see cref="Vector{T}"/> (256 bits on x64) for the same data.</summary>
internal readonly unsafe struct Vector512Lane<T>(Vector512<T> value) : ILane<Vector512Lane<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector512<T> _value = value;

    public static Vector512Lane<T> Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lane<T> Broadcast(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lane<T> Load(T* source) => new(Vector512.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512Lane<T> value, T* destination) => value._value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lane<T> ClampNegative(Vector512Lane<T> value) =>
        new(Vector512.Max(value._value, Vector512<T>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lane<T> operator +(Vector512Lane<T> left, Vector512Lane<T> right) => new(left._value + right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lane<T> operator -(Vector512Lane<T> left, Vector512Lane<T> right) => new(left._value - right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lane<T> operator *(Vector512Lane<T> left, Vector512Lane<T> right) => new(left._value * right._value);
}

/// <summary>One element as an <see cref="ILane{TSelf, T}"/>, for the tail of a row shorter than a vector.</summary>
internal readonly unsafe struct ScalarLane<T>(T value) : ILane<ScalarLane<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _value = value;

    public static ScalarLane<T> Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Broadcast(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Load(T* source) => new(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarLane<T> value, T* destination) => *destination = value._value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> ClampNegative(ScalarLane<T> value) => new(T.Max(value._value, T.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator +(ScalarLane<T> left, ScalarLane<T> right) => new(left._value + right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator -(ScalarLane<T> left, ScalarLane<T> right) => new(left._value - right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator *(ScalarLane<T> left, ScalarLane<T> right) => new(left._value * right._value);
}
