using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Issue 15 item 1: how the worker pool scales. The MnistMlp training step at batch 256, the MnistCnn training step at
/// batch 128 (Adam, Keras defaults) and a 1024³ float GEMM, each at 1, 2, 4, ... threads up to the machine's core count
/// (<see cref="NeuralDslThreads.MaxThreads"/>); the Speed-up and Efficiency columns (<see cref="ScalingColumn"/>) divide
/// the one-thread mean of the same benchmark by each mean, then by the thread count. NeuralDsl only: the results are the
/// same bits at every count, so only the time changes.
/// </summary>
public class ScalingBenchmarks
{
    private const int MlpBatch = 256;
    private const int CnnBatch = 128;
    private const int GemmN = 1024;
    private const int Pixels = 784;

    private MnistMlp _mlp = null!;
    private DigitCnn _cnn = null!;
    private Adam _mlpAdam = null!;
    private Adam _cnnAdam = null!;
    private float[] _mlpX = null!, _mlpLabels = null!, _cnnX = null!, _cnnLabels = null!;
    private float[] _a = null!, _b = null!, _c = null!;
    private int _savedThreads;

    /// <summary>1, 2, 4, ... up to <see cref="Environment.ProcessorCount"/>, and the count itself when it is not a power of two.</summary>
    public static IEnumerable<int> ThreadCounts()
    {
        int cores = Environment.ProcessorCount;
        for (int t = 1; t < cores; t *= 2)
            yield return t;
        yield return cores;
    }

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = NeuralDslThreads.MaxThreads;
        NeuralDslThreads.MaxThreads = Threads;
        (_mlpX, _mlpLabels, _) = SyntheticData.MnistLike(MlpBatch, seed: 21);
        (_cnnX, _cnnLabels, _) = SyntheticData.MnistLike(CnnBatch, seed: 22);
        _mlp = new MnistMlp(seed: 1);
        _cnn = new DigitCnn(seed: 1);
        _mlpAdam = new Adam();
        _cnnAdam = new Adam();
        _a = SyntheticData.Uniform(GemmN * GemmN, seed: 3);
        _b = SyntheticData.Uniform(GemmN * GemmN, seed: 5);
        _c = new float[GemmN * GemmN];
    }

    [GlobalCleanup]
    public void Cleanup() => NeuralDslThreads.MaxThreads = _savedThreads;

    [BenchmarkCategory(Categories.ScalingMlp), Benchmark(Description = "MnistMlp TrainStep b=256")]
    public float MlpTrainStep() => _mlp.TrainStep(_mlpX, _mlpLabels, _mlpAdam);

    [BenchmarkCategory(Categories.ScalingCnn), Benchmark(Description = "MnistCnn TrainStep b=128")]
    public float CnnTrainStep() => _cnn.TrainStep(_cnnX, _cnnLabels, _cnnAdam);

    [BenchmarkCategory(Categories.ScalingGemm), Benchmark(Description = "GEMM n=1024")]
    public void Gemm1024() => Gemm.Multiply<float>(_a, _b, _c, GemmN, GemmN, GemmN);
}
