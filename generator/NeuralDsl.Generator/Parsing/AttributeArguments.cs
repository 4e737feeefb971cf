using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Parsing;

/// <summary>
/// An attribute's arguments decoded to plain values (int, double, bool, string, int[], enum values as int, types as
/// their special type), so layer parsers in <c>Layers/</c> never see <see cref="AttributeData"/>.
/// </summary>
internal sealed class AttributeArguments
{
    private readonly object?[] _positional;
    private readonly string[] _parameterNames;
    private readonly Dictionary<string, object?> _named;
    private readonly Dictionary<string, LocationInfo?> _namedLocations;

    private AttributeArguments(object?[] positional, string[] parameterNames, Dictionary<string, object?> named, Dictionary<string, LocationInfo?> namedLocations)
    {
        _positional = positional;
        _parameterNames = parameterNames;
        _named = named;
        _namedLocations = namedLocations;
    }

    /// <summary>
    /// Decodes <paramref name="attribute"/>; null when an argument did not bind (the compiler reports that). With its
    /// <paramref name="syntax"/>, the named arguments' locations are kept too (<see cref="NamedLocation"/>).
    /// </summary>
    public static AttributeArguments? From(AttributeData attribute, AttributeSyntax? syntax = null)
    {
        var positional = new object?[attribute.ConstructorArguments.Length];
        for (int i = 0; i < positional.Length; i++)
        {
            if (!TryDecode(attribute.ConstructorArguments[i], out positional[i]))
                return null;
        }
        var named = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
        {
            if (!TryDecode(pair.Value, out object? value))
                return null;
            named[pair.Key] = value;
        }
        string[] parameterNames = attribute.AttributeConstructor is { } constructor
            ? constructor.Parameters.Select(p => p.Name).ToArray()
            : [];
        var namedLocations = new Dictionary<string, LocationInfo?>();
        if (syntax?.ArgumentList is { } list)
        {
            foreach (AttributeArgumentSyntax argument in list.Arguments)
            {
                if (argument.NameEquals is { } nameEquals)
                    namedLocations[nameEquals.Name.Identifier.ValueText] = LocationInfo.From(argument);
            }
        }
        return new AttributeArguments(positional, parameterNames, named, namedLocations);
    }

    private static bool TryDecode(TypedConstant constant, out object? value)
    {
        value = null;
        switch (constant.Kind)
        {
            case TypedConstantKind.Error:
                return false;
            case TypedConstantKind.Array when constant.IsNull:
                // [Input(null)] binds a null params array; it decodes as no dimensions, which the rules report.
                return true;
            case TypedConstantKind.Array:
                ImmutableArray<TypedConstant> items = constant.Values;
                if (constant.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String })
                {
                    // params string[] (merge operands): a null item stays null and is reported as an unknown name.
                    var strings = new string?[items.Length];
                    for (int i = 0; i < items.Length; i++)
                    {
                        if (items[i].Kind == TypedConstantKind.Error)
                            return false;
                        strings[i] = items[i].Value as string;
                    }
                    value = strings;
                    return true;
                }
                if (items.Length > 0 && items[0].Value is double)
                {
                    // double[] arguments (a perceptron's ClassWeights).
                    var doubles = new double[items.Length];
                    for (int i = 0; i < items.Length; i++)
                    {
                        if (items[i].Kind == TypedConstantKind.Error || items[i].Value is not double d)
                            return false;
                        doubles[i] = d;
                    }
                    value = doubles;
                    return true;
                }
                var ints = new int[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    if (items[i].Kind == TypedConstantKind.Error || items[i].Value is not int n)
                        return false;
                    ints[i] = n;
                }
                value = ints;
                return true;
            case TypedConstantKind.Type:
                value = constant.Value is ITypeSymbol type ? new TypeArgument(type.SpecialType, type.ToDisplayString()) : null;
                return true;
            default:
                value = constant.Value;
                return true;
        }
    }

    /// <summary>
    /// The constructor argument bound to parameter <paramref name="parameter"/>, for attributes whose overloads take
    /// the same types in different roles (<c>Conv2D(filters, kernelSize)</c> vs <c>Conv2D(filters, kernelHeight, kernelWidth)</c>).
    /// </summary>
    public int Int(string parameter, int fallback = 0) => Int(System.Array.IndexOf(_parameterNames, parameter), fallback);

    /// <summary>True when the named argument <paramref name="name"/> was written (whatever its value).</summary>
    public bool HasNamed(string name) => _named.ContainsKey(name);

    public bool HasParameter(string parameter) => System.Array.IndexOf(_parameterNames, parameter) >= 0;

    public int Int(int position, int fallback = 0) => position >= 0 && position < _positional.Length && _positional[position] is int v ? v : fallback;

    public double Double(int position, double fallback = 0) => position < _positional.Length ? ToDouble(_positional[position], fallback) : fallback;

    public int[] IntArray(int position) => position < _positional.Length && _positional[position] is int[] v ? v : [];

    /// <summary>A <c>params string[]</c> argument; empty when none was written (an empty array decodes as <c>int[0]</c>).</summary>
    public string?[] StringArray(int position) => position < _positional.Length && _positional[position] is string?[] v ? v : [];

    public int NamedInt(string name, int fallback) => _named.TryGetValue(name, out object? v) && v is int n ? n : fallback;

    public double NamedDouble(string name, double fallback) => _named.TryGetValue(name, out object? v) ? ToDouble(v, fallback) : fallback;

    public bool NamedBool(string name, bool fallback) => _named.TryGetValue(name, out object? v) && v is bool b ? b : fallback;

    public string? NamedString(string name) => _named.TryGetValue(name, out object? v) ? v as string : null;

    /// <summary>The location of the named argument <c>Name = value</c>, or null when it was not written (or no syntax was given).</summary>
    public LocationInfo? NamedLocation(string name) => _namedLocations.TryGetValue(name, out LocationInfo? l) ? l : null;

    /// <summary>A named <c>double[]</c> argument: null when not written or written as null; empty for <c>new double[0]</c>.</summary>
    public double[]? NamedDoubleArray(string name) =>
        _named.TryGetValue(name, out object? v) ? v as double[] ?? (v is int[] { Length: 0 } ? [] : null) : null;

    public TypeArgument? NamedType(string name) => _named.TryGetValue(name, out object? v) ? v as TypeArgument : null;

    private static double ToDouble(object? value, double fallback) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => fallback,
    };
}

/// <summary>A <c>typeof(...)</c> argument reduced to what the generator checks.</summary>
internal sealed record TypeArgument(SpecialType SpecialType, string DisplayName);
