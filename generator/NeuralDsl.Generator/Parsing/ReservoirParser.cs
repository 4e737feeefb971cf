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
/// Turns one <c>[Reservoir]</c> class into a <see cref="ReservoirSpec"/> plus diagnostics: the echo state network's
/// counterpart of <see cref="ModelParser"/>, and like it the only reservoir code that touches symbols.
/// </summary>
internal static class ReservoirParser
{
    public const string ReservoirAttributeName = "NeuralDsl.ReservoirAttribute";
    public const string ReadoutAttributeName = "NeuralDsl.ReadoutAttribute";
    private const string InputAttributeName = "NeuralDsl.InputAttribute";

    public static Result<ReservoirSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        LocationInfo? reservoirLocation = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        try
        {
            return ParseCore(context, reservoirLocation, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new Result<ReservoirSpec>(null, new EquatableArray<DiagnosticInfo>([DiagnosticInfo.Create(DiagnosticDescriptors.InternalError,
                reservoirLocation, context.TargetSymbol.Name, ex.GetType().Name + ": " + ex.Message)]));
        }
    }

    /// <summary>NDSL0021 on a <c>[Readout]</c> whose class has no <c>[Reservoir]</c>, or null.</summary>
    public static DiagnosticInfo? ReadoutWithoutReservoir(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ReservoirAttributeName))
            return null;
        return DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirPartMissing,
            LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
            "[Readout] on '" + context.TargetSymbol.Name + "'", "[Reservoir(units)]");
    }

    /// <summary>True when the class carries <c>[Reservoir]</c>: its <c>[Input]</c> belongs to the echo state network.</summary>
    public static bool IsReservoir(ISymbol symbol) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ReservoirAttributeName);

    private static Result<ReservoirSpec> ParseCore(GeneratorAttributeSyntaxContext context, LocationInfo? reservoirLocation, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());
        var diagnostics = new List<DiagnosticInfo>();

        // A class that is also a [Sequential] model (or carries layers) is that model's: this pipeline emits nothing.
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == ModelParser.SequentialAttributeName || (name is not null && LayerRegistry.IsLayer(name)))
            {
                return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirMixedWithLayers,
                    LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)), symbol.Name, "[" + Short(name) + "]"));
            }
        }

        string? shapeProblem =
            symbol.IsRecord ? "a record" :
            symbol.ContainingType is not null ? "nested in '" + symbol.ContainingType.Name + "'" :
            symbol.IsGenericType ? "generic" :
            symbol.IsStatic ? "static" :
            symbol.IsFileLocal ? "file-local" :
            symbol.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().Any(d => d.ParameterList is not null) ? "declared with a primary constructor" :
            symbol.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } ? "derived from '" + symbol.BaseType.Name + "'" :
            null;
        if (shapeProblem is not null)
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGenericClass, identifier, symbol.Name, shapeProblem));
        bool partial = declaration.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!partial)
            return Failure(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, identifier, symbol.Name));

        AttributeArguments? reservoir = AttributeArguments.From(context.Attributes[0], context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax);
        AttributeData? readoutData = null, inputData = null;
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == ReadoutAttributeName)
                readoutData = attribute;
            else if (name == InputAttributeName)
            {
                if (inputData is not null)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, Location(attribute, cancellationToken), "this model already has an [Input]"));
                inputData ??= attribute;
            }
        }
        AttributeArguments? readout = readoutData is null ? null : AttributeArguments.From(readoutData, readoutData.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax);
        AttributeArguments? input = inputData is null ? null : AttributeArguments.From(inputData);
        if (reservoir is null || (readoutData is not null && readout is null) || (inputData is not null && input is null))
            return Failure(); // an argument does not bind: the compiler reports it

        if (readoutData is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirPartMissing, reservoirLocation, "[Reservoir] on '" + symbol.Name + "'", "[Readout(outputs)]"));
        if (inputData is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, reservoirLocation, symbol.Name));

        int units = reservoir.Int(0);
        if (units < 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, reservoirLocation, "[Reservoir] units", Text(units)));
        else if ((long)units * units > int.MaxValue)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, reservoirLocation, symbol.Name, Text((long)units * units), "W is units × units"));

        int inputs = 0;
        if (input is not null)
        {
            int[] shape = input.IntArray(0);
            LocationInfo? at = Location(inputData!, cancellationToken);
            if (shape.Length != 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirInputNotVector, at, shape.Length + " (" + string.Join(", ", shape.Select(Text)) + ")"));
            else if (shape[0] < 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, at, "The number of [Input] features", Text(shape[0])));
            else
                inputs = shape[0];
        }

        double spectralRadius = reservoir.NamedDouble("SpectralRadius", double.NaN);
        double leakRate = reservoir.NamedDouble("LeakRate", 1.0);
        double inputScaling = reservoir.NamedDouble("InputScaling", 1.0);
        double connectivity = reservoir.NamedDouble("Connectivity", 0.1);
        double inputConnectivity = reservoir.NamedDouble("InputConnectivity", 0.1);
        double bias = reservoir.NamedDouble("Bias", 1.0);
        int seed = reservoir.NamedInt("Seed", 0);
        var activation = (Activation)reservoir.NamedInt("Activation", (int)Activation.Tanh);

        UnitInterval("LeakRate", leakRate);
        UnitInterval("Connectivity", connectivity);
        UnitInterval("InputConnectivity", inputConnectivity);
        // NaN is the unset spectral radius (ReservoirPy's None); a set one must be a real, non-negative radius.
        if (!double.IsNaN(spectralRadius))
            NonNegative(reservoir, "SpectralRadius", spectralRadius);
        NonNegative(reservoir, "InputScaling", inputScaling);
        NonNegative(reservoir, "Bias", bias);
        LocationInfo? activationAt = reservoir.NamedLocation("Activation") ?? reservoirLocation;
        if (!Enum.IsDefined(typeof(Activation), activation))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, activationAt, nameof(Activation), Text((int)activation)));
        else if (activation == Activation.Softmax)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirActivationNotElementwise, activationAt, "Softmax (it normalizes over all units)"));

        int outputs = 0;
        double ridge = 0;
        int warmup = 0;
        if (readout is not null)
        {
            LocationInfo? readoutLocation = Location(readoutData!, cancellationToken);
            outputs = readout.Int(0);
            if (outputs < 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, readoutLocation, "[Readout] outputs", Text(outputs)));
            ridge = readout.NamedDouble("Ridge", 0);
            NonNegative(readout, "Ridge", ridge, readoutLocation);
            warmup = readout.NamedInt("Warmup", 0);
            if (warmup < 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirSettingNegative, readout.NamedLocation("Warmup") ?? readoutLocation, "Warmup", Text(warmup)));
        }

        if (diagnostics.Count > 0)
            return new Result<ReservoirSpec>(null, diagnostics.ToEquatableArray(), Placeholder());

        var spec = new ReservoirSpec(Namespace(symbol), Naming.Identifier(symbol.Name), MetadataName(symbol), symbol.Name,
            units, inputs, outputs, spectralRadius, leakRate, inputScaling, connectivity, inputConnectivity, bias, activation, seed,
            ridge, warmup, HasUserSummary(symbol, cancellationToken));
        return new Result<ReservoirSpec>(spec, EquatableArray<DiagnosticInfo>.Empty);

        void UnitInterval(string name, double value)
        {
            if (!(value > 0 && value <= 1))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirRateOutOfRange, reservoir!.NamedLocation(name) ?? reservoirLocation, name, Text(value)));
        }

        void NonNegative(AttributeArguments arguments, string name, double value, LocationInfo? fallback = null)
        {
            if (!(value >= 0 && !double.IsInfinity(value)))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservoirSettingNegative, arguments.NamedLocation(name) ?? fallback ?? reservoirLocation, name, Text(value)));
        }

        ModelPlaceholder Placeholder() =>
            new(Namespace(symbol), Naming.Identifier(symbol.Name), MetadataName(symbol), ElementKind.Float, HasUserSummary(symbol, cancellationToken), EquatableArray<string>.Empty);
    }

    private static string Namespace(INamedTypeSymbol symbol) =>
        symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();

    private static string MetadataName(INamedTypeSymbol symbol)
    {
        string metadataName = symbol.MetadataName;
        for (INamespaceSymbol n = symbol.ContainingNamespace; !n.IsGlobalNamespace; n = n.ContainingNamespace)
            metadataName = n.MetadataName + "." + metadataName;
        return metadataName;
    }

    private static bool HasUserSummary(INamedTypeSymbol symbol, CancellationToken cancellationToken) =>
        symbol.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken).GetLeadingTrivia()
            .Any(t => t.ToString().IndexOf("<summary", StringComparison.Ordinal) >= 0));

    private static LocationInfo? Location(AttributeData attribute, CancellationToken cancellationToken) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

    private static string Short(string name)
    {
        string last = name.Substring(name.LastIndexOf('.') + 1);
        return last.EndsWith("Attribute", StringComparison.Ordinal) ? last.Substring(0, last.Length - "Attribute".Length) : last;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static Result<ReservoirSpec> Failure(params DiagnosticInfo[] diagnostics) =>
        new(null, new EquatableArray<DiagnosticInfo>(diagnostics));
}
