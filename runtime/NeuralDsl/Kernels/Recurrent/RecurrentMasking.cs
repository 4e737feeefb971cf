using System;
using System.Numerics;

namespace NeuralDsl;

public static partial class Recurrent
{
    // Keras masking (an Embedding with MaskZero before the layer): at a masked (sample, step) the state is carried
    // unchanged, h_t = h_{t−1} (and c_t = c_{t−1}), so the output repeats the previous one (zero before the first real
    // step). Backward, such a step passes the state gradient straight to t − 1 and contributes nothing to the weights.
    // The generated loop calls these around the unchanged step kernels only when the model has a mask.

    /// <summary>
    /// Forward at one step, and the straight-through state gradient backward: for every sample whose step
    /// <paramref name="step"/> is masked (<c>mask[b, step] == 0</c>), <c>to[b, :] = from[b, :]</c>. Other rows are left
    /// alone.
    /// </summary>
    /// <param name="mask">[batch, steps] Keras mask: 1 real step, 0 masked.</param>
    /// <param name="steps">Mask entries per sample.</param>
    /// <param name="step">The step (in input order) being processed.</param>
    /// <param name="from">[batch, units] the rows to carry (h_{t−1}, c_{t−1}, or a kept gradient).</param>
    /// <param name="to">[batch, units] the rows replaced; must not overlap <paramref name="from"/>.</param>
    /// <exception cref="ArgumentException">The lengths do not describe the same batch.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is outside [0, steps).</exception>
    public static void CarryMasked<T>(ReadOnlySpan<T> mask, int steps, int step, ReadOnlySpan<T> from, Span<T> to)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int batch = CheckMask(mask.Length, steps, step);
        KernelGuard.SameLength(from.Length, to.Length, "Carried rows", nameof(to));
        int units = CheckRows(from.Length, batch, nameof(from));
        for (int b = 0; b < batch; b++)
        {
            if (mask[b * steps + step] == T.Zero)
                from.Slice(b * units, units).CopyTo(to.Slice(b * units, units));
        }
    }

    /// <summary>
    /// Backward, before the step kernel: for every sample whose step <paramref name="step"/> is masked,
    /// <c>carry[b, :] = dh[b, :] + dhOut[b, :]</c> (the whole gradient reaching h_t, which a masked step hands to
    /// h_{t−1} unchanged). Other rows of <paramref name="carry"/> are left alone.
    /// </summary>
    /// <param name="mask">[batch, steps] Keras mask.</param>
    /// <param name="steps">Mask entries per sample.</param>
    /// <param name="step">The step (in input order).</param>
    /// <param name="dh">[batch, units] gradient arriving from the next step.</param>
    /// <param name="dhOut">[batch, units] gradient arriving from this step's output, or empty.</param>
    /// <param name="carry">[batch, units] the kept rows.</param>
    /// <exception cref="ArgumentException">The lengths do not describe the same batch.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is outside [0, steps).</exception>
    public static void KeepMaskedGradient<T>(ReadOnlySpan<T> mask, int steps, int step, ReadOnlySpan<T> dh, ReadOnlySpan<T> dhOut, Span<T> carry)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int batch = CheckMask(mask.Length, steps, step);
        KernelGuard.SameLength(dh.Length, carry.Length, "Kept gradient", nameof(carry));
        KernelGuard.SameLengthOrEmpty(dh.Length, dhOut.Length, "Output gradient", nameof(dhOut));
        int units = CheckRows(dh.Length, batch, nameof(dh));
        for (int b = 0; b < batch; b++)
        {
            if (mask[b * steps + step] != T.Zero)
                continue;
            Span<T> row = carry.Slice(b * units, units);
            if (dhOut.IsEmpty)
                dh.Slice(b * units, units).CopyTo(row);
            else
                System.Numerics.Tensors.TensorPrimitives.Add(dh.Slice(b * units, units), dhOut.Slice(b * units, units), row);
        }
    }

    /// <summary>
    /// Backward: zeroes the rows of a step's gate gradients whose sample is masked at <paramref name="step"/>, so that
    /// step contributes nothing to the kernel, recurrent-kernel, bias and input gradients.
    /// </summary>
    /// <param name="mask">[batch, steps] Keras mask.</param>
    /// <param name="steps">Mask entries per sample.</param>
    /// <param name="step">The step (in input order).</param>
    /// <param name="rows">[batch, width] one step's gradients.</param>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is not a whole number of rows per sample.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is outside [0, steps).</exception>
    public static void ClearMasked<T>(ReadOnlySpan<T> mask, int steps, int step, Span<T> rows)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int batch = CheckMask(mask.Length, steps, step);
        int width = CheckRows(rows.Length, batch, nameof(rows));
        for (int b = 0; b < batch; b++)
        {
            if (mask[b * steps + step] == T.Zero)
                rows.Slice(b * width, width).Clear();
        }
    }

    private static int CheckMask(int length, int steps, int step)
    {
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.WholeRows(length, steps, "Mask", "mask");
        if ((uint)step >= (uint)steps)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The step must be in [0, {steps}).");
        return length / steps;
    }

    private static int CheckRows(int length, int batch, string paramName)
    {
        if (batch == 0)
        {
            KernelGuard.SameLength(0, length, "Rows", paramName);
            return 0;
        }
        KernelGuard.WholeRows(length, batch, "Rows", paramName);
        return length / batch;
    }
}
