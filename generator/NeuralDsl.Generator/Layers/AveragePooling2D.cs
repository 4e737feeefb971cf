using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>AveragePooling2D(pool_size, strides = pool_size, padding)</c> on NHWC samples.</summary>
internal sealed partial record AveragePooling2DSpec(int PoolHeight, int PoolWidth, int Strides, Padding Padding, string? ExplicitName, LocationInfo? Location)
    : Pooling2DSpec(PoolHeight, PoolWidth, Strides, Padding, ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        Parse(a, location, (ph, pw, s, p, name, l) => new AveragePooling2DSpec(ph, pw, s, p, name, l));

    public override string KerasType => "AveragePooling2D";

    public override string NamePrefix => "average_pooling2d";
}
