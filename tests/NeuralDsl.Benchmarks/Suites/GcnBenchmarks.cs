using System;
using BenchmarkDotNet.Attributes;
using KarateClub;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Issue 14: samples/KarateClub's GCN training step on Zachary's karate club (34 members, 78 friendships, identity
/// features): GraphConv(16, tanh) → GraphConv(2, tanh) → Dense(2, softmax), forward over the whole graph, the
/// cross-entropy of the two labelled members only (the node mask), backward, Adam (Keras defaults, lr 0.01 as the
/// sample). The TorchSharp twin writes the same model with autograd tensors and a <b>dense</b> 34×34 Â (libtorch's
/// sparse COO product costs more than a dense one at this size), <c>cross_entropy</c> on the two labelled rows'
/// logits (log-softmax + NLL, the same function as softmax + sparse cross-entropy) and <c>optim.Adam</c> with ε 1e-7.
/// Both start from the same weights; one thread each (the whole step is ~20 k multiply-adds).
/// </summary>
public class GcnBenchmarks
{
    private static readonly (int, int)[] Edges =
    [
        (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11), (0, 12), (0, 13), (0, 17),
        (0, 19), (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13), (1, 17), (1, 19), (1, 21), (1, 30), (2, 3), (2, 7),
        (2, 8), (2, 9), (2, 13), (2, 27), (2, 28), (2, 32), (3, 7), (3, 12), (3, 13), (4, 6), (4, 10), (5, 6), (5, 10),
        (5, 16), (6, 16), (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32), (15, 33), (18, 32), (18, 33),
        (19, 33), (20, 32), (20, 33), (22, 32), (22, 33), (23, 25), (23, 27), (23, 29), (23, 32), (23, 33), (24, 25), (24, 27), (24, 31),
        (25, 31), (26, 29), (26, 33), (27, 33), (28, 31), (28, 33), (29, 32), (29, 33), (30, 32), (30, 33), (31, 32), (31, 33), (32, 33),
    ];

    private const int Nodes = KarateData.Members;

    private KarateGcn _model = null!;
    private Adam _adam = null!;
    private float[] _x = null!;
    private readonly float[] _labels = new float[Nodes];
    private readonly bool[] _mask = new bool[Nodes];

    private Tensor _aHat = null!, _xTensor = null!, _labelled = null!, _targets = null!;
    private TorchSharp.Modules.Parameter[] _weights = null!;
    private optim.Optimizer _torchAdam = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(1);
        Gemm.MaxThreads = 1;

        _model = new KarateGcn(seed: 1);
        _model.SetGraph(Nodes, Edges);
        _adam = new Adam(KarateTraining.LearningRate);
        _x = KarateData.IdentityFeatures();
        // The instructor (0) follows himself, the administrator (33) is the other faction.
        _mask[0] = _mask[33] = true;
        _labels[33] = 1;

        _aHat = torch.tensor(Array.ConvertAll(_model.Graph!.ToDense(), v => (float)v), [Nodes, Nodes]);
        _xTensor = torch.tensor(_x, [Nodes, Nodes]);
        _labelled = torch.tensor(new long[] { 0, 33 });
        _targets = torch.tensor(new long[] { 0, 1 });
        // Keras layouts, as the autograd leaves: kernels (in, units), biases (units).
        _weights = new TorchSharp.Modules.Parameter[KarateGcn.ParameterLayout.Count];
        for (int i = 0; i < _weights.Length; i++)
        {
            ParameterInfo p = KarateGcn.ParameterLayout[i];
            long[] shape = Array.ConvertAll(p.Shape, d => (long)d);
            _weights[i] = nn.Parameter(torch.tensor(_model.Parameters.Slice(p.Offset, p.Length).ToArray(), shape), requires_grad: true);
        }
        _torchAdam = optim.Adam(_weights, lr: KarateTraining.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-7);

        // Both sides compute the same loss on the same weights before any step.
        float ours = _model.ComputeGradients(_x, _labels, _mask);
        using (torch.no_grad())
        {
            float theirs = Loss().item<float>();
            if (Math.Abs(ours - theirs) > 1e-5 * Math.Max(1, Math.Abs(theirs)))
                throw new InvalidOperationException($"GCN losses differ before training: NeuralDsl {ours}, TorchSharp {theirs}.");
        }
    }

    /// <summary>tanh(Â · (x · W + …)): Â · (x · W1) + b1, tanh, Â · (h · W2) + b2, tanh, · W3 + b3; cross-entropy on the labelled rows.</summary>
    private Tensor Loss()
    {
        Tensor h1 = torch.tanh(_aHat.matmul(_xTensor.matmul(_weights[0])) + _weights[1]);
        Tensor h2 = torch.tanh(_aHat.matmul(h1.matmul(_weights[2])) + _weights[3]);
        Tensor logits = h2.matmul(_weights[4]) + _weights[5];
        return nn.functional.cross_entropy(logits.index_select(0, _labelled), _targets);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchAdam.Dispose();
        foreach (Tensor t in _weights) t.Dispose();
        _aHat.Dispose();
        _xTensor.Dispose();
        _labelled.Dispose();
        _targets.Dispose();
    }

    [BenchmarkCategory(Categories.GcnTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor loss = Loss();
        loss.backward();
        _torchAdam.step();
        _torchAdam.zero_grad();
        return loss.item<float>();
    }

    [BenchmarkCategory(Categories.GcnTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl() => _model.TrainStep(_x, _labels, _mask, _adam);
}
