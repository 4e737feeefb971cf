using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// The block diagnostics (NDSL0014–NDSL0016) and where a problem inside a block is reported. A block's own mistakes
/// are reported in the block class (once, whether or not a model uses it); a use that cannot be expanded is reported
/// again on the use, naming the chain. Besides id and span, these check the message names the classes involved.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Conv = """
        using NeuralDsl;

        namespace Models;

        [Block]
        [Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same)]
        [Conv2D(4, 3, Padding = Padding.Same)]
        public partial class ConvBlock;
        """;

    private static string Message(GeneratorRun run, string id, int index = 0) =>
        run.GeneratorDiagnostics.Where(d => d.Id == id).OrderBy(d => d.Location.SourceSpan.Start).ElementAt(index).GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void NDSL0014_a_block_using_itself_on_the_use_inside_it()
    {
        GeneratorRun run = Expect("NDSL0014", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [Dense(4)]
            [[|Block(typeof(Loop))|]]
            public partial class Loop;
            """);

        Assert.Contains("Block 'Loop' uses itself (Loop → Loop)", Message(run, "NDSL0014"), StringComparison.Ordinal);
    }

    [Fact]
    public void NDSL0014_a_cycle_through_two_blocks_and_a_model_using_it_never_hangs()
    {
        // Each use on the cycle reports in its own class, and the model's use reports the chain from the model.
        GeneratorRun run = Expect("NDSL0014", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [Dense(4)]
            [[|Block(typeof(B))|]]
            public partial class A;

            [Block]
            [[|Block(typeof(A))|]]
            public partial class B;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(3)]
            [[|Block(typeof(A))|]]
            [Dense(1)]
            public partial class Net;
            """);

        Assert.Contains("Block 'A' uses itself (A → B → A)", Message(run, "NDSL0014", 0), StringComparison.Ordinal);
        Assert.Contains("Block 'B' uses itself (B → A → B)", Message(run, "NDSL0014", 1), StringComparison.Ordinal);
        Assert.Contains("Block 'A' uses itself (Net → A → B → A)", Message(run, "NDSL0014", 2), StringComparison.Ordinal);
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Fact]
    public void NDSL0015_input_on_a_block_on_the_attribute()
    {
        GeneratorRun run = Expect("NDSL0015", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [[|Input(3)|]]
            [Dense(4)]
            public partial class Head;
            """);

        Assert.Contains("[Input] on block class 'Head'", Message(run, "NDSL0015"), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NDSL0015_sequential_on_a_block_on_the_sequential_attribute()
    {
        GeneratorRun run = Expect("NDSL0015", """
            using NeuralDsl;

            namespace Models;

            [[|Sequential(Loss = Loss.MeanSquaredError)|]]
            [Block]
            [Input(3)]
            [Dense(1)]
            public partial class Both;
            """);

        Assert.Contains("[Sequential] on block class 'Both'", Message(run, "NDSL0015"), StringComparison.Ordinal);
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Theory]
    [InlineData("public partial class Plain;", "'Plain' is not marked [Block]")]
    [InlineData("[Block]\npublic partial class Plain;", "'Plain' declares no layers")]
    [InlineData("public struct Plain;", "'Models.Plain' is not a class")]
    public void NDSL0016_a_use_of_a_class_that_is_no_block_on_the_use(string declaration, string message)
    {
        GeneratorRun run = Expect("NDSL0016", $$"""
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(3)]
            [[|Block(typeof(Plain))|]]
            [Dense(1)]
            public partial class Net;

            {{declaration}}
            """);

        Assert.Contains(message, Message(run, "NDSL0016"), StringComparison.Ordinal);
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Fact]
    public void NDSL0016_inside_a_block_is_reported_in_the_block_and_on_the_models_use()
    {
        GeneratorRun run = Expect("NDSL0016", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [[|Block(typeof(string))|]]
            public partial class Outer;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(3)]
            [[|Block(typeof(Outer))|]]
            [Dense(1)]
            public partial class Net;
            """);

        Assert.Contains("'String' is not marked [Block]", Message(run, "NDSL0016", 0), StringComparison.Ordinal);
        Assert.Contains("'String' is not marked [Block] (used through Net → Outer)", Message(run, "NDSL0016", 1), StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_error_inside_a_block_is_on_the_inner_attribute_and_names_the_use()
    {
        // The block's 3×3 convolution fits the first use's 4×4 input, not the second use's 2×2.
        GeneratorRun run = Expect("NDSL1006", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [[|Conv2D(4, 3)|]]
            public partial class Shrink;
            """, """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(4, 4, 1)]
            [Block(typeof(Shrink))]
            [Block(typeof(Shrink), Name = "second")]
            [Flatten]
            [Dense(1)]
            public partial class Net;
            """);

        Assert.Contains("(layer 'second_conv2d', in block use 'second' (Shrink) of model 'Net')", Message(run, "NDSL1006"), StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_used_correctly_report_nothing_and_compile()
    {
        GeneratorRun run = ExpectNone(Conv, """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(6, 6, 2)]
            [Block(typeof(ConvBlock))]
            [Block(typeof(ConvBlock), Trainable = false)]
            [Flatten]
            [Dense(1)]
            public partial class Net;
            """);

        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Fact]
    public void NDSL0012_is_not_reported_for_a_block_class()
    {
        GeneratorRun run = ExpectNone(Conv);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NDSL1017_a_projection_no_stride_can_make_on_the_residual()
    {
        // A valid 3×3 convolution turns 6×6 into 4×4, and no 1×1 stride does (⌈6/2⌉ = 3).
        GeneratorRun run = Expect("NDSL1017", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [Conv2D(4, 3)]
            public partial class Valid;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(6, 6, 2)]
            [[|Residual(typeof(Valid))|]]
            [Flatten]
            [Dense(1)]
            public partial class Net;
            """);

        Assert.Contains("[Residual(Valid)] 'valid': the projection shortcut cannot map the block's input [6, 6, 2] to its output [4, 4, 4]", Message(run, "NDSL1017"), StringComparison.Ordinal);
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Fact]
    public void NDSL1018_shapes_that_differ_without_projection_on_the_residual()
    {
        GeneratorRun run = Expect("NDSL1018", """
            using NeuralDsl;

            namespace Models;

            [Block]
            [Dense(8)]
            public partial class Wider;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(4)]
            [[|Residual(typeof(Wider), Projection = false)|]]
            [Dense(1)]
            public partial class Net;
            """);

        Assert.Contains("[Residual(Wider)] 'wider': the block turns its input [4] into [8]", Message(run, "NDSL1018"), StringComparison.Ordinal);
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }
}
