using System;
using System.Collections.Generic;
using System.Globalization;
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
/// Turns one <c>[Perceptron]</c> class into a <see cref="PerceptronSpec"/> plus diagnostics: the class checks every
/// model has, its <c>[Input]</c> (one dimension), each setting against scikit-learn's valid range, and the members the
/// class already has against the ones the emitter writes. Only this file and <see cref="ModelParser"/> touch symbols.
/// </summary>
internal static class PerceptronParser
{
    public const string PerceptronAttributeName = "NeuralDsl.PerceptronAttribute";
    private const string InputAttributeName = "NeuralDsl.InputAttribute";

    /// <summary>The spec (null when the class cannot take a generated declaration at all) and its diagnostics.</summary>
    public static Result<PerceptronSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        LocationInfo? location = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        try
        {
            return ParseCore(context, location, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new Result<PerceptronSpec>(null, new EquatableArray<DiagnosticInfo>([DiagnosticInfo.Create(
                DiagnosticDescriptors.InternalError, location, context.TargetSymbol.Name, ex.GetType().Name + ": " + ex.Message)]));
        }
    }

    private static Result<PerceptronSpec> ParseCore(GeneratorAttributeSyntaxContext context, LocationInfo? location, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());

        // The checks every generated class needs; without a partial, top-level, non-generic class nothing is emitted.
        string? kind = symbol.IsRecord ? "a record"
            : symbol.ContainingType is not null ? "nested in '" + symbol.ContainingType.Name + "'"
            : symbol.IsGenericType ? "generic"
            : symbol.IsStatic ? "static"
            : symbol.IsFileLocal ? "file-local"
            : declaration.ParameterList is not null ? "declared with a primary constructor"
            : null;
        if (kind is not null)
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, kind));
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, identifier, symbol.Name));

        var diagnostics = new List<DiagnosticInfo>();
        bool mixed = false;
        int[]? input = null;
        LocationInfo? inputLocation = null;
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is null)
                continue;
            AttributeSyntax? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            if (name == ModelParser.SequentialAttributeName || LayerRegistry.IsLayer(name))
            {
                // The [Sequential] pipeline owns such a class (or reports its own errors): this one emits nothing.
                mixed = true;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PerceptronWithLayers, LocationInfo.From(syntax), symbol.Name,
                    attribute.AttributeClass!.Name.EndsWith("Attribute", StringComparison.Ordinal) ? attribute.AttributeClass.Name.Substring(0, attribute.AttributeClass.Name.Length - "Attribute".Length) : attribute.AttributeClass.Name));
            }
            else if (name == InputAttributeName)
            {
                if (input is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, LocationInfo.From(syntax), "this model already has an [Input]"));
                    continue;
                }
                AttributeArguments? inputArguments = AttributeArguments.From(attribute, syntax);
                if (inputArguments is null)
                    return Failure(); // the compiler reports the argument that does not bind
                input = inputArguments.IntArray(0);
                inputLocation = LocationInfo.From(syntax);
            }
        }
        if (mixed)
            return new Result<PerceptronSpec>(null, diagnostics.ToEquatableArray());

        AttributeArguments? arguments = AttributeArguments.From(context.Attributes[0], context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax);
        if (arguments is null)
            return Failure();

        int features = 1;
        if (input is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, location, symbol.Name));
        else if (input.Length != 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PerceptronInputNotVector, inputLocation,
                input.Length.ToString(CultureInfo.InvariantCulture), "[" + string.Join(", ", input.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]"));
        else if (input[0] < 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, inputLocation, "The number of features", input[0].ToString(CultureInfo.InvariantCulture)));
        else
            features = input[0];

        int classes = arguments.Int(0);
        if (classes < 2)
            diagnostics.Add(OutOfRange(location, "classes", Literal(classes), "at least 2"));

        var penalty = (Penalty)arguments.NamedInt("Penalty", (int)Penalty.None);
        if (!Enum.IsDefined(typeof(Penalty), penalty))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, At(arguments, "Penalty", location), nameof(Penalty), Literal((int)penalty)));
        var classWeight = (ClassWeight)arguments.NamedInt("ClassWeight", (int)ClassWeight.None);
        if (!Enum.IsDefined(typeof(ClassWeight), classWeight))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, At(arguments, "ClassWeight", location), nameof(ClassWeight), Literal((int)classWeight)));

        double alpha = arguments.NamedDouble("Alpha", 1e-4);
        if (!(alpha >= 0) || double.IsInfinity(alpha))
            diagnostics.Add(OutOfRange(At(arguments, "Alpha", location), "Alpha", Literal(alpha), "a finite value >= 0"));
        double l1Ratio = arguments.NamedDouble("L1Ratio", 0.15);
        if (!(l1Ratio >= 0 && l1Ratio <= 1))
            diagnostics.Add(OutOfRange(At(arguments, "L1Ratio", location), "L1Ratio", Literal(l1Ratio), "in [0, 1]"));
        int maxIter = arguments.NamedInt("MaxIter", 1000);
        if (maxIter < 1)
            diagnostics.Add(OutOfRange(At(arguments, "MaxIter", location), "MaxIter", Literal(maxIter), "at least 1"));
        double tol = arguments.NamedDouble("Tol", 1e-3);
        if (!double.IsNaN(tol) && (!(tol >= 0) || double.IsInfinity(tol)))
            diagnostics.Add(OutOfRange(At(arguments, "Tol", location), "Tol", Literal(tol), "a finite value >= 0, or double.NaN for none"));
        int nIterNoChange = arguments.NamedInt("NIterNoChange", 5);
        if (nIterNoChange < 1)
            diagnostics.Add(OutOfRange(At(arguments, "NIterNoChange", location), "NIterNoChange", Literal(nIterNoChange), "at least 1"));
        double eta0 = arguments.NamedDouble("Eta0", 1.0);
        if (!(eta0 > 0) || double.IsInfinity(eta0))
            diagnostics.Add(OutOfRange(At(arguments, "Eta0", location), "Eta0", Literal(eta0), "a finite value > 0"));
        double validationFraction = arguments.NamedDouble("ValidationFraction", 0.1);
        if (!(validationFraction > 0 && validationFraction < 1))
            diagnostics.Add(OutOfRange(At(arguments, "ValidationFraction", location), "ValidationFraction", Literal(validationFraction), "in (0, 1)"));

        double[]? weights = arguments.NamedDoubleArray("ClassWeights");
        if (weights is not null)
        {
            LocationInfo? weightsLocation = At(arguments, "ClassWeights", location);
            if (classWeight == ClassWeight.Balanced)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassWeightGivenTwice, weightsLocation));
            else if (classes >= 2 && weights.Length != classes)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassWeightsLengthMismatch, weightsLocation, Literal(weights.Length), Literal(classes)));
            foreach (double w in weights)
            {
                if (!(w >= 0) || double.IsInfinity(w))
                {
                    diagnostics.Add(OutOfRange(weightsLocation, "ClassWeights", "{" + string.Join(", ", weights.Select(Literal)) + "}", "finite values >= 0"));
                    break;
                }
            }
        }

        string ns = symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();
        string metadataName = symbol.MetadataName;
        for (INamespaceSymbol n = symbol.ContainingNamespace; !n.IsGlobalNamespace; n = n.ContainingNamespace)
            metadataName = n.MetadataName + "." + metadataName;
        string className = Naming.Identifier(symbol.Name);

        // A member the user already has under a generated name: reported, and no placeholder is written over it.
        EquatableArray<DeclaredMember> members = ModelParser.DeclaredMembers(symbol, context.SemanticModel.Compilation, cancellationToken);
        bool collides = false;
        foreach ((string name, string? signature) in PerceptronMembers.Public)
        {
            if (name == symbol.Name)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, identifier, symbol.Name, name));
                collides = true;
                continue;
            }
            foreach (DeclaredMember member in members)
            {
                if (!member.Collides(name, signature))
                    continue;
                collides = true;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollidesWithGeneratedMember, member.Location ?? identifier,
                    member.InheritedFrom is null ? member.Describe() : member.Describe() + " inherited from '" + member.InheritedFrom + "'",
                    symbol.Name, name, "the perceptron's members are fixed"));
            }
        }

        var spec = new PerceptronSpec(ns, className, metadataName, features, classes, penalty, alpha, l1Ratio,
            arguments.NamedBool("FitIntercept", true), maxIter, tol, nIterNoChange, arguments.NamedBool("Shuffle", true), eta0,
            arguments.NamedBool("EarlyStopping", false), validationFraction, classWeight,
            weights is null ? null : weights.ToEquatableArray(), ModelParser.HasUserSummary(symbol, cancellationToken), location,
            EquatableArray<string>.Empty);
        // A class whose members collide gets neither the model nor a placeholder: either would add errors of its own.
        return new Result<PerceptronSpec>(collides ? null : spec, diagnostics.ToEquatableArray());
    }

    private static DiagnosticInfo OutOfRange(LocationInfo? location, string setting, string value, string range) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.PerceptronSettingOutOfRange, location, setting, value, range);

    /// <summary>The named argument's location, or the attribute's when it was not written.</summary>
    private static LocationInfo? At(AttributeArguments arguments, string name, LocationInfo? fallback) => arguments.NamedLocation(name) ?? fallback;

    private static string Literal(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Literal(double value) => double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    private static Result<PerceptronSpec> Failure(params DiagnosticInfo[] diagnostics) => new(null, new EquatableArray<DiagnosticInfo>(diagnostics));
}

/// <summary>The public members a perceptron class receives (name and, for methods, parameter types), for collision checks.</summary>
internal static class PerceptronMembers
{
    private const string Doubles = "global::System.ReadOnlySpan<double>";
    private const string Ints = "global::System.ReadOnlySpan<int>";

    public static IEnumerable<(string Name, string? Signature)> Public =>
    [
        ("Features", null), ("Classes", null), ("CoefRows", null), ("ModelName", null), ("Summary", null), ("Classifier", null),
        ("Options", null), ("Coef", null), ("Intercept", null), ("NIter", null), ("T", null), ("ConvergenceWarning", null),
        ("IsFitted", null),
        (".ctor", "(int)"),
        ("Fit", "(" + Doubles + ", " + Ints + ")"),
        ("PartialFit", "(" + Doubles + ", " + Ints + ")"),
        ("Predict", "(" + Doubles + ")"),
        ("Predict", "(" + Doubles + ", global::System.Span<int>)"),
        ("DecisionFunction", "(" + Doubles + ", global::System.Span<double>)"),
        ("Score", "(" + Doubles + ", " + Ints + ")"),
        ("SaveWeights", "(string)"),
        ("LoadWeights", "(string)"),
    ];
}
