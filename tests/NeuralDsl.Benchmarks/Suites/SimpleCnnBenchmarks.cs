using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suites g) and h) (issue 3): the simpler CNN — Conv2D(32, 3×3, relu) → MaxPooling2D → Flatten → Dense(10, softmax).
/// The shared setup and calls are in <see cref="CnnBenchmarks{TModel}"/>.
/// </summary>
public class SimpleCnnBenchmarks : CnnBenchmarks<SimpleCnn>
{
    protected override SimpleCnn CreateModel() => new(seed: 1);

    private protected override TorchCnn CreateTwin() => TorchCnn.SimpleCnnLogits();

    protected override ulong DataSeed => 17;

    protected override float TrainStep(SimpleCnn model, ReadOnlySpan<float> x, ReadOnlySpan<float> labels, Adam adam) =>
        model.TrainStep(x, labels, adam);

    [BenchmarkCategory(Categories.SimpleCnnTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp() => TorchSharpTrainStep();

    [BenchmarkCategory(Categories.SimpleCnnTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl() => NeuralDslTrainStep();

    [BenchmarkCategory(Categories.SimpleCnnPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp() => TorchSharpPredict();

    [BenchmarkCategory(Categories.SimpleCnnPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl() => NeuralDslPredict();
}
