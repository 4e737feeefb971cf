using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Edit tests (style.md §2.4): what a second run re-computes after an edit, read from the tracked steps, and model
/// equality across compilations (STJ).
/// </summary>
public sealed class IncrementalTests
{
    internal const string Credit = """
        using NeuralDsl;

        namespace Models;

        [Sequential(Loss = Loss.BinaryCrossEntropy)]
        [Input(8)]
        [Dense(12, Activation.ReLU)]
        [Dense(8, Activation.ReLU)]
        [Dense(1, Activation.Sigmoid)]
        public partial class CreditModel
        {
            public static int Helper() => 1;
        }

        """;

    internal static readonly IncrementalStepRunReason[] CachedOrUnchanged = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    /// <summary>Runs <paramref name="before"/>, then the same driver on the compilation with the model file replaced or extended.</summary>
    internal static (GeneratorRun First, GeneratorRun Second) RunEdit(string before, Func<CSharpCompilation, CSharpCompilation> edit)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Files(before));
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(new ModelGenerator()), compilation);
        GeneratorHarness.AssertGeneratorDidNotThrow(first);
        GeneratorHarness.AssertStepsPresent(first.Result, [TrackingNames.Parse]);

        GeneratorRun second = GeneratorHarness.Run(first.Driver, edit(compilation));
        GeneratorHarness.AssertGeneratorDidNotThrow(second);
        GeneratorHarness.AssertNoForbiddenObjects(second);
        return (first, second);
    }

    internal static Func<CSharpCompilation, CSharpCompilation> ReplaceModel(string after) => compilation =>
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == "Model0.cs");
        return compilation.ReplaceSyntaxTree(old, GeneratorHarness.Parse(new SourceFile("Model0.cs", after)));
    };

    private static List<IncrementalStepRunReason> Reasons(GeneratorRun run, string step)
    {
        var reasons = GeneratorHarness.StepOutputs(run.Result, step).Select(o => o.Reason).ToList();
        Assert.True(reasons.Count > 0, $"Step '{step}' did not run.");
        return reasons;
    }

    internal static void AssertAll(GeneratorRun run, string step, params IncrementalStepRunReason[] allowed)
    {
        List<IncrementalStepRunReason> reasons = Reasons(run, step);
        Assert.True(reasons.All(allowed.Contains), $"{step}: expected {string.Join("/", allowed)}, got {string.Join(", ", reasons)}");
    }

    internal static void AssertSourceOutputsCached(GeneratorRun run)
    {
        var reasons = run.Result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Comment_after_the_model_keeps_every_step_cached()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdit(Credit, ReplaceModel(Credit + "// a trailing comment\n"));

        AssertAll(second, TrackingNames.Parse, CachedOrUnchanged);
        AssertAll(second, TrackingNames.Plan, IncrementalStepRunReason.Cached);
        AssertAll(second, TrackingNames.Output, IncrementalStepRunReason.Cached);
        AssertSourceOutputsCached(second);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void Method_body_edit_in_the_model_class_keeps_every_step_cached()
    {
        (_, GeneratorRun second) = RunEdit(Credit, ReplaceModel(Credit.Replace("Helper() => 1;", "Helper() => 1 + 41;", StringComparison.Ordinal)));

        AssertAll(second, TrackingNames.Parse, CachedOrUnchanged);
        AssertAll(second, TrackingNames.Output, IncrementalStepRunReason.Cached);
        AssertSourceOutputsCached(second);
    }

    [Fact]
    public void New_unrelated_file_keeps_every_step_cached()
    {
        SyntaxTree unrelated = GeneratorHarness.Parse(new SourceFile("Other.cs", "namespace Other;\n\npublic sealed class Unrelated\n{\n    public int X { get; set; }\n}\n"));
        (_, GeneratorRun second) = RunEdit(Credit, c => c.AddSyntaxTrees(unrelated));

        // FAWMN re-runs the transform whenever the compilation changes (it needs a semantic model), so Parse may be
        // Unchanged rather than Cached; equality must stop the pipeline right there.
        AssertAll(second, TrackingNames.Parse, CachedOrUnchanged);
        AssertAll(second, TrackingNames.Plan, IncrementalStepRunReason.Cached);
        AssertAll(second, TrackingNames.Output, IncrementalStepRunReason.Cached);
        AssertSourceOutputsCached(second);
    }

    [Fact]
    public void Clone_and_unrelated_file_via_the_shared_harness()
    {
        GeneratorHarness.AssertIncrementalCached(Credit);
    }

    [Fact]
    public void Changing_dense_units_modifies_the_output()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdit(Credit, ReplaceModel(Credit.Replace("Dense(12,", "Dense(16,", StringComparison.Ordinal)));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Parse));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Plan));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Output));
        Assert.NotEqual(first.Sources.Single().Value, second.Sources.Single().Value);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(second);
    }

    [Fact]
    public void Fixing_an_error_emits_and_introducing_one_puts_the_placeholder_back()
    {
        string broken = Credit.Replace("Dense(12,", "Dense(0,", StringComparison.Ordinal);

        (GeneratorRun first, GeneratorRun fixedRun) = RunEdit(broken, ReplaceModel(Credit));
        GeneratorHarness.AssertOnlyPlaceholders(first);
        Assert.Contains(first.GeneratorDiagnostics, d => d.Id == "NDSL1001");
        Assert.Single(fixedRun.Sources);
        Assert.Empty(fixedRun.GeneratorDiagnostics);

        (_, GeneratorRun brokenAgain) = RunEdit(Credit, ReplaceModel(broken));
        GeneratorHarness.AssertOnlyPlaceholders(brokenAgain);
        Assert.Contains(brokenAgain.GeneratorDiagnostics, d => d.Id == "NDSL1001");
    }

    [Fact]
    public void Same_source_twice_gives_equal_but_distinct_step_outputs()
    {
        GeneratorRun a = GeneratorHarness.RunModel(Credit);
        GeneratorRun b = GeneratorHarness.RunModel(Credit);

        foreach (string step in GeneratorHarness.ModelSteps)
        {
            object x = Assert.Single(GeneratorHarness.StepOutputs(a.Result, step)).Value;
            object y = Assert.Single(GeneratorHarness.StepOutputs(b.Result, step)).Value;

            Assert.False(ReferenceEquals(x, y), $"{step}: both runs returned the same instance, so equality is not exercised.");
            Assert.True(x.Equals(y), $"{step}: {x.GetType().Name} values of identical sources are not equal.");
            Assert.Equal(x.GetHashCode(), y.GetHashCode());
        }
    }

    [Fact]
    public void Different_units_give_unequal_step_outputs()
    {
        GeneratorRun a = GeneratorHarness.RunModel(Credit);
        GeneratorRun b = GeneratorHarness.RunModel(Credit.Replace("Dense(12,", "Dense(16,", StringComparison.Ordinal));

        foreach (string step in GeneratorHarness.ModelSteps)
        {
            object x = Assert.Single(GeneratorHarness.StepOutputs(a.Result, step)).Value;
            object y = Assert.Single(GeneratorHarness.StepOutputs(b.Result, step)).Value;

            Assert.False(x.Equals(y), $"{step}: models with Dense(12) and Dense(16) compare equal.");
        }
    }

    [Theory]
    [InlineData("Activation.ReLU)]\n[Dense(1, Activation.Sigmoid)]", "Activation.Tanh)]\n[Dense(1, Activation.Sigmoid)]")]
    [InlineData("[Dense(8, Activation.ReLU)]", "[Dense(8, Activation.ReLU, UseBias = false)]")]
    [InlineData("[Dense(8, Activation.ReLU)]", "[Dense(8, Activation.ReLU, KernelInitializer = Initializer.HeNormal)]")]
    [InlineData("[Dense(8, Activation.ReLU)]", "[Dense(8, Activation.ReLU, Name = \"hidden\")]")]
    [InlineData("[Dense(8, Activation.ReLU)]", "[Dense(8, Activation.ReLU)]\n[Dropout(0.25)]")]
    [InlineData("Loss = Loss.BinaryCrossEntropy", "Loss = Loss.MeanSquaredError")]
    [InlineData("Loss = Loss.BinaryCrossEntropy", "Loss = Loss.BinaryCrossEntropy, ElementType = typeof(double)")]
    [InlineData("Loss = Loss.BinaryCrossEntropy", "Loss = Loss.BinaryCrossEntropy, Name = \"credit\"")]
    public void Every_model_edit_modifies_the_output(string from, string to)
    {
        Assert.Contains(from, Credit, StringComparison.Ordinal);
        (GeneratorRun first, GeneratorRun second) = RunEdit(Credit, ReplaceModel(Credit.Replace(from, to, StringComparison.Ordinal)));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Output));
        Assert.NotEqual(first.Sources.Single().Value, second.Sources.Single().Value);
    }
}
