using System;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// What a user sees in the editor around a model: the NDSL error alone when the model has one (its members still exist
/// and throw), their own doc summary kept, and a summary table that stays aligned for long layer names.
/// </summary>
public sealed class IdeExperienceTests
{
    // User code that calls the model the usual way: the constructor with a named seed, Predict, and the runtime's Fit
    // extension (which needs the IModel<float> implementation).
    private const string Caller = """
        using NeuralDsl;

        namespace Models;

        internal static class Caller
        {
            public static float[] Run(float[] x, float[] y)
            {
                var model = new Net(seed: 1);
                History history = model.Fit(x, y, epochs: 2, optimizer: new Adam());
                _ = history;
                int size = Net.InputSize;
                float[] output = new float[size];
                model.Predict(x, output);
                return model.Predict(x);
            }
        }
        """;

    [Theory]
    [InlineData("[Sequential(Loss = Loss.MeanSquaredError)]\n[Dense(1)]", "NDSL0003")]
    [InlineData("[Sequential(Loss = Loss.MeanSquaredError)]\n[Dense(4)]\n[Input(3)]", "NDSL0004")]
    [InlineData("[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(0)]", "NDSL1001")]
    [InlineData("[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]\n[Input(28, 28)]\n[Dense(10, Activation.Softmax)]", "NDSL1003")]
    public void A_model_with_an_error_shows_that_error_alone_and_its_members_throw_with_its_id(string attributes, string id)
    {
        string model = "using NeuralDsl;\n\nnamespace Models;\n\n" + attributes + "\npublic partial class Net;\n";
        GeneratorRun run = GeneratorHarness.RunModel(model, Caller);

        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        Assert.Equal([id], run.GeneratorDiagnostics.Select(d => d.Id).Distinct());
        Assert.True(run.OutputDiagnostics.All(d => d.Severity < DiagnosticSeverity.Warning),
            "The user's code does not compile against the placeholder:\n" + GeneratorHarness.Describe(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)));
        GeneratorHarness.AssertOnlyPlaceholders(run);

        GeneratorHarness.WithLoadedType(run, "Models.Net", type =>
        {
            var thrown = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(type, 1));
            var error = Assert.IsType<InvalidOperationException>(thrown.InnerException);
            Assert.Contains(id, error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_class_that_cannot_take_a_partial_declaration_gets_no_placeholder()
    {
        GeneratorRun run = GeneratorHarness.RunModel("using NeuralDsl;\n[Sequential]\n[Dense(1)]\npublic class Net;\n");

        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NDSL0001");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void A_class_that_already_declares_a_member_the_placeholder_has_gets_none()
    {
        GeneratorRun run = GeneratorHarness.RunModel("using NeuralDsl;\n[Sequential]\n[Dense(1)]\npublic partial class Net { public int InputSize => 3; }\n");

        Assert.Equal(["NDSL0003"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("[Input(3)]\n[Dense(1)]")]
    [InlineData("[Dense(1)]")] // NDSL0003: the placeholder's doc too
    public void A_user_summary_is_kept_and_the_generated_one_becomes_remarks(string layers)
    {
        string model = $$"""
            using NeuralDsl;

            namespace Models;

            /// <summary>Scores a credit application.</summary>
            [Sequential(Loss = Loss.MeanSquaredError)]
            {{layers}}
            public partial class Net;
            """;
        GeneratorRun run = GeneratorHarness.RunModel(model);

        // DocumentationMode.Diagnose (the harness's parse options): malformed or misplaced XML would warn here.
        Assert.Equal(DocumentationMode.Diagnose, GeneratorHarness.ParseOptions.DocumentationMode);
        Assert.DoesNotContain(run.OutputDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string xml = run.OutputCompilation.GetTypeByMetadataName("Models.Net")!.GetDocumentationCommentXml()!;
        Assert.Single(Regex.Matches(xml, "<summary>"));
        Assert.Contains("<summary>Scores a credit application.</summary>", xml, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(xml, "<remarks>"));
    }

    [Fact]
    public void Without_a_user_summary_the_generated_doc_is_the_summary()
    {
        GeneratorRun run = GeneratorHarness.RunModel("using NeuralDsl;\n\nnamespace Models;\n\n[Sequential]\n[Input(3)]\n[Dense(1)]\npublic partial class Net;\n");

        Assert.DoesNotContain(run.OutputDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string xml = run.OutputCompilation.GetTypeByMetadataName("Models.Net")!.GetDocumentationCommentXml()!;
        Assert.Single(Regex.Matches(xml, "<summary>"));
        Assert.DoesNotContain("<remarks>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_columns_grow_to_fit_long_layer_names_and_shapes()
    {
        GeneratorRun run = GeneratorHarness.RunModel("""
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
            [Input(10, 10, 10, 10, 10)]
            [Dense(2, Name = "a_rather_long_name_for_a_dense_layer")]
            [Flatten]
            [Dense(1)]
            public partial class Net;
            """);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);

        // The layer name (and type) outgrow the first column's 28 characters, the first output shape the second's 25.
        string summary = (string)run.OutputCompilation.GetTypeByMetadataName("Models.Net")!.GetMembers("Summary").OfType<IFieldSymbol>().Single().ConstantValue!;
        string[] lines = summary.TrimEnd('\n').Split('\n');
        string header = lines.Single(l => l.StartsWith(" Layer (type)", StringComparison.Ordinal));
        int shapeColumn = header.IndexOf("Output Shape", StringComparison.Ordinal);
        int paramColumn = header.IndexOf("Param #", StringComparison.Ordinal);
        string[] rows = [.. lines.Where(l => l.Contains(" (None", StringComparison.Ordinal))];
        Assert.Equal(3, rows.Length);
        foreach (string row in rows)
        {
            Assert.Equal(shapeColumn, row.IndexOf("(None", StringComparison.Ordinal));
            Assert.Equal(' ', row[shapeColumn - 1]);
            Assert.Equal(' ', row[paramColumn - 1]);
            Assert.NotEqual(' ', row[paramColumn]);
            Assert.Equal(' ', row[shapeColumn + row[shapeColumn..].IndexOf(')', StringComparison.Ordinal) + 1]);
        }
        int width = lines.Max(l => l.Length);
        Assert.All(lines.Where(l => l.Length > 0 && l.All(c => c is '_' or '=')), rule => Assert.Equal(width, rule.Length));
    }
}
