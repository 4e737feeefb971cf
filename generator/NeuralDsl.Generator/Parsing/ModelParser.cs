using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Parsing;

/// <summary>
/// Turns one <c>[Sequential]</c> class into a <see cref="ModelSpec"/> plus diagnostics. The only code that touches
/// symbols and attribute data; everything it returns is compared by value.
/// </summary>
internal static class ModelParser
{
    public const string SequentialAttributeName = "NeuralDsl.SequentialAttribute";
    private const string InputAttributeName = "NeuralDsl.InputAttribute";

    public static Result<ModelSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        LocationInfo? sequentialLocation = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        try
        {
            return ParseCore(context, sequentialLocation, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A generator that throws loses all output and shows a vague CS8785; a diagnostic on the model says more.
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, sequentialLocation, context.TargetSymbol.Name, ex.GetType().Name + ": " + ex.Message));
        }
    }

    private static Result<ModelSpec> ParseCore(GeneratorAttributeSyntaxContext context, LocationInfo? sequentialLocation, CancellationToken cancellationToken)
    {
        var declaration = (ClassDeclarationSyntax)context.TargetNode;
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, identifier, symbol.Name));
        if (symbol.ContainingType is not null)
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, "nested in '" + symbol.ContainingType.Name + "'"));
        if (symbol.IsGenericType)
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, "generic"));
        if (symbol.IsStatic)
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, "static"));
        if (symbol.IsFileLocal)
            // A file-local class cannot have a partial declaration in the generated file.
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, "file-local"));

        var diagnostics = new List<DiagnosticInfo>();
        AttributeArguments? sequential = AttributeArguments.From(context.Attributes[0]);
        if (sequential is null)
            return Failure();

        ElementKind element = ElementKind.Float;
        if (sequential.NamedType("ElementType") is { } elementType)
        {
            if (elementType.SpecialType == SpecialType.System_Double)
                element = ElementKind.Double;
            else if (elementType.SpecialType != SpecialType.System_Single)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedElementType, sequentialLocation, elementType.DisplayName));
        }
        var loss = (Loss)sequential.NamedInt("Loss", (int)Loss.None);
        if (!Enum.IsDefined(typeof(Loss), loss))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, sequentialLocation, nameof(Loss), ((int)loss).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string modelName = sequential.NamedString("Name") ?? symbol.Name;
        if (Naming.ModelNameProblem(modelName) is { } problem)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, sequentialLocation, modelName, problem));

        Shape? inputShape = null;
        LocationInfo? inputLocation = null;
        var layers = new List<LayerSpec>();
        bool splitReported = false;
        bool sawInput = false;
        foreach ((AttributeData attribute, AttributeSyntax syntax) in LayerAttributesInSourceOrder(symbol, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            LocationInfo? location = LocationInfo.From(syntax);
            if (syntax.Parent?.Parent != declaration)
            {
                if (!splitReported)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplitAcrossDeclarations, location, symbol.Name));
                splitReported = true;
                continue;
            }

            AttributeArguments? arguments = AttributeArguments.From(attribute);
            if (arguments is null)
                return Failure(); // the compiler already reports the argument that does not bind

            string name = attribute.AttributeClass!.ToDisplayString();
            if (name == InputAttributeName)
            {
                sawInput = true;
                if (inputShape is not null)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, location, "this model already has an [Input]"));
                else if (layers.Count > 0)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, location, "it follows " + layers.Count + " layer attribute(s)"));
                else
                {
                    inputShape = new Shape(arguments.IntArray(0));
                    inputLocation = location;
                    if (inputShape.Rank == 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "The number of [Input] dimensions", "0"));
                }
                continue;
            }

            layers.Add(LayerRegistry.Parse(name, arguments, location));
        }

        if (!sawInput)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, sequentialLocation, symbol.Name));

        if (inputShape is null || diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
            return Failure([.. diagnostics]);

        string ns = symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();
        string metadataName = ns.Length == 0 ? symbol.MetadataName : ns + "." + symbol.MetadataName;
        var spec = new ModelSpec(ns, symbol.Name, metadataName, modelName, element, loss, inputShape,
            layers.ToEquatableArray(), sequentialLocation, inputLocation);
        return new Result<ModelSpec>(spec, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// [Input] and the registered layer attributes of every partial declaration, ordered by position so the layer order
    /// is the order the user wrote (attributes of other declarations come after and are reported).
    /// </summary>
    private static IEnumerable<(AttributeData Attribute, AttributeSyntax Syntax)> LayerAttributesInSourceOrder(INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        var found = new List<(AttributeData, AttributeSyntax)>();
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is null || (name != InputAttributeName && !LayerRegistry.IsLayer(name)))
                continue;
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax)
                found.Add((attribute, syntax));
        }
        return found
            .OrderBy(f => f.Item2.SyntaxTree.FilePath, StringComparer.Ordinal)
            .ThenBy(f => f.Item2.SpanStart)
            .ToList();
    }

    private static Result<ModelSpec> Failure(params DiagnosticInfo[] diagnostics) =>
        new(null, new EquatableArray<DiagnosticInfo>(diagnostics));
}
