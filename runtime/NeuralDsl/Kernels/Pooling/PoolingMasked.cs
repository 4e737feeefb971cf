using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

public static partial class Pooling
{
    // The global poolings over time with a Keras mask: mask [batch, spatial] holds 1 for a real step and 0 for a
    // masked one (Embedding(MaskZero) writes it). An empty mask means every step is real, and the kernels run the
    // unmasked paths. A sample whose steps are all masked pools to 0 and gets no input gradient.

    /// <summary>
    /// GlobalAveragePooling1D forward with a mask: <c>y[b, c] = Σ_s mask[b, s]·x[b, s, c] / Σ_s mask[b, s]</c>, 0 when
    /// every step of the sample is masked (Keras divides by the count of unmasked steps).
    /// </summary>
    /// <param name="x">Input [batch, spatial, channels].</param>
    /// <param name="mask">Empty, or [batch, spatial] with 1 for a real step and 0 for a masked one.</param>
    /// <param name="y">Output [batch, channels].</param>
    /// <param name="batch">Samples.</param>
    /// <param name="spatial">Steps per sample.</param>
    /// <param name="channels">Channels per step.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void GlobalAverageForwardMasked<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> mask, Span<T> y, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (mask.IsEmpty)
        {
            GlobalAverageForward(x, y, batch, spatial, channels);
            return;
        }
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        KernelGuard.SameLength(batch * spatial, mask.Length, "Mask", nameof(mask));
        for (int b = 0; b < batch; b++)
        {
            int sample = b * spatial * channels;
            Span<T> sum = y.Slice(b * channels, channels);
            sum.Clear();
            int count = 0;
            for (int s = 0; s < spatial; s++)
            {
                if (mask[b * spatial + s] == T.Zero)
                    continue;
                TensorPrimitives.Add(sum, x.Slice(sample + s * channels, channels), sum);
                count++;
            }
            if (count > 0)
                TensorPrimitives.Divide(sum, T.CreateTruncating(count), sum);
        }
    }

    /// <summary>
    /// GlobalAveragePooling1D backward with a mask: <c>dx[b, s, c] = mask[b, s]·dy[b, c] / Σ_s mask[b, s]</c>
    /// (overwrites <paramref name="dx"/>; masked steps and all-masked samples get 0).
    /// </summary>
    /// <param name="dy">Output gradient [batch, channels].</param>
    /// <param name="mask">The mask of the forward pass, or empty.</param>
    /// <param name="dx">Input gradient [batch, spatial, channels].</param>
    /// <param name="batch">Samples.</param>
    /// <param name="spatial">Steps per sample.</param>
    /// <param name="channels">Channels per step.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void GlobalAverageBackwardMasked<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> mask, Span<T> dx, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (mask.IsEmpty)
        {
            GlobalAverageBackward(dy, dx, batch, spatial, channels);
            return;
        }
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        KernelGuard.SameLength(batch * spatial, mask.Length, "Mask", nameof(mask));
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> rowMask = mask.Slice(b * spatial, spatial);
            int count = 0;
            foreach (T m in rowMask)
            {
                if (m != T.Zero)
                    count++;
            }
            ReadOnlySpan<T> grad = dy.Slice(b * channels, channels);
            T scale = count > 0 ? T.One / T.CreateTruncating(count) : T.Zero;
            for (int s = 0; s < spatial; s++)
            {
                Span<T> cell = dx.Slice((b * spatial + s) * channels, channels);
                if (rowMask[s] == T.Zero)
                    cell.Clear();
                else
                    TensorPrimitives.Multiply(grad, scale, cell);
            }
        }
    }

    /// <summary>
    /// GlobalMaxPooling1D forward with a mask: <c>y[b, c] = max over unmasked s of x[b, s, c]</c>, 0 when every step of
    /// the sample is masked. Ties go to the first step; a NaN wins so that it propagates. When
    /// <paramref name="argmax"/> is not empty it receives the flat input index of each maximum, or −1 for an all-masked
    /// sample (no input gradient).
    /// </summary>
    /// <param name="x">Input [batch, spatial, channels].</param>
    /// <param name="mask">Empty, or [batch, spatial] with 1 for a real step and 0 for a masked one.</param>
    /// <param name="y">Output [batch, channels].</param>
    /// <param name="argmax">Empty (inference), or [batch, channels] for the backward pass.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="spatial">Steps per sample.</param>
    /// <param name="channels">Channels per step.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void GlobalMaxForwardMasked<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> mask, Span<T> y, Span<int> argmax, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (mask.IsEmpty)
        {
            if (argmax.IsEmpty)
                GlobalMaxForward(x, y, batch, spatial, channels);
            else
                GlobalMaxForward(x, y, argmax, batch, spatial, channels);
            return;
        }
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, x.Length, y.Length, "Input", nameof(x), "Output", nameof(y));
        KernelGuard.SameLength(batch * spatial, mask.Length, "Mask", nameof(mask));
        KernelGuard.SameLengthOrEmpty(y.Length, argmax.Length, "Arg-max", nameof(argmax));
        for (int b = 0; b < batch; b++)
        {
            for (int c = 0; c < channels; c++)
            {
                int best = -1;
                T value = T.Zero;
                for (int s = 0; s < spatial; s++)
                {
                    if (mask[b * spatial + s] == T.Zero)
                        continue;
                    int at = (b * spatial + s) * channels + c;
                    T v = x[at];
                    if (best < 0 || v > value || (T.IsNaN(v) && !T.IsNaN(value)))
                    {
                        best = at;
                        value = v;
                    }
                }
                y[b * channels + c] = value;
                if (!argmax.IsEmpty)
                    argmax[b * channels + c] = best;
            }
        }
    }

    /// <summary>
    /// GlobalMaxPooling1D backward with a mask: <paramref name="dx"/> is overwritten with zeros and <c>dy[b, c]</c> goes
    /// to the position recorded by <see cref="GlobalMaxForwardMasked{T}"/>; an index of −1 (an all-masked sample) sends
    /// nothing.
    /// </summary>
    /// <param name="dy">Output gradient [batch, channels].</param>
    /// <param name="argmax">The indices written by the forward pass, [batch, channels].</param>
    /// <param name="dx">Input gradient [batch, spatial, channels].</param>
    /// <param name="batch">Samples.</param>
    /// <param name="spatial">Steps per sample.</param>
    /// <param name="channels">Channels per step.</param>
    /// <exception cref="ArgumentException">A length does not match, or an index is outside the input.</exception>
    public static void GlobalMaxBackwardMasked<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int batch, int spatial, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckGlobal(batch, spatial, channels, dx.Length, dy.Length, "Input gradient", nameof(dx), "Output gradient", nameof(dy));
        KernelGuard.SameLength(dy.Length, argmax.Length, "Arg-max", nameof(argmax));
        dx.Clear();
        for (int i = 0; i < dy.Length; i++)
        {
            int target = argmax[i];
            if (target == -1)
                continue;
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
