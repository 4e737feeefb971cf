using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

public static partial class Pooling
{
    /// <summary>
    /// MaxPooling2D (and 1-D) forward: <c>y[b, i, j, c]</c> is the largest real input cell of its window, and
    /// <paramref name="argmax"/> receives that cell's flat index into <paramref name="x"/> (batch included) for
    /// <see cref="MaxBackward"/>. Padded cells never win. Ties go to the first cell in row-major window order; a NaN
    /// wins so that it propagates, as in Keras.
    /// </summary>
    /// <param name="x">Input [batch, Height, Width, Channels].</param>
    /// <param name="y">Output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="argmax">One flat input index per output element.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match the geometry, or the geometry is inconsistent.</exception>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        KernelGuard.SameLength(y.Length, argmax.Length, "Arg-max", nameof(argmax));
        MaxWindows<T, RecordArgMax>(x, y, argmax, batch, in g);
    }

    /// <summary>
    /// MaxPooling2D (and 1-D) forward for inference: the same <paramref name="y"/> as the overload with an arg-max
    /// buffer (same NaN rule, padded cells never win), without recording where each maximum came from.
    /// </summary>
    /// <param name="x">Input [batch, Height, Width, Channels].</param>
    /// <param name="y">Output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match the geometry, or the geometry is inconsistent.</exception>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        if (IsPlainTwoByTwo<T>(g))
            MaxTwoByTwo512(x, y, batch, in g);
        else
            MaxWindows<T, SkipArgMax>(x, y, default, batch, in g);
    }

    /// <summary>
    /// The Keras default window (2×2, stride 2) with every window inside the input and whole 512-bit vectors of
    /// channels: the case of nearly every CNN, which the general fold spends most of its time setting up (per output
    /// pixel: the window bounds, the lane choice, the loop over cells).
    /// </summary>
    // See docs/kernels.md#max-pooling-the-plain-22-window
    private static bool IsPlainTwoByTwo<T>(in Pool2DGeometry g) =>
        Vector512.IsHardwareAccelerated && g.Channels % Vector512<T>.Count == 0
        && g.PoolHeight == 2 && g.PoolWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2 && g.PadTop == 0 && g.PadLeft == 0
        && 2 * g.OutputHeight <= g.Height && 2 * g.OutputWidth <= g.Width;

    /// <summary>
    /// Inference max pooling for <see cref="IsPlainTwoByTwo{T}"/> geometries: each output vector folds its four cells
    /// in the general fold's order and with its comparison (<see cref="FoldWindow{T, TMode}"/>), so the result is the
    /// same bit for bit, NaNs included.
    /// </summary>
    private static void MaxTwoByTwo512<T>(ReadOnlySpan<T> x, Span<T> y, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        int width = Vector512<T>.Count, channels = g.Channels;
        nuint rowStride = (nuint)(g.Width * channels), cellStride = (nuint)channels;
        nuint o = 0;
        for (int b = 0; b < batch; b++)
        {
            nuint sample = (nuint)b * (nuint)g.InputSize;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                nuint top = sample + (nuint)(2 * oh) * rowStride;
                for (int ow = 0; ow < g.OutputWidth; ow++, o += cellStride)
                {
                    nuint cell = top + (nuint)(2 * ow) * cellStride;
                    for (nuint ch = 0; ch < cellStride; ch += (nuint)width)
                    {
                        Vector512<T> best = Vector512.LoadUnsafe(ref xs, cell + ch);
                        best = Take(best, Vector512.LoadUnsafe(ref xs, cell + cellStride + ch));
                        best = Take(best, Vector512.LoadUnsafe(ref xs, cell + rowStride + ch));
                        best = Take(best, Vector512.LoadUnsafe(ref xs, cell + rowStride + cellStride + ch));
                        best.StoreUnsafe(ref ys, o + ch);
                    }
                }
            }
        }
    }

    /// <summary>The fold's step: <paramref name="v"/> replaces <paramref name="best"/> where larger, or NaN while best is not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Take<T>(Vector512<T> best, Vector512<T> v)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.AndNot(Vector512.Equals(best, best), Vector512.LessThanOrEqual(v, best)), v, best);

    /// <summary>
    /// MaxPooling2D (and 1-D) backward: <c>dx[cell] = Σ dy[o]</c> over the outputs <c>o</c> whose arg-max is that cell,
    /// 0 for every other cell (sums where overlapping windows chose the same cell). <paramref name="dx"/> is
    /// overwritten.
    /// </summary>
    /// <remarks>
    /// When the windows cannot overlap (stride ≥ pool on both axes) every input cell belongs to at most one window,
    /// so each cell is written once, in memory order, with its window's <c>dy</c> or 0 — no separate clear and no
    /// scatter. That path also counts the arg-max indices it routed; if any index lies outside its own window
    /// (a stale or foreign buffer), the general clear-and-scatter pass runs instead, which gives the old
    /// <c>dx[argmax[i]] += dy[i]</c> result and rejects indices outside the input.
    /// </remarks>
    /// <param name="dy">Gradient with respect to the output [batch, OutputHeight, OutputWidth, Channels].</param>
    /// <param name="argmax">The indices written by <see cref="MaxForward{T}(ReadOnlySpan{T}, Span{T}, Span{int}, int, in Pool2DGeometry)"/>.</param>
    /// <param name="dx">Gradient with respect to the input [batch, Height, Width, Channels] (overwritten).</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The pooling geometry.</param>
    /// <exception cref="ArgumentException">A length does not match, or an arg-max index is outside the input.</exception>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckWindowed(in g, batch, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        KernelGuard.SameLength(dy.Length, argmax.Length, "Arg-max", nameof(argmax));
        if (g.StrideHeight >= g.PoolHeight && g.StrideWidth >= g.PoolWidth && RouteDisjoint(dy, argmax, dx, batch, in g))
            return;
        Scatter(dy, argmax, dx);
    }

    /// <summary>
    /// GlobalMaxPooling2D forward on [batch, spatial, channels] (spatial = H·W, or steps for 1-D):
    /// <c>y[b, c] = max_s x[b, s, c]</c>, with the flat input index of the maximum in <paramref name="argmax"/>.
    /// Ties go to the first position; a NaN wins so that it propagates.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match [batch, spatial, channels] / [batch, channels].</exception>
    public static void GlobalMaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        KernelGuard.SameLength(y.Length, argmax.Length, "Arg-max", nameof(argmax));
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref int indices = ref MemoryMarshal.GetReference(argmax);
        MaxLanes lanes = ChooseLanes<T>(channels);
        // The whole sample is one window: a single row of `spatial` cells.
        for (int b = 0; b < batch; b++)
            FoldWindow<T, RecordArgMax>(lanes, ref xs, b * spatial * channels, 1, spatial, 0, channels, ref ys, ref indices, b * channels);
    }

    /// <summary>
    /// GlobalMaxPooling2D forward for inference: the same <paramref name="y"/> as the overload with an arg-max buffer
    /// (same fold, same NaN rule), without recording where each maximum came from.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match [batch, spatial, channels] / [batch, channels].</exception>
    public static void GlobalMaxForward<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref int noIndices = ref Unsafe.NullRef<int>(); // SkipArgMax never writes through it
        MaxLanes lanes = ChooseLanes<T>(channels);
        for (int b = 0; b < batch; b++)
            FoldWindow<T, SkipArgMax>(lanes, ref xs, b * spatial * channels, 1, spatial, 0, channels, ref ys, ref noIndices, b * channels);
    }

    /// <summary>
    /// GlobalMaxPooling2D backward: <paramref name="dx"/> is overwritten with zeros and <c>dy[b, c]</c> goes to the
    /// position recorded by <see cref="GlobalMaxForward{T}(ReadOnlySpan{T}, Span{T}, Span{int}, int, int, int)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match, or an arg-max index is outside the input.</exception>
    public static void GlobalMaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        KernelGuard.SameLength(dy.Length, argmax.Length, "Arg-max", nameof(argmax));
        Scatter(dy, argmax, dx);
    }

    /// <summary>The windowed max pooling, with or without arg-max (<typeparamref name="TMode"/>); arguments are checked.</summary>
    private static unsafe void MaxWindows<T, TMode>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMode : struct, IArgMaxMode
    {
        // Output rows (one (sample, oh) pair each) in chunks shared with the pool when the pass is long: each output
        // element is its window's fold wherever the cut falls.
        int rows = batch * g.OutputHeight;
        fixed (T* px = x)
        fixed (T* py = y)
        fixed (int* pi = argmax)
        {
            var job = new MaxJob<T> { X = px, Y = py, ArgMax = pi, G = g };
            long rowLength = (long)g.OutputWidth * g.Channels * g.PoolHeight * g.PoolWidth;
            WorkerPool.Run(&MaxWindowRows<T, TMode>, &job, rows, ElementwiseParts.RowsPerChunk(rows, rowLength));
        }
    }

    private unsafe struct MaxJob<T>
        where T : unmanaged
    {
        public T* X, Y;
        public int* ArgMax; // null when the mode records none
        public Pool2DGeometry G;
    }

    /// <summary>The output rows [start, end) of <see cref="MaxWindows{T, TMode}"/>, numbered b·OutputHeight + oh.</summary>
    private static unsafe void MaxWindowRows<T, TMode>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMode : struct, IArgMaxMode
    {
        ref MaxJob<T> job = ref Unsafe.AsRef<MaxJob<T>>(context);
        Pool2DGeometry g = job.G;
        ref T xs = ref Unsafe.AsRef<T>(job.X);
        ref T ys = ref Unsafe.AsRef<T>(job.Y);
        ref int indices = ref job.ArgMax == null ? ref Unsafe.NullRef<int>() : ref Unsafe.AsRef<int>(job.ArgMax);
        int channels = g.Channels;
        int rowStride = g.Width * channels;
        MaxLanes lanes = ChooseLanes<T>(channels);
        int o = start * g.OutputWidth * channels;
        for (int row = start; row < end; row++)
        {
            int b = row / g.OutputHeight, oh = row - b * g.OutputHeight;
            int sample = b * g.InputSize;
            (int r0, int r1) = Window(oh, g.StrideHeight, g.PadTop, g.PoolHeight, g.Height);
            for (int ow = 0; ow < g.OutputWidth; ow++, o += channels)
            {
                (int c0, int c1) = Window(ow, g.StrideWidth, g.PadLeft, g.PoolWidth, g.Width);
                // Every window has a real cell (checked with the geometry): the fold starts from the first one.
                int first = sample + r0 * rowStride + c0 * channels;
                FoldWindow<T, TMode>(lanes, ref xs, first, r1 - r0, c1 - c0, rowStride, channels, ref ys, ref indices, o);
            }
        }
    }

    /// <summary>
    /// The backward pass when no two windows share a cell: walks the input in memory order and writes each cell
    /// once — its window's <c>dy</c> on the channels whose arg-max it is, 0 elsewhere and on cells no window covers.
    /// Returns false (with <paramref name="dx"/> partly written) when some arg-max index is not a cell of its own
    /// window, so the caller can fall back to the general scatter.
    /// </summary>
    private static bool RouteDisjoint<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int batch, in Pool2DGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T dys = ref MemoryMarshal.GetReference(dy);
        ref int indices = ref MemoryMarshal.GetReference(argmax);
        ref T dxs = ref MemoryMarshal.GetReference(dx);
        int channels = g.Channels;
        int rowLength = g.Width * channels;
        MaxLanes lanes = ChooseLanes<T>(channels);
        long routed = 0;
        for (int b = 0; b < batch; b++)
        {
            int sampleStart = b * g.Height * rowLength;
            int row = 0;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                (int r0, int r1) = Window(oh, g.StrideHeight, g.PadTop, g.PoolHeight, g.Height);
                // Rows between windows (stride > pool): nothing routes there.
                dx.Slice(sampleStart + row * rowLength, (r0 - row) * rowLength).Clear();
                int outputRow = (b * g.OutputHeight + oh) * g.OutputWidth;
                for (int r = r0; r < r1; r++)
                {
                    int rowStart = sampleStart + r * rowLength;
                    int col = 0;
                    for (int ow = 0; ow < g.OutputWidth; ow++)
                    {
                        (int c0, int c1) = Window(ow, g.StrideWidth, g.PadLeft, g.PoolWidth, g.Width);
                        dx.Slice(rowStart + col * channels, (c0 - col) * channels).Clear();
                        // The window's cells in this row are contiguous and all answer to output (oh, ow).
                        routed += RouteRun(lanes, ref dys, ref indices, (outputRow + ow) * channels, ref dxs, rowStart + c0 * channels,
                            c1 - c0, channels);
                        col = c1;
                    }
                    // Columns right of the last window.
                    dx.Slice(rowStart + col * channels, (g.Width - col) * channels).Clear();
                }
                row = r1;
            }
            // Rows below the last window.
            dx.Slice(sampleStart + row * rowLength, (g.Height - row) * rowLength).Clear();
        }
        // A valid arg-max names exactly one cell of its window, so every (output, lane) pair is routed exactly once.
        return routed == (long)dy.Length / channels * LanesPerCell<T>(lanes, channels);
    }

    /// <summary>dx = 0, then dx[argmax[i]] += dy[i]; indices are checked so a stale arg-max buffer fails clearly.</summary>
    private static void Scatter<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        dx.Clear();
        for (int i = 0; i < dy.Length; i++)
        {
            int target = argmax[i];
            if ((uint)target >= (uint)dx.Length)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Arg-max index {target} at position {i} is outside the input of length {dx.Length}; pass the indices written by the forward pass."),
                    nameof(argmax));
            }
            dx[target] += dy[i];
        }
    }
}
