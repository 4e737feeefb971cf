using System;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Issue 12, item 7: samples/ResNet's small ResNet (<c>MnistResNet</c>: 3×3 conv 16 + BN + ReLU; basic blocks 16, 32
/// with stride 2 and 64 with stride 2, 1×1 projection shortcuts; global average pooling; Dense 10), a training step
/// at batch 32 (BatchNormalization in training mode on both sides) and Predict of one image (inference mode). The
/// TorchSharp twin is <see cref="TorchResNet"/> with torch's symmetric padding on the stride-2 convolutions (same
/// shapes and work as Keras' <c>same</c>). The shared setup and calls are in <see cref="CnnBenchmarks{TModel}"/>.
/// </summary>
public class ResNetBenchmarks : CnnBenchmarks<ResNet.MnistResNet>
{
    protected override ResNet.MnistResNet CreateModel() => new(seed: 1);

    private protected override TorchTwin CreateTwin() => TorchResNet.Create(kerasPadding: false);

    protected override ulong DataSeed => 29;

    protected override float TrainStep(ResNet.MnistResNet model, ReadOnlySpan<float> x, ReadOnlySpan<float> labels, Adam adam) =>
        model.TrainStep(x, labels, adam);

    [BenchmarkCategory(Categories.ResNetTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp() => TorchSharpTrainStep();

    [BenchmarkCategory(Categories.ResNetTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl() => NeuralDslTrainStep();

    [BenchmarkCategory(Categories.ResNetPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp() => TorchSharpPredict();

    [BenchmarkCategory(Categories.ResNetPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl() => NeuralDslPredict();
}
