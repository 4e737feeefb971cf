using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>The <c>[Perceptron]</c> diagnostics: each on the attribute or argument to change, and nothing else reported.</summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void Correct_perceptron_reports_nothing_and_compiles()
    {
        GeneratorRun run = ExpectNone(Model("[Perceptron(3, Penalty = Penalty.L2, ClassWeights = new[] { 1.0, 2.0, 3.0 })]\n[Input(4)]"));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Theory]
    [InlineData("[|Perceptron(1)|]")]
    [InlineData("[|Perceptron(0)|]")]
    [InlineData("Perceptron(2, [|Alpha = -0.1|])")]
    [InlineData("Perceptron(2, [|Alpha = double.NaN|])")]
    [InlineData("Perceptron(2, [|L1Ratio = 1.5|])")]
    [InlineData("Perceptron(2, [|L1Ratio = -0.01|])")]
    [InlineData("Perceptron(2, [|MaxIter = 0|])")]
    [InlineData("Perceptron(2, [|Tol = -1e-3|])")]
    [InlineData("Perceptron(2, [|Tol = double.PositiveInfinity|])")]
    [InlineData("Perceptron(2, [|NIterNoChange = 0|])")]
    [InlineData("Perceptron(2, [|Eta0 = 0|])")]
    [InlineData("Perceptron(2, [|Eta0 = -1|])")]
    [InlineData("Perceptron(2, [|ValidationFraction = 0|])")]
    [InlineData("Perceptron(2, [|ValidationFraction = 1|])")]
    [InlineData("Perceptron(2, [|ClassWeights = new[] { 1.0, -2.0 }|])")]
    public void NDSL0018_perceptron_setting_out_of_range_on_the_argument(string attribute)
    {
        GeneratorRun run = Expect("NDSL0018", Model("[" + attribute + "]\n[Input(4)]"));
        // The class still gets its members, each throwing, so the user's calls add no errors of their own.
        GeneratorHarness.AssertOnlyPlaceholders(run);
    }

    [Theory]
    [InlineData("[Perceptron(2)]\n[Input(4)]\n[[|Sequential|]]")]
    [InlineData("[Perceptron(2)]\n[Input(4)]\n[[|Dense(3)|]]")]
    public void NDSL0019_perceptron_with_sequential_or_layers_on_that_attribute(string attributes)
    {
        (SourceFile[] files, ExpectedDiagnostic[] expected) = DiagnosticAssert.Prepare("NDSL0019", Model(attributes));
        GeneratorRun run = GeneratorHarness.RunModel(files);
        // The [Sequential] pipeline reports on its own terms (a model without layers, or layers without
        // [Sequential]); here only NDSL0019 is checked, and that the generator did not throw.
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NDSL0019" && d.Location.SourceSpan == expected[0].Span);
        GeneratorHarness.AssertGeneratorDidNotThrow(run);
    }

    [Fact]
    public void NDSL0020_balanced_and_explicit_class_weights_on_the_explicit_weights()
    {
        Expect("NDSL0020", Model("[Perceptron(2, ClassWeight = ClassWeight.Balanced, [|ClassWeights = new[] { 1.0, 2.0 }|])]\n[Input(4)]"));
    }

    [Theory]
    [InlineData("[[|Input(2, 2)|]]")]
    [InlineData("[[|Input(2, 2, 1)|]]")]
    public void NDSL1019_perceptron_input_not_a_vector_on_the_input(string input)
    {
        Expect("NDSL1019", Model("[Perceptron(2)]\n" + input));
    }

    [Fact]
    public void NDSL1020_class_weights_not_one_per_class_on_the_weights()
    {
        Expect("NDSL1020", Model("[Perceptron(3, [|ClassWeights = new[] { 1.0, 2.0 }|])]\n[Input(4)]"));
    }

    [Fact]
    public void Perceptron_without_input_is_NDSL0003_on_the_perceptron_attribute()
    {
        Expect("NDSL0003", Model("[[|Perceptron(2)|]]"));
    }
}
