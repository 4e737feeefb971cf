using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// What the CNN suites share: one training step on a batch of 32 (sparse categorical cross-entropy, Adam with Keras'
/// defaults on both sides) and inference on one image, for a NeuralDsl model and its TorchSharp twin with the same
/// initial weights, two threads each, 16 batches of MNIST-like 28×28×1 images in rotation. TorchSharp runs NCHW on the
/// same floats ([B, 28, 28, 1] NHWC = [B, 1, 28, 28] NCHW) with <c>CrossEntropyLoss</c> on the logits. A derived
/// suite names the model and declares the four benchmark methods (BenchmarkDotNet categories are attribute
/// constants, so they cannot be inherited per suite); the NeuralDsl calls go through the concrete model type
/// except <c>Predict</c>, which is an interface call (a few nanoseconds on a call of 10–35 µs).
/// </summary>
public abstract class CnnBenchmarks<TModel>
    where TModel : class, IModel<float>
{
    private const int TrainBatch = 32;
    private const int Batches = 16;
    private const int Pixels = 784;

    private TModel _predictModel = null!;
    private TModel _trainModel = null!;
    private Adam _adam = null!;
    private float[] _sample = null!;
    private readonly float[] _prediction = new float[10];
    private float[] _x = null!;
    private float[] _labels = null!;
    private int _batch;

    private TorchTwin _torchPredict = null!;
    private TorchTwin _torchTrain = null!;
    private optim.Optimizer _torchAdam = null!;
    private CrossEntropyLoss _crossEntropy = null!;
    private Tensor _sampleTensor = null!;
    private Tensor[] _xTensors = null!;
    private Tensor[] _labelTensors = null!;

    /// <summary>A fresh model with seed 1.</summary>
    protected abstract TModel CreateModel();

    /// <summary>The model's TorchSharp twin, producing logits.</summary>
    private protected abstract TorchTwin CreateTwin();

    /// <summary>The seed of the synthetic images, one per suite.</summary>
    protected abstract ulong DataSeed { get; }

    /// <summary><c>model.TrainStep(x, labels, adam)</c> on the concrete model type.</summary>
    protected abstract float TrainStep(TModel model, ReadOnlySpan<float> x, ReadOnlySpan<float> labels, Adam adam);

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Machine.ModelThreads);
        Gemm.MaxThreads = Machine.ModelThreads;
        torch.manual_seed(1);

        (_x, _labels, long[] longLabels) = SyntheticData.MnistLike(TrainBatch * Batches, seed: DataSeed);
        _sample = _x.AsSpan(0, Pixels).ToArray();

        _predictModel = CreateModel();
        _trainModel = CreateModel();
        _adam = new Adam();

        _torchPredict = CreateTwin();
        _torchPredict.CopyWeightsFrom(_predictModel);
        _torchPredict.FreezeForInference();
        _torchTrain = CreateTwin();
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

    /// <summary>forward, <c>CrossEntropyLoss</c>, backward, <c>Adam.step</c>, <c>zero_grad</c>, <c>loss.item()</c>.</summary>
    protected float TorchSharpTrainStep()
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

    protected float NeuralDslTrainStep()
    {
        int b = NextBatch();
        return TrainStep(_trainModel, _x.AsSpan(b * TrainBatch * Pixels, TrainBatch * Pixels), _labels.AsSpan(b * TrainBatch, TrainBatch), _adam);
    }

    /// <summary>forward in <c>eval()</c> without gradients, softmax, copied to a <c>float[]</c>.</summary>
    protected float TorchSharpPredict()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = _torchPredict.Module.forward(_sampleTensor);
        Tensor p = logits.softmax(1);
        p.data<float>().CopyTo(_prediction);
        return _prediction[0];
    }

    protected float NeuralDslPredict()
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
