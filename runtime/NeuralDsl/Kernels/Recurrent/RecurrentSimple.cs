using System;
using System.Numerics;

namespace NeuralDsl;

public static partial class Recurrent
{
    /// <summary>
    /// SimpleRNN step: <c>h_t = act(z)</c> with <c>z = x_t · kernel + bias + h_{t−1} · recurrent_kernel</c> already
    /// summed by the caller.
    /// </summary>
    /// <param name="z">[batch, units] pre-activation.</param>
    /// <param name="h">[batch, units] new state; may be the same memory as <paramref name="z"/>.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">Keras <c>activation</c> (Tanh by default).</param>
    /// <exception cref="ArgumentException">A length is not a whole number of [units] rows or the two differ.</exception>
    public static void SimpleForward<T>(ReadOnlySpan<T> z, Span<T> h, int units, Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, Activation.Sigmoid);
        CheckGates(z.Length, 1, units, nameof(z));
        KernelGuard.SameLength(z.Length, h.Length, "State", nameof(h));
        KernelGuard.NoPartialOverlap(z, h, nameof(h));
        z.CopyTo(h);
        Activate(activation, h);
    }

    /// <summary>
    /// SimpleRNN step backward: <c>dz = (dh + dhOut) ⊙ act'(h_t)</c>. The caller then carries the gradient to
    /// <c>h_{t−1}</c> with <c>dz · recurrent_kernelᵀ</c> (SimpleRNN has no direct path).
    /// </summary>
    /// <param name="h">[batch, units] the step's output state.</param>
    /// <param name="dhOut">[batch, units] the gradient arriving from this step's output, or empty.</param>
    /// <param name="dh">[batch, units] the gradient arriving from the next step.</param>
    /// <param name="dz">[batch, units] pre-activation gradient; may be the same memory as <paramref name="dh"/>.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">The forward activation.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void SimpleBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dhOut, ReadOnlySpan<T> dh, Span<T> dz, int units, Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, Activation.Sigmoid);
        CheckGates(h.Length, 1, units, nameof(h));
        KernelGuard.SameLengthOrEmpty(h.Length, dhOut.Length, "Output gradient", nameof(dhOut));
        KernelGuard.SameLength(h.Length, dh.Length, "State gradient", nameof(dh));
        KernelGuard.SameLength(h.Length, dz.Length, "Pre-activation gradient", nameof(dz));
        bool hasOut = !dhOut.IsEmpty;
        for (int i = 0; i < h.Length; i++)
        {
            T g = hasOut ? dh[i] + dhOut[i] : dh[i];
            dz[i] = g * Derivative(activation, h[i]);
        }
    }
}
