using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// What the recurrent suites share (issue 11 item 8): a recurrent layer of 50 units over 30 steps × 8 features →
/// Dense(1, sigmoid), one training step on a batch of 32 (binary cross-entropy, Adam with Keras' defaults) and
/// inference on one sequence, 16 batches of synthetic sequences in rotation, at 1 and 2 threads (each side is read at
/// its best thread count). The weights come from <see cref="TorchRecurrent.KerasLikeWeights"/> in the Keras layouts,
/// so the NeuralDsl side, when the recurrent layers land, loads the same numbers into its model (or copies its own
/// weights into the twin with <see cref="TorchRecurrent.LoadKerasWeights"/>) and adds its methods beside these, as the
/// CNN suites do. The NeuralDsl side loads the same Keras-layout weights into its generated model
/// (<see cref="RecurrentLstm50"/>, <see cref="RecurrentGru50"/>).
/// </summary>
public abstract class RecurrentBenchmarks
{
    private protected const int Steps = 30;
    private protected const int Features = 8;
    private protected const int Units = 50;
    private const int TrainBatch = 32;
    private const int Batches = 16;

    private readonly float[] _prediction = new float[1];
    private int _batch;

    private IModel<float> _predictModel = null!;
    private IModel<float> _trainModel = null!;
    private Adam _adam = null!;
    private float[] _sample = null!;

    private TorchRecurrent _torchPredict = null!;
    private TorchRecurrent _torchTrain = null!;
    private optim.Optimizer _torchAdam = null!;
    private BCELoss _bce = null!;
    private Tensor _sampleTensor = null!;
    private Tensor[] _xTensors = null!;
    private Tensor[] _yTensors = null!;

    /// <summary>Threads for libtorch (and, later, for NeuralDsl's GEMM).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    private protected abstract RecurrentCell Cell { get; }

    /// <summary>The generated NeuralDsl model of the suite, seeded (its weights are replaced by the shared ones).</summary>
    private protected abstract IModel<float> CreateModel();

    /// <summary>The seed of the synthetic sequences, one per suite.</summary>
    protected abstract ulong DataSeed { get; }

    /// <summary>The training data, row-major [32 × 16, 30, 8], and its labels.</summary>
    protected float[] X { get; private set; } = null!;

    /// <summary>The labels, [32 × 16].</summary>
    protected float[] Y { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Threads);
        Gemm.MaxThreads = Threads;
        torch.manual_seed(1);

        (X, Y) = SyntheticData.Sequences(TrainBatch * Batches, Steps, Features, seed: DataSeed);
        var weights = TorchRecurrent.KerasLikeWeights(Cell, Features, Units, seed: 1);

        _torchPredict = Create();
        _torchPredict.LoadKerasWeights(weights.Kernel, weights.RecurrentKernel, weights.Bias, weights.DenseKernel, weights.DenseBias);
        _torchPredict.FreezeForInference();
        _torchTrain = Create();
        _torchTrain.LoadKerasWeights(weights.Kernel, weights.RecurrentKernel, weights.Bias, weights.DenseKernel, weights.DenseBias);
        _torchTrain.Module.train();
        // Keras/NeuralDsl Adam defaults: lr 1e-3, betas (0.9, 0.999), epsilon 1e-7.
        _torchAdam = optim.Adam(_torchTrain.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _bce = nn.BCELoss();

        // NeuralDsl: the same numbers, in the order of ParameterLayout (kernel, recurrent_kernel, bias, dense kernel, dense bias).
        float[] all = [.. weights.Kernel, .. weights.RecurrentKernel, .. weights.Bias, .. weights.DenseKernel, .. weights.DenseBias];
        _predictModel = CreateModel();
        _trainModel = CreateModel();
        if (_predictModel.Parameters.Length != all.Length)
            throw new InvalidOperationException($"The NeuralDsl model has {_predictModel.Parameters.Length} parameters, the shared weights {all.Length}.");
        all.CopyTo(_predictModel.Parameters);
        all.CopyTo(_trainModel.Parameters);
        _adam = new Adam();
        _sample = X.AsSpan(0, Steps * Features).ToArray();

        _sampleTensor = torch.tensor(X.AsSpan(0, Steps * Features).ToArray(), [1, Steps, Features]);
        _xTensors = new Tensor[Batches];
        _yTensors = new Tensor[Batches];
        for (int b = 0; b < Batches; b++)
        {
            _xTensors[b] = torch.tensor(X.AsSpan(b * TrainBatch * Steps * Features, TrainBatch * Steps * Features).ToArray(), [TrainBatch, Steps, Features]);
            _yTensors[b] = torch.tensor(Y.AsSpan(b * TrainBatch, TrainBatch).ToArray(), [TrainBatch, 1]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sampleTensor.Dispose();
        foreach (Tensor t in _xTensors) t.Dispose();
        foreach (Tensor t in _yTensors) t.Dispose();
        _torchAdam.Dispose();
        _bce.Dispose();
        _torchPredict.Dispose();
        _torchTrain.Dispose();
    }

    /// <summary>Forward, BCE, backward through time and an Adam step on the next batch of 32.</summary>
    protected float TorchSharpTrainStep()
    {
        int b = NextBatch();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor p = _torchTrain.Module.forward(_xTensors[b]);
        Tensor loss = _bce.forward(p, _yTensors[b]);
        loss.backward();
        _torchAdam.step();
        _torchAdam.zero_grad();
        return loss.item<float>();
    }

    /// <summary>The probability for one sequence of 30 × 8.</summary>
    protected float TorchSharpPredict()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor y = _torchPredict.Module.forward(_sampleTensor);
        y.data<float>().CopyTo(_prediction);
        return _prediction[0];
    }

    /// <summary>NeuralDsl: forward, BCE, generated BPTT and an Adam step on the next batch of 32.</summary>
    protected float NeuralDslTrainStep()
    {
        int b = NextBatch();
        float loss = _trainModel.ComputeGradients(
            X.AsSpan(b * TrainBatch * Steps * Features, TrainBatch * Steps * Features),
            Y.AsSpan(b * TrainBatch, TrainBatch));
        _adam.Step<float>(_trainModel.Parameters, _trainModel.Gradients);
        return loss;
    }

    /// <summary>NeuralDsl: the probability for one sequence of 30 × 8.</summary>
    protected float NeuralDslPredict()
    {
        _predictModel.Predict(_sample, _prediction);
        return _prediction[0];
    }

    private TorchRecurrent Create() => Cell == RecurrentCell.Lstm ? TorchRecurrent.Lstm(Features, Units) : TorchRecurrent.Gru(Features, Units);

    private int NextBatch()
    {
        int b = _batch;
        _batch = (b + 1) % Batches;
        return b;
    }
}

/// <summary>Suites i) and j): <c>LSTM(50)</c> over 30 × 8 → <c>Dense(1, sigmoid)</c>.</summary>
public class LstmBenchmarks : RecurrentBenchmarks
{
    private protected override RecurrentCell Cell => RecurrentCell.Lstm;

    protected override ulong DataSeed => 23;

    private protected override IModel<float> CreateModel() => new RecurrentLstm50(seed: 1);

    [BenchmarkCategory(Categories.LstmTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp() => TorchSharpTrainStep();

    [BenchmarkCategory(Categories.LstmTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl() => NeuralDslTrainStep();

    [BenchmarkCategory(Categories.LstmPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp() => TorchSharpPredict();

    [BenchmarkCategory(Categories.LstmPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl() => NeuralDslPredict();
}

/// <summary>Suites k) and l): <c>GRU(50)</c> (reset_after) over 30 × 8 → <c>Dense(1, sigmoid)</c>.</summary>
public class GruBenchmarks : RecurrentBenchmarks
{
    private protected override RecurrentCell Cell => RecurrentCell.Gru;

    protected override ulong DataSeed => 29;

    private protected override IModel<float> CreateModel() => new RecurrentGru50(seed: 1);

    [BenchmarkCategory(Categories.GruTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp() => TorchSharpTrainStep();

    [BenchmarkCategory(Categories.GruTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl() => NeuralDslTrainStep();

    [BenchmarkCategory(Categories.GruPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp() => TorchSharpPredict();

    [BenchmarkCategory(Categories.GruPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl() => NeuralDslPredict();
}

/// <summary>
/// Suite m): streaming inference, one time step of an LSTM with 8 units on 8 features per call, batch of one, the
/// state carried between calls (and reset every 1,000 steps so it never drifts into saturation), one thread. The
/// NeuralDsl side is the generated model's <c>Step(x_t, y_t)</c> (<see cref="StreamingLstm8"/>, the same weights);
/// issue 11 targets ≤ 150 ns and 0 B per call.
/// </summary>
public class LstmStepBenchmarks
{
    private const int Features = 8;
    private const int Units = 8;
    private const int Inputs = 1000;

    private TorchLstmStep _torchStep = null!;
    private Tensor[] _inputs = null!;
    private int _t;
    private StreamingLstm8 _model = null!;
    private float[] _x = null!;
    private readonly float[] _h = new float[Units];
    private int _step;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(1);
        Gemm.MaxThreads = 1;
        torch.manual_seed(1);
        float[] x = SyntheticData.Uniform(Inputs * Features, seed: 31);
        _inputs = new Tensor[Inputs];
        for (int i = 0; i < Inputs; i++) _inputs[i] = torch.tensor(x.AsSpan(i * Features, Features).ToArray(), [1, Features]);
        _torchStep = new TorchLstmStep(Features, Units);
        var w = TorchRecurrent.KerasLikeWeights(RecurrentCell.Lstm, Features, Units, seed: 1);
        _torchStep.LoadKerasWeights(w.Kernel, w.RecurrentKernel, w.Bias);
        _x = x;
        _model = new StreamingLstm8(seed: 1);
        w.Kernel.CopyTo(_model.LstmKernel);
        w.RecurrentKernel.CopyTo(_model.LstmRecurrentKernel);
        w.Bias.CopyTo(_model.LstmBias);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Tensor t in _inputs) t.Dispose();
        _torchStep.Dispose();
    }

    [BenchmarkCategory(Categories.LstmStep), Benchmark(Baseline = true, Description = "TorchSharp")]
    public Tensor StepTorchSharp()
    {
        int t = _t;
        _t = t + 1 == Inputs ? 0 : t + 1;
        if (t == 0) _torchStep.ResetState();
        return _torchStep.Step(_inputs[t]);
    }

    [BenchmarkCategory(Categories.LstmStep), Benchmark(Description = "NeuralDsl")]
    public float StepNeuralDsl()
    {
        int t = _step;
        _step = t + 1 == Inputs ? 0 : t + 1;
        if (t == 0) _model.ResetState();
        _model.Step(_x.AsSpan(t * Features, Features), _h);
        return _h[0];
    }
}
