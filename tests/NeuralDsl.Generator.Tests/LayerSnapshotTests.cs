using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// One small end-to-end snapshot per layer kind that the model snapshots (<see cref="SnapshotTests"/>) do not show
/// (<c>Snapshots/LayerSnapshotTests.{Kind}#{Hint}.verified.cs</c>), checked like those: compiled warning-free, re-run
/// for caching, pipeline walked for compilation objects. A parameter-free layer follows a tiny <c>Dense</c> so its
/// backward pass has an input gradient to write. <see cref="Every_registered_layer_kind_has_a_snapshot"/> fails
/// when the generator's registry gains a kind that no snapshot's summary lists.
/// </summary>
public sealed partial class LayerSnapshotTests
{
    private static void Verify(string layers, string loss = "Loss.MeanSquaredError", [CallerMemberName] string kind = "")
    {
        string source = $$"""
            using NeuralDsl;

            namespace LayerSnapshots;

            [Sequential(Loss = {{loss}})]
            {{layers}}
            public partial class {{kind}}Net;
            """;
        GeneratorRun run = GeneratorHarness.RunModel(source);

        DiagnosticAssert.Exactly(run, GeneratorHarness.Files(source));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertNoForbiddenObjects(run);
        GeneratorHarness.AssertIncrementalCached(source);
        Snapshot.MatchAll(run.Sources, nameof(LayerSnapshotTests) + "." + kind);
    }

    [Fact]
    public void Conv1D() => Verify("""
        [Input(5, 2)]
        [Conv1D(2, 3, Activation.ReLU)]
        [Conv1D(1, 2, Padding = Padding.Same)]
        """);

    [Fact]
    public void LSTM() => Verify("""
        [Input(5, 3)]
        [LSTM(4)]
        """);

    // Streaming: a causal model gets Step/ResetState/GetState/SetState (issue 11 item 3), here the benchmark's 8-unit LSTM.
    [Fact]
    public void LSTM_streaming() => Verify("""
        [Input(30, 8)]
        [LSTM(8)]
        [Dense(1, Activation.Sigmoid)]
        """);

    [Fact]
    public void SimpleRNN() => Verify("""
        [Input(4, 2)]
        [SimpleRNN(3, ReturnSequences = true, GoBackwards = true)]
        """);

    // Stacked: a sequence-returning GRU (reset_after) feeds a GRU that applies the reset gate before the product, with
    // both dropouts.
    [Fact]
    public void GRU() => Verify("""
        [Input(4, 2)]
        [GRU(3, ReturnSequences = true)]
        [GRU(2, ResetAfter = false, Dropout = 0.25, RecurrentDropout = 0.5)]
        """);

    [Fact]
    public void MaxPooling1D() => Verify("""
        [Input(4, 1)]
        [Dense(2)]
        [MaxPooling1D(2)]
        """);

    [Fact]
    public void AveragePooling2D() => Verify("""
        [Input(3, 3, 1)]
        [Dense(2)]
        [AveragePooling2D(2, Padding = Padding.Same)]
        """);

    [Fact]
    public void ZeroPadding2D() => Verify("""
        [Input(2, 2, 1)]
        [Dense(2)]
        [ZeroPadding2D(1, Left = 0)]
        """);

    [Fact]
    public void BatchNormalization() => Verify("""
        [Input(3)]
        [Dense(4)]
        [BatchNormalization]
        """);

    [Fact]
    public void LayerNormalization() => Verify("""
        [Input(3, 4)]
        [Dense(5)]
        [LayerNormalization]
        """);

    [Fact]
    public void LayerNormalizationRms() => Verify("""
        [Input(4)]
        [LayerNormalization(RmsScaling = true, Epsilon = 1e-5)]
        [Dense(2)]
        """);

    [Fact]
    public void GlobalAveragePooling2D() => Verify("""
        [Input(2, 2, 1)]
        [Dense(2)]
        [GlobalAveragePooling2D]
        """);

    [Fact]
    public void GlobalMaxPooling2D() => Verify("""
        [Input(2, 2, 1)]
        [Dense(2)]
        [GlobalMaxPooling2D]
        """);

    [Fact]
    public void GlobalAveragePooling1D() => Verify("""
        [Input(3, 1)]
        [Dense(2)]
        [GlobalAveragePooling1D]
        """);

    [Fact]
    public void GlobalMaxPooling1D() => Verify("""
        [Input(3, 1)]
        [Dense(2)]
        [GlobalMaxPooling1D]
        """);

    [Fact]
    public void Embedding() => Verify("""
        [Input(4)]
        [Embedding(6, 2)]
        [Dense(1)]
        """);

    /// <summary>The mask: written by the Embedding, passed on by Dense, consumed by both global poolings over time.</summary>
    [Fact]
    public void EmbeddingMaskZero() => Verify("""
        [Input(4)]
        [Embedding(6, 2, MaskZero = true)]
        [Dense(2)]
        [GlobalMaxPooling1D]
        """);

    [Fact]
    public void EmbeddingMaskZeroAverage() => Verify("""
        [Input(4)]
        [Embedding(6, 2, MaskZero = true)]
        [GlobalAveragePooling1D]
        """);

    /// <summary>Keras masking in the time loop: masked rows carry h and c forward and pass their gradient straight back.</summary>
    [Fact]
    public void LstmMasked() => Verify("""
        [Input(4)]
        [Embedding(6, 2, MaskZero = true)]
        [LSTM(3)]
        """);

    /// <summary>Both directions as methods of their own (Fw, Bw), merged side by side; Keras weight names.</summary>
    [Fact]
    public void BidirectionalLstm() => Verify("""
        [Input(4, 2)]
        [Bidirectional]
        [LSTM(3, ReturnSequences = true)]
        [Flatten]
        """);

    /// <summary>
    /// The ready-made ResNet blocks are expanded into layers of other kinds (Conv2D, BatchNormalization, Activation,
    /// Add), so their summaries show those: the basic block keeps the shape (identity shortcut), the bottleneck
    /// projects (1×1 conv + BN).
    /// </summary>
    [Fact]
    public void ResNetBlocks() => Verify("""
        [Input(4, 4, 2)]
        [ResNetBasicBlock(2)]
        [ResNetBottleneck(1, Strides = 2)]
        [Flatten]
        """);

    /// <summary>
    /// The ready-made TransformerEncoder (KerasHub) after a masked embedding: two residuals (attention with dropout, then
    /// the feed-forward), each add followed by its LayerNormalization (post-norm), the mask reaching the attention and
    /// the pooling; key dim 8 / 2 heads = 4 and the output Dense's 8 units come from the block's input.
    /// </summary>
    [Fact]
    public void TransformerEncoderBlock() => Verify("""
        [Input(5)]
        [Embedding(7, 8, MaskZero = true)]
        [TransformerEncoder(6, 2, Dropout = 0.1)]
        [GlobalAveragePooling1D]
        [Dense(1, Activation.Sigmoid)]
        """);

    /// <summary>Registered kinds that are expanded into other layers, and the snapshot that shows each expansion.</summary>
    private static readonly Dictionary<string, string> ExpandedKinds = new(StringComparer.Ordinal)
    {
        ["TransformerEncoder"] = nameof(TransformerEncoderBlock),
        ["ResNetBasicBlock"] = nameof(ResNetBlocks),
        ["ResNetBottleneck"] = nameof(ResNetBlocks),
    };

    /// <summary>
    /// Walks the generator's layer registry (attribute metadata name → parser) and requires, for each kind, a summary
    /// row <c>name (Kind)</c> in some committed snapshot. The Keras type the summary prints is the attribute name
    /// without <c>Attribute</c>.
    /// </summary>
    [Fact]
    public void Every_registered_layer_kind_has_a_snapshot()
    {
        IReadOnlyList<string> kinds = RegisteredLayerKinds();
        Assert.Contains("Dense", kinds); // guards against a walk that silently finds nothing

        string directory = Snapshot.DirectoryFor(SourcePath());
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(directory, "*.verified.cs"))
        {
            foreach (Match row in SummaryRow().Matches(File.ReadAllText(path)))
            {
                shown.Add(row.Groups["kind"].Value);
            }
        }

        string[] files = [.. Directory.GetFiles(directory, "*.verified.cs").Select(Path.GetFileName)!];
        string[] missing = [.. kinds.Where(k => ExpandedKinds.TryGetValue(k, out string? test)
            ? !files.Any(f => f.StartsWith(nameof(LayerSnapshotTests) + "." + test + "#", StringComparison.Ordinal))
            : !shown.Contains(k))];
        Assert.True(missing.Length == 0,
            $"Registered layer kinds that no snapshot in {directory} shows: {string.Join(", ", missing)}. "
            + $"Add a small model for each to {nameof(LayerSnapshotTests)}.");
    }

    private static IReadOnlyList<string> RegisteredLayerKinds()
    {
        const string Registry = "NeuralDsl.Generator.Layers.LayerRegistry";
        Type registry = typeof(ModelGenerator).Assembly.GetType(Registry, throwOnError: true)!;
        FieldInfo parsers = registry.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Single(f => typeof(IDictionary).IsAssignableFrom(f.FieldType));
        var names = (IDictionary)parsers.GetValue(null)!;
        return [.. names.Keys.Cast<string>()
            .Select(n => n.StartsWith("NeuralDsl.", StringComparison.Ordinal) && n.EndsWith("Attribute", StringComparison.Ordinal)
                ? n["NeuralDsl.".Length..^"Attribute".Length]
                : throw new InvalidOperationException($"{Registry} holds '{n}', expected NeuralDsl.<Kind>Attribute."))
            .Order(StringComparer.Ordinal)];
    }

    private static string SourcePath([CallerFilePath] string path = "") => path;

    // A Keras summary row inside the generated XML doc: "///  conv1d_1 (Conv1D)   (None, 5, 1)   3".
    [GeneratedRegex(@"^///  \S+ \((?<kind>\w+)\) ", RegexOptions.Multiline)]
    private static partial Regex SummaryRow();
}
