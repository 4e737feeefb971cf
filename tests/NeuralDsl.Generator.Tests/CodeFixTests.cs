using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NeuralDsl.CodeFixes;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// The code fixes, applied as the IDE applies them: the generator's diagnostics on a workspace document, the
/// provider's action for one of them, the changed document compared with the expected text exactly; the fixed source
/// must then have no diagnostic at all. (The diagnostics come from the generator, not from a DiagnosticAnalyzer, so the
/// Roslyn code-fix test framework, which asks an analyzer for them, does not apply; this harness is the small
/// equivalent.)
/// </summary>
public sealed class CodeFixTests
{
    [Fact]
    public async Task NDSL0001_adds_partial_after_the_other_modifiers()
    {
        await AssertFix("NDSL0001",
            """
            using NeuralDsl;

            [Sequential]
            [Input(3)]
            [Dense(1)]
            public sealed class Net;
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
        await AssertFix("NDSL0001",
            "using NeuralDsl;\nnamespace M\n{\n    [Sequential, Input(3), Dense(1)]\n    class Net { }\n}\n",
            "using NeuralDsl;\nnamespace M\n{\n    [Sequential, Input(3), Dense(1)]\n    partial class Net { }\n}\n");
    }

    [Fact]
    public async Task NDSL1003_inserts_Flatten_on_its_own_line_before_the_reported_Dense()
    {
        await AssertFix("NDSL1003",
            """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
            [Input(28, 28)]
            [Dense(128, Activation.ReLU)]
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
    public async Task NDSL1003_inserts_Flatten_as_the_user_writes_attributes_inline_and_qualified()
    {
        await AssertFix("NDSL1003",
            "[NeuralDsl.Sequential(Loss = NeuralDsl.Loss.BinaryCrossEntropy)] [NeuralDsl.Input(4, 4)] [NeuralDsl.DenseAttribute(1, NeuralDsl.Activation.Sigmoid)]\npublic partial class Net;\n",
            "[NeuralDsl.Sequential(Loss = NeuralDsl.Loss.BinaryCrossEntropy)] [NeuralDsl.Input(4, 4)] [NeuralDsl.Flatten] [NeuralDsl.DenseAttribute(1, NeuralDsl.Activation.Sigmoid)]\npublic partial class Net;\n");
        await AssertFix("NDSL1003",
            "using NeuralDsl;\n[Sequential(Loss = Loss.BinaryCrossEntropy), Input(4, 4), Dense(1, Activation.Sigmoid)]\npublic partial class Net;\n",
            "using NeuralDsl;\n[Sequential(Loss = Loss.BinaryCrossEntropy), Input(4, 4), Flatten, Dense(1, Activation.Sigmoid)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL0004_moves_the_Input_line_with_its_comment_before_the_first_layer()
    {
        await AssertFix("NDSL0004",
            """
            using NeuralDsl;

            namespace Models;

            [Sequential(Loss = Loss.MeanSquaredError)]
                [Dense(4, Activation.ReLU)]
                [Dense(1)]
                [Input(3)] // the features
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
        await AssertFix("NDSL0004",
            "using NeuralDsl;\n[Sequential(Loss = Loss.MeanSquaredError)]\n[Dense(4), Input(3), Dense(1)]\npublic partial class Net;\n",
            "using NeuralDsl;\n[Sequential(Loss = Loss.MeanSquaredError)]\n[Input(3), Dense(4), Dense(1)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task NDSL0004_moves_Input_written_inline()
    {
        await AssertFix("NDSL0004",
            "using NeuralDsl;\n[Sequential] [Dense(4)] [Dense(1)] [Input(3)]\npublic partial class Net;\n",
            "using NeuralDsl;\n[Sequential] [Input(3)] [Dense(4)] [Dense(1)]\npublic partial class Net;\n");
    }

    [Fact]
    public async Task Diagnostics_without_one_obvious_fix_get_none()
    {
        // A second [Input]: which one is meant is for the user to say.
        await AssertNoFix("NDSL0004", "using NeuralDsl;\n[Sequential]\n[Input(3)]\n[Dense(4)]\n[Input(3)]\npublic partial class Net;\n");
        // No [Input]: no layer declares the size of its input, so nothing implies the shape to write.
        await AssertNoFix("NDSL0003", "using NeuralDsl;\n[Sequential]\n[Dense(4)]\npublic partial class Net;\n");
        // NDSL1003 on a layer that is not a Dense (the output of a convolution, which [Flatten] before it would break).
        await AssertNoFix("NDSL1003", "using NeuralDsl;\n[Sequential(Loss = Loss.BinaryCrossEntropy)]\n[Input(4, 4, 1)]\n[Conv2D(1, 3)]\npublic partial class Net;\n");
    }

    private static async Task AssertFix(string id, string source, string expected)
    {
        (Document document, Diagnostic diagnostic) = await Diagnose(id, source);
        CodeAction action = Assert.Single(await Actions(document, diagnostic));

        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        string fixedText = (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
        Assert.Equal(expected.ReplaceLineEndings("\n"), fixedText.ReplaceLineEndings("\n"));

        GeneratorRun run = GeneratorHarness.RunModel(fixedText);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "The fixed source still has diagnostics:\n" + GeneratorHarness.Describe(run.GeneratorDiagnostics));
    }

    private static async Task AssertNoFix(string id, string source)
    {
        (Document document, Diagnostic diagnostic) = await Diagnose(id, source);
        Assert.Empty(await Actions(document, diagnostic));
    }

    /// <summary>A workspace document of <paramref name="source"/> and the generator's one diagnostic <paramref name="id"/>, located in that document's tree.</summary>
    private static async Task<(Document Document, Diagnostic Diagnostic)> Diagnose(string id, string source)
    {
        var workspace = new AdhocWorkspace();
        ProjectInfo project = ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Models", "Models", LanguageNames.CSharp,
            compilationOptions: GeneratorHarness.CompilationOptions, parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References);
        Document document = workspace.AddProject(project).AddDocument("Model0.cs", SourceText.From(source));
        var compilation = (CSharpCompilation)(await document.Project.GetCompilationAsync())!;

        GeneratorHarness.CreateDriver(new ModelGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Same(await document.GetSyntaxTreeAsync(), diagnostic.Location.SourceTree);
        return (document, diagnostic);
    }

    private static async Task<List<CodeAction>> Actions(Document document, Diagnostic diagnostic)
    {
        var provider = new ModelCodeFixProvider();
        Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds.Concat(["NDSL0003"]));
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }
}
