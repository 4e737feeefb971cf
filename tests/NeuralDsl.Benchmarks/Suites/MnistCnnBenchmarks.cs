using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suites e) and f) (issue 3): the MnistCnn sample's network (<c>DigitCnn</c>, samples/MnistCnn/DigitCnn.cs, linked) —
/// Conv2D(32, 3×3, relu) → MaxPooling2D → Conv2D(64, 3×3, relu) → MaxPooling2D → Flatten → Dropout(0.5) →
/// Dense(10, softmax); dropout is active on both sides in the training step, as declared. The shared setup and calls
/// are in <see cref="CnnBenchmarks{TModel}"/>.
/// </summary>
public class MnistCnnBenchmarks : CnnBenchmarks<DigitCnn>
{
    protected override DigitCnn CreateModel() => new(seed: 1);

    private protected override TorchCnn CreateTwin() => TorchCnn.MnistCnnLogits();

    protected override ulong DataSeed => 13;

    protected override float TrainStep(DigitCnn model, ReadOnlySpan<float> x, ReadOnlySpan<float> labels, Adam adam) =>
        model.TrainStep(x, labels, adam);

    [BenchmarkCategory(Categories.MnistCnnTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp() => TorchSharpTrainStep();

    [BenchmarkCategory(Categories.MnistCnnTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl() => NeuralDslTrainStep();

    [BenchmarkCategory(Categories.MnistCnnPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp() => TorchSharpPredict();

    [BenchmarkCategory(Categories.MnistCnnPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl() => NeuralDslPredict();
}
