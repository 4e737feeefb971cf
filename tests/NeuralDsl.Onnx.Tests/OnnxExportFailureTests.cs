using System;
using System.Collections.Generic;
using System.IO;
using NeuralDsl.Onnx.Tests.Models;
using Xunit;

namespace NeuralDsl.Onnx.Tests;

/// <summary>What cannot be exported is a NotSupportedException naming the layer and its kind, and leaves no file behind.</summary>
public sealed class OnnxExportFailureTests
{
    [Fact]
    public void A_masked_recurrent_layer_is_not_supported_and_the_message_names_it_and_the_mask()
    {
        var model = new SpamModel(1);
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnxBytes());
        Assert.Contains("'bidirectional' (Bidirectional)", e.Message);
        Assert.Contains("mask of 'embedding'", e.Message);
        Assert.Contains("SpamModel", e.Message);
    }

    [Fact]
    public void A_layer_kind_without_a_conversion_is_not_supported_and_the_message_names_it()
    {
        var model = new DescribedModel(new LayerInfo("graph_conv", "GraphConv", ["input_layer"], [4], new LayerConfig(("units", 4)), [], []));
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnxBytes());
        Assert.Contains("'graph_conv' (GraphConv)", e.Message);
    }

    [Fact]
    public void A_model_without_a_layer_description_is_not_supported()
    {
        var model = new DescribedModel();
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnxBytes());
        Assert.Contains("no layer description", e.Message);
    }

    [Fact]
    public void A_failed_export_writes_no_file_and_leaves_an_existing_one_as_it_was()
    {
        using var directory = new TemporaryDirectory();
        string path = Path.Combine(directory.Path, "spam.onnx");
        Assert.Throws<NotSupportedException>(() => new SpamModel(1).ExportOnnx(path));
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));

        new DigitClassifier(1).ExportOnnx(path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<NotSupportedException>(() => new SpamModel(1).ExportOnnx(path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(directory.Path));
    }

    [Fact]
    public void Export_replaces_an_existing_file()
    {
        using var directory = new TemporaryDirectory();
        string path = Path.Combine(directory.Path, "model.onnx");
        File.WriteAllText(path, "not a model");
        var model = new TumourClassifier(3);
        model.ExportOnnx(path);
        Assert.Equal(model.ToOnnxBytes(), File.ReadAllBytes(path));
    }

    /// <summary>A hand-written model: three inputs, one output, the given layers after an InputLayer (none when none given).</summary>
    private sealed class DescribedModel(params LayerInfo[] layers) : IModel<float>
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
}
