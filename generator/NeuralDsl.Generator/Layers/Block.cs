using System;
using System.Linq;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// A use of a <c>[Block]</c> class, <c>[Block(typeof(X))]</c>: the block's layers as the parser read them from the
/// block class (nested uses are <see cref="BlockSpec"/>s again). It never reaches planning as such:
/// <see cref="BlockExpansion"/> replaces it by its layers, named <c>{use}_{inner}</c>, before the shape walk.
/// </summary>
/// <param name="ClassName">The block class, as written in summaries and diagnostics.</param>
/// <param name="Layers">The block's layers in source order.</param>
/// <param name="ExplicitName">The use's <c>Name</c>, or null for the class name in snake case.</param>
/// <param name="Location">The use's attribute.</param>
internal sealed record BlockSpec(string ClassName, EquatableArray<LayerSpec> Layers, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public override string KerasType => ClassName;

    /// <summary>Keras names a nested layer after its class in snake case: <c>BasicBlock32</c> → <c>basic_block32</c>.</summary>
    public override string NamePrefix => Naming.SnakeCase(ClassName);

    public override string Describe() => "Block(" + ClassName + ")";

    public override LayerSpec WithoutLocations() => this with
    {
        Location = null,
        Layers = Layers.Select(l => l.WithoutLocations()).ToEquatableArray(),
    };

    public override Shape? InferShape(Shape input, ShapeContext context) => throw Unexpanded();

    public override void EmitForward(Emit.LayerEmitContext context) => throw Unexpanded();

    public override void EmitBackward(Emit.LayerEmitContext context) => throw Unexpanded();

    private InvalidOperationException Unexpanded() =>
        new("Block use '" + ClassName + "' reached planning unexpanded; BlockExpansion.Expand replaces it by its layers.");
}
