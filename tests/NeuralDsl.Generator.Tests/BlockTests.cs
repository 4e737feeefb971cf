using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// <c>[Block]</c> classes end to end: the snapshot of a model using one block twice (and a nested block), Keras nested
/// names, and incrementality across files (an edit of the block class regenerates the model that uses it).
/// </summary>
public sealed class BlockTests
{
    internal const string BlockSource = """
        using NeuralDsl;

        namespace Models;

        /// <summary>Two 3×3 convolutions; the shapes come from each use.</summary>
        [Block]
        [Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same)]
        [Conv2D(4, 3, Padding = Padding.Same, Name = "mix")]
        public partial class BasicBlock32;

        /// <summary>A block that uses another one, then normalizes.</summary>
        [Block]
        [Block(typeof(BasicBlock32))]
        [BatchNormalization]
        public partial class Stage;
        """;

    internal const string ModelSource = """
        using NeuralDsl;

        namespace Models;

        [Sequential(Loss = Loss.MeanSquaredError)]
        [Input(6, 6, 2)]
        [Block(typeof(BasicBlock32))]
        [Block(typeof(BasicBlock32))]
        [Block(typeof(Stage), Name = "stage")]
        [Flatten]
        [Dense(1)]
        public partial class TwoBlocks;
        """;

    [Fact]
    public void A_block_used_twice_and_nested()
    {
        SourceFile[] files = GeneratorHarness.Files(ModelSource, BlockSource);
        GeneratorRun run = GeneratorHarness.RunModel(files);

        DiagnosticAssert.Exactly(run, files);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertNoForbiddenObjects(run);
        GeneratorHarness.AssertIncrementalCached(() => new ModelGenerator(), GeneratorHarness.ModelSteps, files);
        Snapshot.MatchAll(run.Sources, nameof(BlockTests) + "." + nameof(A_block_used_twice_and_nested));
    }

    [Fact]
    public void A_residual_with_and_without_projection_and_a_bottleneck()
    {
        string source = """
            using NeuralDsl;

            namespace Models;

            [Block]
            [Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same)]
            public partial class Same;

            [Block]
            [Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same, Strides = 2)]
            [Conv2D(4, 3, Padding = Padding.Same)]
            public partial class Down;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(8, 8, 4)]
            [Residual(typeof(Same))]
            [Residual(typeof(Down))]
            [ResNetBottleneck(2, Name = "conv2_block1")]
            [GlobalAveragePooling2D]
            [Dense(1)]
            public partial class ResidualNet;
            """;
        SourceFile[] files = GeneratorHarness.Files(source);
        GeneratorRun run = GeneratorHarness.RunModel(files);

        DiagnosticAssert.Exactly(run, files);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertIncrementalCached(() => new ModelGenerator(), GeneratorHarness.ModelSteps, files);
        Snapshot.MatchAll(run.Sources, nameof(BlockTests) + "." + nameof(A_residual_with_and_without_projection_and_a_bottleneck));
    }

    [Fact]
    public void Names_read_inside_a_block_are_the_blocks_and_a_use_name_reads_its_last_layer()
    {
        GeneratorRun run = GeneratorHarness.RunModel("""
            using NeuralDsl;

            namespace Models;

            [Block]
            [Dense(4, Name = "x")]
            [Dense(4)]
            [Add(From = "x")]
            public partial class Inner;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Block(typeof(Inner))]
            [Block(typeof(Inner), Name = "b")]
            [Add("inner", "b")]
            [Dense(1)]
            public partial class Net;
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        string source = run.Sources.Single().Value;
        Assert.Contains("inner_add (Add)", source, StringComparison.Ordinal);
        Assert.Contains("inner_dense[0][0], inner_x[0][0]", source, StringComparison.Ordinal);
        Assert.Contains("b_dense[0][0], b_x[0][0]", source, StringComparison.Ordinal);
        Assert.Contains("inner_add[0][0], b_add[0][0]", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_and_weights_are_named_as_keras_nests_them()
    {
        GeneratorRun run = GeneratorHarness.RunModel(ModelSource, BlockSource);
        GeneratorHarness.WithLoadedType(run, "Models.TwoBlocks", type =>
        {
            var model = (IModel<float>)Activator.CreateInstance(type, [0])!;
            string[] names = [.. model.ParameterLayout.Select(p => p.Name)];
            Assert.Equal(
                [
                    "basic_block32_conv2d.kernel", "basic_block32_conv2d.bias", "basic_block32_mix.kernel", "basic_block32_mix.bias",
                    "basic_block32_1_conv2d.kernel", "basic_block32_1_conv2d.bias", "basic_block32_1_mix.kernel", "basic_block32_1_mix.bias",
                    "stage_basic_block32_conv2d.kernel", "stage_basic_block32_conv2d.bias", "stage_basic_block32_mix.kernel", "stage_basic_block32_mix.bias",
                    "stage_batch_normalization.gamma", "stage_batch_normalization.beta",
                    "dense.kernel", "dense.bias",
                ],
                names);
        });
    }

    [Fact]
    public void Trainable_false_on_a_use_freezes_every_layer_inside_it()
    {
        GeneratorRun run = GeneratorHarness.RunModel(ModelSource.Replace("Name = \"stage\")", "Name = \"stage\", Trainable = false)", StringComparison.Ordinal), BlockSource);
        object plan = Assert.Single(GeneratorHarness.StepOutputs(run.Result, TrackingNames.Plan)).Value;
        // Result<ModelPlan>.Value.Layers: the planned layers with their specs.
        object modelPlan = plan.GetType().GetProperty("Value")!.GetValue(plan)!;
        var layers = ((System.Collections.IEnumerable)modelPlan.GetType().GetProperty("Layers")!.GetValue(modelPlan)!).Cast<object>().ToList();
        var trainable = layers.ToDictionary(
            l => (string)l.GetType().GetProperty("Name")!.GetValue(l)!,
            l =>
            {
                object spec = l.GetType().GetProperty("Spec")!.GetValue(l)!;
                return (bool)spec.GetType().GetProperty("Trainable")!.GetValue(spec)!;
            });
        Assert.False(trainable["stage_basic_block32_conv2d"]);
        Assert.False(trainable["stage_basic_block32_mix"]);
        Assert.False(trainable["stage_batch_normalization"]);
        Assert.True(trainable["basic_block32_1_mix"]);
        Assert.True(trainable["dense"]);
    }

    [Fact]
    public void Editing_the_block_class_in_its_own_file_regenerates_the_model()
    {
        CSharpCompilationEdit edit = compilation =>
        {
            SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == "Model1.cs");
            return compilation.ReplaceSyntaxTree(old, GeneratorHarness.Parse(new SourceFile("Model1.cs",
                BlockSource.Replace("[Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same)]", "[Conv2D(5, 3, Activation.ReLU, Padding = Padding.Same)]", StringComparison.Ordinal))));
        };
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Files(ModelSource, BlockSource));
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(new ModelGenerator()), compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edit(compilation));

        GeneratorHarness.AssertGeneratorDidNotThrow(second);
        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.StepOutputs(second.Result, TrackingNames.Parse).Select(o => o.Reason));
        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.StepOutputs(second.Result, TrackingNames.Output).Select(o => o.Reason));
        string before = first.Sources.Single().Value, after = second.Sources.Single().Value;
        Assert.NotEqual(before, after);
        Assert.Contains("[B,6,6,4]", before, StringComparison.Ordinal);
        Assert.Contains("[B,6,6,5]", after, StringComparison.Ordinal);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(second);
    }

    private delegate Microsoft.CodeAnalysis.CSharp.CSharpCompilation CSharpCompilationEdit(Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation);
}
