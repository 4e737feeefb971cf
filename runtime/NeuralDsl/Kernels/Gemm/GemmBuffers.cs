using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>
/// Per-thread scratch for GEMM: the packed A block, the packed B block and an edge tile. Allocated once per thread
/// and element type on the pinned object heap (so raw pointers stay valid without <c>fixed</c>) and reused by every
/// later call, which is what makes the product allocation-free after warm-up. Regions start on 64-byte
/// boundaries so packed panels never split a cache line across two vector loads.
/// </summary>
internal static unsafe class GemmBuffers<T>
    where T : unmanaged
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static T[]? t_storage;

    [ThreadStatic]
    private static T[]? t_scratch;

    /// <summary>Returns aligned regions of at least the requested element counts.</summary>
    public static void Get(int aLength, int bLength, int tileLength, out T* a, out T* b, out T* tile)
    {
        int pad = Alignment / sizeof(T);
        int aSize = RoundUp(aLength, pad), bSize = RoundUp(bLength, pad), tileSize = RoundUp(tileLength, pad);
        int total = aSize + bSize + tileSize + pad;
        T[]? storage = t_storage;
        if (storage is null || storage.Length < total)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            storage = GC.AllocateUninitializedArray<T>(total, pinned: true);
            t_storage = storage;
            WorkerPool.CountWarmUp(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        T* start = AlignUp((T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage)));
        a = start;
        b = start + aSize;
        tile = start + aSize + bSize;
    }

    /// <summary>
    /// A second, independent aligned region for the small-shape paths (a transposed copy of B or a row of A),
    /// grown to the largest request seen on this thread.
    /// </summary>
    public static T* GetScratch(int length)
    {
        int pad = Alignment / sizeof(T);
        T[]? scratch = t_scratch;
        if (scratch is null || scratch.Length < length + pad)
        {
            // Grow geometrically so a slowly increasing batch size does not reallocate on every call.
            int size = Math.Max(length + pad, scratch is null ? 0 : (int)Math.Min(int.MaxValue, scratch.Length * 2L));
            long before = GC.GetAllocatedBytesForCurrentThread();
            scratch = GC.AllocateUninitializedArray<T>(size, pinned: true);
            t_scratch = scratch;
            WorkerPool.CountWarmUp(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return AlignUp((T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(scratch)));
    }

    /// <summary>Reads this class's thread-static fields, allocating their per-thread block (<see cref="WorkerPool.PrepareThread"/>).</summary>
    public static void TouchThreadStatics()
    {
        GC.KeepAlive(t_storage);
        GC.KeepAlive(t_scratch);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static T* AlignUp(T* p) => (T*)(((nuint)p + (Alignment - 1)) & ~(nuint)(Alignment - 1));
}
