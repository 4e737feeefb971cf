using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suite c): one training step of the MNIST MLP 784→128 (relu) →10 (softmax) on a batch of 64 with sparse
/// categorical cross-entropy and Adam. TorchSharp runs Linear/ReLU/Linear and <c>CrossEntropyLoss</c> on the logits,
/// the same math. Same initial weights, two threads each, 16 distinct MNIST-like batches in rotation.
/// </summary>
public class MnistMlpBenchmarks
{
    private const int TrainBatch = 64;
    private const int Batches = 16;

    private MnistMlp _model = null!;
    private Adam _adam = null!;
    private float[] _x = null!;
    private float[] _labels = null!;
    private int _batch;

    private TorchMlp _torch = null!;
    private optim.Optimizer _torchAdam = null!;
    private CrossEntropyLoss _crossEntropy = null!;
    private Tensor[] _xTensors = null!;
    private Tensor[] _labelTensors = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Machine.ModelThreads);
        Gemm.MaxThreads = Machine.ModelThreads;
        torch.manual_seed(1);

        (_x, _labels, long[] longLabels) = SyntheticData.MnistLike(TrainBatch * Batches, seed: 11);
        _model = new MnistMlp(seed: 1);
        _adam = new Adam();

        _torch = TorchMlp.MnistLogits();
        _torch.CopyWeightsFrom(_model);
        _torchAdam = optim.Adam(_torch.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _crossEntropy = nn.CrossEntropyLoss();

        _xTensors = new Tensor[Batches];
        _labelTensors = new Tensor[Batches];
        for (int b = 0; b < Batches; b++)
        {
            _xTensors[b] = torch.tensor(_x.AsSpan(b * TrainBatch * 784, TrainBatch * 784).ToArray(), [TrainBatch, 784]);
            _labelTensors[b] = torch.tensor(longLabels.AsSpan(b * TrainBatch, TrainBatch).ToArray(), [TrainBatch]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Tensor t in _xTensors) t.Dispose();
        foreach (Tensor t in _labelTensors) t.Dispose();
        _torchAdam.Dispose();
        _crossEntropy.Dispose();
        _torch.Dispose();
    }

    [BenchmarkCategory(Categories.MnistTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp()
    {
        int b = NextBatch();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = _torch.Module.forward(_xTensors[b]);
        Tensor loss = _crossEntropy.forward(logits, _labelTensors[b]);
        loss.backward();
        _torchAdam.step();
        _torchAdam.zero_grad();
        return loss.item<float>();
    }

    [BenchmarkCategory(Categories.MnistTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl()
    {
        int b = NextBatch();
        return _model.TrainStep(
            _x.AsSpan(b * TrainBatch * 784, TrainBatch * 784),
            _labels.AsSpan(b * TrainBatch, TrainBatch),
            _adam);
    }

    /// <summary>
    /// The non-finite guard alone: the one read of all 101,770 gradients that <c>Optimizer.Step</c> makes before the
    /// update. Its mean over the TrainStep's mean is the guard's share of a step (the limit: 2 %).
    /// </summary>
    [BenchmarkCategory(Categories.MnistTrain), Benchmark(Description = "NeuralDsl guard only")]
    public bool NonFiniteGuardNeuralDsl() => UpdateDriver.AllFinite<float>(_model.Gradients);

    private int NextBatch()
    {
        int b = _batch;
        _batch = (b + 1) % Batches;
        return b;
    }
}
