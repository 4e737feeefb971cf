using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

[Sequential]
[Input(6, 5, 17)]
[MaxPooling2D]
[Flatten]
[Dense(3)]
public partial class MaxPoolingInferenceModel;

[Sequential(ElementType = typeof(double))]
[Input(7, 4)]
[MaxPooling1D(2)]
[Flatten]
[Dense(2)]
public partial class MaxPooling1DInferenceModelD;

/// <summary>
/// The generated max-pooling layers skip the arg-max in <c>Predict</c> but record it whenever a backward pass can
/// follow: training, and a <c>Forward(..., training: false)</c> that keeps its input for <c>Backward</c>.
/// </summary>
public sealed class PoolingLayerTests
{
    [Fact]
    public void InferenceForwardStillFeedsBackward()
    {
        var model = new MaxPoolingInferenceModel(seed: 3);
        float[] first = KernelTestData.ToSingle(KernelTestData.Uniform(2 * MaxPoolingInferenceModel.InputSize, -1, 1, 11));
        float[] second = KernelTestData.ToSingle(KernelTestData.Uniform(2 * MaxPoolingInferenceModel.InputSize, -1, 1, 12));
        float[] outputGradient = KernelTestData.ToSingle(KernelTestData.Uniform(2 * MaxPoolingInferenceModel.OutputSize, -1, 1, 13));
        var output = new float[outputGradient.Length];

        // Training on `first` leaves its arg-max behind; an inference Forward on `second` must replace it.
        model.Forward(first, output, training: true);
        var predicted = new float[output.Length];
        model.Predict(second, predicted);
        model.Forward(second, output, training: false);
        Assert.Equal(predicted, output);
        var afterInference = new float[first.Length];
        model.Backward(outputGradient, afterInference);

        model.Forward(second, output, training: true);
        Assert.Equal(predicted, output);
        var afterTraining = new float[first.Length];
        model.Backward(outputGradient, afterTraining);
        Assert.Equal(afterTraining, afterInference);
    }

    [Fact]
    public void PredictMatchesTheTrainingForwardIn1DAndDouble()
    {
        var model = new MaxPooling1DInferenceModelD(seed: 5);
        double[] input = KernelTestData.Uniform(3 * MaxPooling1DInferenceModelD.InputSize, -1, 1, 21);
        var predicted = new double[3 * MaxPooling1DInferenceModelD.OutputSize];
        model.Predict(input, predicted);
        var trained = new double[predicted.Length];
        model.Forward(input, trained, training: true);
        Assert.Equal(predicted, trained);
        model.Predict(input.AsSpan(0, MaxPooling1DInferenceModelD.InputSize), predicted.AsSpan(0, MaxPooling1DInferenceModelD.OutputSize));
        Assert.Equal(trained.AsSpan(0, MaxPooling1DInferenceModelD.OutputSize).ToArray(), predicted.AsSpan(0, MaxPooling1DInferenceModelD.OutputSize).ToArray());
    }
}
