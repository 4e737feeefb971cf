using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The elementwise halves of the recurrent cells (SimpleRNN, LSTM, GRU) with Keras semantics, one time step per
/// call, and the layout changes around them. Generated code owns the time loop and the matrix products:
/// <list type="bullet">
/// <item>the input is turned time-major once (<see cref="ToTimeMajor"/>): [batch, steps, features] becomes
/// [steps, batch, features], in processing order, so one step of every buffer is a contiguous [batch, ·] block;</item>
/// <item>the whole sequence's input projection <c>x · kernel + bias</c> is one GEMM before the loop, into the gate
/// buffer [steps, batch, G·units] (gate blocks side by side, Keras order);</item>
/// <item>each step adds <c>h_{t−1} · recurrent_kernel</c> for all gates with one GEMM and then calls the cell's
/// forward kernel here, which activates the gates in place and writes the new state;</item>
/// <item>backward walks the steps in reverse: the cell's backward kernel here turns the state gradient into the
/// pre-activation gradient dZ_t (kept for every step), and one GEMM <c>dZ_t · recurrent_kernelᵀ</c> carries the
/// gradient to <c>h_{t−1}</c>; after the loop the parameter and input gradients are one GEMM each over all steps.</item>
/// </list>
/// Activations: the gate math needs each activation's derivative from its output, so a recurrent layer takes
/// <see cref="Activation.Linear"/>, <see cref="Activation.ReLU"/>, <see cref="Activation.Sigmoid"/> or
/// <see cref="Activation.Tanh"/> (<see cref="IsSupported"/>).
/// </summary>
public static partial class Recurrent
{
    /// <summary>True for the activations a recurrent cell can use (their derivative follows from their output).</summary>
    public static bool IsSupported(Activation activation) =>
        activation is Activation.Linear or Activation.ReLU or Activation.Sigmoid or Activation.Tanh;

    /// <summary>
    /// <c>xs[t, b, :] = x[b, s, :]</c> with <c>s = t</c>, or <c>s = steps − 1 − t</c> when <paramref name="reverse"/>
    /// (Keras <c>go_backwards</c>): a batch-major sequence becomes time-major in processing order.
    /// </summary>
    /// <param name="x">[batch, steps, features].</param>
    /// <param name="xs">[steps, batch, features]; must not overlap <paramref name="x"/>.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="features">Elements per step.</param>
    /// <param name="reverse">Read the steps from the last to the first.</param>
    /// <exception cref="ArgumentException">The lengths differ or are not whole [steps, features] samples.</exception>
    public static void ToTimeMajor<T>(ReadOnlySpan<T> x, Span<T> xs, int steps, int features, bool reverse = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int batch = CheckLayout(x.Length, xs.Length, steps, features, nameof(xs));
        if (batch == 1 && !reverse)
        {
            // One sample in order is already time-major: one copy instead of one per step.
            x.CopyTo(xs);
            return;
        }
        for (int t = 0; t < steps; t++)
        {
            int s = reverse ? steps - 1 - t : t;
            for (int b = 0; b < batch; b++)
                x.Slice((b * steps + s) * features, features).CopyTo(xs.Slice((t * batch + b) * features, features));
        }
    }

    /// <summary>
    /// The inverse of <see cref="ToTimeMajor"/>: <c>y[b, s, :] = ys[t, b, :]</c> with <c>s = t</c>, or
    /// <c>s = steps − 1 − t</c> when <paramref name="reverse"/>.
    /// </summary>
    /// <param name="ys">[steps, batch, features].</param>
    /// <param name="y">[batch, steps, features]; must not overlap <paramref name="ys"/>.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="features">Elements per step.</param>
    /// <param name="reverse">Write the steps from the last to the first.</param>
    /// <exception cref="ArgumentException">The lengths differ or are not whole [steps, features] samples.</exception>
    public static void FromTimeMajor<T>(ReadOnlySpan<T> ys, Span<T> y, int steps, int features, bool reverse = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int batch = CheckLayout(y.Length, ys.Length, steps, features, nameof(ys));
        if (batch == 1 && !reverse)
        {
            ys.CopyTo(y);
            return;
        }
        for (int t = 0; t < steps; t++)
        {
            int s = reverse ? steps - 1 - t : t;
            for (int b = 0; b < batch; b++)
                ys.Slice((t * batch + b) * features, features).CopyTo(y.Slice((b * steps + s) * features, features));
        }
    }

    /// <summary>
    /// One step's recurrent product for all gates, <c>gates[B×width] += hPrev[B×units] · recurrentKernel[units×width]</c>:
    /// the same bits as <see cref="Gemm.Multiply{T}"/> with <c>accumulate</c>. At batch 1 the row kernel reads the
    /// recurrent kernel in column passes, and on odd steps it runs them from the last to the first: a kernel larger
    /// than L1 (LSTM(50): 40 KB) is then read starting where the previous step ended, from L1, instead of all of it
    /// from L2 at every step. Each element's sum is the same either way.
    /// </summary>
    /// <param name="hPrev">[batch, units] the previous state.</param>
    /// <param name="recurrentKernel">[units, width] row-major.</param>
    /// <param name="gates">[batch, width], added to; must not overlap the inputs.</param>
    /// <param name="batch">Rows of the state.</param>
    /// <param name="units">State size.</param>
    /// <param name="width">Gate columns (gates × units).</param>
    /// <param name="step">The time step; only its parity matters.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, or the gates overlap an input.</exception>
    public static unsafe void AddRecurrentProduct<T>(ReadOnlySpan<T> hPrev, ReadOnlySpan<T> recurrentKernel, Span<T> gates, int batch,
        int units, int width, int step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (batch != 1)
        {
            Gemm.Multiply(hPrev, recurrentKernel, gates, batch, units, width, accumulate: true);
            return;
        }
        KernelGuard.EnsureSupported<T>();
        KernelGuard.Positive(units, nameof(units));
        KernelGuard.Positive(width, nameof(width));
        KernelGuard.SameLength(units, hPrev.Length, "Previous state [1, units]", nameof(hPrev));
        KernelGuard.SameLength(units * width, recurrentKernel.Length, "Recurrent kernel [units, width]", nameof(recurrentKernel));
        KernelGuard.SameLength(width, gates.Length, "Gate block [1, width]", nameof(gates));
        if (gates.Overlaps(hPrev) || gates.Overlaps(recurrentKernel))
            throw new ArgumentException("The gates overlap an input; the product cannot be computed in place.", nameof(gates));
        fixed (T* a = hPrev)
        fixed (T* b = recurrentKernel)
        fixed (T* c = gates)
        {
            Gemm.MultiplyRowUnchecked(a, b, c, units, width, accumulate: true, backward: (step & 1) != 0);
        }
    }

    /// <summary>
    /// Copies the column block <c>[start, start + width)</c> of a row-major [rows, columns] matrix into a packed
    /// [rows, width] one (the GRU's candidate block of the recurrent kernel, when the reset gate comes first).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes do not describe such a block.</exception>
    public static void CopyColumns<T>(ReadOnlySpan<T> matrix, Span<T> block, int columns, int start, int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int rows = CheckColumnBlock(matrix.Length, block.Length, columns, start, width);
        for (int r = 0; r < rows; r++)
            matrix.Slice(r * columns + start, width).CopyTo(block.Slice(r * width, width));
    }

    /// <summary>Adds a packed [rows, width] block to the column block <c>[start, start + width)</c> of a [rows, columns] matrix.</summary>
    /// <exception cref="ArgumentException">The sizes do not describe such a block.</exception>
    public static void AddColumns<T>(ReadOnlySpan<T> block, Span<T> matrix, int columns, int start, int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int rows = CheckColumnBlock(matrix.Length, block.Length, columns, start, width);
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = matrix.Slice(r * columns + start, width);
            ReadOnlySpan<T> add = block.Slice(r * width, width);
            for (int j = 0; j < width; j++)
                row[j] += add[j];
        }
    }

    /// <summary>
    /// Draws one Keras 3 recurrent dropout mask, used at every step of a sequence: <c>mask[i] = 0</c> with probability
    /// <paramref name="rate"/>, else <c>1 / (1 − rate)</c> (each 64-bit draw decides two elements, as
    /// <see cref="Dropout.Forward"/> does). A zero rate fills ones and draws nothing.
    /// </summary>
    /// <param name="mask">[batch, features] the mask.</param>
    /// <param name="rate">Drop probability in [0, 1).</param>
    /// <param name="rng">Advanced by the draw.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void DrawMask<T>(Span<T> mask, double rate, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        if (rate == 0)
        {
            mask.Fill(T.One);
            return;
        }
        T keep = T.CreateTruncating(1.0 / (1.0 - rate));
        ulong threshold = (ulong)Math.Round(rate * 4294967296.0);
        int i = 0;
        for (; i + 1 < mask.Length; i += 2)
        {
            ulong bits = rng.NextUInt64();
            mask[i] = (bits & 0xFFFF_FFFFUL) < threshold ? T.Zero : keep;
            mask[i + 1] = (bits >> 32) < threshold ? T.Zero : keep;
        }
        if (i < mask.Length)
            mask[i] = (rng.NextUInt64() & 0xFFFF_FFFFUL) < threshold ? T.Zero : keep;
    }

    /// <summary>
    /// Multiplies every step of a time-major buffer by the same mask: <c>xs[t, b, :] ⊙= mask[b, :]</c> (a dropout
    /// mask kept for the whole sequence, forward on the input and backward on its gradient).
    /// </summary>
    /// <param name="xs">[steps, batch, features].</param>
    /// <param name="mask">[batch, features].</param>
    /// <exception cref="ArgumentException"><paramref name="xs"/> is not a whole number of mask-sized steps.</exception>
    public static void MultiplySteps<T>(Span<T> xs, ReadOnlySpan<T> mask)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.WholeRows(xs.Length, mask.Length, "Time-major sequence", nameof(xs));
        for (int offset = 0; offset < xs.Length; offset += mask.Length)
        {
            Span<T> step = xs.Slice(offset, mask.Length);
            System.Numerics.Tensors.TensorPrimitives.Multiply(step, mask, step);
        }
    }

    /// <summary>Applies <paramref name="activation"/> in place (vectorized through <see cref="Activations"/>).</summary>
    private static void Activate<T>(Activation activation, Span<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                Activations.Sigmoid<T>(values, values);
                break;
            case Activation.Tanh:
                Activations.Tanh<T>(values, values);
                break;
            case Activation.ReLU:
                Activations.Relu<T>(values, values);
                break;
        }
    }

    /// <summary>The derivative of <paramref name="activation"/> at the point whose output is <paramref name="a"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Derivative<T>(Activation activation, T a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => activation switch
        {
            Activation.Sigmoid => a * (T.One - a),
            Activation.Tanh => T.One - a * a,
            Activation.ReLU => a > T.Zero ? T.One : T.Zero,
            _ => T.One,
        };

    /// <summary><see cref="Derivative{T}"/> on one register, with the same expressions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Derivative256<T>(Activation activation, Vector256<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => activation switch
        {
            Activation.Sigmoid => a * (Vector256<T>.One - a),
            Activation.Tanh => Vector256<T>.One - a * a,
            Activation.ReLU => Vector256.ConditionalSelect(
                Vector256.GreaterThan(a, Vector256<T>.Zero),
                Vector256<T>.One, Vector256<T>.Zero),
            _ => Vector256<T>.One,
        };

    private static void CheckActivations(Activation activation, Activation recurrentActivation)
    {
        if (!IsSupported(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "A recurrent cell supports Linear, ReLU, Sigmoid and Tanh.");
        if (!IsSupported(recurrentActivation))
            throw new ArgumentOutOfRangeException(nameof(recurrentActivation), recurrentActivation,
                "A recurrent cell supports Linear, ReLU, Sigmoid and Tanh.");
    }

    /// <summary>Checks one step's gate block [batch, gates·units] and returns the batch.</summary>
    private static int CheckGates(int length, int gates, int units, string paramName)
    {
        KernelGuard.Positive(units, nameof(units));
        KernelGuard.WholeRows(length, gates * units, "Gate block", paramName);
        return length / (gates * units);
    }

    private static int CheckLayout(int batchMajor, int timeMajor, int steps, int features, string paramName)
    {
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(features, nameof(features));
        KernelGuard.WholeRows(batchMajor, steps * features, "Sequence", paramName);
        KernelGuard.SameLength(batchMajor, timeMajor, "Time-major sequence", paramName);
        return batchMajor / (steps * features);
    }

    private static int CheckColumnBlock(int matrixLength, int blockLength, int columns, int start, int width)
    {
        KernelGuard.Positive(width, nameof(width));
        KernelGuard.NotNegative(start, nameof(start));
        if (start + width > columns)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Columns [{start}, {start + width}) do not fit a matrix of {columns} columns.");
        KernelGuard.WholeRows(matrixLength, columns, "Matrix", "matrix");
        int rows = matrixLength / columns;
        KernelGuard.SameLength(rows * width, blockLength, "Column block", "block");
        return rows;
    }
}
