using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Inverted dropout (Keras semantics): during training each element is zeroed with probability <c>rate</c> and the
/// survivors are scaled by <c>1 / (1 − rate)</c>, so inference needs no rescaling.
/// </summary>
public static class Dropout
{
    /// <summary>
    /// Draws a fresh mask from <paramref name="rng"/> and applies it: <c>mask[i] = 0</c> with probability
    /// <paramref name="rate"/>, else <c>1 / (1 − rate)</c>; <c>y = x ⊙ mask</c>. <paramref name="x"/> and
    /// <paramref name="y"/> may be the same memory.
    /// </summary>
    /// <param name="x">Input activations.</param>
    /// <param name="y">Output, the length of <paramref name="x"/>.</param>
    /// <param name="mask">Receives the mask for <see cref="Backward"/>, the length of <paramref name="x"/>.</param>
    /// <param name="rate">Drop probability in [0, 1).</param>
    /// <param name="rng">Advanced by the draw; the same state gives the same mask.</param>
    /// <exception cref="ArgumentException">Lengths differ or <paramref name="rate"/> is outside [0, 1).</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, double rate, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(x.Length, y.Length, "Output", nameof(y));
        KernelGuard.SameLength(x.Length, mask.Length, "Mask", nameof(mask));
        KernelGuard.NoPartialOverlap(x, y, nameof(y));
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");

        if (rate == 0)
        {
            // Nothing is dropped and nothing is drawn, so a zero rate is the identity and leaves rng untouched.
            mask.Fill(T.One);
            x.CopyTo(y);
            return;
        }

        T keep = T.CreateTruncating(1.0 / (1.0 - rate));
        // Each 64-bit draw decides two elements by comparing 32-bit halves with rate·2^32: a 2^-32 resolution
        // is far finer than any rate anyone trains with, at half the generator calls. Element 2k takes the low
        // half of draw k and element 2k + 1 the high half.
        ulong threshold = (ulong)Math.Round(rate * 4294967296.0);
        int vectorEnd = Vector512.IsHardwareAccelerated ? MaskAndApply512(x, y, mask, threshold, keep, ref rng) : 0;
        int i = vectorEnd;
        for (; i + 1 < mask.Length; i += 2)
        {
            ulong bits = rng.NextUInt64();
            mask[i] = (bits & 0xFFFF_FFFFUL) < threshold ? T.Zero : keep;
            mask[i + 1] = (bits >> 32) < threshold ? T.Zero : keep;
        }
        if (i < mask.Length)
            mask[i] = (rng.NextUInt64() & 0xFFFF_FFFFUL) < threshold ? T.Zero : keep;

        // The vector part already wrote its share of y (an even number of elements, so the halves pair up as above).
        TensorPrimitives.Multiply(x.Slice(vectorEnd), mask.Slice(vectorEnd), y.Slice(vectorEnd));
    }

    /// <summary>
    /// The mask and <c>y = x ⊙ mask</c> a Vector512 at a time, for as many whole vectors as fit; returns the elements
    /// done. The draws are the scalar loop's, in the same order (lanes / 2 per vector), so the mask is identical; the
    /// keep/drop choice is branch-free (a random mask would mispredict a branch half the time).
    /// </summary>
    private static int MaskAndApply512<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, ulong threshold, T keep, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Vector512<T>.Count;
        // A local copy keeps the generator state in registers; it is written back at the end.
        Rng local = rng;
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref T ms = ref MemoryMarshal.GetReference(mask);
        // Lane l is dropped when bit l of `dropped` is set; the bits are built in scalar registers (no store and
        // reload of the draws) and spread to lanes with one broadcast and compare.
        Vector512<uint> singleBits = Vector512.Create(1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 2048u, 4096u, 8192u, 16384u, 32768u);
        Vector512<ulong> doubleBits = Vector512.Create(1ul, 2ul, 4ul, 8ul, 16ul, 32ul, 64ul, 128ul);
        Vector512<T> kept = Vector512.Create(keep);
        int i = 0;
        for (; i + lanes <= mask.Length; i += lanes)
        {
            ulong dropped = 0;
            for (int k = 0; k < lanes / 2; k++)
            {
                ulong bits = local.NextUInt64();
                // (half − threshold) wraps to a value with the top bit set exactly when half < threshold (both < 2^33).
                dropped |= (((bits & 0xFFFF_FFFFUL) - threshold) >> 63) << (2 * k);
                dropped |= (((bits >> 32) - threshold) >> 63) << (2 * k + 1);
            }
            Vector512<T> drop = typeof(T) == typeof(float)
                ? Vector512.Equals(Vector512.Create((uint)dropped) & singleBits, singleBits).As<uint, T>()
                : Vector512.Equals(Vector512.Create(dropped) & doubleBits, doubleBits).As<ulong, T>();
            Vector512<T> m = Vector512.AndNot(kept, drop);
            m.StoreUnsafe(ref ms, (nuint)i);
            (Vector512.LoadUnsafe(ref xs, (nuint)i) * m).StoreUnsafe(ref ys, (nuint)i);
        }
        rng = local;
        return i;
    }

    /// <summary>
    /// Routes the gradient through the mask of the last <see cref="Forward"/>: <c>dx = dy ⊙ mask</c>.
    /// <paramref name="dx"/> may be the same memory as <paramref name="dy"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> mask, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(dy.Length, mask.Length, "Mask", nameof(mask));
        KernelGuard.SameLength(dy.Length, dx.Length, "Input gradient", nameof(dx));
        KernelGuard.NoPartialOverlap(dy, dx, nameof(dx));
        KernelGuard.NoPartialOverlap(mask, dx, nameof(dx));
        TensorPrimitives.Multiply(dy, mask, dx);
    }
}
