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

/// <summary>
/// Drives an update over equally long spans (the caller has validated the lengths). Long vectors are cut into chunks
/// of <see cref="ChunkLength"/> elements shared with the worker pool; the update is elementwise, so no bit depends on
/// the cut or on which thread ran a chunk.
/// </summary>
internal static unsafe class UpdateDriver
{
    /// <summary>Vectors at least this long are shared with the pool; below it the hand-off costs more than it saves.</summary>
    // See docs/kernels.md#threads
    internal const int ParallelLength = 1 << 16;

    /// <summary>Fewest elements per chunk: half the parallel length.</summary>
    internal const int ChunkLength = ParallelLength / 2;

    /// <summary>
    /// Elements per chunk: one chunk per thread (whole cache lines, so no two threads write the same line), at least
    /// <see cref="ChunkLength"/>. The update is elementwise, so the cut may follow the thread count without changing a
    /// bit; one chunk per thread keeps each thread on one contiguous range of the parameters, as the old helper thread's
    /// halves did (a cut into more chunks than threads made the MNIST MLP step 1.6x slower on 2 threads).
    /// </summary>
    private static int ChunkFor(int length)
    {
        int threads = NeuralDslThreads.Current;
        int perThread = (int)(((long)length + threads - 1) / threads);
        return Math.Max(ChunkLength, (perThread + 15) / 16 * 16);
    }

    private static bool TryShare(int length) => length >= ParallelLength && NeuralDslThreads.Current >= 2;

    /// <summary>
    /// Whether every value is finite: the optimizers' guard, one read of the gradients before the update. x − x is 0
    /// for a finite x and NaN for NaN and ±∞, and a sum of zeros stays 0 while one NaN makes it NaN, so the pass is a
    /// subtract and an add per vector with no branch; four accumulators keep the adds from waiting on each other.
    /// </summary>
    public static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T v = ref MemoryMarshal.GetReference(values);
        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<T>.Count;
            Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
            for (; i <= n - 4 * width; i += 4 * width)
            {
                Vector<T> x0 = Vector.LoadUnsafe(ref v, (nuint)i);
                Vector<T> x1 = Vector.LoadUnsafe(ref v, (nuint)(i + width));
                Vector<T> x2 = Vector.LoadUnsafe(ref v, (nuint)(i + 2 * width));
                Vector<T> x3 = Vector.LoadUnsafe(ref v, (nuint)(i + 3 * width));
                a0 += x0 - x0;
                a1 += x1 - x1;
                a2 += x2 - x2;
                a3 += x3 - x3;
            }
            for (; i <= n - width; i += width)
            {
                Vector<T> x = Vector.LoadUnsafe(ref v, (nuint)i);
                a0 += x - x;
            }
            if (!Vector.EqualsAll((a0 + a1) + (a2 + a3), Vector<T>.Zero))
                return false;
        }
        for (; i < n; i++)
        {
            if (!T.IsFinite(Unsafe.Add(ref v, i)))
                return false;
        }
        return true;
    }

    private struct Job<T, TOp>
        where T : unmanaged
        where TOp : unmanaged
    {
        public TOp Op;
        public T* P, G, S0, S1;
    }

    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate0<T>
    {
        if (!TryShare(parameters.Length))
        {
            Serial(op, parameters, gradients);
            return;
        }
        fixed (T* p = parameters)
        fixed (T* g = gradients)
        {
            var job = new Job<T, TOp> { Op = op, P = p, G = g };
            WorkerPool.Run(&Range0<T, TOp>, &job, parameters.Length, ChunkFor(parameters.Length));
        }
    }

    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> slot0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate1<T>
    {
        if (!TryShare(parameters.Length))
        {
            Serial(op, parameters, gradients, slot0);
            return;
        }
        fixed (T* p = parameters)
        fixed (T* g = gradients)
        fixed (T* s0 = slot0)
        {
            var job = new Job<T, TOp> { Op = op, P = p, G = g, S0 = s0 };
            WorkerPool.Run(&Range1<T, TOp>, &job, parameters.Length, ChunkFor(parameters.Length));
        }
    }

    public static void Run<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> slot0, Span<T> slot1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate2<T>
    {
        if (!TryShare(parameters.Length))
        {
            Serial(op, parameters, gradients, slot0, slot1);
            return;
        }
        fixed (T* p = parameters)
        fixed (T* g = gradients)
        fixed (T* s0 = slot0)
        fixed (T* s1 = slot1)
        {
            var job = new Job<T, TOp> { Op = op, P = p, G = g, S0 = s0, S1 = s1 };
            WorkerPool.Run(&Range2<T, TOp>, &job, parameters.Length, ChunkFor(parameters.Length));
        }
    }

    private static void Range0<T, TOp>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate0<T>
    {
        ref Job<T, TOp> job = ref *(Job<T, TOp>*)context;
        Serial(job.Op, new Span<T>(job.P + start, end - start), new ReadOnlySpan<T>(job.G + start, end - start));
    }

    private static void Range1<T, TOp>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate1<T>
    {
        ref Job<T, TOp> job = ref *(Job<T, TOp>*)context;
        int n = end - start;
        Serial(job.Op, new Span<T>(job.P + start, n), new ReadOnlySpan<T>(job.G + start, n), new Span<T>(job.S0 + start, n));
    }

    private static void Range2<T, TOp>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate2<T>
    {
        ref Job<T, TOp> job = ref *(Job<T, TOp>*)context;
        int n = end - start;
        Serial(job.Op, new Span<T>(job.P + start, n), new ReadOnlySpan<T>(job.G + start, n), new Span<T>(job.S0 + start, n),
            new Span<T>(job.S1 + start, n));
    }

    private static void Serial<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate0<T>
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

    private static void Serial<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> slot0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate1<T>
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

    private static void Serial<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> slot0, Span<T> slot1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : unmanaged, IUpdate2<T>
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
