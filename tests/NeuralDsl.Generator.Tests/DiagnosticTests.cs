using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// One test per diagnostic: the id and the exact span (marked <c>[|...|]</c> in the source) — never the message text.
/// Each test also asserts that nothing else is reported, so cascades and duplicates fail too.
/// </summary>
public sealed partial class DiagnosticTests
{
    private static GeneratorRun Expect(string id, params string[] markedSources)
    {
        (SourceFile[] files, ExpectedDiagnostic[] expected) = DiagnosticAssert.Prepare(id, markedSources);
        Assert.NotEmpty(expected);
        GeneratorRun run = GeneratorHarness.RunModel(files);
        DiagnosticAssert.Exactly(run, files, expected);
        return run;
    }

    private static GeneratorRun ExpectNone(params string[] sources)
    {
        SourceFile[] files = GeneratorHarness.Files(sources);
        GeneratorRun run = GeneratorHarness.RunModel(files);
        DiagnosticAssert.Exactly(run, files);
        return run;
    }

    private static string Model(string attributes, string declaration = "public partial class Net;") => $$"""
        using NeuralDsl;

        namespace Models;

        {{attributes}}
        {{declaration}}
        """;

    [Fact]
    public void Correct_model_reports_nothing_and_compiles()
    {
        GeneratorRun run = ExpectNone(Model("""
            [Sequential(Loss = Loss.BinaryCrossEntropy)]
            [Input(8)]
            [Dense(12, Activation.ReLU)]
            [Dense(8, Activation.ReLU)]
            [Dense(1, Activation.Sigmoid)]
            """));

        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Fact]
    public void NDSL0001_class_not_partial_on_the_identifier()
    {
        Expect("NDSL0001", Model(
            "[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(1)]",
            "public class [|Plain|];"));
    }

    [Fact]
    public void NDSL0001_sealed_class_with_a_body()
    {
        Expect("NDSL0001", Model(
            "[Sequential]\n[Input(3)]\n[Dense(1)]",
            "public sealed class [|Plain|]\n{\n    public int Extra => 1;\n}"));
    }

    [Fact]
    public void NDSL0002_nested_class_on_the_identifier()
    {
        Expect("NDSL0002", """
            using NeuralDsl;

            namespace Models;

            public static partial class Outer
            {
                [Sequential]
                [Input(3)]
                [Dense(1)]
                public partial class [|Inner|];
            }
            """);
    }

    [Fact]
    public void NDSL0002_generic_class_on_the_identifier()
    {
        Expect("NDSL0002", Model("[Sequential]\n[Input(3)]\n[Dense(1)]", "public partial class [|Generic|]<T>;"));
    }

    [Theory]
    [InlineData("public partial record [|Net|];")]
    [InlineData("public record [|Net|](int Units);")]
    [InlineData("public sealed partial record class [|Net|];")]
    [InlineData("public partial class [|Net|](int units);")]
    [InlineData("public partial class [|Net|]() : object();")]
    [InlineData("public partial class [|Net|] : Base;\n\npublic class Base(int size);")]
    public void NDSL0002_record_or_primary_constructor_on_the_identifier(string declaration)
    {
        Expect("NDSL0002", Model("[Sequential]\n[Input(3)]\n[Dense(1)]", declaration));
    }

    [Fact]
    public void NDSL0002_class_derived_from_another_model_on_the_identifier()
    {
        Expect("NDSL0002", Model(
            "[Sequential]\n[Input(3)]\n[Dense(1)]",
            "public partial class BaseNet;\n\n[Sequential]\n[Input(3)]\n[Dense(2)]\npublic partial class [|Net|] : BaseNet;"));
    }

    [Theory]
    [InlineData("Predict")]
    [InlineData("Summary")]
    [InlineData("Forward")]
    [InlineData("TrainStep")]
    [InlineData("Parameters")]
    [InlineData("InputSize")]
    [InlineData("ZeroGradients")]
    [InlineData("DenseKernel")]
    [InlineData("Dense1BiasGradient")]
    public void NDSL0010_class_named_like_a_generated_member_on_the_identifier(string name)
    {
        Expect("NDSL0010", Model("[Sequential]\n[Input(3)]\n[Dense(4)]\n[Dense(1)]", "public partial class [|" + name + "|];"));
    }

    [Theory]
    [InlineData("public int [|InputSize|] => 3;")]
    [InlineData("public static int [|Summary|];")]
    [InlineData("public void [|Predict|](System.ReadOnlySpan<float> input, System.Span<float> output) { }")]
    [InlineData("public float[] [|Predict|](System.ReadOnlySpan<float> data) => [];")]
    [InlineData("private void [|ZeroGradients|]() { }")]
    [InlineData("public int [|Forward|];")]
    [InlineData("public [|Net|](int units) { }")]
    [InlineData("public System.Span<float> [|DenseKernel|] => default;")]
    [InlineData("public class [|Parameters|];")]
    [InlineData("public event System.Action? [|LastOutput|];")]
    public void NDSL0011_member_named_like_a_generated_member_on_the_member(string member)
    {
        Expect("NDSL0011", Model("[Sequential]\n[Input(3)]\n[Dense(1)]", "public partial class Net\n{\n    " + member + "\n}"));
    }

    /// <summary>A causal recurrent model also gets the streaming members, so a user's member of the same name collides.</summary>
    [Theory]
    [InlineData("public void [|Step|](System.ReadOnlySpan<float> x, System.Span<float> y) { }")]
    [InlineData("public void [|ResetState|]() { }")]
    [InlineData("public int [|StateSize|] => 0;")]
    public void NDSL0011_member_named_like_a_streaming_member(string member)
    {
        Expect("NDSL0011", Model("[Sequential]\n[Input(4, 2)]\n[LSTM(3)]\n[Dense(1)]", "public partial class Net\n{\n    " + member + "\n}"));
    }

    [Fact]
    public void A_model_without_streaming_may_declare_its_own_Step()
    {
        ExpectNone(Model("[Sequential]\n[Input(4, 2)]\n[LSTM(3, GoBackwards = true)]\n[Dense(1)]", "public partial class Net\n{\n    public void Step() { }\n}"));
    }

    [Theory]
    [InlineData("public void Predict(System.ReadOnlySpan<float> input, System.Span<float> output) { }")]
    [InlineData("protected int InputSize => 3;")]
    [InlineData("public virtual float[] Predict(System.ReadOnlySpan<float> input) => [];")]
    [InlineData("public static string Summary = \"\";")]
    public void NDSL0011_inherited_member_that_would_be_hidden_on_the_class_identifier(string member)
    {
        Expect("NDSL0011", Model(
            "[Sequential]\n[Input(3)]\n[Dense(1)]",
            "public partial class [|Net|] : Base;\n\npublic class Base\n{\n    " + member + "\n}"));
    }

    [Theory]
    [InlineData("public void Predict(int sample) { }", "public partial class Net : Base;")]
    [InlineData("private int InputSize => 3;", "public partial class Net : Base;")]
    [InlineData("public Base(int seed) { }", "public partial class Net : Base;")]
    public void Overloads_and_inaccessible_base_members_do_not_collide(string baseMember, string declaration)
    {
        GeneratorRun run = ExpectNone(Model(
            "[Sequential]\n[Input(3)]\n[Dense(1)]",
            declaration + "\n\npublic class Base\n{\n    " + baseMember + "\n    public Base() { }\n}"));

        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Theory]
    [InlineData("[Input(3)]\n[Dense(1)]")]
    [InlineData("[Dense(4)]\n[Conv2D(2, 3)]\n[Dense(1)]")]
    [InlineData("[Flatten]")]
    public void NDSL0012_layer_attributes_without_sequential_warn_on_the_class_identifier(string attributes)
    {
        GeneratorRun run = Expect("NDSL0012", Model(attributes, "public partial class [|Net|];"));

        Assert.Equal(DiagnosticSeverity.Warning, DiagnosticAssert.SeverityOf(run, "NDSL0012"));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NDSL0012_is_not_reported_for_layers_beside_sequential_on_another_declaration()
    {
        Expect(
            "NDSL0005",
            Model("[Sequential]\n[Input(3)]\n[Dense(4)]", "public partial class Split;"),
            Model("[[|Dense(1)|]]", "public partial class Split;"));
    }

    [Theory]
    [InlineData("[[|Sequential(Loss = Loss.MeanSquaredError)|]]\n[Dense(1)]")]
    [InlineData("[[|Sequential|]]\n[Dense(4)]\n[Dense(1)]")]
    [InlineData("[[|Sequential|]]")]
    public void NDSL0003_missing_input_on_the_sequential_attribute(string attributes)
    {
        Expect("NDSL0003", Model(attributes));
    }

    [Theory]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Input(3)|]]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(4)]\n[[|Input(4)|]]")]
    [InlineData("[Sequential, Input(3), Dense(2), [|Input(2)|]]")]
    public void NDSL0004_misplaced_or_repeated_input_on_the_offending_input(string attributes)
    {
        Expect("NDSL0004", Model(attributes));
    }

    [Fact]
    public void NDSL0005_layers_on_two_declarations_on_the_first_layer_of_the_second()
    {
        Expect(
            "NDSL0005",
            Model("[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(4)]", "public partial class Split;"),
            Model("[[|Dense(2)|]]\n[Dense(1)]", "public partial class Split;"));
    }

    [Fact]
    public void NDSL0005_is_reported_once_with_three_declarations()
    {
        Expect(
            "NDSL0005",
            Model("[Sequential]\n[Input(3)]\n[Dense(4)]", "public partial class Split;"),
            Model("[[|Dense(2)|]]", "public partial class Split;"),
            Model("[Dense(1)]", "public partial class Split;"));
    }

    [Fact]
    public void A_second_partial_declaration_without_layer_attributes_is_fine()
    {
        ExpectNone(
            Model("[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(1)]", "public partial class Split;"),
            Model(string.Empty, "public partial class Split\n{\n    public int Extra => 1;\n}"));
    }

    [Theory]
    [InlineData("int")]
    [InlineData("decimal")]
    [InlineData("System.Half")]
    [InlineData("string")]
    public void NDSL0006_unsupported_element_type_on_the_sequential_attribute(string type)
    {
        Expect("NDSL0006", Model($"[[|Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof({type}))|]]\n[Input(3)]\n[Dense(1)]"));
    }

    [Fact]
    public void Float_and_double_element_types_are_accepted()
    {
        ExpectNone(Model("[Sequential(ElementType = typeof(float))]\n[Input(3)]\n[Dense(1)]", "public partial class F;"));
        ExpectNone(Model("[Sequential(ElementType = typeof(double))]\n[Input(3)]\n[Dense(1)]", "public partial class D;"));
    }

    [Theory]
    [InlineData("[Dense(4, Name = \"hidden\")]\n[[|Dense(1, Name = \"hidden\")|]]")]
    [InlineData("[Dropout(0.1, Name = \"x\")]\n[Dense(4)]\n[[|Activation(Activation.ReLU, Name = \"x\")|]]")]
    [InlineData("[Flatten(Name = \"f\")]\n[Dense(4, Name = \"f2\")]\n[[|Dense(1, Name = \"f\")|]]")]
    public void NDSL0007_duplicate_layer_name_on_the_second_attribute(string layers)
    {
        Expect("NDSL0007", Model("[Sequential]\n[Input(3)]\n" + layers));
    }

    [Theory]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Dense(4, (Activation)99)|]]")]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Activation((Activation)(-1))|]]")]
    [InlineData("[[|Sequential(Loss = (Loss)42)|]]\n[Input(3)]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Dense(4, KernelInitializer = (Initializer)77)|]]")]
    public void NDSL0008_undefined_enum_value_on_the_attribute(string attributes)
    {
        Expect("NDSL0008", Model(attributes));
    }

    [Theory]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Dense(4, Name = \"a b\")|]]")]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Dense(4, Name = \"<x>\")|]]")]
    [InlineData("[Sequential]\n[Input(3)]\n[[|Dense(4, Name = \"1st\")|]]")]
    [InlineData("[[|Sequential(Name = \"line\\nbreak\")|]]\n[Input(3)]\n[Dense(1)]")]
    public void NDSL0009_invalid_name_on_the_attribute(string attributes)
    {
        Expect("NDSL0009", Model(attributes));
    }

    [Fact]
    public void Explicit_name_that_matches_a_later_automatic_name_is_not_a_duplicate()
    {
        // Keras skips taken names when numbering: the second Dense becomes dense_1... unless that is taken too.
        ExpectNone(Model("[Sequential]\n[Input(3)]\n[Dense(4, Name = \"dense\")]\n[Dense(2)]\n[Dense(1, Name = \"dense_1\")]"));
    }

    [Theory]
    [InlineData("[[|Input(0)|]]\n[Dense(1)]")]
    [InlineData("[[|Input(28, -1)|]]\n[Flatten]\n[Dense(1)]")]
    [InlineData("[Input(3)]\n[[|Dense(0)|]]")]
    [InlineData("[Input(3)]\n[[|Dense(-5, Activation.ReLU)|]]\n[Dense(1)]")]
    [InlineData("[Input(3)]\n[Dense(4)]\n[[|Dense(units: 0, activation: Activation.Sigmoid)|]]")]
    [InlineData("[Input(4, 4, 1)]\n[[|AveragePooling2D(0)|]]")]
    [InlineData("[Input(4, 4, 1)]\n[[|AveragePooling2D(2, Strides = -1)|]]")]
    [InlineData("[Input(6, 2)]\n[[|MaxPooling1D(0)|]]")]
    [InlineData("[Input(6, 2)]\n[[|MaxPooling1D(2, Strides = -2)|]]")]
    [InlineData("[Input(6, 2)]\n[[|Conv1D(0, 3)|]]")]
    [InlineData("[Input(6, 2)]\n[[|Conv1D(2, 0)|]]")]
    [InlineData("[Input(6, 2)]\n[[|Conv1D(2, 3, Strides = 0)|]]")]
    [InlineData("[Input(6, 2)]\n[[|Conv1D(2, 3, Dilation = -1)|]]")]
    public void NDSL1001_non_positive_size_on_that_attribute(string layers)
    {
        Expect("NDSL1001", Model("[Sequential]\n" + layers));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1")]
    [InlineData("-0.1")]
    [InlineData("1.5")]
    [InlineData("double.NaN")]
    [InlineData("double.PositiveInfinity")]
    public void NDSL1002_dropout_rate_outside_0_1_on_the_dropout_attribute(string rate)
    {
        Expect("NDSL1002", Model($"[Sequential]\n[Input(3)]\n[Dense(4)]\n[[|Dropout({rate})|]]\n[Dense(1)]"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("0.999")]
    public void Dropout_rates_inside_0_1_are_accepted(string rate)
    {
        ExpectNone(Model($"[Sequential]\n[Input(3)]\n[Dropout({rate})]\n[Dense(1)]"));
    }

    [Theory]
    [InlineData("SparseCategoricalCrossEntropy", "[Input(28, 28)]\n[[|Dense(128, Activation.ReLU)|]]\n[Dense(10, Activation.Softmax)]")]
    [InlineData("CategoricalCrossEntropy", "[Input(4, 5)]\n[[|Dense(3)|]]\n[Activation(Activation.Softmax)]")]
    [InlineData("BinaryCrossEntropy", "[Input(4, 3)]\n[Dropout(0.5)]\n[[|Dense(1, Activation.Sigmoid)|]]")]
    [InlineData("SparseCategoricalCrossEntropy", "[Input(2, 3, 4)]\n[[|Dense(8)|]]\n[Dense(6)]\n[Dense(5, Activation.Softmax)]")]
    public void NDSL1003_output_not_a_vector_for_a_classification_loss_on_the_first_dense_on_a_tensor(string loss, string layers)
    {
        Expect("NDSL1003", Model($"[Sequential(Loss = Loss.{loss})]\n{layers}"));
    }

    [Fact]
    public void NDSL1003_not_reported_when_flatten_comes_first()
    {
        ExpectNone(Model("[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]\n[Input(28, 28)]\n[Flatten]\n[Dense(16, Activation.ReLU)]\n[Dense(10, Activation.Softmax)]"));
    }

    [Theory]
    [InlineData("SparseCategoricalCrossEntropy", "[TokenAndPositionEmbedding(30, 16, 8)]\n[MultiHeadAttention(2, 4, UseCausalMask = true)]\n[Dense(30, Activation.Softmax)]")]
    [InlineData("CategoricalCrossEntropy", "[Embedding(30, 8)]\n[Dense(5)]\n[Activation(Activation.Softmax)]")]
    [InlineData("BinaryCrossEntropy", "[Embedding(30, 8)]\n[LSTM(4, ReturnSequences = true)]\n[Dense(1, Activation.Sigmoid)]")]
    public void NDSL1003_not_reported_for_a_per_step_output_over_token_ids(string loss, string layers)
    {
        // A language model or a tagger: token ids [16] in, [16, classes] out, one row of the loss per step.
        GeneratorRun run = ExpectNone(Model($"[Sequential(Loss = Loss.{loss})]\n[Input(16)]\n{layers}"));

        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Fact]
    public void NDSL1003_still_reported_for_token_ids_when_the_output_is_not_one_row_per_step()
    {
        // A valid convolution leaves 14 of the 16 steps: not one distribution per input step.
        Expect("NDSL1003", Model("[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]\n[Input(16)]\n[Embedding(30, 8)]\n[Conv1D(8, 3)]\n[[|Dense(30, Activation.Softmax)|]]"));
    }

    [Theory]
    [InlineData("[Input(6, 6, 1)]\n[Conv2D(2, 3)]\n[[|Dense(3, Activation.Softmax)|]]",
        "[Dense(3, Softmax)] 'dense' receives [4, 4, 2] and acts on its last axis, so the model outputs [4, 4, 3]; loss SparseCategoricalCrossEntropy "
        + "needs one vector per sample ([classes]), or one per input step ([steps, classes] for [Input(steps)]) when the first layer takes token ids: "
        + "insert [Flatten] before this layer")]
    [InlineData("[Input(6, 6, 1)]\n[[|Conv2D(3, 3, Activation.Softmax)|]]",
        "[Conv2D(3, 3×3, Softmax)] 'conv2d' is the last layer, so the model outputs [4, 4, 3]; loss SparseCategoricalCrossEntropy "
        + "needs one vector per sample ([classes]), or one per input step ([steps, classes] for [Input(steps)]) when the first layer takes token ids: "
        + "flatten or pool the output (e.g. [Flatten] or a global pooling layer) and end with the classifying layer")]
    public void NDSL1003_message_names_the_layer_the_output_and_both_shapes_the_loss_takes(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1003", Model("[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]\n" + layers));

        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("MeanSquaredError")]
    [InlineData("MeanAbsoluteError")]
    [InlineData("Huber")]
    [InlineData("None")]
    public void NDSL1003_not_reported_for_regression_losses_on_a_tensor_output(string loss)
    {
        GeneratorRun run = ExpectNone(Model($"[Sequential(Loss = Loss.{loss})]\n[Input(4, 3)]\n[Dense(2)]"));

        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Theory]
    [InlineData("[[|Input(null)|]]\n[Dense(1)]")]
    [InlineData("[[|Input(new int[0])|]]\n[Dense(1)]")]
    public void NDSL1001_input_without_dimensions(string layers)
    {
        Expect("NDSL1001", Model("[Sequential]\n" + layers));
    }

    [Fact]
    public void NDSL1001_layer_normalization_epsilon_not_positive()
    {
        Expect("NDSL1001", Model("[Sequential]\n[Input(3)]\n[[|LayerNormalization(Epsilon = 0)|]]"));
    }

    [Fact]
    public void NDSL1001_batch_normalization_epsilon_not_positive()
    {
        Expect("NDSL1001", Model("[Sequential]\n[Input(3)]\n[[|BatchNormalization(Epsilon = 0)|]]"));
    }

    [Theory]
    [InlineData("[Input(3)]\n[[|BatchNormalization(Momentum = 1.5)|]]", "BatchNormalization momentum must be in [0, 1], but is 1.5")]
    [InlineData("[Input(3)]\n[[|BatchNormalization(Momentum = -0.25)|]]", "BatchNormalization momentum must be in [0, 1], but is -0.25")]
    [InlineData("[Input(3)]\n[[|BatchNormalization(Momentum = double.NaN)|]]", "BatchNormalization momentum must be in [0, 1], but is NaN")]
    [InlineData("[Input(3)]\n[[|BatchNormalization(Epsilon = double.PositiveInfinity)|]]", "BatchNormalization epsilon must be finite, but is Infinity")]
    [InlineData("[Input(3)]\n[[|LayerNormalization(Epsilon = double.PositiveInfinity)|]]", "LayerNormalization epsilon must be finite, but is Infinity")]
    [InlineData("[Input(9, 9, 1)]\n[[|Conv2D(2, 3, Strides = 2, Dilation = 2)|]]", "Conv2D dilation must be 1 when a stride is greater than 1 (as in Keras), but is 2")]
    [InlineData("[Input(9, 9, 1)]\n[[|Conv2D(2, 3, StrideWidth = 2, Dilation = 3, Padding = Padding.Same)|]]", "Conv2D dilation must be 1 when a stride is greater than 1 (as in Keras), but is 3")]
    [InlineData("[Input(9, 1)]\n[[|Conv1D(2, 3, Strides = 3, Dilation = 2)|]]", "Conv1D dilation must be 1 when the stride is greater than 1 (as in Keras), but is 2")]
    [InlineData("[Input(4, 4, 1)]\n[[|ZeroPadding2D(-1)|]]", "ZeroPadding2D top padding must be zero or more, but is -1")]
    [InlineData("[Input(4, 4, 1)]\n[[|ZeroPadding2D(1, Right = -2)|]]", "ZeroPadding2D right padding must be zero or more, but is -2")]
    [InlineData("[Input(3)]\n[[|Dense(2, BiasInitializer = Initializer.Orthogonal)|]]", "Dense bias initializer must be one that fits a vector (Orthogonal needs a matrix of fan in 3 rows), but is Orthogonal")]
    [InlineData("[Input(4, 3)]\n[[|GRU(3, BiasInitializer = Initializer.Orthogonal)|]]", "GRU bias initializer must be one that fits a vector (Orthogonal needs a matrix of fan in 3 rows), but is Orthogonal")]
    public void NDSL1007_setting_outside_its_range_on_that_attribute(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1007", Model("[Sequential]\n" + layers));

        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(3)]\n[BatchNormalization(Momentum = 0)]")]
    [InlineData("[Input(3)]\n[BatchNormalization(Momentum = 1)]")]
    [InlineData("[Input(4, 4, 1)]\n[ZeroPadding2D(0)]\n[Flatten]")]
    public void Range_edges_are_accepted(string layers)
    {
        ExpectNone(Model("[Sequential]\n" + layers + "\n[Dense(1)]"));
    }

    [Theory]
    [InlineData("[Input(28, 28)]\n[[|Conv2D(8, 3)|]]")]
    [InlineData("[Input(784)]\n[[|MaxPooling2D|]]")]
    [InlineData("[Input(8, 8, 1)]\n[MaxPooling2D]\n[Flatten]\n[[|Conv2D(2, 1)|]]")]
    [InlineData("[Input(6, 2)]\n[[|GlobalAveragePooling2D|]]")]
    [InlineData("[Input(64)]\n[[|GlobalMaxPooling2D|]]")]
    [InlineData("[Input(4, 4, 2)]\n[[|GlobalAveragePooling1D|]]")]
    [InlineData("[Input(784)]\n[[|AveragePooling2D|]]")]
    [InlineData("[Input(4, 4, 1)]\n[[|MaxPooling1D|]]")]
    [InlineData("[Input(4, 4, 1)]\n[[|Conv1D(2, 3)|]]")]
    [InlineData("[Input(12)]\n[[|Conv1D(2, 3)|]]")]
    [InlineData("[Input(6, 2)]\n[[|ZeroPadding2D|]]")]
    public void NDSL1005_image_layer_on_a_non_image_input(string layers)
    {
        Expect("NDSL1005", Model("[Sequential]\n" + layers));
    }

    [Theory]
    [InlineData("[Input(4)]\n[Dense(2)]\n[[|Embedding(6, 2)|]]", "[Embedding(6, 2)] takes token ids, so it must be the first layer, right after [Input(steps)]; here it is layer 1, after [Dense(2)] 'dense'")]
    [InlineData("[Input(4)]\n[Embedding(6, 2)]\n[[|Embedding(6, 2, Name = \"second\")|]]", "[Embedding(6, 2)] takes token ids, so it must be the first layer, right after [Input(steps)]; here it is layer 1, after [Embedding(6, 2)] 'embedding'")]
    public void NDSL1010_embedding_anywhere_but_first(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1010", Model("[Sequential]\n" + layers + "\n[Flatten]\n[Dense(1)]"));

        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(5, 2)]\n[[|Bidirectional|]]\n[Dense(3)]\n[LSTM(3)]", "[Dense(3)] follows")]
    [InlineData("[Input(5, 2)]\n[[|Bidirectional(MergeMode = MergeMode.Sum)|]]\n[Bidirectional]\n[GRU(3)]", "[Bidirectional] follows")]
    [InlineData("[Input(5, 2)]\n[LSTM(3)]\n[[|Bidirectional|]]", "no layer follows")]
    public void NDSL1012_bidirectional_not_followed_by_a_recurrent_layer_names_what_follows(string layers, string follows)
    {
        GeneratorRun run = Expect("NDSL1012", Model("[Sequential]\n" + layers));

        Assert.EndsWith("(SimpleRNN, LSTM or GRU), but " + follows,
            Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(5, 2, Name = \"x\")]\n[Dense(4)]\n[Bidirectional]\n[[|LSTM(3, Input = \"x\")|]]", "[LSTM(3)] inside [Bidirectional] sets Input = \"x\"")]
    [InlineData("[Input(5, 2, Name = \"x\")]\n[Dense(4, Name = \"d\")]\n[Bidirectional(Input = \"x\")]\n[[|GRU(3, Input = \"d\", Name = \"g\")|]]", "[GRU(3)] inside [Bidirectional] sets Input = \"d\"")]
    public void NDSL1030_input_on_the_layer_a_bidirectional_wraps(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1030", Model("[Sequential]\n" + layers));

        string reported = Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith(message, reported, StringComparison.Ordinal);
        Assert.EndsWith("on the [Bidirectional] instead", reported, StringComparison.Ordinal);
    }

    [Fact]
    public void NDSL1030_not_reported_for_input_on_the_bidirectional_itself()
    {
        // Keras: Bidirectional(LSTM(3, return_sequences=True))(x) with x the model input, not the Dense before it.
        GeneratorRun run = ExpectNone(Model("[Sequential]\n[Input(5, 2, Name = \"x\")]\n[Dense(4, Name = \"d\")]\n" +
            "[Bidirectional(Input = \"x\")]\n[LSTM(3, ReturnSequences = true)]\n[Concatenate(\"d\", \"bidirectional\")]"));

        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        Assert.Contains(run.Sources.Values, source => source.Contains("new(\"bidirectional\", \"Bidirectional\", [\"x\"], [5, 6],", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[Input(3, Name = \"x\")]\n[Dense(4, Name = \"a\")]\n[[|Dense(2, Input = \"nope\")|]]", "[Dense] 'dense' reads 'nope', which is no layer of this model; it can read 'x' (the [Input]), 'a'")]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[[|Add(From = \"c\")|]]\n[Dense(4, Name = \"c\")]",
        "[Add] 'add' reads 'c', which is a later layer (layer 2): a layer reads only outputs written before it; it can read 'a'")]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[[|Dense(4, Name = \"self\", Input = \"self\")|]]", "[Dense] 'self' reads 'self', which is this layer itself; it can read 'a'")]
    [InlineData("[Input(3)]\n[[|Dense(4, Input = \"x\")|]]",
        "[Dense] 'dense' reads 'x', which is no layer of this model (an [Input] is named with Name = ...); it can read only the model input, which it reads by default")]
    public void NDSL1013_unknown_or_later_input_name_lists_the_earlier_names(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1013", Model("[Sequential]\n" + layers));
        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[Dense(2)]\n[[|Add(From = \"a\")|]]",
        "[Add] 'add' cannot merge 'dense' of shape [2] with 'a' of shape [4]: Add needs operands of one shape")]
    [InlineData("[Input(3, 2, Name = \"x\")]\n[Dense(4, Name = \"a\")]\n[[|Concatenate(\"a\", \"x\", Axis = 1)|]]",
        "[Concatenate] 'concatenate' cannot merge 'a' of shape [3, 4] with 'x' of shape [3, 2]: Concatenate on axis 1 needs operands of one rank whose other axes match")]
    public void NDSL1014_shapes_that_cannot_merge_name_both_operands_and_shapes(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1014", Model("[Sequential]\n" + layers));
        Assert.Equal(message, run.GeneratorDiagnostics.Single(d => d.Id == "NDSL1014").GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A merge passes the mask on, so a mask still live after it reaches the layer that cannot honour it.</summary>
    [Fact]
    public void A_mask_flows_through_a_merge_to_the_layer_that_cannot_honour_it()
    {
        Expect("NDSL1011", Model("[Sequential]\n[Input(6)]\n[Embedding(5, 3, [|MaskZero = true|])]\n[Dense(3, Name = \"d\")]\n[Dense(3)]\n[Add(From = \"d\")]\n[Flatten]\n[Dense(1)]"));
    }

    [Fact]
    public void NDSL1015_a_branch_nobody_reads_is_reported_on_its_attribute()
    {
        GeneratorRun run = Expect("NDSL1015", Model("[Sequential]\n[Input(3, Name = \"x\")]\n[Dense(4)]\n[[|Dense(5, Name = \"lost\")|]]\n[Dense(2, Input = \"dense\")]"));
        Assert.Equal("[Dense] 'lost' computes an output no later layer reads: read it by name (Input = \"lost\", or as a merge operand) or remove the layer; " +
            "only the last layer's output may stay unread",
            Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(3)]\n[Dense(4)]\n[[|Add|]]", "[Add] 'add' is not a valid merge: it combines 1 tensor ('dense') but needs at least 2")]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[Dense(4, Name = \"b\")]\n[[|Subtract(\"a\", \"b\", \"a\")|]]",
        "[Subtract] 'subtract' is not a valid merge: it combines 3 tensors ('a', 'b', 'a') but needs exactly 2")]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[Dense(4)]\n[[|Concatenate(From = \"a\", Axis = 0)|]]",
        "[Concatenate] 'concatenate' is not a valid merge: Axis = 0 is the batch axis, which cannot be joined; with the batch as axis 0, it may be 1 to 1, or -1 to -1")]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[Dense(4)]\n[[|Concatenate(From = \"a\", Axis = 2)|]]",
        "[Concatenate] 'concatenate' is not a valid merge: Axis = 2 is not an axis of its operands' shape [4]; with the batch as axis 0, it may be 1 to 1, or -1 to -1")]
    [InlineData("[Input(3)]\n[Dense(4, Name = \"a\")]\n[Dense(4)]\n[[|Add(\"a\", \"dense\", From = \"a\")|]]",
        "[Add] 'add' is not a valid merge: it names its operands and also From; give either the operands ([Add(\"a\", \"b\")]) or From (the current tensor + From), not both")]
    public void NDSL1016_invalid_merge_says_why(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1016", Model("[Sequential]\n" + layers));
        Assert.StartsWith(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(3, Name = \"x\")]\n[Dense(4, Name = \"a\")]\n[Dense(4, Input = \"x\")]\n[Add(From = \"a\")]\n[Dense(1)]")]
    [InlineData("[Input(2, 2, 1)]\n[Conv2D(2, 1, Name = \"c\")]\n[Flatten(Name = \"f\")]\n[Dense(8)]\n[Multiply(\"f\", \"dense\")]\n[Dense(1)]")]
    [InlineData("[Input(6)]\n[Embedding(5, 3, MaskZero = true)]\n[LSTM(3, ReturnSequences = true, Name = \"h\")]\n[Dense(3)]\n[Add(From = \"h\")]\n[GlobalAveragePooling1D]")]
    public void Graphs_that_read_earlier_outputs_are_accepted(string layers)
    {
        ExpectNone(Model("[Sequential]\n" + layers));
    }

    [Theory]
    [InlineData("[Input(5, 2)]\n[Bidirectional]\n[[|LSTM(3, GoBackwards = true)|]]")]
    public void A_layer_inside_Bidirectional_cannot_go_backwards(string layers)
    {
        Expect("NDSL1007", Model("[Sequential]\n" + layers));
    }

    [Theory]
    [InlineData("[Input(5, 2)]\n[Bidirectional]\n[LSTM(3)]")]
    [InlineData("[Input(5, 2)]\n[Bidirectional(MergeMode = MergeMode.Average)]\n[GRU(3, ReturnSequences = true)]\n[Bidirectional]\n[SimpleRNN(2)]")]
    [InlineData("[Input(6)]\n[Embedding(5, 3, MaskZero = true)]\n[Bidirectional]\n[LSTM(3, ReturnSequences = true)]\n[GlobalMaxPooling1D]")]
    public void Bidirectional_before_a_recurrent_layer_is_accepted(string layers)
    {
        ExpectNone(Model("[Sequential]\n" + layers));
    }

    [Theory]
    [InlineData("NDSL1005", "[Input(4, 2)]\n[[|Embedding(6, 2)|]]")]
    [InlineData("NDSL1001", "[Input(4)]\n[[|Embedding(0, 2)|]]")]
    [InlineData("NDSL1001", "[Input(4)]\n[[|Embedding(6, -1)|]]")]
    [InlineData("NDSL1007", "[Input(4)]\n[[|Embedding(16777217, 2)|]]")]
    public void Embedding_shape_rules_on_the_attribute(string id, string layers)
    {
        Expect(id, Model("[Sequential]\n" + layers + "\n[Flatten]\n[Dense(1)]"));
    }

    [Fact]
    public void Embedding_of_2_pow_24_ids_is_accepted_in_float_and_larger_in_double()
    {
        ExpectNone(Model("[Sequential]\n[Input(2)]\n[Embedding(16777216, 1)]\n[Flatten]\n[Dense(1)]"));
        ExpectNone(Model("[Sequential(ElementType = typeof(double))]\n[Input(2)]\n[Embedding(16777217, 1)]\n[Flatten]\n[Dense(1)]"));
    }

    [Theory]
    [InlineData("[Input(4)]\n[Embedding(6, 2, [|MaskZero = true|])]\n[Dense(3)]", "the model output [4, 3] unconsumed; end the sequence with [GlobalAveragePooling1D], [GlobalMaxPooling1D] or a recurrent layer returning its last output, or drop MaskZero")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, [|MaskZero = true|])]\n[LSTM(3, ReturnSequences = true)]\n[Dense(1)]", "the model output [4, 1] unconsumed")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, [|MaskZero = true|])]\n[Dense(3)]\n[Flatten]\n[Dense(1)]", "[Flatten] 'flatten', which cannot honour it; only Dense")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, [|MaskZero = true|])]\n[Conv1D(2, 2)]\n[GlobalAveragePooling1D]", "[Conv1D(2, 2)] 'conv1d', which cannot honour it")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, Name = \"tokens\", [|MaskZero = true|])]\n[Dropout(0.5)]\n[Activation(Activation.ReLU)]\n[MaxPooling1D]\n[Flatten]", "[MaxPooling1D(2)] 'max_pooling1d', which cannot honour it")]
    public void NDSL1011_mask_reaching_a_layer_that_cannot_honour_it_on_the_MaskZero_argument(string layers, string culprit)
    {
        GeneratorRun run = Expect("NDSL1011", Model("[Sequential]\n" + layers));

        Assert.Contains("MaskZero masks padded steps, but the mask reaches " + culprit,
            Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(4)]\n[Embedding(6, 2, MaskZero = true)]\n[GlobalAveragePooling1D]")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, MaskZero = true)]\n[Dense(3)]\n[Dropout(0.5)]\n[Activation(Activation.ReLU)]\n[GlobalMaxPooling1D]\n[Flatten]\n[Dense(1)]")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, MaskZero = false)]\n[Dense(3)]")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, MaskZero = true)]\n[LSTM(3)]\n[Dense(1)]")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, MaskZero = true)]\n[GRU(3, ReturnSequences = true)]\n[Dense(2)]\n[SimpleRNN(2)]")]
    [InlineData("[Input(4)]\n[Embedding(6, 2, MaskZero = true)]\n[SimpleRNN(3, ReturnSequences = true)]\n[GlobalAveragePooling1D]")]
    public void A_mask_consumed_by_pooling_over_time_or_not_asked_for_is_accepted(string layers)
    {
        ExpectNone(Model("[Sequential]\n" + layers));
    }

    [Theory]
    [InlineData("[Input(5, 4, Name = \"x\")]\n[Conv1D(6, 2, Name = \"memory\")]\n[Dense(3, Input = \"x\", Name = \"keys\")]\n[[|MultiHeadAttention(2, 3, Input = \"x\", Value = \"memory\", Key = \"keys\")|]]",
        "[MultiHeadAttention] 'multi_head_attention' cannot attend with its value 'memory' of shape [4, 6] and its key 'keys' of shape [5, 3]: the key and the value need the same number of steps (one key per value)")]
    public void NDSL1026_attention_key_and_value_of_different_steps_names_both_shapes(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1026", Model("[Sequential]\n" + layers));
        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(12)]\n[[|MultiHeadAttention(2, 3)|]]",
        "[MultiHeadAttention] 'multi_head_attention' needs a query of per-sample shape (steps, features), but 'input_layer' has shape [12]")]
    [InlineData("[Input(5, 4, Name = \"x\")]\n[Flatten(Name = \"flat\")]\n[[|MultiHeadAttention(2, 3, Input = \"x\", Value = \"flat\")|]]",
        "[MultiHeadAttention] 'multi_head_attention' needs a value of per-sample shape (steps, features), but 'flat' has shape [20]")]
    public void NDSL1027_attention_on_a_non_sequence_names_the_operand(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1027", Model("[Sequential]\n" + layers));
        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(5, 4, Name = \"x\")]\n[Dense(3, Name = \"keys\")]\n[[|MultiHeadAttention(2, 3, Input = \"x\", Key = \"keys\")|]]",
        "[MultiHeadAttention] 'multi_head_attention' is not a valid attention: it names a Key (\"keys\") but no Value")]
    [InlineData("[Input(5, 4)]\n[[|MultiHeadAttention(2, 3, Dropout = 1.0)|]]",
        "[MultiHeadAttention] 'multi_head_attention' is not a valid attention: Dropout = 1 is outside [0, 1)")]
    public void NDSL1028_invalid_attention_setting_says_why(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1028", Model("[Sequential]\n" + layers));
        Assert.StartsWith(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(5, 10)]\n[[|TransformerEncoder(16, 3)|]]\n[GlobalAveragePooling1D]",
        "[TransformerEncoder] splits its model dim 10 over 3 heads, but 10 is not a multiple of 3")]
    [InlineData("[Input(5, 8)]\n[Dense(6)]\n[[|TransformerEncoder(16, 4, NormalizeFirst = true, Name = \"encoder\")|]]\n[GlobalAveragePooling1D]",
        "[TransformerEncoder] splits its model dim 6 over 4 heads, but 6 is not a multiple of 4")]
    public void NDSL1029_transformer_encoder_model_dim_not_a_multiple_of_the_heads(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1029", Model("[Sequential]\n" + layers));
        Assert.StartsWith(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(30)]\n[[|LSTM(8)|]]", "LSTM needs a per-sample input of shape (steps, features), but receives [30]")]
    [InlineData("[Input(4, 4, 1)]\n[[|GRU(3)|]]", "GRU needs a per-sample input of shape (steps, features), but receives [4, 4, 1]")]
    [InlineData("[Input(5, 2)]\n[Flatten]\n[[|SimpleRNN(3)|]]", "SimpleRNN needs a per-sample input of shape (steps, features), but receives [10]")]
    [InlineData("[Input(5, 2)]\n[Dense(3)]\n[Flatten]\n[[|LSTM(3)|]]", "LSTM needs a per-sample input of shape (steps, features), but receives [15]")]
    public void NDSL1008_recurrent_layer_on_a_non_sequence_input_names_the_shape(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1008", Model("[Sequential]\n" + layers));

        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(30, 8)]\n[[|LSTM(32)|]]\n[LSTM(16)]", "LSTM 'lstm' returns only its last output, so the LSTM after it receives [32] instead of a sequence: set ReturnSequences = true on 'lstm'")]
    [InlineData("[Input(30, 8)]\n[GRU(4, ReturnSequences = true)]\n[[|SimpleRNN(3, Name = \"encoder\")|]]\n[GRU(2)]", "SimpleRNN 'encoder' returns only its last output, so the GRU after it receives [3] instead of a sequence: set ReturnSequences = true on 'encoder'")]
    public void NDSL1009_recurrent_after_a_last_output_points_at_the_first_layer(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1009", Model("[Sequential]\n" + layers));

        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Input(5, 2)]\n[[|LSTM(3, Activation = Activation.Softmax)|]]", "LSTM Activation must be Linear, ReLU, Sigmoid or Tanh, but is Softmax")]
    [InlineData("[Input(5, 2)]\n[[|GRU(3, RecurrentActivation = Activation.GELU)|]]", "GRU RecurrentActivation must be Linear, ReLU, Sigmoid or Tanh, but is GELU")]
    public void NDSL1007_recurrent_activation_without_a_derivative_from_its_output(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1007", Model("[Sequential]\n" + layers));

        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NDSL1001_recurrent_units_not_positive()
    {
        Expect("NDSL1001", Model("[Sequential]\n[Input(5, 2)]\n[[|SimpleRNN(0)|]]"));
    }

    [Fact]
    public void Stacked_recurrent_layers_with_sequences_report_nothing()
    {
        ExpectNone(Model("[Sequential]\n[Input(5, 2)]\n[LSTM(4, ReturnSequences = true)]\n[GRU(3, ReturnSequences = true)]\n[Dense(2)]\n[SimpleRNN(2)]"));
    }

    [Theory]
    [InlineData("[Input(2, 5, 1)]\n[[|Conv2D(4, 3)|]]")]
    [InlineData("[Input(5, 5, 1)]\n[[|Conv2D(4, 3, Dilation = 3)|]]")]
    [InlineData("[Input(4, 4, 3)]\n[MaxPooling2D]\n[MaxPooling2D]\n[[|MaxPooling2D|]]")]
    [InlineData("[Input(2, 5, 1)]\n[[|AveragePooling2D(3)|]]")]
    [InlineData("[Input(6, 5, 1)]\n[[|AveragePooling2D(2, 6)|]]")]
    [InlineData("[Input(3, 2)]\n[[|MaxPooling1D(4)|]]")]
    [InlineData("[Input(4, 2)]\n[[|Conv1D(2, 5)|]]")]
    [InlineData("[Input(6, 1)]\n[[|Conv1D(2, 3, Dilation = 3)|]]")]
    public void NDSL1006_window_larger_than_its_input_on_that_layer(string layers)
    {
        Expect("NDSL1006", Model("[Sequential]\n" + layers));
    }

    [Fact]
    public void NDSL1003_dense_after_pooling_without_flatten_points_at_the_dense()
    {
        // The seed's own mistake: Dense after MaxPooling2D keeps the image axes, so binary cross-entropy gets (13, 13, 1).
        Expect("NDSL1003", Model("[Sequential(Loss = Loss.BinaryCrossEntropy)]\n[Input(28, 28, 1)]\n[Conv2D(32, 3, Activation.ReLU)]\n[MaxPooling2D]\n[[|Dense(128, Activation.ReLU)|]]\n[Dense(1, Activation.Sigmoid)]"));
    }

    [Theory]
    [InlineData("CategoricalCrossEntropy", "[Input(3)]\n[[|Dense(1, Activation.Softmax)|]]")]
    [InlineData("SparseCategoricalCrossEntropy", "[Input(3)]\n[Dense(4)]\n[[|Dense(1, Activation.Sigmoid)|]]")]
    [InlineData("None", "[Input(3)]\n[Dense(1)]\n[[|Activation(Activation.Softmax)|]]")]
    [InlineData("CategoricalCrossEntropy", "[Input(3)]\n[Dense(1, Activation.Softmax)]\n[[|Dropout(0.5)|]]")]
    public void NDSL1004_class_axis_of_one_is_a_warning_on_the_last_layer(string loss, string layers)
    {
        GeneratorRun run = Expect("NDSL1004", Model($"[Sequential(Loss = Loss.{loss})]\n{layers}"));

        Assert.Equal(DiagnosticSeverity.Warning, DiagnosticAssert.SeverityOf(run, "NDSL1004"));
        // A warning does not block emission.
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Theory]
    [InlineData("[Input(3)]\n[[|Dense(300000000)|]]")]
    [InlineData("[Input(20000)]\n[[|Dense(20000)|]]")]
    [InlineData("[[|Input(int.MaxValue, int.MaxValue)|]]\n[Dense(1)]")]
    [InlineData("[Input(4, 4, 1)]\n[[|ZeroPadding2D(int.MaxValue)|]]")]
    [InlineData("[Input(4, 4, 1)]\n[[|ZeroPadding2D(1, Bottom = int.MaxValue)|]]")]
    [InlineData("[Input(8, 8, 1)]\n[[|Conv2D(2, 3, Dilation = int.MaxValue, Padding = Padding.Same)|]]")]
    [InlineData("[Input(8, 8, 1)]\n[[|MaxPooling2D(int.MaxValue, Padding = Padding.Same)|]]")]
    [InlineData("[Input(8, 1)]\n[[|MaxPooling1D(int.MaxValue, Padding = Padding.Same)|]]")]
    [InlineData("[Input(600, 600, 8)]\n[[|Conv2D(1, 30, Padding = Padding.Same)|]]")]
    public void NDSL2001_model_too_large_on_the_layer_that_overflows(string layers)
    {
        Expect("NDSL2001", Model("[Sequential]\n" + layers));
    }

    [Fact]
    public void Errors_block_emission_of_all_but_the_throwing_placeholder()
    {
        GeneratorRun run = Expect("NDSL1001", Model("[Sequential]\n[Input(3)]\n[[|Dense(0)|]]"));

        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Fact]
    public void Broken_model_with_several_mistakes_yields_diagnostics_and_no_crash()
    {
        GeneratorRun run = GeneratorHarness.RunModel(Model("""
            [Sequential(Loss = Loss.CategoricalCrossEntropy, ElementType = typeof(int))]
            [Dense(0)]
            [Input(3, 0)]
            [Input(4)]
            [Dropout(2)]
            [Dense(4, Name = "a")]
            [Dense(1, Name = "a")]
            """,
            "public partial class Broken;"));

        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        Assert.NotEmpty(run.GeneratorDiagnostics);
        Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("NDSL", d.Id, System.StringComparison.Ordinal));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "NDSL2000");
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    /// <summary>
    /// Sources the compiler rejects or that push limits: the generator must neither throw nor report an internal error
    /// (NDSL2000 is a crash caught at the boundary). Whatever it reports must be located in the user's file.
    /// </summary>
    [Theory]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(\"x\")]")]
    [InlineData("[Sequential]\n[Input()]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input]\n[Dense(1)]")]
    [InlineData("[Sequential(ElementType = typeof(Missing))]\n[Input(3)]\n[Dense(1)]")]
    [InlineData("[Sequential(ElementType = null)]\n[Input(3)]\n[Dense(1)]")]
    [InlineData("[Sequential(Name = null)]\n[Input(3)]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input(int.MaxValue, int.MaxValue)]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input(65536)]\n[Dense(65536)]\n[Dense(65536)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(int.MaxValue)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(1, Name = \"\")]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Unknown(4)]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(1)]\n[Dense(")]
    public void Generator_never_throws_on_malformed_or_extreme_models(string attributes)
    {
        GeneratorRun run = GeneratorHarness.RunModel(Model(attributes));

        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        var internalErrors = run.GeneratorDiagnostics.Where(d => d.Id == "NDSL2000").ToList();
        Assert.True(internalErrors.Count == 0, "Internal generator error:\n" + GeneratorHarness.Describe(internalErrors));
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("Model0.cs", d.Location.GetLineSpan().Path));
        GeneratorHarness.AssertGeneratedFilesClean(run);
    }

    [Theory]
    [InlineData("public abstract partial class Net;")]
    [InlineData("internal sealed partial class Net;")]
    public void Class_modifiers_never_crash(string declaration)
    {
        GeneratorRun run = GeneratorHarness.RunModel(Model("[Sequential]\n[Input(3)]\n[Dense(1)]", declaration));

        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "NDSL2000");
        GeneratorHarness.AssertGeneratedFilesClean(run);
    }
}
