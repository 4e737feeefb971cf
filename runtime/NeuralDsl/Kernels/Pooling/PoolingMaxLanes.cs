using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

public static partial class Pooling
{
    /// <summary>How the max-pooling kernels cover a channel row: one of the vector widths, or one channel at a time.</summary>
    private enum MaxLanes
    {
        Scalar,
        Vector256,
        Vector512,
    }

    /// <summary>Whether a max-pooling forward pass records the arg-max (training) or only the maximum (inference).</summary>
    private interface IArgMaxMode
    {
        static abstract bool Records { get; }
    }

    private readonly struct RecordArgMax : IArgMaxMode
    {
        public static bool Records => true;
    }

    private readonly struct SkipArgMax : IArgMaxMode
    {
        public static bool Records => false;
    }

    /// <summary>
    /// The widest vector no longer than a channel row. Channels are contiguous in NHWC, so a window is folded a
    /// whole vector of channels at a time; a row that is not a multiple of the width ends with one vector that
    /// overlaps the previous one (its lanes are recomputed to the same values). Rows shorter than a 256-bit vector
    /// (1–3 channels, say) go one channel at a time.
    /// </summary>
    private static MaxLanes ChooseLanes<T>(int channels)
    {
        if (Vector512.IsHardwareAccelerated && channels >= Vector512<T>.Count)
            return MaxLanes.Vector512;
        if (Vector256.IsHardwareAccelerated && channels >= Vector256<T>.Count)
            return MaxLanes.Vector256;
        return MaxLanes.Scalar;
    }

    /// <summary>Lanes a channel row is covered by, overlap included: what <see cref="RouteRun"/> counts per valid output.</summary>
    private static int LanesPerCell<T>(MaxLanes lanes, int channels)
    {
        int width = lanes switch
        {
            MaxLanes.Vector512 => Vector512<T>.Count,
            MaxLanes.Vector256 => Vector256<T>.Count,
            _ => 1,
        };
        return (channels + width - 1) / width * width;
    }

    /// <summary>
    /// Folds one window (<paramref name="rows"/> × <paramref name="cols"/> real cells from <paramref name="start"/>,
    /// rows <paramref name="rowStride"/> apart, cells <paramref name="channels"/> apart) into
    /// <c>ys[o .. o + channels)</c>, and the flat index of each maximum into <c>indices[o ..]</c> when
    /// <typeparamref name="TMode"/> records. A cell replaces the running maximum where it is larger, or is a NaN
    /// while the maximum is not: <c>!(v ≤ best) &amp; best == best</c>. Strictly larger, so ties keep the first cell
    /// in row-major window order, and the first NaN stays.
    /// </summary>
    private static void FoldWindow<T, TMode>(MaxLanes lanes, ref T xs, int start, int rows, int cols, int rowStride, int channels,
        ref T ys, ref int indices, int o)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMode : struct, IArgMaxMode
    {
        switch (lanes)
        {
            case MaxLanes.Vector512:
                FoldWindow512<T, TMode>(ref xs, start, rows, cols, rowStride, channels, ref ys, ref indices, o);
                break;
            case MaxLanes.Vector256:
                FoldWindow256<T, TMode>(ref xs, start, rows, cols, rowStride, channels, ref ys, ref indices, o);
                break;
            default:
                FoldWindowScalar<T, TMode>(ref xs, start, rows, cols, rowStride, channels, ref ys, ref indices, o);
                break;
        }
    }

    private static void FoldWindow512<T, TMode>(ref T xs, int start, int rows, int cols, int rowStride, int channels,
        ref T ys, ref int indices, int o)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMode : struct, IArgMaxMode
    {
        int width = Vector512<T>.Count;
        for (int ch = 0; ch < channels; ch += width)
        {
            if (ch > channels - width)
                ch = channels - width;
            int first = start + ch;
            Vector512<T> best = Vector512.LoadUnsafe(ref xs, (nuint)first);
            Vector512<T> where = TMode.Records ? Indices512<T>(first) : default;
            int rowFirst = first;
            for (int r = 0; r < rows; r++, rowFirst += rowStride)
            {
                int rowEnd = rowFirst + cols * channels;
                for (int cell = r == 0 ? rowFirst + channels : rowFirst; cell < rowEnd; cell += channels)
                {
                    Vector512<T> v = Vector512.LoadUnsafe(ref xs, (nuint)cell);
                    Vector512<T> take = Vector512.AndNot(Vector512.Equals(best, best), Vector512.LessThanOrEqual(v, best));
                    best = Vector512.ConditionalSelect(take, v, best);
                    if (TMode.Records)
                        where = Vector512.ConditionalSelect(take, Indices512<T>(cell), where);
                }
            }
            best.StoreUnsafe(ref ys, (nuint)(o + ch));
            if (TMode.Records)
                StoreIndices512(where, ref indices, o + ch);
        }
    }

    private static void FoldWindow256<T, TMode>(ref T xs, int start, int rows, int cols, int rowStride, int channels,
        ref T ys, ref int indices, int o)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMode : struct, IArgMaxMode
    {
        int width = Vector256<T>.Count;
        for (int ch = 0; ch < channels; ch += width)
        {
            if (ch > channels - width)
                ch = channels - width;
            int first = start + ch;
            Vector256<T> best = Vector256.LoadUnsafe(ref xs, (nuint)first);
            Vector256<T> where = TMode.Records ? Indices256<T>(first) : default;
            int rowFirst = first;
            for (int r = 0; r < rows; r++, rowFirst += rowStride)
            {
                int rowEnd = rowFirst + cols * channels;
                for (int cell = r == 0 ? rowFirst + channels : rowFirst; cell < rowEnd; cell += channels)
                {
                    Vector256<T> v = Vector256.LoadUnsafe(ref xs, (nuint)cell);
                    Vector256<T> take = Vector256.AndNot(Vector256.Equals(best, best), Vector256.LessThanOrEqual(v, best));
                    best = Vector256.ConditionalSelect(take, v, best);
                    if (TMode.Records)
                        where = Vector256.ConditionalSelect(take, Indices256<T>(cell), where);
                }
            }
            best.StoreUnsafe(ref ys, (nuint)(o + ch));
            if (TMode.Records)
                StoreIndices256(where, ref indices, o + ch);
        }
    }

    private static void FoldWindowScalar<T, TMode>(ref T xs, int start, int rows, int cols, int rowStride, int channels,
        ref T ys, ref int indices, int o)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMode : struct, IArgMaxMode
    {
        for (int ch = 0; ch < channels; ch++)
        {
            int first = start + ch;
            T best = Unsafe.Add(ref xs, first);
            int where = first;
            int rowFirst = first;
            for (int r = 0; r < rows; r++, rowFirst += rowStride)
            {
                int rowEnd = rowFirst + cols * channels;
                for (int cell = r == 0 ? rowFirst + channels : rowFirst; cell < rowEnd; cell += channels)
                {
                    T v = Unsafe.Add(ref xs, cell);
                    if (!(v <= best) && !T.IsNaN(best))
                    {
                        best = v;
                        where = cell;
                    }
                }
            }
            Unsafe.Add(ref ys, o + ch) = best;
            if (TMode.Records)
                Unsafe.Add(ref indices, o + ch) = where;
        }
    }

    /// <summary>
    /// Routes <paramref name="cells"/> consecutive input cells from <paramref name="first"/>, all in the window of
    /// output <paramref name="o"/>, for <see cref="RouteDisjoint"/>: <c>dx[cell + c] = dy[o + c]</c> where
    /// <c>argmax[o + c]</c> is that cell, else 0. Returns how many lanes matched. <c>+ 0</c> turns a routed −0 into
    /// +0, bit for bit what the clear-and-scatter pass produces.
    /// </summary>
    private static int RouteRun<T>(MaxLanes lanes, ref T dys, ref int indices, int o, ref T dxs, int first, int cells, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int routed = 0;
        int end = first + cells * channels;
        switch (lanes)
        {
            case MaxLanes.Vector512:
            {
                int width = Vector512<T>.Count;
                for (int ch = 0; ch < channels; ch += width)
                {
                    if (ch > channels - width)
                        ch = channels - width;
                    Vector512<T> gradient = Vector512.LoadUnsafe(ref dys, (nuint)(o + ch));
                    for (int cell = first + ch; cell < end; cell += channels)
                    {
                        Vector512<T> hit = Hit512<T>(ref indices, o + ch, cell, ref routed);
                        ((gradient & hit) + Vector512<T>.Zero).StoreUnsafe(ref dxs, (nuint)cell);
                    }
                }
                break;
            }
            case MaxLanes.Vector256:
            {
                int width = Vector256<T>.Count;
                for (int ch = 0; ch < channels; ch += width)
                {
                    if (ch > channels - width)
                        ch = channels - width;
                    Vector256<T> gradient = Vector256.LoadUnsafe(ref dys, (nuint)(o + ch));
                    for (int cell = first + ch; cell < end; cell += channels)
                    {
                        Vector256<T> hit = Hit256<T>(ref indices, o + ch, cell, ref routed);
                        ((gradient & hit) + Vector256<T>.Zero).StoreUnsafe(ref dxs, (nuint)cell);
                    }
                }
                break;
            }
            default:
                for (int ch = 0; ch < channels; ch++)
                {
                    T gradient = Unsafe.Add(ref dys, o + ch) + T.Zero;
                    int target = Unsafe.Add(ref indices, o + ch);
                    for (int cell = first + ch; cell < end; cell += channels)
                    {
                        bool hit = target == cell;
                        Unsafe.Add(ref dxs, cell) = hit ? gradient : T.Zero;
                        routed += hit ? 1 : 0;
                    }
                }
                break;
        }
        return routed;
    }

    // Arg-max indices ride in the lanes of T (int bits for float, long bits for double) so one mask selects both the
    // value and its index; double indices are narrowed to int only when stored.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Indices512<T>(int first)
    {
        if (typeof(T) == typeof(float))
            return (Vector512.Create(first) + Vector512<int>.Indices).As<int, T>();
        return (Vector512.Create((long)first) + Vector512<long>.Indices).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Indices256<T>(int first)
    {
        if (typeof(T) == typeof(float))
            return (Vector256.Create(first) + Vector256<int>.Indices).As<int, T>();
        return (Vector256.Create((long)first) + Vector256<long>.Indices).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreIndices512<T>(Vector512<T> where, ref int indices, int at)
    {
        if (typeof(T) == typeof(float))
        {
            where.As<T, int>().StoreUnsafe(ref indices, (nuint)at);
            return;
        }
        Vector512<long> wide = where.As<T, long>();
        Vector256.Narrow(wide.GetLower(), wide.GetUpper()).StoreUnsafe(ref indices, (nuint)at);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreIndices256<T>(Vector256<T> where, ref int indices, int at)
    {
        if (typeof(T) == typeof(float))
        {
            where.As<T, int>().StoreUnsafe(ref indices, (nuint)at);
            return;
        }
        Vector256<long> wide = where.As<T, long>();
        Vector128.Narrow(wide.GetLower(), wide.GetUpper()).StoreUnsafe(ref indices, (nuint)at);
    }

    /// <summary>All-ones lanes where <c>indices[at + lane] == first + lane</c>, widened to T's lanes; counts them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Hit512<T>(ref int indices, int at, int first, ref int routed)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> hit = Vector512.Equals(Vector512.LoadUnsafe(ref indices, (nuint)at), Vector512.Create(first) + Vector512<int>.Indices);
            routed += BitOperations.PopCount(hit.ExtractMostSignificantBits());
            return hit.As<int, T>();
        }
        Vector256<int> narrow = Vector256.Equals(Vector256.LoadUnsafe(ref indices, (nuint)at), Vector256.Create(first) + Vector256<int>.Indices);
        routed += BitOperations.PopCount(narrow.ExtractMostSignificantBits());
        return Vector512.Create(Vector256.WidenLower(narrow), Vector256.WidenUpper(narrow)).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Hit256<T>(ref int indices, int at, int first, ref int routed)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<int> hit = Vector256.Equals(Vector256.LoadUnsafe(ref indices, (nuint)at), Vector256.Create(first) + Vector256<int>.Indices);
            routed += BitOperations.PopCount(hit.ExtractMostSignificantBits());
            return hit.As<int, T>();
        }
        Vector128<int> narrow = Vector128.Equals(Vector128.LoadUnsafe(ref indices, (nuint)at), Vector128.Create(first) + Vector128<int>.Indices);
        routed += BitOperations.PopCount(narrow.ExtractMostSignificantBits());
        return Vector256.Create(Vector128.WidenLower(narrow), Vector128.WidenUpper(narrow)).As<long, T>();
    }
}
