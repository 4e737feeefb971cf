using System;
using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// What <c>MaxPooling2D</c> and <c>AveragePooling2D</c> share: Keras' <c>(pool_size, strides = pool_size, padding)</c>
/// arguments, their shape rule and the literal <c>Pool2DGeometry</c>; the two differ only in their kernels.
/// </summary>
internal abstract record Pooling2DSpec(int PoolHeight, int PoolWidth, int Strides, Padding Padding, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    /// <summary>Reads the attribute's arguments: a square <c>poolSize</c> (default 2) or <c>poolHeight, poolWidth</c>.</summary>
    protected static LayerSpec Parse(AttributeArguments a, LocationInfo? location,
        Func<int, int, int, Padding, string?, LocationInfo?, LayerSpec> create)
    {
        bool square = a.HasParameter("poolSize");
        return create(
            square ? a.Int("poolSize", 2) : a.Int("poolHeight"),
            square ? a.Int("poolSize", 2) : a.Int("poolWidth"),
            a.NamedInt("Strides", 0),
            (Padding)a.NamedInt("Padding", (int)Padding.Valid),
            a.NamedString("Name"),
            location);
    }

    /// <summary>Keras: strides default to the pool size.</summary>
    protected int StrideHeight => Strides == 0 ? PoolHeight : Strides;

    protected int StrideWidth => Strides == 0 ? PoolWidth : Strides;

    /// <summary>Keras <c>pool_size</c>, <c>strides</c> (the pool size unless given) and <c>padding</c>.</summary>
    public override IEnumerable<ConfigEntry> Config =>
        [ConfigEntry.Ints("pool_size", PoolHeight, PoolWidth), ConfigEntry.Ints("strides", StrideHeight, StrideWidth), ConfigEntry.Padding(Padding)];

    public override string Describe() => WindowGeometry.DescribePool2D(KerasType, PoolHeight, PoolWidth, Strides, Padding);

    public override Shape? InferShape(Shape input, ShapeContext context) =>
        WindowGeometry.Pool2D(KerasType, input, PoolHeight, PoolWidth, Strides, Padding, Location, context);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        PoolingEmitter.EmitGeometry(c, Describe(), "Create",
        [
            Literals.Named("height", input.Dimensions[0]), Literals.Named("width", input.Dimensions[1]), Literals.Named("channels", input.Dimensions[2]),
            Literals.Named("poolHeight", PoolHeight), Literals.Named("poolWidth", PoolWidth), Literals.Named("strideHeight", StrideHeight),
            Literals.Named("strideWidth", StrideWidth), Literals.Named("samePadding", Padding == Padding.Same),
        ]);
    }
}
