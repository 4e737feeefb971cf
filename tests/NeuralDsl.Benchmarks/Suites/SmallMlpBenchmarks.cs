using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suites a) and b): the 8→12→8→1 (relu, relu, sigmoid) MLP — inference on one sample, and one training step
/// (forward, binary cross-entropy, backward, Adam) on a batch of 32. Both sides start from the same weights and use
/// two threads; training cycles through 32 distinct batches so it never collapses onto one memorised batch.
/// </summary>
public class SmallMlpBenchmarks
{
    private const int TrainBatch = 32;
    private const int Batches = 32;

    private SmallMlp _predictModel = null!;
    private SmallMlp _trainModel = null!;
    private Adam _adam = null!;
    private float[] _sample = null!;
    private readonly float[] _prediction = new float[1];
    private float[] _x = null!;
    private float[] _y = null!;
    private int _batch;

    private TorchMlp _torchPredict = null!;
    private TorchMlp _torchTrain = null!;
    private optim.Optimizer _torchAdam = null!;
    private BCELoss _bce = null!;
    private Tensor _sampleTensor = null!;
    private Tensor[] _xTensors = null!;
    private Tensor[] _yTensors = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Machine.ModelThreads);
        Gemm.MaxThreads = Machine.ModelThreads;
        torch.manual_seed(1);

        (_x, _y) = SyntheticData.Binary(TrainBatch * Batches, seed: 7);
        _sample = _x.AsSpan(0, 8).ToArray();

        _predictModel = new SmallMlp(seed: 1);
        _trainModel = new SmallMlp(seed: 1);
        _adam = new Adam();

        _torchPredict = TorchMlp.SmallMlp();
        _torchPredict.CopyWeightsFrom(_predictModel);
        _torchPredict.FreezeForInference();
        _torchTrain = TorchMlp.SmallMlp();
        _torchTrain.CopyWeightsFrom(_trainModel);
        // Keras/NeuralDsl Adam defaults: lr 1e-3, betas (0.9, 0.999), epsilon 1e-7.
        _torchAdam = optim.Adam(_torchTrain.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _bce = nn.BCELoss();

        _sampleTensor = torch.tensor(_sample, [1, 8]);
        _xTensors = new Tensor[Batches];
        _yTensors = new Tensor[Batches];
        for (int b = 0; b < Batches; b++)
        {
            _xTensors[b] = torch.tensor(_x.AsSpan(b * TrainBatch * 8, TrainBatch * 8).ToArray(), [TrainBatch, 8]);
            _yTensors[b] = torch.tensor(_y.AsSpan(b * TrainBatch, TrainBatch).ToArray(), [TrainBatch, 1]);
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

    [BenchmarkCategory(Categories.Predict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor y = _torchPredict.Module.forward(_sampleTensor);
        y.data<float>().CopyTo(_prediction);
        return _prediction[0];
    }

    [BenchmarkCategory(Categories.Predict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl()
    {
        _predictModel.Predict(_sample, _prediction);
        return _prediction[0];
    }

    [BenchmarkCategory(Categories.SmallTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp()
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

    [BenchmarkCategory(Categories.SmallTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl()
    {
        int b = NextBatch();
        return _trainModel.TrainStep(
            _x.AsSpan(b * TrainBatch * 8, TrainBatch * 8),
            _y.AsSpan(b * TrainBatch, TrainBatch),
            _adam);
    }

    private int NextBatch()
    {
        int b = _batch;
        _batch = (b + 1) % Batches;
        return b;
    }
}
