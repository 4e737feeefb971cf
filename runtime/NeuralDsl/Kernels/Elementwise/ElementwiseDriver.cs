using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Runs element-wise operators over spans on the widest accelerated vectors. Arguments are not checked here;
/// the public kernels validate once and then call in.
/// </summary>
/// <remarks>
/// The last, possibly overlapping vector is computed before anything is stored, so exact in-place use
/// (output == input) is safe: every element is produced from the original inputs. The loop is unrolled four
/// times so the out-of-order core can overlap the latency of the transcendental operators.
/// </remarks>
internal static class ElementwiseDriver
{
    /// <summary><c>y[i] = TOp(x[i])</c>.</summary>
    public static void Unary<T, TOp>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged
        where TOp : IUnaryOperator<T>
    {
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;

        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            nuint w = (nuint)Vector512<T>.Count;
            Vector512<T> last = TOp.Invoke(Vector512.LoadUnsafe(ref xs, n - w));
            nuint i = 0;
            for (; i + 4 * w <= n; i += 4 * w)
            {
                Vector512<T> r0 = TOp.Invoke(Vector512.LoadUnsafe(ref xs, i));
                Vector512<T> r1 = TOp.Invoke(Vector512.LoadUnsafe(ref xs, i + w));
                Vector512<T> r2 = TOp.Invoke(Vector512.LoadUnsafe(ref xs, i + 2 * w));
                Vector512<T> r3 = TOp.Invoke(Vector512.LoadUnsafe(ref xs, i + 3 * w));
                r0.StoreUnsafe(ref ys, i);
                r1.StoreUnsafe(ref ys, i + w);
                r2.StoreUnsafe(ref ys, i + 2 * w);
                r3.StoreUnsafe(ref ys, i + 3 * w);
            }
            for (; i + w <= n; i += w)
                TOp.Invoke(Vector512.LoadUnsafe(ref xs, i)).StoreUnsafe(ref ys, i);
            last.StoreUnsafe(ref ys, n - w);
            return;
        }

        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            nuint w = (nuint)Vector256<T>.Count;
            Vector256<T> last = TOp.Invoke(Vector256.LoadUnsafe(ref xs, n - w));
            nuint i = 0;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                Vector256<T> r0 = TOp.Invoke(Vector256.LoadUnsafe(ref xs, i));
                Vector256<T> r1 = TOp.Invoke(Vector256.LoadUnsafe(ref xs, i + w));
                r0.StoreUnsafe(ref ys, i);
                r1.StoreUnsafe(ref ys, i + w);
            }
            for (; i + w <= n; i += w)
                TOp.Invoke(Vector256.LoadUnsafe(ref xs, i)).StoreUnsafe(ref ys, i);
            last.StoreUnsafe(ref ys, n - w);
            return;
        }

        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref ys, i) = TOp.Invoke(Unsafe.Add(ref xs, i));
    }

    /// <summary><c>dz[i] = TOp(z[i], a[i], da[i])</c>; an input the operator ignores may be empty.</summary>
    public static void Backward<T, TOp>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged
        where TOp : IBackwardOperator<T>
    {
        nuint n = (nuint)dz.Length;
        // An unused (empty) input is replaced by da so every load stays in bounds; the operator never reads it.
        ref T zs = ref MemoryMarshal.GetReference(z.Length == 0 ? da : z);
        ref T as_ = ref MemoryMarshal.GetReference(a.Length == 0 ? da : a);
        ref T ds = ref MemoryMarshal.GetReference(da);
        ref T os = ref MemoryMarshal.GetReference(dz);

        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            nuint w = (nuint)Vector512<T>.Count;
            Vector512<T> last = TOp.Invoke(
                Vector512.LoadUnsafe(ref zs, n - w), Vector512.LoadUnsafe(ref as_, n - w), Vector512.LoadUnsafe(ref ds, n - w));
            nuint i = 0;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                Vector512<T> r0 = TOp.Invoke(
                    Vector512.LoadUnsafe(ref zs, i), Vector512.LoadUnsafe(ref as_, i), Vector512.LoadUnsafe(ref ds, i));
                Vector512<T> r1 = TOp.Invoke(
                    Vector512.LoadUnsafe(ref zs, i + w), Vector512.LoadUnsafe(ref as_, i + w), Vector512.LoadUnsafe(ref ds, i + w));
                r0.StoreUnsafe(ref os, i);
                r1.StoreUnsafe(ref os, i + w);
            }
            for (; i + w <= n; i += w)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref zs, i), Vector512.LoadUnsafe(ref as_, i), Vector512.LoadUnsafe(ref ds, i))
                    .StoreUnsafe(ref os, i);
            }
            last.StoreUnsafe(ref os, n - w);
            return;
        }

        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            nuint w = (nuint)Vector256<T>.Count;
            Vector256<T> last = TOp.Invoke(
                Vector256.LoadUnsafe(ref zs, n - w), Vector256.LoadUnsafe(ref as_, n - w), Vector256.LoadUnsafe(ref ds, n - w));
            for (nuint i = 0; i + w <= n; i += w)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref zs, i), Vector256.LoadUnsafe(ref as_, i), Vector256.LoadUnsafe(ref ds, i))
                    .StoreUnsafe(ref os, i);
            }
            last.StoreUnsafe(ref os, n - w);
            return;
        }

        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref os, i) = TOp.Invoke(Unsafe.Add(ref zs, i), Unsafe.Add(ref as_, i), Unsafe.Add(ref ds, i));
    }
}
