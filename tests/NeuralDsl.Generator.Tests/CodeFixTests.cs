using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using NeuralDsl.CodeFixes;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// The code fixes, through the Roslyn code-fix test framework (Microsoft.CodeAnalysis.CSharp.CodeFix.Testing): the
/// source with the diagnostic's span marked as <c>{|NDSLnnnn:…|}</c>, the fixed source, and the framework checks that
/// the generator reports exactly the marked diagnostics, that the fix turns the source into the fixed source byte for
/// byte, and that the fixed source has no diagnostic left (the generator's, or a compiler error in it or in the
/// generated code). The diagnostics come from the source generator, not from a DiagnosticAnalyzer: the framework runs
/// the generators that <see cref="ModelFixTest.GetSourceGenerators"/> names on every project it builds and verifies
/// and fixes their diagnostics like an analyzer's, so the analyzer is the framework's empty one.
/// </summary>
public sealed class CodeFixTests
{
    [Fact]
    public async Task NDSL0001_adds_partial_after_the_other_modifiers()
    {
        await VerifyFix(
            """
            using NeuralDsl;

            [Sequential]
            [Input(3)]
            [Dense(1)]
            public sealed class {|NDSL0001:Net|};
            """,
            """
            using NeuralDsl;

            [Sequential]
            [Input(3)]
            [Dense(1)]
            public sealed partial class Net;
            """);
    }

    [Fact]
    public async Task NDSL0001_adds_partial_to_a_class_without_modifiers()
    {
        await VerifyFix(
            "using NeuralDsl;\nnamespace M\n{\n    [Sequential, Input(3), Dense(1)]\n    class {|NDSL0001:Net|} { }\n}\n",
            "using NeuralDsl;\nnamespace M\n{\n    [Sequential, Input(3), Dense(1)]\n    partial class Net { }\n}\n");
    }

    [Fact]
    public async Task NDSL1003_inserts_Flatten_on_its_own_line_before_the_reported_Dense()
    {
        await VerifyFix(
            """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(28, 28)]
            [{|NDSL1003:Dense(128, Activation.ReLU)|}]
            [Dense(10, Activation.Softmax)]
            public partial class Net;
            """,
            """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(28, 28)]
            [Flatten]
            [Dense(128, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task NDSL1003_inserts_Flatten_inline_and_qualified_as_the_user_writes_attributes()
    {
        await VerifyFix(
            "[NeuralDsl.Sequential(Loss = NeuralDsl.Loss.BinaryCrossEntropy)] [NeuralDsl.Input(4, 4)] [{|NDSL1003:NeuralDsl.DenseAttribute(1, NeuralDsl.Activation.Sigmoid)|}]\npublic partial class Net;\n",
            "[NeuralDsl.Sequential(Loss = NeuralDsl.Loss.BinaryCrossEntropy)] [NeuralDsl.Input(4, 4)] [NeuralDsl.Flatten] [NeuralDsl.DenseAttribute(1, NeuralDsl.Activation.Sigmoid)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL1003_inserts_Flatten_into_a_shared_attribute_list()
    {
        await VerifyFix(
            "using NeuralDsl;\n[Sequential(Loss = Loss.BinaryCrossEntropy), Input(4, 4), {|NDSL1003:Dense(1, Activation.Sigmoid)|}]\npublic partial class Net;\n",
            "using NeuralDsl;\n[Sequential(Loss = Loss.BinaryCrossEntropy), Input(4, 4), Flatten, Dense(1, Activation.Sigmoid)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL0004_moves_the_Input_line_with_its_comment_before_the_first_layer()
    {
        await VerifyFix(
            """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
                [Dense(4, Activation.ReLU)]
                [Dense(1)]
                [{|NDSL0004:Input(3)|}] // the features
            public partial class Net;
            """,
            """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
                [Input(3)] // the features
                [Dense(4, Activation.ReLU)]
                [Dense(1)]
            public partial class Net;
            """);
    }

    [Fact]
    public async Task NDSL0004_moves_Input_out_of_a_shared_list()
    {
        await VerifyFix(
            "using NeuralDsl;\n[Sequential(Loss = Loss.MeanSquaredError)]\n[Dense(4), {|NDSL0004:Input(3)|}, Dense(1)]\npublic partial class Net;\n",
            "using NeuralDsl;\n[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3), Dense(4), Dense(1)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL0004_moves_Input_written_inline()
    {
        await VerifyFix(
            "using NeuralDsl;\n[Sequential] [Dense(4)] [Dense(1)] [{|NDSL0004:Input(3)|}]\npublic partial class Net;\n",
            "using NeuralDsl;\n[Sequential] [Input(3)] [Dense(4)] [Dense(1)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL0004_on_a_second_Input_gets_no_fix()
    {
        // Which of the two is meant is for the user to say.
        await VerifyNoFix("using NeuralDsl;\n[Sequential]\n[Input(3)]\n[Dense(4)]\n[{|NDSL0004:Input(3)|}]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL1003_on_a_layer_other_than_Dense_gets_no_fix()
    {
        // The output of a convolution: [Flatten] before it would break the convolution instead.
        await VerifyNoFix("using NeuralDsl;\n[Sequential(Loss = Loss.BinaryCrossEntropy)]\n[Input(4, 4, 1)]\n[{|NDSL1003:Conv2D(1, 3)|}]\npublic partial class Net;\n");
    }

    [Theory]
    [InlineData("[{|NDSL0003:Sequential|}]\n[Dense(4)]")]
    [InlineData("[{|NDSL0003:Sequential|}]\n[Conv2D(8, 3)]\n[Flatten]\n[Dense(1)]")]
    public async Task NDSL0003_gets_no_fix(string attributes)
    {
        // No layer declares the size of its input (NoLayerArgumentImpliesTheInputSize), so no [Input(...)] to write.
        await VerifyNoFix("using NeuralDsl;\n" + attributes + "\npublic partial class Net;\n");
    }

    /// <summary>
    /// Why NDSL0003 has no fix, kept true: every argument a layer attribute takes, and what it sizes. None is the size
    /// of the layer's input (Keras's <c>input_shape=</c>, an Embedding's vocabulary or a Reshape's target would be),
    /// so nothing in a model without <c>[Input]</c> implies the shape to write. A new layer or argument fails here
    /// until it is classified; one that declares its input size makes the fix possible, and this test and
    /// <see cref="NDSL0003_gets_no_fix"/> change with the fix.
    /// </summary>
    [Fact]
    public void NoLayerArgumentImpliesTheInputSize()
    {
        Dictionary<string, string> sizes = new(StringComparer.Ordinal)
        {
            ["units"] = "the output width", ["filters"] = "the output channels",
            ["kernelSize"] = "the window", ["kernelHeight"] = "the window", ["kernelWidth"] = "the window",
            ["poolSize"] = "the window", ["poolHeight"] = "the window", ["poolWidth"] = "the window",
            ["Strides"] = "the step", ["StrideHeight"] = "the step", ["StrideWidth"] = "the step", ["Dilation"] = "the window's spacing",
            ["padding"] = "the border added", ["heightPadding"] = "the border added", ["widthPadding"] = "the border added",
            ["Top"] = "the border added", ["Bottom"] = "the border added", ["Left"] = "the border added", ["Right"] = "the border added",
            ["Padding"] = "no size (valid or same)", ["activation"] = "no size", ["rate"] = "no size", ["Momentum"] = "no size",
            ["Epsilon"] = "no size", ["UseBias"] = "no size", ["KernelInitializer"] = "no size", ["BiasInitializer"] = "no size",
            ["Name"] = "no size", ["Input"] = "no size (which earlier output the layer reads)", ["Trainable"] = "no size",
            ["inputDim"] = "the vocabulary of token ids, not the number of steps", ["outputDim"] = "the output width",
            ["MaskZero"] = "no size", ["Activation"] = "no size", ["RecurrentActivation"] = "no size",
            ["ReturnSequences"] = "no size (which steps are returned)", ["GoBackwards"] = "no size", ["Dropout"] = "no size",
            ["RecurrentDropout"] = "no size", ["RecurrentInitializer"] = "no size", ["ResetAfter"] = "no size",
            ["UnitForgetBias"] = "no size", ["MergeMode"] = "no size (how the two directions combine)",
            ["block"] = "no size (the [Block] class used; its shapes come from the place of use)",
            ["Projection"] = "no size (whether a residual's shortcut projects)",
            ["operands"] = "no size (the names of the outputs merged)", ["From"] = "no size (an earlier output merged with the current one)",
            ["Axis"] = "no size (which axis Concatenate joins)",
            // [Reservoir] and [Readout] (echo state networks): units and outputs are output widths; the rest are rates,
            // densities, scales and counts of steps, never the size of the input.
            ["outputs"] = "the output width", ["SpectralRadius"] = "no size", ["LeakRate"] = "no size",
            ["InputScaling"] = "no size", ["Connectivity"] = "no size", ["InputConnectivity"] = "no size", ["Bias"] = "no size",
            ["Seed"] = "no size", ["Ridge"] = "no size", ["Warmup"] = "no size (steps discarded from a fit)",
            ["numHeads"] = "the number of attention heads", ["keyDim"] = "the per-head query/key width", ["ValueDim"] = "the per-head value width",
            ["OutputShape"] = "the output width", ["UseCausalMask"] = "no size", ["Key"] = "no size (the key's earlier output)",
            ["Value"] = "no size (the value's earlier output)",
            ["sequenceLength"] = "the longest sequence a position table covers, at least the input's steps", ["MaxWavelength"] = "no size",
            ["vocabulary"] = "the vocabulary of token ids, not the number of steps", ["dim"] = "the output width",
            ["Center"] = "no size (whether β is added)", ["Scale"] = "no size (whether γ multiplies)", ["RmsScaling"] = "no size (RMSNorm)",
            ["intermediateDim"] = "the feed-forward's hidden width (the block's output keeps the input's model dim)",
            ["LayerNormEpsilon"] = "no size", ["NormalizeFirst"] = "no size (pre- or post-norm)",
        };
        IEnumerable<Type> layers = typeof(SequentialAttribute).Assembly.GetExportedTypes()
            .Where(t => t.IsSubclassOf(typeof(Attribute)) && t != typeof(SequentialAttribute) && t != typeof(InputAttribute)
                && t != typeof(PerceptronAttribute)); // a model kind, not a layer: [Input] is required beside it too
        var unclassified = new List<string>();
        foreach (Type layer in layers)
        {
            IEnumerable<string> arguments = layer.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.Name!)
                .Concat(layer.GetProperties().Where(p => p.CanWrite && p.SetMethod!.IsPublic).Select(p => p.Name));
            unclassified.AddRange(arguments.Where(a => !sizes.ContainsKey(a)).Select(a => layer.Name + "." + a));
        }
        Assert.Empty(unclassified.Distinct());
        Assert.NotEmpty(layers);
    }

    private static Task VerifyFix(string source, string fixedSource) =>
        new ModelFixTest { TestCode = source, FixedCode = fixedSource }.RunAsync();

    // The framework's form of "no code action": the fixed state is the test state, so any offered fix fails the test.
    private static Task VerifyNoFix(string source) =>
        new ModelFixTest { TestCode = source, FixedCode = source }.RunAsync();

    /// <summary>
    /// The code-fix test with the model generator as its source of diagnostics, C# preview and the references every
    /// generator test compiles against (the .NET 10 reference assemblies, the runtime, System.Numerics.Tensors),
    /// all from this machine: the framework resolves no reference package from a feed.
    /// </summary>
    private sealed class ModelFixTest : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, ModelCodeFixProvider, DefaultVerifier>
    {
        public ModelFixTest()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
            // The generated code is checked by the snapshot tests; here it need only compile, which the framework's
            // compiler-error check of the fixed state covers.
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(ModelGenerator)];

        protected override ParseOptions CreateParseOptions() => GeneratorHarness.ParseOptions;

        protected override CompilationOptions CreateCompilationOptions() => GeneratorHarness.CompilationOptions;
    }
}
