using System;
using System.Collections.Generic;

namespace NeuralDsl.Onnx.Tests.Models;

/// <summary>A hand-written model: four inputs, four outputs, the given layers after an InputLayer (none when none given).</summary>
internal sealed class DescribedModel(params LayerInfo[] layers) : IModel<float>
{
    private readonly float[] _parameters = [];

    public string Name => "Described";
    public int InputSize => 4;
    public int OutputSize => 4;
    public int TargetSize => 4;
    public int OutputLastAxis => 4;
    public Loss Loss => Loss.MeanSquaredError;
    public string Summary => "";
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _parameters;
    public IReadOnlyList<ParameterInfo> ParameterLayout => [];

    public IReadOnlyList<LayerInfo> Layers =>
        layers.Length == 0 ? [] : [new LayerInfo("input_layer", "InputLayer", [], [4], LayerConfig.Empty, [], []), .. layers];

    public ReadOnlySpan<float> LastOutput => default;
    public void Predict(ReadOnlySpan<float> input, Span<float> output) => input.CopyTo(output);
    public void Forward(ReadOnlySpan<float> input, Span<float> output, bool training) => input.CopyTo(output);
    public void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient) => outputGradient.CopyTo(inputGradient);
    public void ZeroGradients() { }
    public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target) => 0;
}
