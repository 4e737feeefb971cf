using System;

namespace NeuralDsl;

/// <summary>
/// Marks a <c>partial</c> class as an echo state network (ReservoirPy's <c>Reservoir</c> node, with its defaults): a
/// fixed random recurrent reservoir of leaky units, <c>x ← (1 − lr)·x + lr·f(W·x + Win·u + b)</c>. The class also needs
/// <c>[Input(features)]</c> and <c>[Readout(outputs)]</c>; the generator writes the state update, the closed-form
/// ridge fit of the readout, teacher-forced and generative runs, state access and weight files.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ReservoirAttribute : Attribute
{
    /// <summary>A reservoir of <paramref name="units"/> neurons.</summary>
    public ReservoirAttribute(int units) => Units = units;

    /// <summary>Number of reservoir neurons.</summary>
    public int Units { get; }

    /// <summary>
    /// The spectral radius W is rescaled to (ReservoirPy <c>sr</c>), computed exactly from the eigenvalues of W. Not set
    /// (NaN, the default, ReservoirPy's <c>None</c>): W keeps its standard-normal weights unscaled.
    /// </summary>
    public double SpectralRadius { get; set; } = double.NaN;

    /// <summary>Leak rate <c>lr</c> in (0, 1] (ReservoirPy <c>lr</c>, default 1: no leak).</summary>
    public double LeakRate { get; set; } = 1.0;

    /// <summary>Scale of the ±1 input weights Win (ReservoirPy <c>input_scaling</c>, default 1).</summary>
    public double InputScaling { get; set; } = 1.0;

    /// <summary>Density of W in (0, 1] (ReservoirPy <c>rc_connectivity</c>, default 0.1).</summary>
    public double Connectivity { get; set; } = 0.1;

    /// <summary>Density of Win and of the bias in (0, 1] (ReservoirPy <c>input_connectivity</c>, default 0.1).</summary>
    public double InputConnectivity { get; set; } = 0.1;

    /// <summary>
    /// Scale of the sparse ±1 bias (ReservoirPy <c>bias_scaling</c>, default 1; its density is
    /// <see cref="InputConnectivity"/>). 0 means no bias (ReservoirPy <c>input_bias=False</c>).
    /// </summary>
    public double Bias { get; set; } = 1.0;

    /// <summary>The reservoir activation <c>f</c>, element-wise (ReservoirPy default tanh).</summary>
    public Activation Activation { get; set; } = Activation.Tanh;

    /// <summary>The default seed of the generated constructor: W, Win and the bias are drawn from it.</summary>
    public int Seed { get; set; }
}
