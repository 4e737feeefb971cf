using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Every layer attribute the runtime ships (every public <c>*Attribute</c> except <see cref="SequentialAttribute"/>)
/// is understood by the generator: a model using it compiles with no diagnostic and the layer shows in the summary.
/// A new attribute fails here until it gets a usage below, and then until the generator supports it.
/// </summary>
public sealed class LayerCoverageTests
{
    /// <summary>How each layer attribute is written in a probe model (after <c>[Input(4)]</c>, before <c>[Dense(2)]</c>).</summary>
    // Every probe model takes 4 input elements and ends in Dense(2); image layers get a 2×2×1 input and a Flatten, sequence layers a 4×1 input.
    private static readonly Dictionary<string, string> Usages = new(StringComparer.Ordinal)
    {
        ["InputAttribute"] = "",
        ["DenseAttribute"] = "[Dense(3, Activation.ReLU, Name = \"probe\")]",
        ["ActivationAttribute"] = "[Activation(Activation.Tanh, Name = \"probe\")]",
        ["DropoutAttribute"] = "[Dropout(0.25, Name = \"probe\")]",
        ["FlattenAttribute"] = "[Flatten(Name = \"probe\")]",
        ["BatchNormalizationAttribute"] = "[BatchNormalization(Name = \"probe\")]",
        ["LayerNormalizationAttribute"] = "[LayerNormalization(Name = \"probe\")]",
        ["Conv2DAttribute"] = "[Conv2D(3, 1, Name = \"probe\")]\n[Flatten]",
        ["MaxPooling2DAttribute"] = "[MaxPooling2D(1, Name = \"probe\")]\n[Flatten]",
        ["Conv1DAttribute"] = "[Conv1D(3, 2, Name = \"probe\")]\n[Flatten]",
        ["AveragePooling2DAttribute"] = "[AveragePooling2D(1, Name = \"probe\")]\n[Flatten]",
        ["MaxPooling1DAttribute"] = "[MaxPooling1D(1, Name = \"probe\")]\n[Flatten]",
        ["ZeroPadding2DAttribute"] = "[ZeroPadding2D(0, Name = \"probe\")]\n[Flatten]",
        ["GlobalAveragePooling2DAttribute"] = "[GlobalAveragePooling2D(Name = \"probe\")]",
        ["GlobalMaxPooling2DAttribute"] = "[GlobalMaxPooling2D(Name = \"probe\")]",
        ["GlobalAveragePooling1DAttribute"] = "[GlobalAveragePooling1D(Name = \"probe\")]",
        ["GlobalMaxPooling1DAttribute"] = "[GlobalMaxPooling1D(Name = \"probe\")]",
        ["EmbeddingAttribute"] = "[Embedding(5, 3, Name = \"probe\")]\n[Flatten]",
        ["SimpleRNNAttribute"] = "[SimpleRNN(3, Name = \"probe\")]",
        ["LSTMAttribute"] = "[LSTM(3, Name = \"probe\")]",
        ["GRUAttribute"] = "[GRU(3, Name = \"probe\")]",
        ["BidirectionalAttribute"] = "[Bidirectional(Name = \"probe\")]\n[LSTM(3)]",
        ["BlockAttribute"] = "[Block(typeof(ProbeBlock), Name = \"probe\")]",
        ["ResidualAttribute"] = "[Residual(typeof(ProbeBlock), Name = \"probe\")]",
        ["ResNetBasicBlockAttribute"] = "[ResNetBasicBlock(2, Name = \"probe\")]\n[Flatten]",
        ["ResNetBottleneckAttribute"] = "[ResNetBottleneck(1, Strides = 2, Name = \"probe\")]\n[Flatten]",
        ["AddAttribute"] = "[Dense(4, Name = \"a\")]\n[Dense(4)]\n[Add(From = \"a\", Name = \"probe\")]",
        ["SubtractAttribute"] = "[Dense(4, Name = \"a\")]\n[Dense(4, Name = \"b\")]\n[Subtract(\"a\", \"b\", Name = \"probe\")]",
        ["MultiplyAttribute"] = "[Dense(4, Name = \"a\")]\n[Multiply(\"a\", \"a\", Name = \"probe\")]",
        ["AverageAttribute"] = "[Dense(4, Name = \"a\")]\n[Dense(4, Name = \"b\")]\n[Average(\"a\", \"b\", \"a\", Name = \"probe\")]",
        ["MaximumAttribute"] = "[Dense(4, Name = \"a\")]\n[Dense(4)]\n[Maximum(From = \"a\", Name = \"probe\")]",
        ["ConcatenateAttribute"] = "[Dense(4, Name = \"a\")]\n[Dense(2, Name = \"b\")]\n[Concatenate(\"a\", \"b\", Axis = -1, Name = \"probe\")]",
        ["MultiHeadAttentionAttribute"] = "[MultiHeadAttention(2, 3, Name = \"probe\")]\n[Flatten]",
        ["PositionEmbeddingAttribute"] = "[PositionEmbedding(6, Name = \"probe\")]\n[Flatten]",
        ["SinePositionEncodingAttribute"] = "[SinePositionEncoding(Name = \"probe\")]\n[Flatten]",
        ["TokenAndPositionEmbeddingAttribute"] = "[TokenAndPositionEmbedding(5, 4, 3, Name = \"probe\")]\n[Flatten]",
        ["GraphConvAttribute"] = "[GraphConv(3, Activation.ReLU, Name = \"probe\")]",
        ["TransformerEncoderAttribute"] = "[TransformerEncoder(3, 1, Dropout = 0.1, Name = \"probe\")]\n[Flatten]",
    };

    /// <summary>
    /// Declarations a probe needs beside the model (the block class a use names), and what the summary shows instead of
    /// the attribute's kind: a block use is no layer of its own, its layers are (named <c>{use}_{inner}</c>).
    /// </summary>
    private static readonly Dictionary<string, (string Declarations, string Shown)> Composites = new(StringComparer.Ordinal)
    {
        ["BlockAttribute"] = ("[Block]\n[Dense(3)]\n[Activation(Activation.ReLU)]\npublic partial class ProbeBlock;", "probe_activation"),
        ["ResidualAttribute"] = ("[Block]\n[Dense(3)]\n[Activation(Activation.ReLU)]\npublic partial class ProbeBlock;", "probe_add"),
        ["ResNetBasicBlockAttribute"] = ("", "probe_0_conv"),
        ["ResNetBottleneckAttribute"] = ("", "probe_3_bn"),
        ["TransformerEncoderAttribute"] = ("", "probe_feedforward_layer_norm"),
    };

    private static readonly HashSet<string> ImageLayers = new(StringComparer.Ordinal)
    {
        "Conv2DAttribute", "MaxPooling2DAttribute", "AveragePooling2DAttribute", "ZeroPadding2DAttribute", "GlobalAveragePooling2DAttribute", "GlobalMaxPooling2DAttribute",
        "ResNetBasicBlockAttribute", "ResNetBottleneckAttribute",
    };

    /// <summary>Layers on (steps, channels) samples get a 4×1 input.</summary>
    private static readonly HashSet<string> SequenceLayers = new(StringComparer.Ordinal) { "Conv1DAttribute", "MaxPooling1DAttribute", "GlobalAveragePooling1DAttribute", "GlobalMaxPooling1DAttribute", "SimpleRNNAttribute", "LSTMAttribute", "GRUAttribute", "BidirectionalAttribute", "MultiHeadAttentionAttribute", "PositionEmbeddingAttribute", "SinePositionEncodingAttribute", "TransformerEncoderAttribute" };

    /// <summary>The echo state network's attributes: a model kind of its own, not layers (ReservoirTests covers them).</summary>
    private static readonly Type[] EchoStateAttributes = [typeof(ReservoirAttribute), typeof(ReadoutAttribute)];

    private static IReadOnlyList<string> LayerAttributeNames =>
        [.. typeof(SequentialAttribute).Assembly.GetExportedTypes()
            // [Perceptron] marks a model kind of its own (PerceptronSnapshotTests), not a layer.
            .Where(t => typeof(Attribute).IsAssignableFrom(t) && !t.IsAbstract && t != typeof(SequentialAttribute) && !EchoStateAttributes.Contains(t)
                && t != typeof(PerceptronAttribute))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> LayerAttributes => [.. LayerAttributeNames];

    [Fact]
    public void Runtime_ships_the_layer_attributes_this_test_knows()
    {
        // Guards the theory below against silently running over nothing.
        Assert.Contains("DenseAttribute", LayerAttributeNames);
        Assert.Contains("InputAttribute", LayerAttributeNames);
        Assert.True(LayerAttributeNames.Count >= Usages.Count, "A probe usage names an attribute the runtime no longer ships.");
    }

    [Theory]
    [MemberData(nameof(LayerAttributes))]
    public void Every_layer_attribute_is_recognised_by_the_generator(string attributeName)
    {
        Assert.True(Usages.TryGetValue(attributeName, out string? usage), $"No probe usage for {attributeName}: add one to {nameof(LayerCoverageTests)}.{nameof(Usages)}.");
        Type attribute = typeof(SequentialAttribute).Assembly.GetType("NeuralDsl." + attributeName)!;
        Assert.NotNull(attribute);
        AttributeUsageAttribute? targets = attribute.GetCustomAttribute<AttributeUsageAttribute>();
        Assert.True(targets is { ValidOn: AttributeTargets.Class, AllowMultiple: true, Inherited: false }, $"{attributeName} must be [AttributeUsage(Class, AllowMultiple = true, Inherited = false)] like every layer.");

        string source = $$"""
            using NeuralDsl;

            namespace Probe;

            [Sequential(Loss = Loss.MeanSquaredError)]
            {{(ImageLayers.Contains(attributeName) ? "[Input(2, 2, 1)]" : SequenceLayers.Contains(attributeName) ? "[Input(4, 1)]" : "[Input(4)]")}}
            {{usage}}
            [Dense(2)]
            public partial class Net;

            {{(Composites.TryGetValue(attributeName, out var composite) ? composite.Declarations : "")}}
            """;
        GeneratorRun run = GeneratorHarness.RunModel(source);

        DiagnosticAssert.Exactly(run, GeneratorHarness.Files(source));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.WithLoadedType(run, "Probe.Net", type =>
        {
            Assert.Equal(4, GeneratorHarness.Constant(type, "InputSize"));
            Assert.Equal(2, GeneratorHarness.Constant(type, "OutputSize"));

            object model = Activator.CreateInstance(type, [0])!;
            string summary = Assert.IsAssignableFrom<IModel<float>>(model).Summary;
            if (usage.Length > 0)
            {
                string kind = Composites.TryGetValue(attributeName, out var shown) ? shown.Shown : attributeName[..^"Attribute".Length];
                Assert.Contains("probe", summary, StringComparison.Ordinal);
                Assert.Contains(kind, summary, StringComparison.Ordinal);
            }
        });
    }
}
