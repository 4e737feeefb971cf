using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suite n) (issue 12): one step of the seed's GAN at batch 64, both updates: the generator makes a batch from normal
/// noise (inference), the discriminator trains on a real batch (label 1) and on that batch (label 0), then the
/// generator trains on fresh noise through the frozen discriminator (label 1), binary cross-entropy and
/// Adam(0.0002, β₁ 0.5) on each side. NeuralDsl runs <see cref="GanTrainer{T}"/> (the discriminator switched to
/// <c>Trainable = false</c>: no parameter-gradient work); TorchSharp the same loop with <c>requires_grad_(false)</c> on
/// the discriminator and <c>no_grad</c> for the first generation. Same initial weights, two threads each, 16
/// MNIST-like real batches in [-1, 1] in rotation.
/// </summary>
public class GanBenchmarks
{
    private const int Batch = 64;
    private const int Batches = 16;

    private GanTrainer<float> _trainer = null!;
    private float[] _real = null!;
    private int _batch;

    private TorchMlp _generator = null!, _discriminator = null!;
    private optim.Optimizer _generatorAdam = null!, _discriminatorAdam = null!;
    private BCELoss _bce = null!;
    private Tensor[] _realTensors = null!;
    private Tensor _ones = null!, _zeros = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Machine.ModelThreads);
        Gemm.MaxThreads = Machine.ModelThreads;
        torch.manual_seed(1);

        (float[] x, _, _) = SyntheticData.MnistLike(Batch * Batches, seed: 13);
        _real = [.. Array.ConvertAll(x, p => 2 * p - 1)];
        var generator = new GanGenerator(seed: 1);
        var discriminator = new GanDiscriminator(seed: 2);
        _trainer = new GanTrainer<float>(generator, discriminator, Batch, seed: 3);

        _generator = TorchMlp.GanGenerator();
        _generator.CopyWeightsFrom(generator);
        _discriminator = TorchMlp.GanDiscriminator();
        _discriminator.CopyWeightsFrom(discriminator);
        _generatorAdam = optim.Adam(_generator.Module.parameters(), lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-7);
        _discriminatorAdam = optim.Adam(_discriminator.Module.parameters(), lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-7);
        _bce = nn.BCELoss();
        _realTensors = new Tensor[Batches];
        for (int b = 0; b < Batches; b++)
            _realTensors[b] = torch.tensor(_real.AsSpan(b * Batch * 784, Batch * 784).ToArray(), [Batch, 784]);
        _ones = torch.ones(Batch, 1);
        _zeros = torch.zeros(Batch, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Tensor t in _realTensors) t.Dispose();
        _ones.Dispose();
        _zeros.Dispose();
        _bce.Dispose();
        _generatorAdam.Dispose();
        _discriminatorAdam.Dispose();
        _generator.Dispose();
        _discriminator.Dispose();
    }

    [BenchmarkCategory(Categories.GanStep), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float GanStepTorchSharp()
    {
        int b = NextBatch();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor fake;
        using (torch.no_grad())
            fake = _generator.Module.forward(torch.randn(Batch, 100));

        _discriminatorAdam.zero_grad();
        Tensor realLoss = _bce.forward(_discriminator.Module.forward(_realTensors[b]), _ones);
        realLoss.backward();
        _discriminatorAdam.step();
        _discriminatorAdam.zero_grad();
        Tensor fakeLoss = _bce.forward(_discriminator.Module.forward(fake), _zeros);
        fakeLoss.backward();
        _discriminatorAdam.step();

        foreach (Parameter p in _discriminator.Module.parameters()) p.requires_grad = false;
        _generatorAdam.zero_grad();
        Tensor generatorLoss = _bce.forward(_discriminator.Module.forward(_generator.Module.forward(torch.randn(Batch, 100))), _ones);
        generatorLoss.backward();
        _generatorAdam.step();
        foreach (Parameter p in _discriminator.Module.parameters()) p.requires_grad = true;
        return generatorLoss.item<float>();
    }

    [BenchmarkCategory(Categories.GanStep), Benchmark(Description = "NeuralDsl")]
    public double GanStepNeuralDsl()
    {
        int b = NextBatch();
        return _trainer.Step(_real.AsSpan(b * Batch * 784, Batch * 784)).Generator;
    }

    private int NextBatch()
    {
        int b = _batch;
        _batch = (b + 1) % Batches;
        return b;
    }
}
