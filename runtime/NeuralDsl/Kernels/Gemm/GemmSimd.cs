using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// The handful of vector operations the GEMM kernels need, abstracted over the register width so each kernel is
/// written once and the JIT specializes it for <see cref="Vector512{T}"/> (AVX-512) and <see cref="Vector256{T}"/>
/// (AVX2 and others). Every member is a thin inlined wrapper.
/// </summary>
/// <typeparam name="TVec">The vector register type.</typeparam>
/// <typeparam name="T">float or double.</typeparam>
internal unsafe interface IGemmSimd<TVec, T>
    where TVec : struct
    where T : unmanaged
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Load(T* p);

    static abstract void Store(T* p, TVec v);

    /// <summary>One element repeated in every lane (an embedded broadcast operand where the JIT can).</summary>
    static abstract TVec Broadcast(T* p);

    /// <summary><c>a·b + c</c>, fused.</summary>
    static abstract TVec Fma(TVec a, TVec b, TVec c);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    /// <summary>Loads <paramref name="count"/> (less than <see cref="Count"/>) elements; the other lanes are 0 and never read.</summary>
    static abstract TVec LoadPartial(T* p, int count);

    /// <summary>The lane mask of the first <paramref name="count"/> lanes, for <see cref="LoadMasked"/> in a loop
    /// (building it costs more than the load itself).</summary>
    static abstract TVec Mask(int count);

    /// <summary><see cref="LoadPartial"/> with a mask from <see cref="Mask"/>.</summary>
    static abstract TVec LoadMasked(T* p, TVec mask);

    /// <summary>Stores the first <paramref name="count"/> lanes; memory beyond them is not touched.</summary>
    static abstract void StorePartial(T* p, TVec v, int count);

    /// <summary>Sum of all lanes.</summary>
    static abstract T Sum(TVec v);
}

/// <summary>512-bit registers: 16 floats or 8 doubles.</summary>
internal readonly unsafe struct GemmSimd512<T> : IGemmSimd<Vector512<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;

    public static Vector512<T> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<T>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(T* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, Vector512<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T* p) => Vector512.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadPartial(T* p, int count)
    {
        if (Avx512F.IsSupported)
        {
            Vector512<T> mask = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(count)));
            if (typeof(T) == typeof(float))
                return Avx512F.MaskLoad((float*)p, mask.AsSingle(), Vector512<float>.Zero).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.MaskLoad((double*)p, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
        }
        T* buffer = stackalloc T[Vector512<T>.Count];
        Vector512<T>.Zero.Store(buffer);
        for (int i = 0; i < count; i++)
            buffer[i] = p[i];
        return Vector512.Load(buffer);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Mask(int count) => Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(count)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadMasked(T* p, Vector512<T> mask)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.MaskLoad((float*)p, mask.AsSingle(), Vector512<float>.Zero).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.MaskLoad((double*)p, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
        }
        return LoadPartial(p, MaskCount(mask));
    }

    /// <summary>The lanes a mask from <see cref="Mask"/> selects.</summary>
    private static int MaskCount(Vector512<T> mask)
    {
        int count = 0;
        while (count < Vector512<T>.Count && mask.GetElement(count) != T.Zero)
            count++;
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(T* p, Vector512<T> v, int count)
    {
        if (Avx512F.IsSupported)
        {
            Vector512<T> mask = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(count)));
            if (typeof(T) == typeof(float))
            {
                Avx512F.MaskStore((float*)p, mask.AsSingle(), v.AsSingle());
                return;
            }
            if (typeof(T) == typeof(double))
            {
                Avx512F.MaskStore((double*)p, mask.AsDouble(), v.AsDouble());
                return;
            }
        }
        for (int i = 0; i < count; i++)
            p[i] = v.GetElement(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> v) => Vector512.Sum(v);
}

/// <summary>256-bit registers: 8 floats or 4 doubles.</summary>
internal readonly unsafe struct GemmSimd256<T> : IGemmSimd<Vector256<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;

    public static Vector256<T> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<T>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(T* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, Vector256<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T* p) => Vector256.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> a, Vector256<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadPartial(T* p, int count)
    {
        if (Avx.IsSupported)
        {
            Vector256<T> mask = Vector256.LessThan(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(count)));
            if (typeof(T) == typeof(float))
                return Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
        }
        T* buffer = stackalloc T[Vector256<T>.Count];
        Vector256<T>.Zero.Store(buffer);
        for (int i = 0; i < count; i++)
            buffer[i] = p[i];
        return Vector256.Load(buffer);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Mask(int count) => Vector256.LessThan(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(count)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadMasked(T* p, Vector256<T> mask)
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
        }
        return LoadPartial(p, MaskCount(mask));
    }

    /// <summary>The lanes a mask from <see cref="Mask"/> selects.</summary>
    private static int MaskCount(Vector256<T> mask)
    {
        int count = 0;
        while (count < Vector256<T>.Count && mask.GetElement(count) != T.Zero)
            count++;
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(T* p, Vector256<T> v, int count)
    {
        if (Avx.IsSupported)
        {
            Vector256<T> mask = Vector256.LessThan(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(count)));
            if (typeof(T) == typeof(float))
            {
                Avx.MaskStore((float*)p, mask.AsSingle(), v.AsSingle());
                return;
            }
            if (typeof(T) == typeof(double))
            {
                Avx.MaskStore((double*)p, mask.AsDouble(), v.AsDouble());
                return;
            }
        }
        for (int i = 0; i < count; i++)
            p[i] = v.GetElement(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> v) => Vector256.Sum(v);
}
