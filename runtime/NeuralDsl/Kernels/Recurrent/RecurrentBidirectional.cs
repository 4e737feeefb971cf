using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

public static partial class Recurrent
{
    /// <summary>
    /// Keras <c>Bidirectional</c>: merges the forward and backward outputs, row by row (a row is one sample, or one
    /// step of a returned sequence, already in input order): side by side (<see cref="MergeMode.Concat"/>), or
    /// elementwise sum, mean or product.
    /// </summary>
    /// <param name="forward">[rows, units] the forward layer's output.</param>
    /// <param name="backward">[rows, units] the backward layer's output.</param>
    /// <param name="y">[rows, 2·units] for concat, else [rows, units].</param>
    /// <param name="units">Output width of one direction.</param>
    /// <param name="mode">The merge.</param>
    /// <exception cref="ArgumentException">The lengths do not fit.</exception>
    public static void Merge<T>(ReadOnlySpan<T> forward, ReadOnlySpan<T> backward, Span<T> y, int units, MergeMode mode)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckMerge(forward.Length, backward.Length, y.Length, units, mode);
        switch (mode)
        {
            case MergeMode.Concat:
                for (int r = 0, rows = forward.Length / units; r < rows; r++)
                {
                    forward.Slice(r * units, units).CopyTo(y.Slice(2 * r * units, units));
                    backward.Slice(r * units, units).CopyTo(y.Slice((2 * r + 1) * units, units));
                }
                break;
            case MergeMode.Sum:
                TensorPrimitives.Add(forward, backward, y);
                break;
            case MergeMode.Average:
                TensorPrimitives.Add(forward, backward, y);
                TensorPrimitives.Multiply(y, T.CreateTruncating(0.5), y);
                break;
            default:
                TensorPrimitives.Multiply(forward, backward, y);
                break;
        }
    }

    /// <summary>
    /// The gradient of <see cref="Merge"/>: <paramref name="dy"/> split into the two directions' output gradients
    /// (concat), given to both (sum), halved (average), or times the other direction's output (product).
    /// </summary>
    /// <param name="dy">[rows, 2·units] for concat, else [rows, units].</param>
    /// <param name="forward">[rows, units] the forward output (read by the product only).</param>
    /// <param name="backward">[rows, units] the backward output (read by the product only).</param>
    /// <param name="dForward">[rows, units] written.</param>
    /// <param name="dBackward">[rows, units] written.</param>
    /// <param name="units">Output width of one direction.</param>
    /// <param name="mode">The merge of the forward pass.</param>
    /// <exception cref="ArgumentException">The lengths do not fit.</exception>
    public static void MergeBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> forward, ReadOnlySpan<T> backward, Span<T> dForward, Span<T> dBackward,
        int units, MergeMode mode)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckMerge(forward.Length, backward.Length, dy.Length, units, mode);
        KernelGuard.SameLength(forward.Length, dForward.Length, "Forward gradient", nameof(dForward));
        KernelGuard.SameLength(forward.Length, dBackward.Length, "Backward gradient", nameof(dBackward));
        switch (mode)
        {
            case MergeMode.Concat:
                for (int r = 0, rows = forward.Length / units; r < rows; r++)
                {
                    dy.Slice(2 * r * units, units).CopyTo(dForward.Slice(r * units, units));
                    dy.Slice((2 * r + 1) * units, units).CopyTo(dBackward.Slice(r * units, units));
                }
                break;
            case MergeMode.Sum:
                dy.CopyTo(dForward);
                dy.CopyTo(dBackward);
                break;
            case MergeMode.Average:
                TensorPrimitives.Multiply(dy, T.CreateTruncating(0.5), dForward);
                dForward.CopyTo(dBackward);
                break;
            default:
                TensorPrimitives.Multiply(dy, backward, dForward);
                TensorPrimitives.Multiply(dy, forward, dBackward);
                break;
        }
    }

    /// <summary>
    /// Zeroes the masked steps of a batch-major sequence (Keras <c>zero_output_for_mask</c>, which
    /// <c>Bidirectional</c> turns on for returned sequences): <c>sequence[b, s, :] = 0</c> where <c>mask[b, s] == 0</c>.
    /// </summary>
    /// <param name="mask">[batch, steps] Keras mask.</param>
    /// <param name="sequence">[batch, steps, features].</param>
    /// <param name="steps">Steps per sample.</param>
    /// <exception cref="ArgumentException">The lengths do not describe the same batch.</exception>
    public static void ClearMaskedSteps<T>(ReadOnlySpan<T> mask, Span<T> sequence, int steps)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int batch = CheckMask(mask.Length, steps, 0);
        int features = CheckRows(sequence.Length, batch * steps, nameof(sequence));
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] == T.Zero)
                sequence.Slice(i * features, features).Clear();
        }
    }

    private static void CheckMerge(int forward, int backward, int merged, int units, MergeMode mode)
    {
        if (mode is < MergeMode.Concat or > MergeMode.Multiply)
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown merge mode.");
        KernelGuard.Positive(units, nameof(units));
        KernelGuard.WholeRows(forward, units, "Forward output", nameof(forward));
        KernelGuard.SameLength(forward, backward, "Backward output", nameof(backward));
        KernelGuard.SameLength(mode == MergeMode.Concat ? 2 * forward : forward, merged, "Merged output", "y");
    }
}
