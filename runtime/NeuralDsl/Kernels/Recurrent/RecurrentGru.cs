using System;
using System.Numerics;

namespace NeuralDsl;

public static partial class Recurrent
{
    /// <summary>
    /// GRU step with <c>reset_after = true</c> (the Keras default; gate order z, r, h). With
    /// <c>x = x_t · kernel + b0</c> in <paramref name="gates"/> and <c>hr = h_{t−1} · recurrent_kernel + b1</c>:
    /// <c>z = recAct(x_z + hr_z)</c>, <c>r = recAct(x_r + hr_r)</c>, <c>hh = act(x_h + r ⊙ hr_h)</c>,
    /// <c>h_t = z ⊙ h_{t−1} + (1 − z) ⊙ hh</c>.
    /// </summary>
    /// <param name="gates">[batch, 3·units]: the input projection in, the activated z, r, hh out.</param>
    /// <param name="hr">[batch, 3·units] the recurrent projection with its bias (kept for the backward pass).</param>
    /// <param name="hPrev">[batch, units] <c>h_{t−1}</c>.</param>
    /// <param name="h">[batch, units] <c>h_t</c>.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">Keras <c>activation</c> (Tanh by default).</param>
    /// <param name="recurrentActivation">Keras <c>recurrent_activation</c> (Sigmoid by default).</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 3·units] or [batch, units].</exception>
    public static void GruForward<T>(Span<T> gates, ReadOnlySpan<T> hr, ReadOnlySpan<T> hPrev, Span<T> h, int units,
        Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, recurrentActivation);
        int batch = CheckGates(gates.Length, 3, units, nameof(gates));
        KernelGuard.SameLength(gates.Length, hr.Length, "Recurrent projection", nameof(hr));
        KernelGuard.SameLength(batch * units, hPrev.Length, "Previous state", nameof(hPrev));
        KernelGuard.SameLength(batch * units, h.Length, "State", nameof(h));
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = gates.Slice(b * 3 * units, 3 * units);
            ReadOnlySpan<T> hrRow = hr.Slice(b * 3 * units, 3 * units);
            ActivateUpdateAndReset(row, hrRow, units, recurrentActivation);
            for (int j = 0; j < units; j++)
                row[2 * units + j] += row[units + j] * hrRow[2 * units + j];
            Activate(activation, row.Slice(2 * units, units));
            MixState(row, hPrev.Slice(b * units, units), h.Slice(b * units, units), units);
        }
    }

    /// <summary>
    /// GRU step backward with <c>reset_after = true</c>. With <c>dh_t = dh + dhOut</c>: <c>dhh = dh_t ⊙ (1 − z)</c>,
    /// <c>dz = dh_t ⊙ (h_{t−1} − hh)</c>, <c>dr = dhh' ⊙ hr_h</c> (each times its activation's derivative). The
    /// input-side gradients [dz', dr', dhh'] go to <paramref name="dGates"/>, the recurrent-side ones
    /// [dz', dr', dhh' ⊙ r] to <paramref name="dGatesRecurrent"/>, and <paramref name="dh"/> becomes the direct part
    /// of the gradient of <c>h_{t−1}</c>, <c>dh_t ⊙ z</c>; the caller adds <c>dGatesRecurrent · recurrent_kernelᵀ</c>.
    /// </summary>
    /// <param name="gates">[batch, 3·units] the activated z, r, hh.</param>
    /// <param name="hr">[batch, 3·units] the recurrent projection with its bias.</param>
    /// <param name="hPrev">[batch, units] <c>h_{t−1}</c>.</param>
    /// <param name="dhOut">[batch, units] the gradient arriving from this step's output, or empty.</param>
    /// <param name="dh">[batch, units] in: the gradient arriving from the next step; out: <c>dh_t ⊙ z</c>.</param>
    /// <param name="dGates">[batch, 3·units] gradients of the input projection (and of b0).</param>
    /// <param name="dGatesRecurrent">[batch, 3·units] gradients of the recurrent projection (and of b1).</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">The forward activation.</param>
    /// <param name="recurrentActivation">The forward recurrent activation.</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 3·units] or [batch, units].</exception>
    public static void GruBackward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hr, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dhOut, Span<T> dh,
        Span<T> dGates, Span<T> dGatesRecurrent, int units, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, recurrentActivation);
        int batch = CheckGates(gates.Length, 3, units, nameof(gates));
        int n = batch * units;
        KernelGuard.SameLength(gates.Length, hr.Length, "Recurrent projection", nameof(hr));
        KernelGuard.SameLength(n, hPrev.Length, "Previous state", nameof(hPrev));
        KernelGuard.SameLengthOrEmpty(n, dhOut.Length, "Output gradient", nameof(dhOut));
        KernelGuard.SameLength(n, dh.Length, "State gradient", nameof(dh));
        KernelGuard.SameLength(gates.Length, dGates.Length, "Gate gradient", nameof(dGates));
        KernelGuard.SameLength(gates.Length, dGatesRecurrent.Length, "Recurrent gate gradient", nameof(dGatesRecurrent));
        bool hasOut = !dhOut.IsEmpty;
        for (int b = 0; b < batch; b++)
        {
            int g0 = b * 3 * units;
            for (int j = 0; j < units; j++)
            {
                int s = b * units + j;
                T z = gates[g0 + j], r = gates[g0 + units + j], hh = gates[g0 + 2 * units + j];
                T dht = hasOut ? dh[s] + dhOut[s] : dh[s];
                T dhh = dht * (T.One - z) * Derivative(activation, hh);
                T dz = dht * (hPrev[s] - hh) * Derivative(recurrentActivation, z);
                T dr = dhh * hr[g0 + 2 * units + j] * Derivative(recurrentActivation, r);
                dGates[g0 + j] = dz;
                dGates[g0 + units + j] = dr;
                dGates[g0 + 2 * units + j] = dhh;
                dGatesRecurrent[g0 + j] = dz;
                dGatesRecurrent[g0 + units + j] = dr;
                dGatesRecurrent[g0 + 2 * units + j] = dhh * r;
                dh[s] = dht * z;
            }
        }
    }

    /// <summary>
    /// GRU step with <c>reset_after = false</c>, first half: with <c>x = x_t · kernel + bias</c> in
    /// <paramref name="gates"/> and <c>hr = h_{t−1} · recurrent_kernel</c> (only its z and r blocks are read),
    /// activates <c>z = recAct(x_z + hr_z)</c>, <c>r = recAct(x_r + hr_r)</c> in place and writes
    /// <c>r ⊙ h_{t−1}</c>, which the caller multiplies by the candidate block of the recurrent kernel for
    /// <see cref="GruCandidateForward"/>.
    /// </summary>
    /// <param name="gates">[batch, 3·units]: the input projection in; z and r activated out (the h block is left).</param>
    /// <param name="hr">[batch, 3·units] <c>h_{t−1} · recurrent_kernel</c>.</param>
    /// <param name="hPrev">[batch, units] <c>h_{t−1}</c>.</param>
    /// <param name="resetState">[batch, units] <c>r ⊙ h_{t−1}</c> (kept for the backward pass).</param>
    /// <param name="units">State size.</param>
    /// <param name="recurrentActivation">Keras <c>recurrent_activation</c> (Sigmoid by default).</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 3·units] or [batch, units].</exception>
    public static void GruGatesForward<T>(Span<T> gates, ReadOnlySpan<T> hr, ReadOnlySpan<T> hPrev, Span<T> resetState, int units,
        Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(Activation.Tanh, recurrentActivation);
        int batch = CheckGates(gates.Length, 3, units, nameof(gates));
        KernelGuard.SameLength(gates.Length, hr.Length, "Recurrent projection", nameof(hr));
        KernelGuard.SameLength(batch * units, hPrev.Length, "Previous state", nameof(hPrev));
        KernelGuard.SameLength(batch * units, resetState.Length, "Reset state", nameof(resetState));
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = gates.Slice(b * 3 * units, 3 * units);
            ReadOnlySpan<T> hrRow = hr.Slice(b * 3 * units, 3 * units);
            ActivateUpdateAndReset(row, hrRow, units, recurrentActivation);
            for (int j = 0; j < units; j++)
                resetState[b * units + j] = row[units + j] * hPrev[b * units + j];
        }
    }

    /// <summary>
    /// GRU step with <c>reset_after = false</c>, second half: <c>hh = act(x_h + (r ⊙ h_{t−1}) · recurrent_kernel_h)</c>
    /// (the product given as <paramref name="candidate"/>) into the h block of <paramref name="gates"/>, and
    /// <c>h_t = z ⊙ h_{t−1} + (1 − z) ⊙ hh</c>.
    /// </summary>
    /// <param name="gates">[batch, 3·units] after <see cref="GruGatesForward"/>; the h block becomes hh.</param>
    /// <param name="candidate">[batch, units] <c>(r ⊙ h_{t−1}) · recurrent_kernel_h</c>.</param>
    /// <param name="hPrev">[batch, units] <c>h_{t−1}</c>.</param>
    /// <param name="h">[batch, units] <c>h_t</c>.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">Keras <c>activation</c> (Tanh by default).</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 3·units] or [batch, units].</exception>
    public static void GruCandidateForward<T>(Span<T> gates, ReadOnlySpan<T> candidate, ReadOnlySpan<T> hPrev, Span<T> h, int units,
        Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, Activation.Sigmoid);
        int batch = CheckGates(gates.Length, 3, units, nameof(gates));
        KernelGuard.SameLength(batch * units, candidate.Length, "Candidate product", nameof(candidate));
        KernelGuard.SameLength(batch * units, hPrev.Length, "Previous state", nameof(hPrev));
        KernelGuard.SameLength(batch * units, h.Length, "State", nameof(h));
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = gates.Slice(b * 3 * units, 3 * units);
            Span<T> hh = row.Slice(2 * units, units);
            ReadOnlySpan<T> q = candidate.Slice(b * units, units);
            for (int j = 0; j < units; j++)
                hh[j] += q[j];
            Activate(activation, hh);
            MixState(row, hPrev.Slice(b * units, units), h.Slice(b * units, units), units);
        }
    }

    /// <summary>
    /// GRU step backward with <c>reset_after = false</c>, first half: with <c>dh_t = dh + dhOut</c>, writes the z and
    /// h blocks of <paramref name="dGates"/> (<c>dz'</c>, <c>dhh'</c>), <c>dhh'</c> again into
    /// <paramref name="dCandidate"/> (contiguous, for the kernel gradient and for <c>d(r ⊙ h) = dhh' ·
    /// recurrent_kernel_hᵀ</c>, which the caller computes next), and the direct part of the gradient of
    /// <c>h_{t−1}</c>, <c>dh_t ⊙ z</c>, into <paramref name="dh"/>.
    /// </summary>
    /// <param name="gates">[batch, 3·units] the activated z, r, hh.</param>
    /// <param name="hPrev">[batch, units] <c>h_{t−1}</c>.</param>
    /// <param name="dhOut">[batch, units] the gradient arriving from this step's output, or empty.</param>
    /// <param name="dh">[batch, units] in: the gradient arriving from the next step; out: <c>dh_t ⊙ z</c>.</param>
    /// <param name="dGates">[batch, 3·units] the z and h blocks are written.</param>
    /// <param name="dCandidate">[batch, units] <c>dhh'</c>.</param>
    /// <param name="units">State size.</param>
    /// <param name="activation">The forward activation.</param>
    /// <param name="recurrentActivation">The forward recurrent activation.</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 3·units] or [batch, units].</exception>
    public static void GruCandidateBackward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dhOut, Span<T> dh,
        Span<T> dGates, Span<T> dCandidate, int units, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, recurrentActivation);
        int batch = CheckGates(gates.Length, 3, units, nameof(gates));
        int n = batch * units;
        KernelGuard.SameLength(n, hPrev.Length, "Previous state", nameof(hPrev));
        KernelGuard.SameLengthOrEmpty(n, dhOut.Length, "Output gradient", nameof(dhOut));
        KernelGuard.SameLength(n, dh.Length, "State gradient", nameof(dh));
        KernelGuard.SameLength(gates.Length, dGates.Length, "Gate gradient", nameof(dGates));
        KernelGuard.SameLength(n, dCandidate.Length, "Candidate gradient", nameof(dCandidate));
        bool hasOut = !dhOut.IsEmpty;
        for (int b = 0; b < batch; b++)
        {
            int g0 = b * 3 * units;
            for (int j = 0; j < units; j++)
            {
                int s = b * units + j;
                T z = gates[g0 + j], hh = gates[g0 + 2 * units + j];
                T dht = hasOut ? dh[s] + dhOut[s] : dh[s];
                T dhh = dht * (T.One - z) * Derivative(activation, hh);
                dGates[g0 + j] = dht * (hPrev[s] - hh) * Derivative(recurrentActivation, z);
                dGates[g0 + 2 * units + j] = dhh;
                dCandidate[s] = dhh;
                dh[s] = dht * z;
            }
        }
    }

    /// <summary>
    /// GRU step backward with <c>reset_after = false</c>, second half: from <c>d(r ⊙ h_{t−1})</c>, writes
    /// <c>dr' = d(r ⊙ h) ⊙ h_{t−1} ⊙ recAct'(r)</c> into the r block of <paramref name="dGates"/>, adds
    /// <c>d(r ⊙ h) ⊙ r</c> to <paramref name="dh"/>, and writes the recurrent-side gradients [dz', dr', 0] (the h block
    /// reaches the recurrent kernel through <c>r ⊙ h</c> instead) to <paramref name="dGatesRecurrent"/>; the caller
    /// adds <c>dGatesRecurrent · recurrent_kernelᵀ</c> to <paramref name="dh"/>.
    /// </summary>
    /// <param name="gates">[batch, 3·units] the activated z, r, hh.</param>
    /// <param name="hPrev">[batch, units] <c>h_{t−1}</c>.</param>
    /// <param name="dResetState">[batch, units] <c>d(r ⊙ h_{t−1})</c>.</param>
    /// <param name="dh">[batch, units] the gradient of <c>h_{t−1}</c> so far; the reset path is added.</param>
    /// <param name="dGates">[batch, 3·units] the r block is written.</param>
    /// <param name="dGatesRecurrent">[batch, 3·units] [dz', dr', 0].</param>
    /// <param name="units">State size.</param>
    /// <param name="recurrentActivation">The forward recurrent activation.</param>
    /// <exception cref="ArgumentException">A length does not match [batch, 3·units] or [batch, units].</exception>
    public static void GruGatesBackward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dResetState, Span<T> dh,
        Span<T> dGates, Span<T> dGatesRecurrent, int units, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(Activation.Tanh, recurrentActivation);
        int batch = CheckGates(gates.Length, 3, units, nameof(gates));
        int n = batch * units;
        KernelGuard.SameLength(n, hPrev.Length, "Previous state", nameof(hPrev));
        KernelGuard.SameLength(n, dResetState.Length, "Reset state gradient", nameof(dResetState));
        KernelGuard.SameLength(n, dh.Length, "State gradient", nameof(dh));
        KernelGuard.SameLength(gates.Length, dGates.Length, "Gate gradient", nameof(dGates));
        KernelGuard.SameLength(gates.Length, dGatesRecurrent.Length, "Recurrent gate gradient", nameof(dGatesRecurrent));
        for (int b = 0; b < batch; b++)
        {
            int g0 = b * 3 * units;
            for (int j = 0; j < units; j++)
            {
                int s = b * units + j;
                T r = gates[g0 + units + j];
                T drh = dResetState[s];
                T dr = drh * hPrev[s] * Derivative(recurrentActivation, r);
                dGates[g0 + units + j] = dr;
                dh[s] += drh * r;
                dGatesRecurrent[g0 + j] = dGates[g0 + j];
                dGatesRecurrent[g0 + units + j] = dr;
                dGatesRecurrent[g0 + 2 * units + j] = T.Zero;
            }
        }
    }

    /// <summary>
    /// <c>z = recAct(x_z + hr_z)</c>, <c>r = recAct(x_r + hr_r)</c> in place for one row of GRU gates; both variants
    /// (reset after or before the product) start their step with it.
    /// </summary>
    private static void ActivateUpdateAndReset<T>(Span<T> row, ReadOnlySpan<T> hrRow, int units, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j = 0; j < 2 * units; j++)
            row[j] += hrRow[j];
        Activate(recurrentActivation, row.Slice(0, 2 * units));
    }

    /// <summary><c>h = z ⊙ h_{t−1} + (1 − z) ⊙ hh</c> for one row of activated GRU gates.</summary>
    private static void MixState<T>(ReadOnlySpan<T> row, ReadOnlySpan<T> hPrev, Span<T> h, int units)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j = 0; j < units; j++)
        {
            T z = row[j];
            h[j] = z * hPrev[j] + (T.One - z) * row[2 * units + j];
        }
    }
}
