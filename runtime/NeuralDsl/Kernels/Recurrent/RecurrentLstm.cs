using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

public static partial class Recurrent
{
    /// <summary>
    /// LSTM step (Keras gate order i, f, c, o): with the gate pre-activations <c>z = x_t · kernel + bias + h_{t−1} ·
    /// recurrent_kernel</c> already summed by the caller, activates them in place (<c>i, f, o = recAct</c>,
    /// candidate <c>g = act</c>) and writes <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>, <c>act(c_t)</c> and
    /// <c>h_t = o ⊙ act(c_t)</c>.
    /// </summary>
    /// <param name="gates">[batch, 4·units]: pre-activations in, activated gates out (kept for the backward pass).</param>
    /// <param name="cPrev">[batch, units] the previous cell state.</param>
    /// <param name="c">[batch, units] the new cell state; must not overlap <paramref name="cPrev"/>.</param>
    /// <param name="cActivated">[batch, units] <c>act(c_t)</c>.</param>
    /// <param name="h">[batch, units] the new output state.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">Keras <c>activation</c> (Tanh by default).</param>
    /// <param name="recurrentActivation">Keras <c>recurrent_activation</c> (Sigmoid by default).</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 4·units] or [batch, units].</exception>
    public static void LstmForward<T>(Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> cActivated, Span<T> h, int units,
        Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, recurrentActivation);
        int batch = CheckGates(gates.Length, 4, units, nameof(gates));
        int n = batch * units;
        KernelGuard.SameLength(n, cPrev.Length, "Previous cell state", nameof(cPrev));
        KernelGuard.SameLength(n, c.Length, "Cell state", nameof(c));
        KernelGuard.SameLength(n, cActivated.Length, "Activated cell state", nameof(cActivated));
        KernelGuard.SameLength(n, h.Length, "State", nameof(h));
        if (Vector256.IsHardwareAccelerated && units >= Vector256<T>.Count)
        {
            LstmForwardFused(gates, cPrev, c, cActivated, h, batch, units, activation, recurrentActivation);
            return;
        }
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = gates.Slice(b * 4 * units, 4 * units);
            Activate(recurrentActivation, row.Slice(0, 2 * units));
            Activate(activation, row.Slice(2 * units, units));
            Activate(recurrentActivation, row.Slice(3 * units, units));
            ReadOnlySpan<T> cp = cPrev.Slice(b * units, units);
            Span<T> cn = c.Slice(b * units, units);
            for (int j = 0; j < units; j++)
                cn[j] = row[units + j] * cp[j] + row[j] * row[2 * units + j];
        }
        c.CopyTo(cActivated);
        Activate(activation, cActivated);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> o = gates.Slice(b * 4 * units + 3 * units, units);
            ReadOnlySpan<T> tc = cActivated.Slice(b * units, units);
            Span<T> hn = h.Slice(b * units, units);
            for (int j = 0; j < units; j++)
                hn[j] = o[j] * tc[j];
        }
    }

    /// <summary>
    /// <see cref="LstmForward"/> a register at a time with the same operators, in four short loops per row: the
    /// recurrent activation over i and f (one contiguous block), the activation over the candidate block, the recurrent
    /// activation over o, then the cell. Each loop's iterations are independent and short, so the out-of-order core
    /// overlaps several registers' activations (one long loop body with five activations per register did not fit its
    /// window and ran at the activations' latency). When a block is not a whole number of registers, the last
    /// register (<c>length − V .. length</c>) is activated first and stored after the loop, which rewrote the overlap
    /// with the same values; so every unit goes through the vector operators and no scalar tail is left.
    /// </summary>
    private static void LstmForwardFused<T>(Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> cActivated, Span<T> h, int batch,
        int units, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // The activations become operator types once per call, so each gate's function is inlined code, not a
        // switch per register.
        switch (recurrentActivation)
        {
            case Activation.Sigmoid:
                LstmForwardFused<T, SigmoidOperator<T>>(gates, cPrev, c, cActivated, h, batch, units, activation);
                break;
            case Activation.Tanh:
                LstmForwardFused<T, TanhOperator<T>>(gates, cPrev, c, cActivated, h, batch, units, activation);
                break;
            case Activation.ReLU:
                LstmForwardFused<T, CellReluOperator<T>>(gates, cPrev, c, cActivated, h, batch, units, activation);
                break;
            default:
                LstmForwardFused<T, CellLinearOperator<T>>(gates, cPrev, c, cActivated, h, batch, units, activation);
                break;
        }
    }

    private static void LstmForwardFused<T, TRec>(Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> cActivated, Span<T> h, int batch,
        int units, Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TRec : IUnaryOperator<T>
    {
        switch (activation)
        {
            case Activation.Tanh:
                LstmForwardFused<T, TRec, TanhOperator<T>>(gates, cPrev, c, cActivated, h, batch, units);
                break;
            case Activation.Sigmoid:
                LstmForwardFused<T, TRec, SigmoidOperator<T>>(gates, cPrev, c, cActivated, h, batch, units);
                break;
            case Activation.ReLU:
                LstmForwardFused<T, TRec, CellReluOperator<T>>(gates, cPrev, c, cActivated, h, batch, units);
                break;
            default:
                LstmForwardFused<T, TRec, CellLinearOperator<T>>(gates, cPrev, c, cActivated, h, batch, units);
                break;
        }
    }

    private static void LstmForwardFused<T, TRec, TAct>(Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> cActivated, Span<T> h,
        int batch, int units)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TRec : IUnaryOperator<T>
        where TAct : IUnaryOperator<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ref T g = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * units, 4 * units));
            ref T cp = ref MemoryMarshal.GetReference(cPrev.Slice(b * units, units));
            ref T cn = ref MemoryMarshal.GetReference(c.Slice(b * units, units));
            ref T tc = ref MemoryMarshal.GetReference(cActivated.Slice(b * units, units));
            ref T hn = ref MemoryMarshal.GetReference(h.Slice(b * units, units));
            if (typeof(T) == typeof(float) && typeof(TRec) == typeof(SigmoidOperator<T>) && typeof(TAct) == typeof(TanhOperator<T>)
                && InNormalRange(ref Unsafe.As<T, float>(ref g), ref Unsafe.As<T, float>(ref cp), units))
            {
                CellRow<float, SigmoidAboveFloorOperator, TanhNotNaNOperator>(ref Unsafe.As<T, float>(ref g), ref Unsafe.As<T, float>(ref cp),
                    ref Unsafe.As<T, float>(ref cn), ref Unsafe.As<T, float>(ref tc), ref Unsafe.As<T, float>(ref hn), units);
                continue;
            }
            CellRow<T, TRec, TAct>(ref g, ref cp, ref cn, ref tc, ref hn, units);
        }
    }

    /// <summary>
    /// One row of <see cref="LstmForwardFused{T, TRec, TAct}"/>: the gates activated in place (i and f, the candidate,
    /// o), then c_t, act(c_t) and h_t.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CellRow<T, TRec, TAct>(ref T g, ref T cp, ref T cn, ref T tc, ref T hn, int units)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TRec : IUnaryOperator<T>
        where TAct : IUnaryOperator<T>
    {
        int v = Vector256<T>.Count;
        // i, f = recAct, g_c = act, o = recAct, in place.
        ActivateInPlace<T, TRec>(ref g, 2 * units);
        ActivateInPlace<T, TAct>(ref Unsafe.Add(ref g, 2 * units), units);
        ActivateInPlace<T, TRec>(ref Unsafe.Add(ref g, 3 * units), units);
        // c_t, act(c_t), h_t: nothing is read where it is written, so a ragged last register may simply overlap the
        // one before it.
        for (int j = 0; ; j += v)
        {
            if (j + v > units)
                j = units - v;
            Vector256<T> cv = Vector256.LoadUnsafe(ref g, (nuint)(units + j)) * Vector256.LoadUnsafe(ref cp, (nuint)j)
                + Vector256.LoadUnsafe(ref g, (nuint)j) * Vector256.LoadUnsafe(ref g, (nuint)(2 * units + j));
            cv.StoreUnsafe(ref cn, (nuint)j);
            Vector256<T> tv = TAct.Invoke(cv);
            tv.StoreUnsafe(ref tc, (nuint)j);
            (Vector256.LoadUnsafe(ref g, (nuint)(3 * units + j)) * tv).StoreUnsafe(ref hn, (nuint)j);
            if (j + v >= units)
                break;
        }
    }

    /// <summary>
    /// Whether a float row with the Keras default activations may take <see cref="SingleLogistic.SigmoidAboveFloor"/>
    /// and <see cref="SingleLogistic.TanhNotNaN"/>, which give the bits of the operators without a branch per
    /// register: no pre-activation below −80 or NaN, and no NaN in <c>c_{t−1}</c>. <c>c_t</c> is then not NaN either
    /// (the gates are finite and f &gt; 0, so f·c_{t−1} is not 0·∞).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InNormalRange(ref float g, ref float cp, int units)
    {
        const int V = 8;
        // One pass of compares over the 4·units pre-activations and c_{t−1}, still in L1 from the product; a ragged
        // last register overlaps the one before it.
        Vector256<float> ok = Vector256<float>.AllBitsSet;
        int gateCount = 4 * units;
        for (int j = 0; j < gateCount; j += V)
        {
            Vector256<float> z = Vector256.LoadUnsafe(ref g, (nuint)Math.Min(j, gateCount - V));
            ok &= Vector256.GreaterThanOrEqual(z, Vector256.Create(SingleLogistic.NormalFloor));
        }
        for (int j = 0; j < units; j += V)
        {
            Vector256<float> c = Vector256.LoadUnsafe(ref cp, (nuint)Math.Min(j, units - V));
            ok &= Vector256.Equals(c, c);
        }
        return ok.AsInt32() == Vector256<int>.AllBitsSet;
    }

    /// <summary>The float sigmoid for registers whose lanes are all at least −80 (<see cref="InNormalRange"/>).</summary>
    private readonly struct SigmoidAboveFloorOperator : IUnaryOperator<float>
    {
        public static float Invoke(float x) => SingleLogistic.Sigmoid(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => SingleLogistic.SigmoidAboveFloor(x);

        public static Vector512<float> Invoke(Vector512<float> x) => SingleLogistic.Sigmoid(x);
    }

    /// <summary>The float tanh for registers without NaN (<see cref="InNormalRange"/>).</summary>
    private readonly struct TanhNotNaNOperator : IUnaryOperator<float>
    {
        public static float Invoke(float x) => SingleLogistic.Tanh(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => SingleLogistic.TanhNotNaN(x);

        public static Vector512<float> Invoke(Vector512<float> x) => SingleLogistic.Tanh(x);
    }

    /// <summary>
    /// <c>p[0..length) = TOp(p[0..length))</c> a register at a time, <paramref name="length"/> ≥ V; a ragged last
    /// register is activated from the inputs before the loop and stored after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ActivateInPlace<T, TOp>(ref T p, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        int v = Vector256<T>.Count;
        nuint last = (nuint)(length - v);
        Vector256<T> held = TOp.Invoke(Vector256.LoadUnsafe(ref p, last));
        for (nuint j = 0; j < last; j += (nuint)v)
            TOp.Invoke(Vector256.LoadUnsafe(ref p, j)).StoreUnsafe(ref p, j);
        held.StoreUnsafe(ref p, last);
    }

    /// <summary>
    /// LSTM step backward. With <c>dh_t = dh + dhOut</c>: <c>dc_t = dc + dh_t ⊙ o ⊙ act'(c_t)</c>, the gate
    /// gradients <c>di = dc_t ⊙ g</c>, <c>df = dc_t ⊙ c_{t−1}</c>, <c>dg = dc_t ⊙ i</c>, <c>do = dh_t ⊙ act(c_t)</c>,
    /// each times its activation's derivative, into <paramref name="dGates"/>; <paramref name="dc"/> becomes the
    /// gradient carried to <c>c_{t−1}</c>, <c>dc_t ⊙ f</c>. The caller carries <c>dh</c> to <c>h_{t−1}</c> with
    /// <c>dGates · recurrent_kernelᵀ</c> (the only path from <c>h_{t−1}</c>).
    /// </summary>
    /// <param name="gates">[batch, 4·units] the activated gates of the step.</param>
    /// <param name="cPrev">[batch, units] <c>c_{t−1}</c>.</param>
    /// <param name="cActivated">[batch, units] <c>act(c_t)</c>.</param>
    /// <param name="dhOut">[batch, units] the gradient arriving from this step's output, or empty.</param>
    /// <param name="dh">[batch, units] the gradient arriving from the next step through <c>h_t</c>.</param>
    /// <param name="dc">[batch, units] in: the gradient arriving through <c>c_t</c>; out: the one for <c>c_{t−1}</c>.</param>
    /// <param name="dGates">[batch, 4·units] the pre-activation gradients.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">The forward activation.</param>
    /// <param name="recurrentActivation">The forward recurrent activation.</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 4·units] or [batch, units].</exception>
    public static void LstmBackward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> cActivated, ReadOnlySpan<T> dhOut,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dGates, int units, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, recurrentActivation);
        int batch = CheckGates(gates.Length, 4, units, nameof(gates));
        int n = batch * units;
        KernelGuard.SameLength(n, cPrev.Length, "Previous cell state", nameof(cPrev));
        KernelGuard.SameLength(n, cActivated.Length, "Activated cell state", nameof(cActivated));
        KernelGuard.SameLengthOrEmpty(n, dhOut.Length, "Output gradient", nameof(dhOut));
        KernelGuard.SameLength(n, dh.Length, "State gradient", nameof(dh));
        KernelGuard.SameLength(n, dc.Length, "Cell state gradient", nameof(dc));
        KernelGuard.SameLength(gates.Length, dGates.Length, "Gate gradient", nameof(dGates));
        bool hasOut = !dhOut.IsEmpty;
        if (Vector256.IsHardwareAccelerated && units >= Vector256<T>.Count)
        {
            LstmBackward256(gates, cPrev, cActivated, dhOut, dh, dc, dGates, batch, units, activation, recurrentActivation);
            return;
        }
        for (int b = 0; b < batch; b++)
        {
            int g0 = b * 4 * units;
            for (int j = 0; j < units; j++)
            {
                int s = b * units + j;
                T i = gates[g0 + j], f = gates[g0 + units + j], g = gates[g0 + 2 * units + j], o = gates[g0 + 3 * units + j];
                T tc = cActivated[s];
                T dht = hasOut ? dh[s] + dhOut[s] : dh[s];
                T dct = dc[s] + dht * o * Derivative(activation, tc);
                dGates[g0 + j] = dct * g * Derivative(recurrentActivation, i);
                dGates[g0 + units + j] = dct * cPrev[s] * Derivative(recurrentActivation, f);
                dGates[g0 + 2 * units + j] = dct * i * Derivative(activation, g);
                dGates[g0 + 3 * units + j] = dht * tc * Derivative(recurrentActivation, o);
                dc[s] = dct * f;
            }
        }
    }

    /// <summary>
    /// <see cref="LstmBackward"/> a register of units at a time, with the scalar loop's expressions (so the same
    /// roundings). A ragged last register overlaps the one before it: its gate gradients are stored at once (the loop
    /// rewrites the overlap with the same values) and its <c>dc</c> after the loop, because <c>dc</c> is read and
    /// written in place.
    /// </summary>
    private static void LstmBackward256<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> cActivated, ReadOnlySpan<T> dhOut,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dGates, int batch, int units, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int v = Vector256<T>.Count;
        int tail = units - v;
        bool ragged = units % v != 0;
        bool hasOut = !dhOut.IsEmpty;
        for (int b = 0; b < batch; b++)
        {
            ref T g = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * units, 4 * units));
            ref T dg = ref MemoryMarshal.GetReference(dGates.Slice(b * 4 * units, 4 * units));
            ref T cp = ref MemoryMarshal.GetReference(cPrev.Slice(b * units, units));
            ref T tc = ref MemoryMarshal.GetReference(cActivated.Slice(b * units, units));
            ref T dhr = ref MemoryMarshal.GetReference(dh.Slice(b * units, units));
            ref T dho = ref hasOut ? ref MemoryMarshal.GetReference(dhOut.Slice(b * units, units)) : ref dhr;
            ref T dcr = ref MemoryMarshal.GetReference(dc.Slice(b * units, units));
            Vector256<T> tailDc = default;
            if (ragged)
                tailDc = LstmCellBackward256(ref g, ref cp, ref tc, ref dho, ref dhr, ref dcr, ref dg, tail, units, hasOut,
                    activation, recurrentActivation);
            for (int j = 0; j + v <= units; j += v)
                LstmCellBackward256(ref g, ref cp, ref tc, ref dho, ref dhr, ref dcr, ref dg, j, units, hasOut, activation,
                    recurrentActivation).StoreUnsafe(ref dcr, (nuint)j);
            if (ragged)
                tailDc.StoreUnsafe(ref dcr, (nuint)tail);
        }
    }

    /// <summary>One register of units from <paramref name="j"/>: writes the four gate gradients and returns <c>dc_t ⊙ f</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> LstmCellBackward256<T>(ref T g, ref T cp, ref T tc, ref T dho, ref T dhr, ref T dcr, ref T dg, int j,
        int units, bool hasOut, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> i = Vector256.LoadUnsafe(ref g, (nuint)j);
        Vector256<T> f = Vector256.LoadUnsafe(ref g, (nuint)(units + j));
        Vector256<T> gg = Vector256.LoadUnsafe(ref g, (nuint)(2 * units + j));
        Vector256<T> o = Vector256.LoadUnsafe(ref g, (nuint)(3 * units + j));
        Vector256<T> t = Vector256.LoadUnsafe(ref tc, (nuint)j);
        Vector256<T> dht = Vector256.LoadUnsafe(ref dhr, (nuint)j);
        if (hasOut)
            dht += Vector256.LoadUnsafe(ref dho, (nuint)j);
        Vector256<T> dct = Vector256.LoadUnsafe(ref dcr, (nuint)j) + dht * o * Derivative256(activation, t);
        (dct * gg * Derivative256(recurrentActivation, i)).StoreUnsafe(ref dg, (nuint)j);
        (dct * Vector256.LoadUnsafe(ref cp, (nuint)j) * Derivative256(recurrentActivation, f)).StoreUnsafe(ref dg, (nuint)(units + j));
        (dct * i * Derivative256(activation, gg)).StoreUnsafe(ref dg, (nuint)(2 * units + j));
        (dht * t * Derivative256(recurrentActivation, o)).StoreUnsafe(ref dg, (nuint)(3 * units + j));
        return dct * f;
    }

    /// <summary>ReLU as a cell operator (the same values as <see cref="Activations.Relu"/>).</summary>
    private readonly struct CellReluOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => T.Max(x, T.Zero);

        public static Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero);

        public static Vector512<T> Invoke(Vector512<T> x) => Vector512.Max(x, Vector512<T>.Zero);
    }

    /// <summary>The identity (Linear) as a cell operator.</summary>
    private readonly struct CellLinearOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => x;

        public static Vector256<T> Invoke(Vector256<T> x) => x;

        public static Vector512<T> Invoke(Vector512<T> x) => x;
    }
}
