using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralDsl;

// Fused optimizer updates: each optimizer's rule is a readonly struct with a scalar and a Vector<T> form of the
// same arithmetic, and one driver per slot count walks the flat vectors once. The struct is a generic argument,
// so the JIT specializes the loop and inlines the update: no per-element virtual call, one pass over memory.
// Neither form uses fused multiply-add, so the vector body and the scalar tail round identically and a
// parameter's update does not depend on where it sits in the vector.

/// <summary>An update with no slot (plain SGD).</summary>
internal interface IUpdate0<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Invoke(ref T p, T g);

    void Invoke(ref Vector<T> p, Vector<T> g);
}

/// <summary>An update with one slot.</summary>
internal interface IUpdate1<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Invoke(ref T p, T g, ref T s0);

    void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> s0);
}

/// <summary>An update with two slots.</summary>
internal interface IUpdate2<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Invoke(ref T p, T g, ref T s0, ref T s1);

    void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1);
}

/// <summary>Drives an update over equally long spans (the caller has validated the lengths).</summary>
internal static class UpdateDriver
{
    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IUpdate0<T>
    {
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> pv = Vector.LoadUnsafe(ref p, (nuint)i);
                op.Invoke(ref pv, Vector.LoadUnsafe(ref g, (nuint)i));
                pv.StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
            op.Invoke(ref Unsafe.Add(ref p, i), Unsafe.Add(ref g, i));
    }

    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> slot0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IUpdate1<T>
    {
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        ref T s0 = ref MemoryMarshal.GetReference(slot0);
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> pv = Vector.LoadUnsafe(ref p, (nuint)i);
                Vector<T> s0v = Vector.LoadUnsafe(ref s0, (nuint)i);
                op.Invoke(ref pv, Vector.LoadUnsafe(ref g, (nuint)i), ref s0v);
                pv.StoreUnsafe(ref p, (nuint)i);
                s0v.StoreUnsafe(ref s0, (nuint)i);
            }
        }
        for (; i < n; i++)
            op.Invoke(ref Unsafe.Add(ref p, i), Unsafe.Add(ref g, i), ref Unsafe.Add(ref s0, i));
    }

    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> slot0, Span<T> slot1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IUpdate2<T>
    {
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        ref T s0 = ref MemoryMarshal.GetReference(slot0);
        ref T s1 = ref MemoryMarshal.GetReference(slot1);
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> pv = Vector.LoadUnsafe(ref p, (nuint)i);
                Vector<T> s0v = Vector.LoadUnsafe(ref s0, (nuint)i);
                Vector<T> s1v = Vector.LoadUnsafe(ref s1, (nuint)i);
                op.Invoke(ref pv, Vector.LoadUnsafe(ref g, (nuint)i), ref s0v, ref s1v);
                pv.StoreUnsafe(ref p, (nuint)i);
                s0v.StoreUnsafe(ref s0, (nuint)i);
                s1v.StoreUnsafe(ref s1, (nuint)i);
            }
        }
        for (; i < n; i++)
            op.Invoke(ref Unsafe.Add(ref p, i), Unsafe.Add(ref g, i), ref Unsafe.Add(ref s0, i), ref Unsafe.Add(ref s1, i));
    }
}
