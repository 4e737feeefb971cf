using System;
using System.Collections.Generic;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>Which recurrent cell a <see cref="TorchRecurrent"/> twin runs.</summary>
internal enum RecurrentCell
{
    /// <summary>Keras <c>LSTM</c> / torch <c>nn.LSTM</c>.</summary>
    Lstm,

    /// <summary>Keras <c>GRU(reset_after=True)</c> / torch <c>nn.GRU</c> (the same cell).</summary>
    Gru,
}

/// <summary>
/// The TorchSharp twin of a Keras-style <c>LSTM(units)</c> or <c>GRU(units)</c> over (steps, features), batch first,
/// returning only its last output, followed by <c>Dense(1, sigmoid)</c>: probabilities out, for <c>nn.BCELoss</c>.
/// <see cref="LoadKerasWeights"/> takes the weights in the Keras layouts the NeuralDsl layers use (design.md §5), so
/// both sides can later run on identical parameters:
/// <list type="bullet">
/// <item>LSTM: kernel (features, 4u), recurrent kernel (u, 4u), bias (4u), gate order i, f, c, o — torch's order
/// i, f, g, o is the same, so the matrices are only transposed; Keras has one bias, torch two (bias_hh is zeroed).</item>
/// <item>GRU (reset_after): kernel (features, 3u), recurrent kernel (u, 3u), bias (2, 3u) = input and recurrent bias,
/// gate order z, r, h — torch's order is r, z, n, so the first two blocks swap. torch's
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) and h' = (1 − z) n + z h are Keras' reset_after formulas.</item>
/// <item>Dense: kernel (u, 1), bias (1); torch's weight is the transpose.</item>
/// </list>
/// </summary>
internal sealed class TorchRecurrent : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _recurrentForward;
    private readonly nn.Module _recurrent;
    private readonly Linear _dense;

    private TorchRecurrent(RecurrentCell cell, int features, int units)
    {
        Cell = cell;
        Features = features;
        Units = units;
        if (cell == RecurrentCell.Lstm)
        {
            LSTM lstm = nn.LSTM(features, units, batchFirst: true);
            _recurrent = lstm;
            _recurrentForward = new LastOutput<LSTM>(lstm, static (m, x) => m.forward(x).Item1);
        }
        else
        {
            GRU gru = nn.GRU(features, units, batchFirst: true);
            _recurrent = gru;
            _recurrentForward = new LastOutput<GRU>(gru, static (m, x) => m.forward(x).Item1);
        }

        _dense = nn.Linear(units, 1);
        Module = nn.Sequential(("recurrent", _recurrentForward), ("dense", _dense), ("sigmoid", nn.Sigmoid()));
    }

    /// <summary>The whole network: (batch, steps, features) → (batch, 1) probabilities.</summary>
    public Sequential Module { get; }

    public RecurrentCell Cell { get; }

    public int Features { get; }

    public int Units { get; }

    /// <summary>Gates per cell: 4 for the LSTM, 3 for the GRU.</summary>
    public int Gates => Cell == RecurrentCell.Lstm ? 4 : 3;

    /// <summary>An <c>LSTM(units)</c> over <paramref name="features"/> features → <c>Dense(1, sigmoid)</c>.</summary>
    public static TorchRecurrent Lstm(int features, int units) => new(RecurrentCell.Lstm, features, units);

    /// <summary>A <c>GRU(units)</c> (reset_after) over <paramref name="features"/> features → <c>Dense(1, sigmoid)</c>.</summary>
    public static TorchRecurrent Gru(int features, int units) => new(RecurrentCell.Gru, features, units);

    /// <summary>
    /// Copies weights given in the Keras layouts (see the class remarks): <paramref name="kernel"/> (features, G·u),
    /// <paramref name="recurrentKernel"/> (u, G·u), <paramref name="bias"/> (G·u) for the LSTM or (2, G·u) for the
    /// GRU, <paramref name="denseKernel"/> (u, 1) and <paramref name="denseBias"/> (1).
    /// </summary>
    public void LoadKerasWeights(ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> denseKernel, ReadOnlySpan<float> denseBias)
    {
        int u = Units, g = Gates;
        int biasLength = Cell == RecurrentCell.Lstm ? g * u : 2 * g * u;
        Check("kernel", kernel.Length, Features * g * u);
        Check("recurrent kernel", recurrentKernel.Length, u * g * u);
        Check("bias", bias.Length, biasLength);
        Check("dense kernel", denseKernel.Length, u);
        Check("dense bias", denseBias.Length, 1);

        // Torch row r of weight_ih is Keras column KerasColumn(r) of the kernel.
        float[] weightIh = TransposeGates(kernel, Features, u, g);
        float[] weightHh = TransposeGates(recurrentKernel, u, u, g);
        var biasIh = new float[g * u];
        var biasHh = new float[g * u];
        for (int r = 0; r < g * u; r++)
        {
            int c = KerasColumn(r, u);
            biasIh[r] = bias[c];
            biasHh[r] = Cell == RecurrentCell.Lstm ? 0f : bias[g * u + c];
        }

        Dictionary<string, Parameter> parameters = new();
        foreach ((string name, Parameter p) in _recurrent.named_parameters()) parameters[name] = p;
        using IDisposable noGrad = torch.no_grad();
        Copy(parameters["weight_ih_l0"], weightIh, [g * u, Features]);
        Copy(parameters["weight_hh_l0"], weightHh, [g * u, u]);
        Copy(parameters["bias_ih_l0"], biasIh, [g * u]);
        Copy(parameters["bias_hh_l0"], biasHh, [g * u]);
        Copy(_dense.weight!, denseKernel.ToArray(), [1, u]);
        Copy(_dense.bias!, denseBias.ToArray(), [1]);
    }

    /// <summary>
    /// Keras-default-like random weights from a seed (glorot-uniform kernels, uniform ±1/√u recurrent kernel, zero
    /// biases except the LSTM forget bias 1), returned in the Keras layouts so another implementation can load the
    /// same numbers: (kernel, recurrentKernel, bias, denseKernel, denseBias).
    /// </summary>
    public static (float[] Kernel, float[] RecurrentKernel, float[] Bias, float[] DenseKernel, float[] DenseBias) KerasLikeWeights(
        RecurrentCell cell, int features, int units, ulong seed)
    {
        int g = cell == RecurrentCell.Lstm ? 4 : 3;
        var rng = new Rng(seed);
        float[] kernel = Uniform(ref rng, features * g * units, Math.Sqrt(6.0 / (features + g * units)));
        float[] recurrent = Uniform(ref rng, units * g * units, 1 / Math.Sqrt(units));
        var bias = new float[cell == RecurrentCell.Lstm ? g * units : 2 * g * units];
        if (cell == RecurrentCell.Lstm) bias.AsSpan(units, units).Fill(1f); // unit_forget_bias
        float[] dense = Uniform(ref rng, units, Math.Sqrt(6.0 / (units + 1)));
        return (kernel, recurrent, bias, dense, [0f]);
    }

    /// <summary>Turns autograd off for the parameters (inference-only twin: forward records no graph).</summary>
    public void FreezeForInference()
    {
        foreach (Parameter p in Module.parameters()) p.requires_grad = false;
        Module.eval();
    }

    public void Dispose() => Module.Dispose();

    /// <summary>The Keras column holding torch row <paramref name="row"/>: GRU blocks r and z trade places.</summary>
    private int KerasColumn(int row, int u)
    {
        int block = row / u, within = row % u;
        if (Cell == RecurrentCell.Gru && block < 2) block = 1 - block;
        return block * u + within;
    }

    /// <summary>Keras (rows, G·u) → torch (G·u, rows) with the gate blocks in torch's order.</summary>
    private float[] TransposeGates(ReadOnlySpan<float> keras, int rows, int u, int g)
    {
        var torchLayout = new float[g * u * rows];
        for (int r = 0; r < g * u; r++)
        {
            int c = KerasColumn(r, u);
            for (int i = 0; i < rows; i++) torchLayout[r * rows + i] = keras[i * g * u + c];
        }

        return torchLayout;
    }

    private static void Copy(Tensor target, float[] values, long[] shape)
    {
        using Tensor source = torch.tensor(values, shape);
        target.copy_(source);
    }

    private static void Check(string what, int length, int expected)
    {
        if (length != expected)
            throw new ArgumentException($"The {what} has {length} values; expected {expected}.");
    }

    private static float[] Uniform(ref Rng rng, int length, double limit)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)((2 * rng.NextDouble() - 1) * limit);
        return a;
    }

    /// <summary>Runs a batch-first recurrent module and keeps its output at the last step: (batch, steps, u) → (batch, u).</summary>
    private sealed class LastOutput<TModule> : nn.Module<Tensor, Tensor> where TModule : nn.Module
    {
        private readonly TModule _inner;
        private readonly Func<TModule, Tensor, Tensor> _sequence;

        public LastOutput(TModule inner, Func<TModule, Tensor, Tensor> sequence) : base("last_output")
        {
            _inner = inner;
            _sequence = sequence;
            register_module("inner", inner);
        }

        public override Tensor forward(Tensor input)
        {
            using Tensor sequence = _sequence(_inner, input);
            return sequence.select(1, -1);
        }
    }
}

/// <summary>
/// The TorchSharp side of streaming inference: one <c>nn.LSTMCell</c> call per time step on a batch of one, the state
/// (h, c) carried between calls — what a real-time loop does with a recurrent model, one sample at a time.
/// </summary>
internal sealed class TorchLstmStep : IDisposable
{
    private readonly LSTMCell _cell;
    private Tensor _h;
    private Tensor _c;

    public TorchLstmStep(int features, int units)
    {
        _cell = nn.LSTMCell(features, units);
        foreach (Parameter p in _cell.parameters()) p.requires_grad = false;
        _cell.eval();
        _h = torch.zeros(1, units);
        _c = torch.zeros(1, units);
    }

    /// <summary>
    /// Copies an LSTM's weights in the Keras layouts — kernel (features, 4u), recurrent kernel (u, 4u), bias (4u),
    /// gates i, f, c, o as torch's i, f, g, o — so the cell steps with the same numbers as a NeuralDsl LSTM.
    /// </summary>
    public void LoadKerasWeights(ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias)
    {
        long units = _h.shape[1];
        long features = _cell.weight_ih!.shape[1];
        if (kernel.Length != features * 4 * units || recurrentKernel.Length != units * 4 * units || bias.Length != 4 * units)
            throw new ArgumentException($"Expected a kernel of {features * 4 * units}, a recurrent kernel of {units * 4 * units} and a bias of {4 * units} values.");
        using IDisposable noGrad = torch.no_grad();
        using (Tensor k = torch.tensor(kernel.ToArray(), [features, 4 * units]))
        using (Tensor kt = k.t()) _cell.weight_ih!.copy_(kt);
        using (Tensor r = torch.tensor(recurrentKernel.ToArray(), [units, 4 * units]))
        using (Tensor rt = r.t()) _cell.weight_hh!.copy_(rt);
        using (Tensor b = torch.tensor(bias.ToArray(), [4 * units])) _cell.bias_ih!.copy_(b);
        _cell.bias_hh!.zero_();
    }

    /// <summary>Advances one step on <paramref name="x"/> (1, features) and returns the new h (1, units), owned by this object.</summary>
    public Tensor Step(Tensor x)
    {
        using IDisposable noGrad = torch.no_grad();
        (Tensor h, Tensor c) = _cell.forward(x, (_h, _c));
        _h.Dispose();
        _c.Dispose();
        _h = h;
        _c = c;
        return h;
    }

    /// <summary>Zeroes the state (a new sequence starts).</summary>
    public void ResetState()
    {
        using IDisposable noGrad = torch.no_grad();
        _h.zero_();
        _c.zero_();
    }

    public void Dispose()
    {
        _h.Dispose();
        _c.Dispose();
        _cell.Dispose();
    }
}
