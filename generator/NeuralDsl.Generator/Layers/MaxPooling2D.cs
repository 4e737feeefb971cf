using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>MaxPooling2D(pool_size, strides = pool_size, padding)</c> on NHWC samples.</summary>
internal sealed partial record MaxPooling2DSpec(int PoolHeight, int PoolWidth, int Strides, Padding Padding, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location)
    {
        bool square = a.HasParameter("poolSize");
        return new MaxPooling2DSpec(
            PoolHeight: square ? a.Int("poolSize", 2) : a.Int("poolHeight"),
            PoolWidth: square ? a.Int("poolSize", 2) : a.Int("poolWidth"),
            Strides: a.NamedInt("Strides", 0),
            Padding: (Padding)a.NamedInt("Padding", (int)Padding.Valid),
            ExplicitName: a.NamedString("Name"),
            Location: location);
    }

    /// <summary>Keras: strides default to the pool size.</summary>
    private int StrideHeight => Strides == 0 ? PoolHeight : Strides;

    private int StrideWidth => Strides == 0 ? PoolWidth : Strides;

    public override string KerasType => "MaxPooling2D";

    public override string NamePrefix => "max_pooling2d";

    public override string Describe() => WindowGeometry.DescribePool2D("MaxPooling2D", PoolHeight, PoolWidth, Strides, Padding);

    public override Shape? InferShape(Shape input, ShapeContext context) =>
        WindowGeometry.Pool2D("MaxPooling2D", input, PoolHeight, PoolWidth, Strides, Padding, Location, context);
}
