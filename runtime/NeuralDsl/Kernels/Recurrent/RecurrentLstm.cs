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
    /// <param name="c">[batch, units] the new cell state.</param>
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
    /// <see cref="LstmForward"/> in one pass per row, a register of each gate at a time (the same operators, so the same
    /// values up to the rounding of the scalar tail): no separate activation call per gate block and per state.
    /// </summary>
    private static void LstmForwardFused<T>(Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> cActivated, Span<T> h, int batch,
        int units, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int v = Vector256<T>.Count;
        for (int b = 0; b < batch; b++)
        {
            ref T g = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * units, 4 * units));
            ref T cp = ref MemoryMarshal.GetReference(cPrev.Slice(b * units, units));
            ref T cn = ref MemoryMarshal.GetReference(c.Slice(b * units, units));
            ref T tc = ref MemoryMarshal.GetReference(cActivated.Slice(b * units, units));
            ref T hn = ref MemoryMarshal.GetReference(h.Slice(b * units, units));
            int j = 0;
            for (; j + v <= units; j += v)
            {
                Vector256<T> iv = Activate256(recurrentActivation, Vector256.LoadUnsafe(ref g, (nuint)j));
                Vector256<T> fv = Activate256(recurrentActivation, Vector256.LoadUnsafe(ref g, (nuint)(units + j)));
                Vector256<T> gv = Activate256(activation, Vector256.LoadUnsafe(ref g, (nuint)(2 * units + j)));
                Vector256<T> ov = Activate256(recurrentActivation, Vector256.LoadUnsafe(ref g, (nuint)(3 * units + j)));
                iv.StoreUnsafe(ref g, (nuint)j);
                fv.StoreUnsafe(ref g, (nuint)(units + j));
                gv.StoreUnsafe(ref g, (nuint)(2 * units + j));
                ov.StoreUnsafe(ref g, (nuint)(3 * units + j));
                Vector256<T> cv = fv * Vector256.LoadUnsafe(ref cp, (nuint)j) + iv * gv;
                cv.StoreUnsafe(ref cn, (nuint)j);
                Vector256<T> tv = Activate256(activation, cv);
                tv.StoreUnsafe(ref tc, (nuint)j);
                (ov * tv).StoreUnsafe(ref hn, (nuint)j);
            }
            for (; j < units; j++)
            {
                T i = Activate1(recurrentActivation, Unsafe.Add(ref g, j));
                T f = Activate1(recurrentActivation, Unsafe.Add(ref g, units + j));
                T gg = Activate1(activation, Unsafe.Add(ref g, 2 * units + j));
                T o = Activate1(recurrentActivation, Unsafe.Add(ref g, 3 * units + j));
                Unsafe.Add(ref g, j) = i;
                Unsafe.Add(ref g, units + j) = f;
                Unsafe.Add(ref g, 2 * units + j) = gg;
                Unsafe.Add(ref g, 3 * units + j) = o;
                T cj = f * Unsafe.Add(ref cp, j) + i * gg;
                Unsafe.Add(ref cn, j) = cj;
                T t = Activate1(activation, cj);
                Unsafe.Add(ref tc, j) = t;
                Unsafe.Add(ref hn, j) = o * t;
            }
        }
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
}
