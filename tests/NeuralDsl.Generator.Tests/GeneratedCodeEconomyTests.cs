using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Every line of the generated code earns its place (issue #8 item 4): no field or buffer nobody reads, no method
/// that only forwards its arguments, no bare numbers in calls, no index noise, and comments only where they apply.
/// The compiler cannot check these: CS0169/CS0414 do not fire for fields written and never read through a method.
/// </summary>
public sealed class GeneratedCodeEconomyTests
{
    private const string DenseThenBatchNormalization = """
        [Input(3)]
        [Dense(4)]
        [BatchNormalization]
        """;

    private const string BatchNormalizationFirst = """
        [Input(3)]
        [BatchNormalization]
        [Dense(2)]
        """;

    private const string ScalarDense = """
        [Input(2, 2, 1)]
        [Dense(2)]
        [GlobalMaxPooling2D]
        """;

    private const string ThreeDense = """
        [Input(3)]
        [Dense(4, Activation.ReLU)]
        [Dense(4)]
        [Dense(2)]
        """;

    private const string Convolutions = """
        [Input(6, 6, 2)]
        [ZeroPadding2D(1)]
        [Conv2D(4, 3)]
        [Conv2D(3, 1)]
        [MaxPooling2D(2)]
        [Flatten]
        [Dense(2)]
        """;

    private const string Conv1DAndPooling = """
        [Input(8, 2)]
        [Conv1D(2, 3, Activation.ReLU)]
        [MaxPooling1D(2)]
        [Dropout(0.25)]
        [Dense(1)]
        """;

    public static TheoryData<string> Models =>
    [
        Wrap(DenseThenBatchNormalization), Wrap(BatchNormalizationFirst), Wrap(ScalarDense), Wrap(ThreeDense), Wrap(Convolutions),
        Wrap(Conv1DAndPooling), SnapshotTests.CreditModelSource, SnapshotTests.MnistMlpSource, SnapshotTests.MnistCnnSource,
        SnapshotTests.RegressionSource, SnapshotTests.NamedSource,
    ];

    private static string Wrap(string layers) => $$"""
        using NeuralDsl;

        namespace Economy;

        [Sequential(Loss = Loss.MeanSquaredError)]
        {{layers}}
        public partial class Net;
        """;

    private static string Emit(string source)
    {
        GeneratorRun run = GeneratorHarness.RunModel(source);
        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        return Assert.Single(run.Sources).Value;
    }

    /// <summary>Every private field is read somewhere: a field that is only assigned is dead weight (e.g. __training).</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Every_private_field_is_read(string source)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(Emit(source)).GetRoot();
        var fields = root.DescendantNodes().OfType<FieldDeclarationSyntax>()
            .Where(f => f.Modifiers.Any(SyntaxKind.PrivateKeyword))
            .SelectMany(f => f.Declaration.Variables.Select(v => v.Identifier.ValueText))
            .ToList();
        Assert.NotEmpty(fields);
        var unread = fields.Where(name => !root.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Any(id => id.Identifier.ValueText == name && !IsAssignmentTarget(id))).ToList();
        Assert.True(unread.Count == 0, "Fields written but never read: " + string.Join(", ", unread));
    }

    private static bool IsAssignmentTarget(IdentifierNameSyntax id)
    {
        SyntaxNode node = id.Parent is MemberAccessExpressionSyntax access && access.Name == id ? access : id;
        return node.Parent is AssignmentExpressionSyntax assignment && assignment.Left == node;
    }

    /// <summary>
    /// BatchNormalization keeps a scratch for the input gradient only as the first computing layer, the one layer that
    /// gets an empty dx; elsewhere dx is a real buffer.
    /// </summary>
    [Fact]
    public void BatchNormalization_allocates_its_input_gradient_scratch_only_as_the_first_layer()
    {
        Assert.DoesNotContain("__dxScratch", Emit(Wrap(DenseThenBatchNormalization)), StringComparison.Ordinal);
        Assert.Contains("__dxScratch0", Emit(Wrap(BatchNormalizationFirst)), StringComparison.Ordinal);
    }

    /// <summary>No generated method only passes its own parameters on to another method.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void No_method_only_forwards_its_parameters(string source)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(Emit(source)).GetRoot();
        var wrappers = root.DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.Identifier.ValueText.StartsWith("__Layer", StringComparison.Ordinal))
            .Where(m => m.Body is { Statements.Count: 1 } body && body.Statements[0] is ExpressionStatementSyntax
            {
                Expression: InvocationExpressionSyntax invocation,
            } && invocation.ArgumentList.Arguments.Select(a => a.ToString())
                .SequenceEqual(m.ParameterList.Parameters.Select(p => p.Identifier.ValueText)))
            .Select(m => m.Identifier.ValueText)
            .ToList();
        Assert.True(wrappers.Count == 0, "One-line wrappers: " + string.Join(", ", wrappers));
    }

    /// <summary>Only the first computing layer gets an empty dx, so only its methods say so.</summary>
    [Fact]
    public void The_empty_input_gradient_is_explained_only_in_the_first_layer()
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(Emit(Wrap(ThreeDense))).GetRoot();
        var methods = root.DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.Identifier.ValueText.StartsWith("__Layer", StringComparison.Ordinal)).ToList();
        static bool Explains(MethodDeclarationSyntax m) => m.ToFullString().Contains("first layer", StringComparison.Ordinal);
        Assert.Contains(methods, m => m.Identifier.ValueText.StartsWith("__Layer0", StringComparison.Ordinal) && Explains(m));
        var elsewhere = methods.Where(m => !m.Identifier.ValueText.StartsWith("__Layer0", StringComparison.Ordinal) && Explains(m))
            .Select(m => m.Identifier.ValueText).ToList();
        Assert.True(elsewhere.Count == 0, "Explained outside the first layer: " + string.Join(", ", elsewhere));
    }

    /// <summary>The register form indexes rows without <c>* 1</c> or <c>+ 0</c>.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Index_expressions_carry_no_identity_terms(string source)
    {
        string text = Emit(source);
        var noise = Regex.Matches(text, @"[^\n]*(\(nuint\)r \* 1;|\b[xy]i \+ 0\b)[^\n]*").Select(m => m.Value.Trim()).ToList();
        Assert.True(noise.Count == 0, "Identity terms:\n" + string.Join("\n", noise));
    }

    /// <summary>A register form without vectors is not "emulated" without 256-bit SIMD: its comment says why it is guarded.</summary>
    [Fact]
    public void The_scalar_register_form_has_a_truthful_fallback_comment()
    {
        string text = Emit(Wrap(ScalarDense));
        Assert.Contains("MathF.FusedMultiplyAdd", text, StringComparison.Ordinal);
        Assert.DoesNotContain("would be emulated", text, StringComparison.Ordinal);
    }

    /// <summary>Global max pooling skips the arg-max where no backward pass can follow, as windowed max pooling does.</summary>
    [Fact]
    public void Global_max_pooling_records_the_arg_max_only_when_a_backward_pass_can_follow()
    {
        string text = Emit(Wrap(ScalarDense));
        Assert.Contains("if (training || __inputKept)", text, StringComparison.Ordinal);
        Assert.Contains("private void __Layer1Forward(global::System.ReadOnlySpan<float> x, int batch, bool training)", text, StringComparison.Ordinal);
    }

    private static readonly string[] s_callsWithNamedNumbers =
    [
        "Conv2DGeometry.Create", "Conv2DGeometry.Create1D", "Pool2DGeometry.Create", "Pool2DGeometry.Create1D", "Padding2D.Forward",
        "Padding2D.Backward", "BatchNorm.TrainingForward", "BatchNorm.InferenceForward", "BatchNorm.Backward", "BatchNorm.InferenceBackward",
        "Pooling.GlobalMaxForward", "Pooling.GlobalMaxBackward", "Pooling.GlobalAverageForward", "Pooling.GlobalAverageBackward",
        "Dropout.Forward",
    ];

    /// <summary>Geometry, padding, normalization and initializer calls name every number they pass.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Numbers_passed_to_runtime_calls_are_named(string source)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(Emit(source)).GetRoot();
        var bare = root.DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(i => s_callsWithNamedNumbers.Any(name => i.Expression.ToString().EndsWith("NeuralDsl." + name, StringComparison.Ordinal)))
            .SelectMany(i => i.ArgumentList.Arguments.Where(a => a.NameColon is null && a.Expression.IsKind(SyntaxKind.NumericLiteralExpression))
                .Select(a => i.Expression + ": " + a))
            .ToList();
        Assert.True(bare.Count == 0, "Unnamed numbers:\n" + string.Join("\n", bare));
    }

    /// <summary>
    /// A convolution's scratch says what it holds for the layer's strategy, and a pointwise (1×1, stride-1) layer, whose
    /// scratch length is 0, has none.
    /// </summary>
    [Fact]
    public void Convolution_scratch_is_described_by_strategy_and_absent_for_pointwise_layers()
    {
        string text = Emit(Wrap(Convolutions));
        Assert.Contains("__scratch1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("__scratch2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("im2col columns or Winograd transforms", text, StringComparison.Ordinal);
        Assert.Contains("im2col columns for the gradients; the direct forward pass needs none", Emit(Wrap(Conv1DAndPooling)), StringComparison.Ordinal);
    }

    /// <summary>Fan-in and fan-out are printed only for the initializers whose scale uses them.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Initializer_comments_print_fans_only_where_they_are_used(string source)
    {
        var misleading = Regex.Matches(Emit(source), @"// [^\n]*: (Zeros|Ones|RandomNormal|RandomUniform) \(fan[^\n]*")
            .Select(m => m.Value).ToList();
        Assert.True(misleading.Count == 0, string.Join("\n", misleading));
    }
}
