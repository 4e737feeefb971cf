using System;
using System.Linq;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Declarations that once broke the first generator (found reviewing commit 0415b20): each must now compile or be
/// reported with a diagnostic, never crash the generator, emit invalid code or wrap a size silently.
/// </summary>
public sealed class GeneratorRobustnessTests
{
    private static string Model(string attributes, string declaration = "public partial class Net;") => $$"""
        using NeuralDsl;

        namespace Models;

        {{attributes}}
        {{declaration}}
        """;

    [Fact]
    public void NDSL0004_input_after_a_layer_is_not_also_reported_as_missing()
    {
        (SourceFile[] files, ExpectedDiagnostic[] expected) = DiagnosticAssert.Prepare(
            "NDSL0004", Model("[Sequential]\n[Dense(4)]\n[[|Input(3)|]]\n[Dense(1)]"));

        DiagnosticAssert.Exactly(GeneratorHarness.RunModel(files), files, expected);
    }

    /// <summary>Out-of-range enum casts compile in C#; the generator must report them (or refuse silently), never emit invalid code.</summary>
    [Theory]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(4, (Activation)99)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Activation((Activation)(-1))]")]
    [InlineData("[Sequential(Loss = (Loss)42)]\n[Input(3)]\n[Dense(1)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(4, KernelInitializer = (Initializer)77)]")]
    [InlineData("[Sequential]\n[Input(3)]\n[Dense(4, BiasInitializer = (Initializer)(-3))]")]
    public void Out_of_range_enum_values_never_crash_or_emit_invalid_code(string attributes)
    {
        GeneratedCodeTests.AssertCompilesOrIsReported(Model(attributes));
    }

    [Theory]
    [InlineData("<risk & \"co\">")]
    [InlineData("line\nbreak */ // ")]
    [InlineData("quote\" */ // \n")]
    public void Model_names_with_markup_quotes_or_newlines_compile_cleanly(string name)
    {
        string literal = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(name, quote: true);
        GeneratedCodeTests.AssertCompilesOrIsReported(Model($"[Sequential(Loss = Loss.MeanSquaredError, Name = {literal})]\n[Input(3)]\n[Dense(1)]"));
    }

    [Theory]
    [InlineData("<x & y>")]
    [InlineData("line\nbreak */")]
    [InlineData("a\"b\\c\n")]
    public void Layer_names_with_markup_or_newlines_compile_or_are_reported(string name)
    {
        string literal = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(name, quote: true);
        GeneratedCodeTests.AssertCompilesOrIsReported(Model($"[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(4, Activation.ReLU, Name = {literal})]\n[Dense(1)]"));
    }

    [Theory]
    [InlineData("dense_1", "dense1")]
    [InlineData("Head", "head")]
    [InlineData("a_b", "a__b")]
    [InlineData("dense_1", "Dense1")]
    public void Layer_names_that_map_to_the_same_member_name_compile_or_are_reported(string first, string second)
    {
        GeneratedCodeTests.AssertCompilesOrIsReported(Model($"[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(4, Name = \"{first}\")]\n[Dense(1, Name = \"{second}\")]"));
    }

    [Theory]
    [InlineData("public static partial class Net;")]
    [InlineData("file partial class Net;")]
    public void Static_and_file_local_classes_are_reported_or_supported(string declaration)
    {
        GeneratedCodeTests.AssertCompilesOrIsReported(Model("[Sequential]\n[Input(3)]\n[Dense(1)]", declaration));
    }

    [Theory]
    [InlineData("[Input(65536)]\n[Dense(65536)]")]
    [InlineData("[Input(65536, 65536)]\n[Dense(1)]")]
    [InlineData("[Input(65536, 65536)]\n[Flatten]\n[Dense(1)]")]
    [InlineData("[Input(46341)]\n[Dense(46341, UseBias = false)]")]
    public void Sizes_beyond_int_are_reported_not_wrapped(string layers)
    {
        GeneratorRun run = GeneratorHarness.RunModel(Model("[Sequential]\n" + layers));

        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NDSL2001");
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Theory]
    [InlineData("namespace Models;", "@class")]
    [InlineData("namespace Models;", "@int")]
    [InlineData("namespace @class.@int;", "@namespace")]
    [InlineData("namespace @event;", "Net")]
    public void Keyword_names_are_emitted_verbatim(string namespaceDeclaration, string className)
    {
        string source = Model("[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(1)]", "public partial class " + className + ";")
            .Replace("namespace Models;", namespaceDeclaration, StringComparison.Ordinal)
            .Replace("using NeuralDsl;", "#pragma warning disable CS8981 // the user's own lower-case type name\nusing NeuralDsl;", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.RunModel(source);

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    /// <summary>Extreme settings that Keras accepts: computed in 64 bits, they give small valid geometries that compile.</summary>
    [Theory]
    [InlineData("[Input(8, 8, 1)]\n[Conv2D(2, 3, Strides = int.MaxValue, Padding = Padding.Same)]")]
    [InlineData("[Input(8, 8, 1)]\n[MaxPooling2D(2, Strides = int.MaxValue, Padding = Padding.Same)]")]
    [InlineData("[Input(8, 8, 1)]\n[AveragePooling2D(3, Strides = int.MaxValue, Padding = Padding.Same)]")]
    [InlineData("[Input(8, 2)]\n[MaxPooling1D(3, Strides = int.MaxValue, Padding = Padding.Same)]")]
    [InlineData("[Input(8, 2)]\n[Conv1D(2, 3, Strides = int.MaxValue, Padding = Padding.Same)]")]
    public void Huge_strides_give_one_output_and_compile(string layers)
    {
        GeneratorRun run = GeneratorHarness.RunModel(Model("[Sequential(Loss = Loss.MeanSquaredError)]\n" + layers + "\n[Flatten]\n[Dense(1)]"));

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Fact]
    public void An_unresolved_base_class_is_left_to_the_compiler()
    {
        GeneratorRun run = GeneratorHarness.RunModel(Model("[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(1)]", "public partial class Net : Missing;"));

        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
    }

    [Fact]
    public void Diagnostics_are_source_locations_so_pragmas_can_suppress_them()
    {
        GeneratorRun run = GeneratorHarness.RunModel(
            Model("[Sequential(Loss = Loss.CategoricalCrossEntropy)]\n[Input(3)]\n[Dense(1, Activation.Softmax)]"),
            Model("[Sequential]\n[Input(3)]\n[Dense(1)]", "public class Plain;"));

        Assert.Equal(2, run.GeneratorDiagnostics.Length);
        Assert.All(run.GeneratorDiagnostics, d =>
        {
            Assert.True(d.Location.IsInSource, $"{d.Id} is reported at a {d.Location.Kind} location.");
            Assert.Contains(d.Location.SourceTree, run.InputCompilation.SyntaxTrees);
        });
    }

    [Fact]
    public void Comment_above_the_model_keeps_the_output_cached()
    {
        // Shifts every attribute's position: diagnostics may move, but the emitted code depends on none of it.
        string edited = IncrementalTests.Credit.Replace("namespace Models;", "// a comment that shifts the lines\nnamespace Models;", StringComparison.Ordinal);
        (GeneratorRun first, GeneratorRun second) = IncrementalTests.RunEdit(IncrementalTests.Credit, IncrementalTests.ReplaceModel(edited));

        IncrementalTests.AssertAll(second, TrackingNames.Output, IncrementalTests.CachedOrUnchanged);
        IncrementalTests.AssertSourceOutputsCached(second);
        Assert.Equal(first.Sources, second.Sources);
    }
}
