using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suites e) and f) (issue 3): the MnistCnn sample's network — Conv2D(32, 3×3, relu) → MaxPooling2D →
/// Conv2D(64, 3×3, relu) → MaxPooling2D → Flatten → Dropout(0.5) → Dense(10, softmax) — one training step on a
/// batch of 32 (sparse categorical cross-entropy, Adam; dropout active on both sides, as declared), and inference on
/// one image. TorchSharp runs the same layers in NCHW on the same floats ([B, 28, 28, 1] NHWC = [B, 1, 28, 28] NCHW)
/// with <c>CrossEntropyLoss</c> on the logits. Same initial weights, two threads each, 16 batches in rotation.
/// </summary>
public class MnistCnnBenchmarks
{
    private const int TrainBatch = 32;
    private const int Batches = 16;
    private const int Pixels = 784;

    private MnistCnn _predictModel = null!;
    private MnistCnn _trainModel = null!;
    private Adam _adam = null!;
    private float[] _sample = null!;
    private readonly float[] _prediction = new float[10];
    private float[] _x = null!;
    private float[] _labels = null!;
    private int _batch;

    private TorchCnn _torchPredict = null!;
    private TorchCnn _torchTrain = null!;
    private optim.Optimizer _torchAdam = null!;
    private CrossEntropyLoss _crossEntropy = null!;
    private Tensor _sampleTensor = null!;
    private Tensor[] _xTensors = null!;
    private Tensor[] _labelTensors = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Machine.ModelThreads);
        Gemm.MaxThreads = Machine.ModelThreads;
        torch.manual_seed(1);

        (_x, _labels, long[] longLabels) = SyntheticData.MnistLike(TrainBatch * Batches, seed: 13);
        _sample = _x.AsSpan(0, Pixels).ToArray();

        _predictModel = new MnistCnn(seed: 1);
        _trainModel = new MnistCnn(seed: 1);
        _adam = new Adam();

        _torchPredict = TorchCnn.MnistCnnLogits();
        _torchPredict.CopyWeightsFrom(_predictModel);
        _torchPredict.FreezeForInference();
        _torchTrain = TorchCnn.MnistCnnLogits();
        _torchTrain.CopyWeightsFrom(_trainModel);
        _torchTrain.Module.train();
        // Keras/NeuralDsl Adam defaults: lr 1e-3, betas (0.9, 0.999), epsilon 1e-7.
        _torchAdam = optim.Adam(_torchTrain.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _crossEntropy = nn.CrossEntropyLoss();

        _sampleTensor = torch.tensor(_sample, [1, 1, 28, 28]);
        _xTensors = new Tensor[Batches];
        _labelTensors = new Tensor[Batches];
        for (int b = 0; b < Batches; b++)
        {
            _xTensors[b] = torch.tensor(_x.AsSpan(b * TrainBatch * Pixels, TrainBatch * Pixels).ToArray(), [TrainBatch, 1, 28, 28]);
            _labelTensors[b] = torch.tensor(longLabels.AsSpan(b * TrainBatch, TrainBatch).ToArray(), [TrainBatch]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sampleTensor.Dispose();
        foreach (Tensor t in _xTensors) t.Dispose();
        foreach (Tensor t in _labelTensors) t.Dispose();
        _torchAdam.Dispose();
        _crossEntropy.Dispose();
        _torchPredict.Dispose();
        _torchTrain.Dispose();
    }

    [BenchmarkCategory(Categories.MnistCnnTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp()
    {
        int b = NextBatch();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = _torchTrain.Module.forward(_xTensors[b]);
        Tensor loss = _crossEntropy.forward(logits, _labelTensors[b]);
        loss.backward();
        _torchAdam.step();
        _torchAdam.zero_grad();
        return loss.item<float>();
    }

    [BenchmarkCategory(Categories.MnistCnnTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl()
    {
        int b = NextBatch();
        return _trainModel.TrainStep(
            _x.AsSpan(b * TrainBatch * Pixels, TrainBatch * Pixels),
            _labels.AsSpan(b * TrainBatch, TrainBatch),
            _adam);
    }

    [BenchmarkCategory(Categories.MnistCnnPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = _torchPredict.Module.forward(_sampleTensor);
        Tensor p = logits.softmax(1);
        p.data<float>().CopyTo(_prediction);
        return _prediction[0];
    }

    [BenchmarkCategory(Categories.MnistCnnPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl()
    {
        _predictModel.Predict(_sample, _prediction);
        return _prediction[0];
    }

    private int NextBatch()
    {
        int b = _batch;
        _batch = (b + 1) % Batches;
        return b;
    }
}
