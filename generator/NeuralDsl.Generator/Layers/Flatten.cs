using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>Flatten()</c>: each sample becomes a vector. Row-major storage makes it a pure reinterpretation.</summary>
internal sealed partial record FlattenSpec(string? ExplicitName, LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) => new FlattenSpec(a.NamedString("Name"), location);

    public override string KerasType => "Flatten";

    public override string NamePrefix => "flatten";

    public override string Describe() => "Flatten";

    public override Shape? InferShape(Shape input, ShapeContext context) => new Shape(input.Size);
}
