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
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Parsing;

/// <summary>
/// Turns one <c>[Sequential]</c> class into a <see cref="ModelSpec"/> plus diagnostics. The only code that touches
/// symbols and attribute data; everything it returns is compared by value.
/// </summary>
internal static class ModelParser
{
    public const string SequentialAttributeName = "NeuralDsl.SequentialAttribute";
    private const string InputAttributeName = "NeuralDsl.InputAttribute";

    /// <summary>[Input] and every layer attribute: the attributes that only mean something beside [Sequential].</summary>
    public static IEnumerable<string> ModelAttributeNames => new[] { InputAttributeName }.Concat(LayerRegistry.AttributeNames);

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

    /// <summary>
    /// NDSL0012 on a class whose [Input] or layer attributes have no [Sequential] (a forgotten attribute would otherwise
    /// generate nothing, silently), or null. Each model attribute name has its own provider; only the provider of the
    /// class's first such attribute reports, so the warning comes once per class.
    /// </summary>
    public static DiagnosticInfo? LayersWithoutSequential(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        AttributeData? first = null;
        foreach (AttributeData attribute in context.TargetSymbol.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == SequentialAttributeName || name == ReservoirParser.ReservoirAttributeName || name == PerceptronParser.PerceptronAttributeName
                || BlockParser.IsDefinitionMarker(attribute))
                return null; // a model, an echo state network or a perceptron (their [Input] is their own), or a [Block] definition (its layers are the block's)
            if (first is null && name is not null && (name == InputAttributeName || LayerRegistry.IsLayer(name)))
                first = attribute;
        }
        SyntaxReference? firstSyntax = first?.ApplicationSyntaxReference;
        if (firstSyntax is null || !context.Attributes.Any(a => a.ApplicationSyntaxReference is { } r && r.SyntaxTree == firstSyntax.SyntaxTree && r.Span == firstSyntax.Span))
            return null;
        cancellationToken.ThrowIfCancellationRequested();
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        return DiagnosticInfo.Create(DiagnosticDescriptors.LayersWithoutSequential, LocationInfo.From(declaration.Identifier.GetLocation()), context.TargetSymbol.Name);
    }

    private static Result<ModelSpec> ParseCore(GeneratorAttributeSyntaxContext context, LocationInfo? sequentialLocation, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());

        if (symbol.IsRecord)
            // A record's copy constructor (`with`) would share the parameter and buffer arrays between two models, and
            // its value equality would compare them by reference: a model is not a value.
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, "a record"));
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
        if (symbol.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().FirstOrDefault(d => d.ParameterList is not null) is { } primary)
            // The generated constructor would have to chain to it (CS8862) and cannot know its arguments.
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, LocationInfo.From(primary.Identifier.GetLocation()), symbol.Name, "declared with a primary constructor"));
        if (symbol.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } direct &&
            !direct.InstanceConstructors.Any(c => c.Parameters.All(p => p.IsOptional || p.IsParams) && context.SemanticModel.Compilation.IsSymbolAccessibleWithin(c, symbol)))
            // The generated constructor calls base().
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name,
                "derived from '" + direct.Name + "', which has no accessible constructor without arguments"));
        for (INamedTypeSymbol? baseType = symbol.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            // A base model's generated members are not in this compilation yet, so they cannot be checked one by one:
            // every one of them would be hidden by the derived model's.
            if (baseType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SequentialAttributeName))
                return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, "derived from the model class '" + baseType.Name + "'"));
        }

        // The namespace as source writes it (keywords escaped: @event) for the emitted declaration; the hint name is
        // built from metadata names, which never carry '@'.
        string ns = symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();
        string metadataName = symbol.MetadataName;
        for (INamespaceSymbol n = symbol.ContainingNamespace; !n.IsGlobalNamespace; n = n.ContainingNamespace)
            metadataName = n.MetadataName + "." + metadataName;
        string className = Naming.Identifier(symbol.Name);
        EquatableArray<DeclaredMember> members = DeclaredMembers(symbol, context.SemanticModel.Compilation, cancellationToken);
        bool hasUserSummary = HasUserSummary(symbol, cancellationToken);
        ElementKind element = ElementKind.Float;

        var diagnostics = new List<DiagnosticInfo>();
        AttributeArguments? sequential = AttributeArguments.From(context.Attributes[0]);
        if (sequential is null)
            return Failure(Placeholder());

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
        string? inputName = null;
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

            AttributeArguments? arguments = AttributeArguments.From(attribute, syntax);
            if (arguments is null)
                return Failure(Placeholder()); // the compiler already reports the argument that does not bind

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
                    inputName = arguments.NamedString("Name");
                    if (inputShape.Rank == 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "The number of [Input] dimensions", "0"));
                }
                continue;
            }

            LayerSpec layer;
            if (BlockParser.IsDefinitionMarker(attribute))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelAttributeOnBlock, sequentialLocation, "[Sequential]", symbol.Name));
                continue;
            }
            if (BlockParser.IsUse(name))
            {
                BlockParser.Expansion use = BlockParser.ParseUse(attribute, arguments, location, [], cancellationToken);
                if (use.Unbound)
                    return Failure(Placeholder());
                if (use.Problem is { } useProblem)
                {
                    diagnostics.Add(useProblem.Report(symbol.Name, location));
                    continue;
                }
                layer = use.Spec!;
            }
            else
            {
                layer = LayerRegistry.Parse(name, arguments, location);
            }

            layers.Add(layer with
            {
                InputName = arguments.NamedString("Input"),
                Trainable = arguments.NamedBool("Trainable", true),
            });
        }

        layers = FoldBidirectional(layers, diagnostics);

        if (!sawInput)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, sequentialLocation, symbol.Name));

        if (inputShape is null || diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
            return Failure(Placeholder(), [.. diagnostics]);

        // The members a model with errors still gets (throwing), unless the class already has one of that name: a
        // placeholder must never add errors of its own.
        ModelPlaceholder? Placeholder()
        {
            string elementType = element == ElementKind.Double ? "double" : "float";
            bool collides = GeneratedMembers.Common(elementType).Any(g => g.Name == className || members.Any(m => m.Collides(g.Name, g.Signature)));
            return collides ? null : new ModelPlaceholder(ns, className, metadataName, element, hasUserSummary, EquatableArray<string>.Empty);
        }

        var spec = new ModelSpec(ns, className, metadataName, modelName, element, loss, inputShape,
            layers.ToEquatableArray(), sequentialLocation, inputLocation, identifier, members, hasUserSummary)
        {
            InputName = inputName,
            Trainable = sequential.NamedBool("Trainable", true),
        };
        return new Result<ModelSpec>(spec, diagnostics.ToEquatableArray(), Placeholder());
    }

    /// <summary>
    /// True when a doc comment on one of the class's declarations has a <c>&lt;summary&gt;</c>. Read from the trivia
    /// whether or not the compilation parses documentation comments (without it they are plain <c>///</c> comments).
    /// </summary>
    internal static bool HasUserSummary(INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
        {
            foreach (SyntaxTrivia trivia in reference.GetSyntax(cancellationToken).GetLeadingTrivia())
            {
                if (trivia.GetStructure() is DocumentationCommentTriviaSyntax doc)
                {
                    if (doc.Content.OfType<XmlElementSyntax>().Any(e => e.StartTag.Name.LocalName.ValueText == "summary")
                        || doc.Content.OfType<XmlEmptyElementSyntax>().Any(e => e.Name.LocalName.ValueText == "summary"))
                        return true;
                }
                else if (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) && trivia.ToString().StartsWith("///", StringComparison.Ordinal)
                    && trivia.ToString().IndexOf("<summary", StringComparison.Ordinal) >= 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// [Input] and the registered layer attributes of every partial declaration, ordered by position so the layer order
    /// is the order the user wrote (attributes of other declarations come after and are reported).
    /// </summary>
    internal static IEnumerable<(AttributeData Attribute, AttributeSyntax Syntax)> LayerAttributesInSourceOrder(INamedTypeSymbol symbol, CancellationToken cancellationToken)
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

    /// <summary>
    /// The members of the class and the accessible members of its base classes (System.Object's collide with nothing
    /// generated), as names and parameter types. Compiler-made members (accessors, the default constructor) are left
    /// out; so are inherited constructors, which are not inherited in C#.
    /// </summary>
    internal static EquatableArray<DeclaredMember> DeclaredMembers(INamedTypeSymbol symbol, Compilation compilation, CancellationToken cancellationToken)
    {
        var members = new List<DeclaredMember>();
        foreach (ISymbol member in symbol.GetMembers())
        {
            if (Describe(member) is { } described)
            {
                Location? location = member.Locations.FirstOrDefault(l => l.IsInSource);
                members.Add(new DeclaredMember(described.Name, described.Signature, null, location is null ? null : LocationInfo.From(location)));
            }
        }
        var seen = new HashSet<(string, string?)>();
        for (INamedTypeSymbol? baseType = symbol.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (ISymbol member in baseType.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } || !compilation.IsSymbolAccessibleWithin(member, symbol))
                    continue;
                if (Describe(member) is { } described && seen.Add(described))
                    members.Add(new DeclaredMember(described.Name, described.Signature, baseType.ToDisplayString(), null));
            }
        }
        return members.ToEquatableArray();

        static (string Name, string? Signature)? Describe(ISymbol member)
        {
            if (member.IsImplicitlyDeclared)
                return null;
            switch (member)
            {
                case IMethodSymbol method when method.MethodKind is MethodKind.Ordinary or MethodKind.Constructor:
                    string parameters = "(" + string.Join(", ", method.Parameters.Select(p =>
                        (p.RefKind == RefKind.None ? "" : "ref ") + p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ")";
                    return (method.MethodKind == MethodKind.Constructor ? ".ctor" : method.Name,
                        method.Arity == 0 ? parameters : "`" + method.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture) + parameters);
                case IMethodSymbol:
                    return null; // accessors, operators, finalizers, explicit implementations: names no generated member has
                case IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 }:
                case IEventSymbol { ExplicitInterfaceImplementations.Length: > 0 }:
                    return null;
                default:
                    return (member.Name, null);
            }
        }
    }

    /// <summary>
    /// <c>[Bidirectional]</c> is written right before the recurrent layer it wraps: the two attributes become one
    /// layer. Anything else after it (or nothing) is NDSL1012, naming what follows. As in Keras, where
    /// <c>Bidirectional(LSTM(...))(x)</c> calls the wrapper and never the wrapped layer, the input is the wrapper's: an
    /// <c>Input =</c> on the wrapped layer is NDSL1030, on that layer (its <c>Name</c> and <c>Trainable</c> count).
    /// </summary>
    internal static List<LayerSpec> FoldBidirectional(List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        var folded = new List<LayerSpec>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not BidirectionalSpec { Layer: null } wrapper)
            {
                folded.Add(layers[i]);
                continue;
            }
            if (i + 1 < layers.Count && layers[i + 1] is RecurrentSpec recurrent)
            {
                if (recurrent.InputName is { } ignored)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputInsideBidirectional, recurrent.Location, recurrent.Describe(), ignored));
                folded.Add(wrapper with { Layer = recurrent });
                i++;
                continue;
            }
            string follows = i + 1 < layers.Count ? "[" + layers[i + 1].Describe() + "]" : "no layer";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BidirectionalWithoutRecurrent, wrapper.Location, follows));
        }
        return folded;
    }

    private static Result<ModelSpec> Failure(params DiagnosticInfo[] diagnostics) =>
        new(null, new EquatableArray<DiagnosticInfo>(diagnostics));

    private static Result<ModelSpec> Failure(ModelPlaceholder? placeholder, params DiagnosticInfo[] diagnostics) =>
        new(null, new EquatableArray<DiagnosticInfo>(diagnostics), placeholder);
}
