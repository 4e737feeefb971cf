using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// Register-resident kernels for a patch of 9 (a 3×3 kernel on one channel, the first layer on a grey image) with
/// two AVX-512 vectors of filters (32 floats or 16 doubles). The whole kernel fits in 18 vector registers, so the
/// forward pass streams output pixels, four at a time for eight independent FMA chains, with the bias and ReLU
/// applied before the single store of each pixel; the kernel gradient [9, F] is held in 18 accumulators over every
/// pixel of a range and stored once. The general direct loops and im2col + GEMM re-read the kernel (or the columns)
/// for every pixel, and on a patch this short that, not the arithmetic, was their cost.
/// </summary>
/// <remarks>
/// Border pixels (with padding cells) skip the taps outside the input, as the reference does. Callers have checked
/// every length; ranges are in output rows (one (sample, oh) pair each, numbered b·OH + oh).
/// </remarks>
internal static unsafe class ConvolutionSmallPatch
{
    private const int Patch = ConvolutionStrategyRule.SmallPatchLength;

    /// <summary>
    /// Whether these kernels compute the geometry for element type <typeparamref name="T"/>: the shape
    /// <see cref="ConvolutionStrategyRule.FitsSmallPatch"/> names, on any machine.
    /// </summary>
    public static bool Fits<T>(in Conv2DGeometry g)
        where T : unmanaged =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && ConvolutionStrategyRule.FitsSmallPatch(g.PatchSize, g.Filters, Unsafe.SizeOf<T>());

    /// <summary>
    /// Whether this machine runs these kernels for <typeparamref name="T"/>; where it does not,
    /// <see cref="ConvolutionStrategy.SmallPatch"/> runs the general loops (direct forward, im2col kernel gradient).
    /// </summary>
    public static bool IsAccelerated<T>()
        where T : unmanaged =>
        Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;

    /// <summary>The input offsets of the nine taps from a window's top-left cell, in kernel order.</summary>
    private struct Taps
    {
        public int O0, O1, O2, O3, O4, O5, O6, O7, O8;

        public Taps(in Conv2DGeometry g)
        {
            Span<int> o = stackalloc int[Patch];
            int p = 0;
            for (int di = 0; di < g.KernelHeight; di++)
                for (int dj = 0; dj < g.KernelWidth; dj++)
                    for (int ch = 0; ch < g.Channels; ch++)
                        o[p++] = (di * g.DilationHeight * g.Width + dj * g.DilationWidth) * g.Channels + ch;
            (O0, O1, O2, O3, O4, O5, O6, O7, O8) = (o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8]);
        }
    }

    /// <summary>y = epilogue(x ⋆ kernel) for output rows firstRow ≤ r &lt; firstRow + rowCount of the whole output y.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> y, in Conv2DGeometry g,
        int firstRow, int rowCount, in ConvolutionEpilogue.Spec<T> epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = 2 * Vector512<T>.Count;
        var taps = new Taps(g);
        int spanH = g.EffectiveKernelHeight, spanW = g.EffectiveKernelWidth, sw = g.StrideWidth;
        // Output columns whose window lies inside the input columns: owLo ≤ ow < owHi.
        int owLo = Math.Min((g.PadLeft + sw - 1) / sw, g.OutputWidth);
        int lastLeft = g.Width - spanW + g.PadLeft;
        int owHi = lastLeft < 0 ? owLo : Math.Clamp(lastLeft / sw + 1, owLo, g.OutputWidth);
        fixed (T* px = x)
        fixed (T* pk = kernel)
        fixed (T* py = y)
        {
            for (int outputRow = firstRow; outputRow < firstRow + rowCount; outputRow++)
            {
                int b = outputRow / g.OutputHeight, oh = outputRow - b * g.OutputHeight;
                int top = oh * g.StrideHeight - g.PadTop;
                bool rowsInside = top >= 0 && top + spanH <= g.Height;
                T* yRow = py + (long)outputRow * g.OutputWidth * f;
                int interiorLo = rowsInside ? owLo : g.OutputWidth, interiorHi = rowsInside ? owHi : g.OutputWidth;
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    if (ow == interiorLo)
                    {
                        // The interior run in a call-free loop, so the kernel stays in registers across it.
                        T* window = px + ((long)(b * g.Height + top) * g.Width + (ow * sw - g.PadLeft)) * g.Channels;
                        InteriorRow(pk, epilogue, window, sw * g.Channels, yRow + ow * f, interiorHi - interiorLo, taps);
                        ow = interiorHi - 1;
                        continue;
                    }
                    // A border pixel: the general loop skips the padding taps, then it is finished from memory.
                    ConvolutionDirect.ForwardPixel(x, kernel, y.Slice((outputRow * g.OutputWidth + ow) * f, f), b, oh, ow, g);
                    ConvolutionEpilogue.ApplyRows(yRow + ow * f, 1, f, epilogue);
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> neighbouring interior pixels of one output row, from the window of the first: the
    /// kernel is loaded into 18 registers once, then pixels go four at a time (eight independent FMA chains), each
    /// finished with the epilogue before its single store.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void InteriorRow<T>(T* pk, in ConvolutionEpilogue.Spec<T> epilogue, T* window, int step, T* y, int count, in Taps taps)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (count <= 0)
            return;
        int n = Vector512<T>.Count, f = 2 * n;
        int o0 = taps.O0, o1 = taps.O1, o2 = taps.O2, o3 = taps.O3, o4 = taps.O4, o5 = taps.O5, o6 = taps.O6, o7 = taps.O7, o8 = taps.O8;
        Vector512<T> k0a = Vector512.Load(pk), k0b = Vector512.Load(pk + n);
        Vector512<T> k1a = Vector512.Load(pk + f), k1b = Vector512.Load(pk + f + n);
        Vector512<T> k2a = Vector512.Load(pk + 2 * f), k2b = Vector512.Load(pk + 2 * f + n);
        Vector512<T> k3a = Vector512.Load(pk + 3 * f), k3b = Vector512.Load(pk + 3 * f + n);
        Vector512<T> k4a = Vector512.Load(pk + 4 * f), k4b = Vector512.Load(pk + 4 * f + n);
        Vector512<T> k5a = Vector512.Load(pk + 5 * f), k5b = Vector512.Load(pk + 5 * f + n);
        Vector512<T> k6a = Vector512.Load(pk + 6 * f), k6b = Vector512.Load(pk + 6 * f + n);
        Vector512<T> k7a = Vector512.Load(pk + 7 * f), k7b = Vector512.Load(pk + 7 * f + n);
        Vector512<T> k8a = Vector512.Load(pk + 8 * f), k8b = Vector512.Load(pk + 8 * f + n);
        bool hasBias = epilogue.Bias != null, relu = epilogue.Relu;
        Vector512<T> ba = hasBias ? Vector512.Load(epilogue.Bias) : Vector512<T>.Zero;
        Vector512<T> bb = hasBias ? Vector512.Load(epilogue.Bias + n) : Vector512<T>.Zero;
        int p = 0;
        for (; p + 4 <= count; p += 4, window += 4 * step, y += 4 * f)
        {
            T* w0 = window, w1 = w0 + step, w2 = w1 + step, w3 = w2 + step;
            Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero, c0 = Vector512<T>.Zero, c1 = Vector512<T>.Zero;
            Vector512<T> d0 = Vector512<T>.Zero, d1 = Vector512<T>.Zero, e0 = Vector512<T>.Zero, e1 = Vector512<T>.Zero;
            Tap4(w0, w1, w2, w3, o0, k0a, k0b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o1, k1a, k1b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o2, k2a, k2b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o3, k3a, k3b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o4, k4a, k4b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o5, k5a, k5b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o6, k6a, k6b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o7, k7a, k7b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Tap4(w0, w1, w2, w3, o8, k8a, k8b, ref a0, ref a1, ref c0, ref c1, ref d0, ref d1, ref e0, ref e1);
            Store(y, a0, a1, ba, bb, hasBias, relu, n);
            Store(y + f, c0, c1, ba, bb, hasBias, relu, n);
            Store(y + 2 * f, d0, d1, ba, bb, hasBias, relu, n);
            Store(y + 3 * f, e0, e1, ba, bb, hasBias, relu, n);
        }
        for (; p < count; p++, window += step, y += f)
        {
            Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero;
            Tap1(window, o0, k0a, k0b, ref a0, ref a1);
            Tap1(window, o1, k1a, k1b, ref a0, ref a1);
            Tap1(window, o2, k2a, k2b, ref a0, ref a1);
            Tap1(window, o3, k3a, k3b, ref a0, ref a1);
            Tap1(window, o4, k4a, k4b, ref a0, ref a1);
            Tap1(window, o5, k5a, k5b, ref a0, ref a1);
            Tap1(window, o6, k6a, k6b, ref a0, ref a1);
            Tap1(window, o7, k7a, k7b, ref a0, ref a1);
            Tap1(window, o8, k8a, k8b, ref a0, ref a1);
            Store(y, a0, a1, ba, bb, hasBias, relu, n);
        }
    }

    /// <summary>
    /// Adds the kernel gradient of output rows firstRow ≤ r &lt; firstRow + rowCount to <paramref name="dKernel"/>
    /// [9, F]: Σ over those pixels of patch ⊗ dz, accumulated in registers and added once at the end; likewise
    /// Σ dz to <paramref name="dBias"/> unless it is null. dz is dy, or dy ⊙ (output &gt; 0) written back into dy
    /// when <paramref name="reluOutput"/> is not null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardKernel<T>(T* x, T* dy, T* reluOutput, T* dKernel, T* dBias, in Conv2DGeometry g, int firstRow, int rowCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = Vector512<T>.Count, f = 2 * n;
        var taps = new Taps(g);
        int spanH = g.EffectiveKernelHeight, spanW = g.EffectiveKernelWidth, sw = g.StrideWidth;
        bool relu = reluOutput != null, hasBias = dBias != null;
        // The gradient [9, F] of the range. Each row's interior pixels run in InteriorRow with the 18 accumulators
        // in registers; between rows (and for border pixels) they live here, so no call sits inside the hot loop
        // (a call there made the JIT keep every accumulator on the stack, one store-to-load chain per FMA).
        T* gradient = stackalloc T[Patch * f];
        new Span<T>(gradient, Patch * f).Clear();
        // Output columns whose window lies inside the input columns: owLo ≤ ow < owHi.
        int owLo = Math.Min((g.PadLeft + sw - 1) / sw, g.OutputWidth);
        int lastLeft = g.Width - spanW + g.PadLeft;
        int owHi = lastLeft < 0 ? owLo : Math.Clamp(lastLeft / sw + 1, owLo, g.OutputWidth);
        for (int outputRow = firstRow; outputRow < firstRow + rowCount; outputRow++)
        {
            int b = outputRow / g.OutputHeight, oh = outputRow - b * g.OutputHeight;
            int top = oh * g.StrideHeight - g.PadTop;
            bool rowsInside = top >= 0 && top + spanH <= g.Height;
            T* dyRow = dy + (long)outputRow * g.OutputWidth * f;
            if (relu || hasBias)
            {
                // dz = dy ⊙ (output > 0) and the bias gradient for this row first, in one short pass while the row is
                // in L1: folded into the pixel loop, the masks and extra stores slowed it down.
                ConvolutionEpilogue.ReluBackwardAndBiasGradient(dyRow, relu ? reluOutput + (long)outputRow * g.OutputWidth * f : null,
                    hasBias ? dBias : null, g.OutputWidth, f);
            }
            int interiorLo = rowsInside ? owLo : g.OutputWidth, interiorHi = rowsInside ? owHi : g.OutputWidth;
            for (int ow = 0; ow < g.OutputWidth; ow++)
            {
                if (ow == interiorLo)
                {
                    T* window = x + ((long)(b * g.Height + top) * g.Width + (ow * sw - g.PadLeft)) * g.Channels;
                    InteriorRow(gradient, dyRow + ow * f, window, interiorHi - interiorLo, sw * g.Channels, taps);
                    ow = interiorHi - 1;
                    continue;
                }
                // A border pixel: only the taps inside the input contribute.
                BorderPixel(x, g, b, top, ow * sw - g.PadLeft, Vector512.Load(dyRow + ow * f), Vector512.Load(dyRow + ow * f + n), gradient);
            }
        }
        for (int i = 0; i < Patch * f; i++)
            dKernel[i] += gradient[i];
    }

    /// <summary>
    /// gradient [9, F] += Σ over <paramref name="count"/> neighbouring interior pixels of patch ⊗ dz, with the 18
    /// accumulators loaded once and stored once.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void InteriorRow<T>(T* gradient, T* dz, T* window, int count, int step, in Taps taps)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (count <= 0)
            return;
        int n = Vector512<T>.Count, f = 2 * n;
        int o0 = taps.O0, o1 = taps.O1, o2 = taps.O2, o3 = taps.O3, o4 = taps.O4, o5 = taps.O5, o6 = taps.O6, o7 = taps.O7, o8 = taps.O8;
        Vector512<T> g0a = Vector512.Load(gradient), g0b = Vector512.Load(gradient + n);
        Vector512<T> g1a = Vector512.Load(gradient + f), g1b = Vector512.Load(gradient + f + n);
        Vector512<T> g2a = Vector512.Load(gradient + 2 * f), g2b = Vector512.Load(gradient + 2 * f + n);
        Vector512<T> g3a = Vector512.Load(gradient + 3 * f), g3b = Vector512.Load(gradient + 3 * f + n);
        Vector512<T> g4a = Vector512.Load(gradient + 4 * f), g4b = Vector512.Load(gradient + 4 * f + n);
        Vector512<T> g5a = Vector512.Load(gradient + 5 * f), g5b = Vector512.Load(gradient + 5 * f + n);
        Vector512<T> g6a = Vector512.Load(gradient + 6 * f), g6b = Vector512.Load(gradient + 6 * f + n);
        Vector512<T> g7a = Vector512.Load(gradient + 7 * f), g7b = Vector512.Load(gradient + 7 * f + n);
        Vector512<T> g8a = Vector512.Load(gradient + 8 * f), g8b = Vector512.Load(gradient + 8 * f + n);
        for (int p = 0; p < count; p++, dz += f, window += step)
        {
            Vector512<T> da = Vector512.Load(dz), db = Vector512.Load(dz + n);
            var s0 = Vector512.Create(window[o0]);
            g0a = Fma(s0, da, g0a);
            g0b = Fma(s0, db, g0b);
            var s1 = Vector512.Create(window[o1]);
            g1a = Fma(s1, da, g1a);
            g1b = Fma(s1, db, g1b);
            var s2 = Vector512.Create(window[o2]);
            g2a = Fma(s2, da, g2a);
            g2b = Fma(s2, db, g2b);
            var s3 = Vector512.Create(window[o3]);
            g3a = Fma(s3, da, g3a);
            g3b = Fma(s3, db, g3b);
            var s4 = Vector512.Create(window[o4]);
            g4a = Fma(s4, da, g4a);
            g4b = Fma(s4, db, g4b);
            var s5 = Vector512.Create(window[o5]);
            g5a = Fma(s5, da, g5a);
            g5b = Fma(s5, db, g5b);
            var s6 = Vector512.Create(window[o6]);
            g6a = Fma(s6, da, g6a);
            g6b = Fma(s6, db, g6b);
            var s7 = Vector512.Create(window[o7]);
            g7a = Fma(s7, da, g7a);
            g7b = Fma(s7, db, g7b);
            var s8 = Vector512.Create(window[o8]);
            g8a = Fma(s8, da, g8a);
            g8b = Fma(s8, db, g8b);
        }
        g0a.Store(gradient);
        g0b.Store(gradient + n);
        g1a.Store(gradient + f);
        g1b.Store(gradient + f + n);
        g2a.Store(gradient + 2 * f);
        g2b.Store(gradient + 2 * f + n);
        g3a.Store(gradient + 3 * f);
        g3b.Store(gradient + 3 * f + n);
        g4a.Store(gradient + 4 * f);
        g4b.Store(gradient + 4 * f + n);
        g5a.Store(gradient + 5 * f);
        g5b.Store(gradient + 5 * f + n);
        g6a.Store(gradient + 6 * f);
        g6b.Store(gradient + 6 * f + n);
        g7a.Store(gradient + 7 * f);
        g7b.Store(gradient + 7 * f + n);
        g8a.Store(gradient + 8 * f);
        g8b.Store(gradient + 8 * f + n);
    }

    /// <summary>The kernel gradient of one pixel whose window crosses the padding, added to <paramref name="border"/>
    /// [9, F]: taps outside the input are skipped.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BorderPixel<T>(T* x, in Conv2DGeometry g, int b, int top, int left, Vector512<T> da, Vector512<T> db, T* border)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = Vector512<T>.Count;
        T* tap = border;
        for (int di = 0; di < g.KernelHeight; di++)
        {
            int ih = top + di * g.DilationHeight;
            for (int dj = 0; dj < g.KernelWidth; dj++)
            {
                int iw = left + dj * g.DilationWidth;
                for (int ch = 0; ch < g.Channels; ch++, tap += 2 * n)
                {
                    if ((uint)ih >= (uint)g.Height || (uint)iw >= (uint)g.Width)
                        continue;
                    var s = Vector512.Create(x[((long)(b * g.Height + ih) * g.Width + iw) * g.Channels + ch]);
                    Fma(s, da, Vector512.Load(tap)).Store(tap);
                    Fma(s, db, Vector512.Load(tap + n)).Store(tap + n);
                }
            }
        }
    }

    /// <summary>One tap of four neighbouring pixels: four broadcasts, eight FMAs on independent accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tap4<T>(T* w0, T* w1, T* w2, T* w3, int offset, Vector512<T> ka, Vector512<T> kb,
        ref Vector512<T> a0, ref Vector512<T> a1, ref Vector512<T> c0, ref Vector512<T> c1,
        ref Vector512<T> d0, ref Vector512<T> d1, ref Vector512<T> e0, ref Vector512<T> e1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s0 = Vector512.Create(w0[offset]);
        var s1 = Vector512.Create(w1[offset]);
        var s2 = Vector512.Create(w2[offset]);
        var s3 = Vector512.Create(w3[offset]);
        a0 = Fma(s0, ka, a0);
        a1 = Fma(s0, kb, a1);
        c0 = Fma(s1, ka, c0);
        c1 = Fma(s1, kb, c1);
        d0 = Fma(s2, ka, d0);
        d1 = Fma(s2, kb, d1);
        e0 = Fma(s3, ka, e0);
        e1 = Fma(s3, kb, e1);
    }

    /// <summary>One tap of one pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tap1<T>(T* w, int offset, Vector512<T> ka, Vector512<T> kb, ref Vector512<T> a0, ref Vector512<T> a1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s = Vector512.Create(w[offset]);
        a0 = Fma(s, ka, a0);
        a1 = Fma(s, kb, a1);
    }

    /// <summary>Stores one pixel's two vectors after the epilogue: + bias, then the IEEE maximum with +0 (as Activations.Relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* y, Vector512<T> a, Vector512<T> b, Vector512<T> biasA, Vector512<T> biasB, bool hasBias, bool relu, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (hasBias)
        {
            a += biasA;
            b += biasB;
        }
        if (relu)
        {
            a = Vector512.Max(a, Vector512<T>.Zero);
            b = Vector512.Max(b, Vector512<T>.Zero);
        }
        a.Store(y);
        b.Store(y + n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo<T>(T* target, Vector512<T> a, Vector512<T> b, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (Vector512.Load(target) + a).Store(target);
        (Vector512.Load(target + n) + b).Store(target + n);
    }

    /// <summary>a·b + c in one rounding (the JIT does not fuse a generic a·b + c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }
}
