using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace NeuralDsl.CodeFixes;

/// <summary>
/// Fixes for the generator's diagnostics that have one obvious fix: add <c>partial</c> (NDSL0001), move <c>[Input]</c>
/// before the layers (NDSL0004, when it is the model's only <c>[Input]</c>) and insert <c>[Flatten]</c> before the
/// reported <c>[Dense]</c> (NDSL1003). NDSL0003 (no <c>[Input]</c>) has none: no layer declares the size of its input
/// (units and filters size the output; kernel, pool, stride and padding a window or border), so nothing implies the
/// shape to write (docs/diagnostics/NDSL0003.md). Each fix is a text edit that keeps the user's layout: a new attribute list goes
/// on a line of its own with the indentation of the one it precedes when that one is on its own line, else on the
/// same line.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ModelCodeFixProvider)), Shared]
public sealed class ModelCodeFixProvider : CodeFixProvider
{
    private const string ClassNotPartial = "NDSL0001";
    private const string MisplacedInput = "NDSL0004";
    private const string OutputDoesNotFitLoss = "NDSL1003";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds => [ClassNotPartial, MisplacedInput, OutputDoesNotFitLoss];

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan);
            switch (diagnostic.Id)
            {
                case ClassNotPartial when node.FirstAncestorOrSelf<ClassDeclarationSyntax>() is { } declaration:
                    Register(context, diagnostic, "Make '" + declaration.Identifier.ValueText + "' partial", ClassNotPartial,
                        AddPartial(declaration));
                    break;
                case MisplacedInput when node.FirstAncestorOrSelf<AttributeSyntax>() is { } input:
                    SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                    if (model is not null && MoveInputFirst(input, model, context.CancellationToken) is { } moves)
                        Register(context, diagnostic, "Move [Input] before the layers", MisplacedInput, moves);
                    break;
                case OutputDoesNotFitLoss when node.FirstAncestorOrSelf<AttributeSyntax>() is { } dense && IsNamed(dense, "Dense"):
                    Register(context, diagnostic, "Insert [Flatten] before this layer", OutputDoesNotFitLoss,
                        InsertBefore(dense, Qualified(dense, "Flatten")));
                    break;
            }
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, string title, string key, TextChange[] changes)
    {
        Document document = context.Document;
        context.RegisterCodeFix(
            CodeAction.Create(title, async cancellationToken =>
            {
                SourceText text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                return document.WithText(text.WithChanges(changes));
            }, equivalenceKey: key),
            diagnostic);
    }

    // `partial` goes right before `class` (C# requires it last among the modifiers), after the keyword's leading trivia.
    private static TextChange[] AddPartial(ClassDeclarationSyntax declaration) =>
        [new TextChange(new TextSpan(declaration.Keyword.SpanStart, 0), "partial ")];

    private static TextChange[]? MoveInputFirst(AttributeSyntax input, SemanticModel model, CancellationToken cancellationToken)
    {
        if (input.Parent is not AttributeListSyntax { Parent: ClassDeclarationSyntax declaration } inputList)
            return null;
        AttributeSyntax[] attributes = [.. declaration.AttributeLists.SelectMany(l => l.Attributes)];
        // The fix is obvious only for the model's one [Input]; a second one must be deleted or merged by hand.
        if (attributes.Count(a => Kind(a, model, cancellationToken) == AttributeKind.Input) != 1)
            return null;
        AttributeSyntax? firstLayer = attributes.FirstOrDefault(a => Kind(a, model, cancellationToken) == AttributeKind.Layer);
        if (firstLayer is null || firstLayer.SpanStart > input.SpanStart)
            return null;
        var target = (AttributeListSyntax)firstLayer.Parent!;
        if (inputList.Attributes.Count == 1 && OnOwnLine(inputList) && target.Attributes.Count == 1 && StartsLine(target))
        {
            // A line of its own moves as a line, with its trailing comment.
            string line = inputList.ToString() + inputList.GetTrailingTrivia().ToFullString() + Indentation(target);
            return [new TextChange(new TextSpan(target.SpanStart, 0), line), Remove(input, inputList)];
        }
        return [.. InsertBefore(firstLayer, input.ToString()), Remove(input, inputList)];
    }

    private static TextChange[] InsertBefore(AttributeSyntax attribute, string newAttribute)
    {
        var list = (AttributeListSyntax)attribute.Parent!;
        if (list.Attributes.Count > 1)
            return [new TextChange(new TextSpan(attribute.SpanStart, 0), newAttribute + ", ")];
        string separator = StartsLine(list) ? LineBreak(list) + Indentation(list) : " ";
        return [new TextChange(new TextSpan(list.SpanStart, 0), "[" + newAttribute + "]" + separator)];
    }

    // Removes the attribute with its comma, or its list with the list's line when the list is alone on it.
    private static TextChange Remove(AttributeSyntax attribute, AttributeListSyntax list)
    {
        if (list.Attributes.Count > 1)
        {
            int index = list.Attributes.IndexOf(attribute);
            TextSpan span = index == 0
                ? TextSpan.FromBounds(attribute.SpanStart, list.Attributes.GetSeparator(0).Span.End + list.Attributes.GetSeparator(0).TrailingTrivia.FullSpan.Length)
                : TextSpan.FromBounds(list.Attributes.GetSeparator(index - 1).SpanStart, attribute.Span.End);
            return new TextChange(span, "");
        }
        if (OnOwnLine(list))
            return new TextChange(TextSpan.FromBounds(list.FullSpan.Start + LeadingWhitespaceStart(list), list.FullSpan.End), "");
        if (StartsLine(list))
            return new TextChange(TextSpan.FromBounds(list.SpanStart, list.FullSpan.End), ""); // "[Input] [B]" -> "[B]"
        // "[A] [Input]" -> "[A]": the space before goes, the line's end stays.
        SyntaxToken previous = list.GetFirstToken().GetPreviousToken();
        return new TextChange(TextSpan.FromBounds(previous.Span.End, list.Span.End), "");
    }

    // The list's own indentation starts after any earlier leading trivia (comments, blank lines) it carries.
    private static int LeadingWhitespaceStart(AttributeListSyntax list)
    {
        SyntaxTriviaList leading = list.GetLeadingTrivia();
        int length = leading.FullSpan.Length;
        if (leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia))
            length -= leading.Last().FullSpan.Length;
        return length;
    }

    // Nothing but whitespace before the list on its line.
    private static bool StartsLine(AttributeListSyntax list)
    {
        SyntaxToken previous = list.GetFirstToken().GetPreviousToken();
        return previous.IsKind(SyntaxKind.None)
            || previous.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia))
            || list.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
    }

    // Alone on its line (a trailing comment aside).
    private static bool OnOwnLine(AttributeListSyntax list) =>
        StartsLine(list) && list.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));

    // The line break the file uses: after the list, else the first in the file.
    private static string LineBreak(AttributeListSyntax list)
    {
        SyntaxTrivia eol = list.GetTrailingTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        if (eol.IsKind(SyntaxKind.None))
            eol = list.SyntaxTree.GetRoot().DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        return eol.IsKind(SyntaxKind.None) ? "\n" : eol.ToFullString();
    }

    private static string Indentation(AttributeListSyntax list)
    {
        SyntaxTriviaList leading = list.GetLeadingTrivia();
        return leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia) ? leading.Last().ToFullString() : "";
    }

    private enum AttributeKind
    {
        Other,
        Input,
        Layer,
    }

    // By symbol: a layer is any NeuralDsl attribute other than [Sequential] and [Input] (the generator's registry).
    private static AttributeKind Kind(AttributeSyntax attribute, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetTypeInfo(attribute, cancellationToken).Type is not INamedTypeSymbol type || type.ContainingNamespace?.ToDisplayString() != "NeuralDsl")
            return AttributeKind.Other;
        return type.Name switch
        {
            "InputAttribute" => AttributeKind.Input,
            "SequentialAttribute" => AttributeKind.Other,
            _ => AttributeKind.Layer,
        };
    }

    private static bool IsNamed(AttributeSyntax attribute, string name)
    {
        string written = RightmostName(attribute.Name);
        return written == name || written == name + "Attribute";
    }

    private static string RightmostName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => name.ToString(),
    };

    // [Flatten] written the way the user wrote the attribute it goes before: NeuralDsl.Dense -> NeuralDsl.Flatten.
    private static string Qualified(AttributeSyntax like, string name) => like.Name switch
    {
        QualifiedNameSyntax qualified => qualified.Left + "." + name,
        AliasQualifiedNameSyntax alias => alias.Alias + "::" + name,
        _ => name,
    };
}
