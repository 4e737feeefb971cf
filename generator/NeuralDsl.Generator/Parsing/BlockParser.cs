using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Parsing;

/// <summary>
/// Reads <c>[Block]</c> classes: the structure of a use (<c>[Block(typeof(X))]</c>), parsed from the block class's own
/// attributes, and the checks of a block definition. Expansion is split in two:
/// <list type="number">
/// <item>Parse time (here): a use becomes a <see cref="BlockSpec"/> holding the block's layers as parsed from its class,
/// nested uses included, so the model's spec carries the whole expansion and an edit of the block class changes it
/// (the model is regenerated, never served stale from the cache). Shapes are unknown here.</item>
/// <item>Plan time (<see cref="Shapes.BlockExpansion"/>): the uses are replaced by their layers with nested names
/// (<c>{use}_{inner}</c>) before the shape walk, which then sees one flat layer list; anything that needs shapes
/// (a residual's projection) is decided during the walk.</item>
/// </list>
/// Problems are reported where they are written: a block class reports its own (<see cref="CheckDefinition"/>), and a
/// use whose expansion meets a cycle or a class that is no block reports once more, on the use, naming the chain.
/// </summary>
internal static class BlockParser
{
    public const string BlockAttributeName = "NeuralDsl.BlockAttribute";
    public const string ResidualAttributeName = "NeuralDsl.ResidualAttribute";
    private const string InputAttributeName = "NeuralDsl.InputAttribute";

    /// <summary>The attributes that use a block class (<c>typeof(X)</c>) and so are parsed here, not by the registry.</summary>
    public static readonly ImmutableArray<string> UseAttributeNames = [BlockAttributeName, ResidualAttributeName];

    public static bool IsUse(string attributeName) => UseAttributeNames.Contains(attributeName);

    /// <summary><c>[Block]</c> without a type: the mark of a block definition.</summary>
    public static bool IsDefinitionMarker(AttributeData attribute) =>
        attribute.AttributeClass?.ToDisplayString() == BlockAttributeName && attribute.ConstructorArguments.Length == 0;

    public static bool IsBlockDefinition(INamedTypeSymbol type) => type.GetAttributes().Any(IsDefinitionMarker);

    /// <summary>
    /// The checks of one <c>[Block]</c> class (the Blocks pipeline): NDSL0015 on each <c>[Input]</c>, NDSL0014/NDSL0016 on
    /// each use that cannot be expanded, NDSL1012 on a misplaced <c>[Bidirectional]</c>. Only the declaration carrying
    /// the <c>[Block]</c> mark reports; a class that also has <c>[Sequential]</c> is the model parser's (NDSL0015 there).
    /// </summary>
    public static EquatableArray<DiagnosticInfo> CheckDefinition(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol symbol || !context.Attributes.Any(IsDefinitionMarker))
            return EquatableArray<DiagnosticInfo>.Empty;
        if (symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModelParser.SequentialAttributeName))
            return EquatableArray<DiagnosticInfo>.Empty;
        var diagnostics = new List<DiagnosticInfo>();
        Expansion layers = ReadLayers(symbol, [symbol], diagnostics, cancellationToken);
        if (layers.Unbound)
            return EquatableArray<DiagnosticInfo>.Empty; // the compiler reports the argument that does not bind
        return diagnostics.ToEquatableArray();
    }

    /// <summary>
    /// One use: the block's layers as a <see cref="BlockSpec"/> named by the use's <c>Name</c>, or the problem that
    /// stops it (report it on the use with <see cref="Problem.Report"/>), or neither when an argument does not bind.
    /// </summary>
    /// <param name="attribute">The use.</param>
    /// <param name="arguments">Its decoded arguments (for <c>Name</c>).</param>
    /// <param name="location">Its attribute syntax.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    /// <param name="path">The block classes being read around this use (outermost first); a use of one of them is a cycle.</param>
    public static Expansion ParseUse(AttributeData attribute, AttributeArguments arguments, LocationInfo? location, List<INamedTypeSymbol> path, CancellationToken cancellationToken)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Type)
            return Expansion.NotBound;
        if (attribute.ConstructorArguments[0].Value is not INamedTypeSymbol { TypeKind: TypeKind.Class } block)
        {
            string shown = attribute.ConstructorArguments[0].Value is ITypeSymbol type ? type.ToDisplayString() : "null";
            return Expansion.Failed(new Problem(DiagnosticDescriptors.NotABlock, shown, "is not a class", []));
        }
        if (!IsBlockDefinition(block))
            return Expansion.Failed(new Problem(DiagnosticDescriptors.NotABlock, block.Name, "is not marked [Block]", []));
        if (path.Contains(block, SymbolEqualityComparer.Default))
            return Expansion.Failed(new Problem(DiagnosticDescriptors.BlockUsesItself, block.Name, "", []));

        path.Add(block);
        Expansion inner = ReadLayers(block, path, null, cancellationToken);
        path.RemoveAt(path.Count - 1);
        if (inner.Unbound)
            return inner;
        if (inner.Problem is { } problem)
            return Expansion.Failed(problem with { Chain = [block.Name, .. problem.Chain] });
        if (attribute.AttributeClass?.ToDisplayString() == ResidualAttributeName)
        {
            ProjectionMode projection = !arguments.HasNamed("Projection") ? ProjectionMode.WhereShapesDiffer
                : arguments.NamedBool("Projection", false) ? ProjectionMode.Always : ProjectionMode.Never;
            return Expansion.Of(new ResidualSpec(block.Name, inner.Layers, projection, ShortcutStyle.Plain, EquatableArray<LayerSpec>.Empty,
                arguments.NamedString("Name"), location));
        }
        return Expansion.Of(new BlockSpec(block.Name, inner.Layers, arguments.NamedString("Name"), location));
    }

    /// <summary>
    /// The layers of block class <paramref name="block"/> in source order; <c>[Input]</c>, <c>[Sequential]</c> and the
    /// <c>[Block]</c> mark are skipped (the block's own check reports the first two). With <paramref name="report"/>,
    /// problems of the block's own uses are reported there (on the use) and the rest is still read; without it, the first
    /// problem stops the expansion.
    /// </summary>
    private static Expansion ReadLayers(INamedTypeSymbol block, List<INamedTypeSymbol> path, List<DiagnosticInfo>? report, CancellationToken cancellationToken)
    {
        var layers = new List<LayerSpec>();
        foreach ((AttributeData attribute, AttributeSyntax syntax) in ModelParser.LayerAttributesInSourceOrder(block, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string name = attribute.AttributeClass!.ToDisplayString();
            LocationInfo? location = LocationInfo.From(syntax);
            if (name == InputAttributeName)
            {
                report?.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelAttributeOnBlock, location, "[Input]", block.Name));
                continue;
            }
            if (IsDefinitionMarker(attribute))
                continue;
            AttributeArguments? arguments = AttributeArguments.From(attribute, syntax);
            if (arguments is null)
                return Expansion.NotBound;

            LayerSpec spec;
            if (IsUse(name))
            {
                Expansion use = ParseUse(attribute, arguments, location, path, cancellationToken);
                if (use.Unbound)
                    return use;
                if (use.Problem is { } problem)
                {
                    if (report is null)
                        return use;
                    report.Add(problem.Report(block.Name, location));
                    continue;
                }
                spec = use.Spec!;
            }
            else
            {
                spec = LayerRegistry.Parse(name, arguments, location);
            }
            layers.Add(spec with
            {
                InputName = arguments.NamedString("Input"),
                Trainable = arguments.NamedBool("Trainable", true),
            });
        }

        var foldDiagnostics = new List<DiagnosticInfo>();
        List<LayerSpec> folded = ModelParser.FoldBidirectional(layers, foldDiagnostics);
        report?.AddRange(foldDiagnostics);
        if (folded.Count == 0 && report is null)
            return Expansion.Failed(new Problem(DiagnosticDescriptors.NotABlock, block.Name, "declares no layers", []));
        return Expansion.Of(folded.ToEquatableArray());
    }

    /// <summary>
    /// Why a use cannot be expanded. <see cref="Subject"/> is the class the problem is about (the repeated block, or the
    /// class that is no block); <see cref="Chain"/> the blocks from the use's own class down to the failing use.
    /// </summary>
    internal sealed record Problem(DiagnosticDescriptor Descriptor, string Subject, string Reason, ImmutableArray<string> Chain)
    {
        /// <summary>The diagnostic on the use at <paramref name="location"/>, written in class <paramref name="owner"/>.</summary>
        public DiagnosticInfo Report(string owner, LocationInfo? location)
        {
            string path = string.Join(" → ", [owner, .. Chain]);
            if (Descriptor == DiagnosticDescriptors.BlockUsesItself)
                return DiagnosticInfo.Create(Descriptor, location, Subject, path + " → " + Subject);
            return DiagnosticInfo.Create(Descriptor, location, Subject, Chain.Length == 0 ? Reason : Reason + " (used through " + path + ")");
        }
    }

    /// <summary>The outcome of expanding a use or reading a block's layers.</summary>
    internal sealed class Expansion
    {
        private Expansion(LayerSpec? spec, EquatableArray<LayerSpec> layers, Problem? problem, bool unbound)
        {
            Spec = spec;
            Layers = layers;
            Problem = problem;
            Unbound = unbound;
        }

        public static Expansion NotBound { get; } = new(null, EquatableArray<LayerSpec>.Empty, null, true);

        /// <summary>The use, expanded.</summary>
        public LayerSpec? Spec { get; }

        /// <summary>A block's layers.</summary>
        public EquatableArray<LayerSpec> Layers { get; }

        public Problem? Problem { get; }

        /// <summary>An argument did not bind: the compiler reports it, nothing more to say.</summary>
        public bool Unbound { get; }

        public static Expansion Of(LayerSpec spec) => new(spec, EquatableArray<LayerSpec>.Empty, null, false);

        public static Expansion Of(EquatableArray<LayerSpec> layers) => new(null, layers, null, false);

        public static Expansion Failed(Problem problem) => new(null, EquatableArray<LayerSpec>.Empty, problem, false);
    }
}
