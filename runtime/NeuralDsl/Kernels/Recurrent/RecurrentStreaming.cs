using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

public static partial class Recurrent
{
    /// <summary>
    /// One sample's affine projection for streaming inference (batch of one, no GEMM packing):
    /// <c>y = bias + x · kernel + h · recurrentKernel</c>, with <c>kernel</c> [x.Length, y.Length] and
    /// <c>recurrentKernel</c> [h.Length, y.Length] row-major (Keras layouts). Vectorized across the outputs: each block
    /// of up to four SIMD registers of <c>y</c> stays in registers while the rows are summed into it.
    /// </summary>
    /// <param name="bias">[n] or empty (zero).</param>
    /// <param name="x">[k] the step input, or empty with an empty <paramref name="kernel"/>.</param>
    /// <param name="kernel">[k, n].</param>
    /// <param name="h">[u] the previous state, or empty with an empty <paramref name="recurrentKernel"/>.</param>
    /// <param name="recurrentKernel">[u, n].</param>
    /// <param name="y">[n] the result; must not overlap the inputs.</param>
    /// <exception cref="ArgumentException">A matrix is not [its vector's length, n] or the bias is not [n].</exception>
    public static void StepProject<T>(ReadOnlySpan<T> bias, ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> h,
        ReadOnlySpan<T> recurrentKernel, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        int n = y.Length;
        KernelGuard.SameLengthOrEmpty(n, bias.Length, "Bias", nameof(bias));
        KernelGuard.SameLength(x.Length * n, kernel.Length, "Kernel", nameof(kernel));
        KernelGuard.SameLength(h.Length * n, recurrentKernel.Length, "Recurrent kernel", nameof(recurrentKernel));
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T br = ref MemoryMarshal.GetReference(bias);
        bool hasBias = !bias.IsEmpty;
        int v = Vector<T>.Count;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j + 4 * v <= n; j += 4 * v)
            {
                Vector<T> a0 = hasBias ? Vector.LoadUnsafe(ref br, (nuint)j) : Vector<T>.Zero;
                Vector<T> a1 = hasBias ? Vector.LoadUnsafe(ref br, (nuint)(j + v)) : Vector<T>.Zero;
                Vector<T> a2 = hasBias ? Vector.LoadUnsafe(ref br, (nuint)(j + 2 * v)) : Vector<T>.Zero;
                Vector<T> a3 = hasBias ? Vector.LoadUnsafe(ref br, (nuint)(j + 3 * v)) : Vector<T>.Zero;
                AddRows4(x, kernel, n, j, ref a0, ref a1, ref a2, ref a3);
                AddRows4(h, recurrentKernel, n, j, ref a0, ref a1, ref a2, ref a3);
                a0.StoreUnsafe(ref yr, (nuint)j);
                a1.StoreUnsafe(ref yr, (nuint)(j + v));
                a2.StoreUnsafe(ref yr, (nuint)(j + 2 * v));
                a3.StoreUnsafe(ref yr, (nuint)(j + 3 * v));
            }
            for (; j + v <= n; j += v)
            {
                Vector<T> a = hasBias ? Vector.LoadUnsafe(ref br, (nuint)j) : Vector<T>.Zero;
                AddRows1(x, kernel, n, j, ref a);
                AddRows1(h, recurrentKernel, n, j, ref a);
                a.StoreUnsafe(ref yr, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            T sum = hasBias ? bias[j] : T.Zero;
            for (int i = 0; i < x.Length; i++)
                sum += x[i] * kernel[i * n + j];
            for (int i = 0; i < h.Length; i++)
                sum += h[i] * recurrentKernel[i * n + j];
            y[j] = sum;
        }
    }

    /// <summary>Adds <c>Σ_i v[i] · m[i, j .. j + 4·V)</c> to four accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRows4<T>(ReadOnlySpan<T> vector, ReadOnlySpan<T> matrix, int n, int j,
        ref Vector<T> a0, ref Vector<T> a1, ref Vector<T> a2, ref Vector<T> a3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int v = Vector<T>.Count;
        ref T mr = ref MemoryMarshal.GetReference(matrix);
        for (int i = 0; i < vector.Length; i++)
        {
            var s = new Vector<T>(vector[i]);
            nuint row = (nuint)(i * n + j);
            a0 += s * Vector.LoadUnsafe(ref mr, row);
            a1 += s * Vector.LoadUnsafe(ref mr, row + (nuint)v);
            a2 += s * Vector.LoadUnsafe(ref mr, row + (nuint)(2 * v));
            a3 += s * Vector.LoadUnsafe(ref mr, row + (nuint)(3 * v));
        }
    }

    /// <summary>Adds <c>Σ_i v[i] · m[i, j .. j + V)</c> to one accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRows1<T>(ReadOnlySpan<T> vector, ReadOnlySpan<T> matrix, int n, int j, ref Vector<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T mr = ref MemoryMarshal.GetReference(matrix);
        for (int i = 0; i < vector.Length; i++)
            a += new Vector<T>(vector[i]) * Vector.LoadUnsafe(ref mr, (nuint)(i * n + j));
    }

    /// <summary>
    /// One LSTM step of one sample, in place (streaming inference): activates the gate pre-activations
    /// <paramref name="gates"/> [4·units] (Keras order i, f, c, o), then <c>c = f ⊙ c + i ⊙ g</c> and
    /// <c>h = o ⊙ act(c)</c> overwrite the state. The same arithmetic as <see cref="LstmForward"/> at batch one.
    /// </summary>
    /// <param name="gates">[4·units] pre-activations in, activated gates out.</param>
    /// <param name="c">[units] the cell state, updated.</param>
    /// <param name="h">[units] the output state, overwritten (the caller has read h_{t−1} into the gates already).</param>
    /// <param name="activation">Keras <c>activation</c>.</param>
    /// <param name="recurrentActivation">Keras <c>recurrent_activation</c>.</param>
    /// <exception cref="ArgumentException">The lengths are not [4·units], [units], [units].</exception>
    public static void LstmStep<T>(Span<T> gates, Span<T> c, Span<T> h, Activation activation, Activation recurrentActivation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckActivations(activation, recurrentActivation);
        int units = c.Length;
        KernelGuard.SameLength(4 * units, gates.Length, "Gate block", nameof(gates));
        KernelGuard.SameLength(units, h.Length, "State", nameof(h));
        if (Vector256.IsHardwareAccelerated && units % Vector256<T>.Count == 0)
        {
            // One pass over the units, a register of each gate at a time: no activation call per gate block.
            ref T gr = ref MemoryMarshal.GetReference(gates);
            ref T cr = ref MemoryMarshal.GetReference(c);
            ref T hr = ref MemoryMarshal.GetReference(h);
            for (int j = 0; j < units; j += Vector256<T>.Count)
            {
                Vector256<T> iv = Activate256(recurrentActivation, Vector256.LoadUnsafe(ref gr, (nuint)j));
                Vector256<T> fv = Activate256(recurrentActivation, Vector256.LoadUnsafe(ref gr, (nuint)(units + j)));
                Vector256<T> gv = Activate256(activation, Vector256.LoadUnsafe(ref gr, (nuint)(2 * units + j)));
                Vector256<T> ov = Activate256(recurrentActivation, Vector256.LoadUnsafe(ref gr, (nuint)(3 * units + j)));
                Vector256<T> cv = fv * Vector256.LoadUnsafe(ref cr, (nuint)j) + iv * gv;
                cv.StoreUnsafe(ref cr, (nuint)j);
                (ov * Activate256(activation, cv)).StoreUnsafe(ref hr, (nuint)j);
            }
            return;
        }
        Activate(recurrentActivation, gates.Slice(0, 2 * units));
        Activate(activation, gates.Slice(2 * units, units));
        Activate(recurrentActivation, gates.Slice(3 * units, units));
        ReadOnlySpan<T> i = gates.Slice(0, units), f = gates.Slice(units, units), g = gates.Slice(2 * units, units), o = gates.Slice(3 * units, units);
        for (int j = 0; j < units; j++)
            c[j] = f[j] * c[j] + i[j] * g[j];
        c.CopyTo(h);
        Activate(activation, h);
        for (int j = 0; j < units; j++)
            h[j] = o[j] * h[j];
    }

    /// <summary>One register of <paramref name="activation"/> (Linear, ReLU, Sigmoid or Tanh; the operators of <see cref="Activations"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Activate256<T>(Activation activation, Vector256<T> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => activation switch
        {
            Activation.Sigmoid => SigmoidOperator<T>.Invoke(x),
            Activation.Tanh => TanhOperator<T>.Invoke(x),
            Activation.ReLU => Vector256.Max(x, Vector256<T>.Zero),
            _ => x,
        };

    /// <summary>One element of <paramref name="activation"/>, with the scalar forms of the same operators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Activate1<T>(Activation activation, T x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => activation switch
        {
            Activation.Sigmoid => SigmoidOperator<T>.Invoke(x),
            Activation.Tanh => TanhOperator<T>.Invoke(x),
            Activation.ReLU => T.Max(x, T.Zero),
            _ => x,
        };

    /// <summary>
    /// Checks the length of a streaming call's vector: one time step's input or output, or the streaming state.
    /// </summary>
    /// <param name="actual">The length passed.</param>
    /// <param name="expected">The length the model needs.</param>
    /// <param name="what">What the span holds, for the message.</param>
    /// <param name="paramName">The parameter's name.</param>
    /// <exception cref="ArgumentException">The lengths differ; the message names both.</exception>
    public static void CheckStepLength(int actual, int expected, string what, string paramName)
    {
        if (actual != expected)
            throw new ArgumentException($"{what} must have {expected} elements, but has {actual}.", paramName);
    }
}
