using System;
using System.Numerics.Tensors;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// The kernels generated echo state networks call (<c>[Reservoir]</c> + <c>[Readout]</c>): the leaky state update, the
/// linear readout, and the checks of a series' length, each with the sizes as arguments the generated code writes as
/// literals. Nothing here allocates.
/// </summary>
public static class Reservoir
{
    /// <summary>
    /// One step of the leaky reservoir (ReservoirPy's internal equation):
    /// <c>x ← (1 − leakRate)·x + leakRate·f(W·x + Win·u + bias)</c>. <paramref name="scratch"/> (Units values) is working
    /// memory, its contents afterwards unspecified (the new state, or the activated pre-state in row order or in W's
    /// internal slice order); <paramref name="state"/> is updated in place. A reservoir large enough shares the step with the GEMM worker
    /// thread (<see cref="Gemm.MaxThreads"/>); the result does not depend on it.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not fit the matrices, or the activation is not element-wise.</exception>
    public static void Update(ReservoirMatrix w, ReservoirMatrix win, ReadOnlySpan<float> bias, ReadOnlySpan<float> input,
        Span<float> state, Span<float> scratch, float leakRate, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(win);
        int units = w.Rows;
        if (w.Columns != units || win.Rows != units)
            throw new ArgumentException(Invariant($"W is {w.Rows}×{w.Columns} and Win {win.Rows}×{win.Columns}; W must be square and Win must have its {units} rows."), nameof(win));
        Check(bias.Length, units, "bias", nameof(bias));
        Check(input.Length, win.Columns, "input", nameof(input));
        Check(state.Length, units, "state", nameof(state));
        Check(scratch.Length, units, "scratch", nameof(scratch));
        if (scratch.Overlaps(state) || scratch.Overlaps(input) || scratch.Overlaps(bias))
            throw new ArgumentException("scratch overlaps the state, the input or the bias.", nameof(scratch));
        UpdateUnchecked(w, win, bias, input, state, scratch, leakRate, activation);
    }

    /// <summary><see cref="Update"/> without the checks.</summary>
    internal static void UpdateUnchecked(ReservoirMatrix w, ReservoirMatrix win, ReadOnlySpan<float> bias, ReadOnlySpan<float> input,
        Span<float> state, Span<float> scratch, float leakRate, Activation activation)
    {
        if (Fused && w.StepWith(win) is { } step)
        {
            CheckActivation(activation);
            step.Update(bias, input, state, scratch, leakRate, activation, share: true);
            return;
        }
        UpdateSeparately(w, win, bias, input, state, scratch, leakRate, activation);
    }

    /// <summary>Whether <see cref="Update"/> runs the fused step (<see cref="ReservoirStep"/>); tests compare it with the separate products.</summary>
    internal static bool Fused { get; set; } = true;

    /// <summary>The step as two products, an activation pass and the leak: the reference the fused step equals bit for bit.</summary>
    internal static void UpdateSeparately(ReservoirMatrix w, ReservoirMatrix win, ReadOnlySpan<float> bias, ReadOnlySpan<float> input,
        Span<float> state, Span<float> scratch, float leakRate, Activation activation)
    {
        // scratch = Win·u + b, then += W·x (each row in column order), then f(scratch).
        win.MultiplyUnchecked(input, bias, scratch);
        w.MultiplyUnchecked(state, scratch, scratch);
        Activate(scratch, activation);
        // x = (1 − lr)·x + lr·f(...): the leak as ReservoirPy writes it (lr = 1 leaves f(...) exactly).
        if (leakRate == 1f)
        {
            scratch.CopyTo(state);
        }
        else
        {
            TensorPrimitives.Multiply(scratch, leakRate, scratch);
            TensorPrimitives.MultiplyAdd(state, 1f - leakRate, scratch, state);
        }
    }

    /// <summary>
    /// The readout <c>y = Wout·x + b</c>: <paramref name="weights"/> is [outputs × units] row-major (each output's weights
    /// contiguous), <paramref name="bias"/> [outputs].
    /// </summary>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    public static void Readout(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> state, Span<float> output)
    {
        Check(weights.Length, output.Length * state.Length, "weights", nameof(weights));
        Check(bias.Length, output.Length, "bias", nameof(bias));
        int units = state.Length;
        for (int o = 0; o < output.Length; o++)
            output[o] = bias[o] + TensorPrimitives.Dot(weights.Slice(o * units, units), state);
    }

    /// <summary>
    /// The number of steps in a series of <paramref name="length"/> values of <paramref name="width"/> each; throws
    /// naming what was expected when the length is not a whole number of steps.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="width"/>.</exception>
    public static int Steps(int length, int width, string what, string paramName)
    {
        if (width <= 0 || length % width != 0)
            throw new ArgumentException(Invariant($"{what} has {length} values, which is not a whole number of steps of {width} values each."), paramName);
        return length / width;
    }

    /// <summary>Throws naming the expected and actual lengths unless they are equal.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Check(int actual, int expected, string what, string paramName)
    {
        if (actual != expected)
            throw new ArgumentException(Invariant($"{what} has {actual} values, expected {expected}."), paramName);
    }

    private static void CheckActivation(Activation activation)
    {
        if (activation is not (Activation.Tanh or Activation.Linear or Activation.Sigmoid or Activation.ReLU or Activation.LeakyReLU
            or Activation.ELU or Activation.SELU or Activation.GELU or Activation.Swish or Activation.Softplus))
            throw new ArgumentException(Invariant($"The reservoir activation must act element-wise; {activation} does not."), nameof(activation));
    }

    /// <summary>Applies an element-wise activation in place.</summary>
    internal static void Activate(Span<float> values, Activation activation)
    {
        switch (activation)
        {
            case Activation.Tanh: Activations.Tanh<float>(values, values); break;
            case Activation.Linear: break;
            case Activation.Sigmoid: Activations.Sigmoid<float>(values, values); break;
            case Activation.ReLU: Activations.Relu<float>(values, values); break;
            case Activation.LeakyReLU: Activations.LeakyRelu<float>(values, values); break;
            case Activation.ELU: Activations.Elu<float>(values, values); break;
            case Activation.SELU: Activations.Selu<float>(values, values); break;
            case Activation.GELU: Activations.Gelu<float>(values, values); break;
            case Activation.Swish: Activations.Swish<float>(values, values); break;
            case Activation.Softplus: Activations.Softplus<float>(values, values); break;
            default: throw new ArgumentException(Invariant($"The reservoir activation must act element-wise; {activation} does not."), nameof(activation));
        }
    }
}
