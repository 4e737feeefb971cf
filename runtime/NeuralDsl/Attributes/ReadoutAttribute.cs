using System;

namespace NeuralDsl;

/// <summary>
/// The linear readout of an echo state network (ReservoirPy's <c>Ridge</c> node): <c>y = Wout·x + b</c>, fitted in
/// closed form by ridge (Tikhonov) regression on the reservoir states, the bias learned with the weights.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ReadoutAttribute : Attribute
{
    /// <summary>A readout of <paramref name="outputs"/> values per step.</summary>
    public ReadoutAttribute(int outputs) => Outputs = outputs;

    /// <summary>Values the readout writes per step.</summary>
    public int Outputs { get; }

    /// <summary>The ridge coefficient λ ≥ 0 added to the diagonal of XᵀX, bias row included (ReservoirPy <c>ridge</c>, default 0).</summary>
    public double Ridge { get; set; }

    /// <summary>Steps at the start of each fitted series whose states are discarded (ReservoirPy <c>warmup</c>, default 0).</summary>
    public int Warmup { get; set; }
}
