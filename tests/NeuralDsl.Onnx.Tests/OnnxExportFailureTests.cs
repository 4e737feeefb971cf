using System;
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
}
