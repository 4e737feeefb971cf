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

    private static T[]? s_depthPartial;

    /// <summary>Returns aligned regions of at least the requested element counts.</summary>
    public static void Get(int aLength, int bLength, int tileLength, out T* a, out T* b, out T* tile)
    {
        int pad = Alignment / sizeof(T);
        int aSize = RoundUp(aLength, pad), bSize = RoundUp(bLength, pad), tileSize = RoundUp(tileLength, pad);
        int total = aSize + bSize + tileSize + pad;
        T[]? storage = t_storage;
        if (storage is null || storage.Length < total)
        {
            storage = GC.AllocateUninitializedArray<T>(total, pinned: true);
            t_storage = storage;
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
            scratch = GC.AllocateUninitializedArray<T>(size, pinned: true);
            t_scratch = scratch;
        }
        return AlignUp((T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(scratch)));
    }

    /// <summary>
    /// The buffer for the second half of a depth-split product (<see cref="GemmSplit.Depth"/>). Not per thread: it is
    /// written by whichever thread computes that half and read by the caller, and only the holder of the
    /// <see cref="GemmWorker"/> uses it, so one product at a time.
    /// </summary>
    public static T* GetDepthPartial(int length)
    {
        int pad = Alignment / sizeof(T);
        T[]? partial = s_depthPartial;
        if (partial is null || partial.Length < length + pad)
        {
            partial = GC.AllocateUninitializedArray<T>(length + pad, pinned: true);
            s_depthPartial = partial;
        }
        return AlignUp((T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(partial)));
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static T* AlignUp(T* p) => (T*)(((nuint)p + (Alignment - 1)) & ~(nuint)(Alignment - 1));
}
