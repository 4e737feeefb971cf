using System;
using BenchmarkDotNet.Attributes;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>The sample's network: 500 tanh units, 10 % connectivity (25,000 non-zeros), one input, one output.</summary>
[Reservoir(500, SpectralRadius = 1.25, LeakRate = 0.3, Connectivity = 0.1, InputConnectivity = 0.1, Seed = 42)]
[Input(1)]
[Readout(1, Ridge = 1e-7, Warmup = 100)]
public partial class EchoState500;

/// <summary>
/// Suite n): an echo state network of 500 units over 10,000 steps of the Mackey–Glass series (issue 13 item 5: state
/// update ≤ 5 µs per step, readout fit ≤ 100 ms, 0 B per step). No TorchSharp side: libtorch has no reservoir, and
/// ReservoirPy (Python) is not on this machine. <see cref="Gemm.MaxThreads"/> = 2, the default, which is what a user
/// gets: the fused step shares its slices with the GEMM worker thread, and the fit's GEMMs may use two threads.
/// <list type="bullet">
/// <item><c>Run</c>: 10,000 teacher-forced steps (state update and readout), reported per step.</item>
/// <item><c>RunStates</c>: 10,000 state updates without the readout, each state collected, reported per step (the
/// issue's "state update per step").</item>
/// <item><c>RidgeFit</c>: the readout's closed form alone on 10,000 collected states: XᵀX and XᵀY in double, Cholesky.</item>
/// <item><c>Fit</c>: the generated <c>Fit</c>, which runs the 10,000 steps and the ridge fit (100 warm-up steps dropped).</item>
/// </list>
/// </summary>
public class EchoStateBenchmarks
{
    private const string Category = "p) ESN(500) over 10,000 steps";
    private const int Steps = 10_000;

    private EchoState500 _esn = null!;
    private float[] _series = null!;
    private float[] _outputs = null!;
    private float[] _states = null!;
    private readonly float[] _weights = new float[EchoState500.Units];
    private readonly float[] _bias = new float[1];

    [GlobalSetup]
    public void Setup()
    {
        double[] mg = MackeyGlass.Generate(Steps + 1);
        _series = Array.ConvertAll(mg, v => (float)v);
        _outputs = new float[Steps];
        _esn = new EchoState500();
        _states = new float[Steps * EchoState500.Units];
        _esn.RunStates(_series.AsSpan(0, Steps), _states);
    }

    /// <summary>10,000 steps; BenchmarkDotNet divides by OperationsPerInvoke, so the row is one step.</summary>
    [BenchmarkCategory(Category), Benchmark(Description = "state update + readout, per step", OperationsPerInvoke = Steps)]
    public float Run()
    {
        _esn.ResetState();
        _esn.Run(_series.AsSpan(0, Steps), _outputs);
        return _outputs[^1];
    }

    /// <summary>
    /// The per-step figure: 10,000 state updates alone (<c>RunStates</c>, ReservoirPy's <c>reservoir.run</c>:
    /// no readout per step), each state copied into the 10,000 × 500 array <c>Fit</c>'s ridge regression reads;
    /// reported per step.
    /// </summary>
    [BenchmarkCategory(Category), Benchmark(Description = "state update (RunStates, states collected), per step", OperationsPerInvoke = Steps)]
    public float RunStates()
    {
        _esn.ResetState();
        _esn.RunStates(_series.AsSpan(0, Steps), _states);
        return _states[^1];
    }

    [BenchmarkCategory(Category), Benchmark(Description = "ridge fit on 10,000 states")]
    public float RidgeFit()
    {
        var ridge = new RidgeRegression(EchoState500.Units, 1);
        for (int t = 0; t < Steps; t++)
            ridge.Add(_states.AsSpan(t * EchoState500.Units, EchoState500.Units), _series.AsSpan(t + 1, 1));
        ridge.Solve(EchoState500.Ridge, _weights, _bias);
        return _bias[0];
    }

    [BenchmarkCategory(Category), Benchmark(Description = "Fit: 10,000 steps + ridge fit")]
    public float Fit()
    {
        _esn.ResetState();
        _esn.Fit(_series.AsSpan(0, Steps), _series.AsSpan(1, Steps));
        return _esn.ReadoutBias[0];
    }
}
