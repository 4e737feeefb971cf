using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>GlobalAveragePooling2D</c>, <c>GlobalMaxPooling2D</c>, <c>GlobalAveragePooling1D</c> and
/// <c>GlobalMaxPooling1D</c> (keepdims false): every spatial axis is reduced, (height, width, channels) or (steps,
/// channels) → (channels). One record because the four differ only in the reduction and the input rank; each keeps its
/// own attribute and Keras name. The 1-D ones consume a Keras mask (pooling over the unmasked steps only).
/// </summary>
internal sealed partial record GlobalPoolingSpec(bool Max, int InputRank, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec ParseAverage2D(AttributeArguments a, LocationInfo? location) => new GlobalPoolingSpec(false, 3, a.NamedString("Name"), location);

    public static LayerSpec ParseMax2D(AttributeArguments a, LocationInfo? location) => new GlobalPoolingSpec(true, 3, a.NamedString("Name"), location);

    public static LayerSpec ParseAverage1D(AttributeArguments a, LocationInfo? location) => new GlobalPoolingSpec(false, 2, a.NamedString("Name"), location);

    public static LayerSpec ParseMax1D(AttributeArguments a, LocationInfo? location) => new GlobalPoolingSpec(true, 2, a.NamedString("Name"), location);

    /// <summary>Pooling over time honours a mask by skipping the masked steps; after it no step is left to mask.</summary>
    public override MaskHandling MaskHandling => InputRank == 2 ? MaskHandling.Consumes : MaskHandling.CannotHonour;

    public override string KerasType => "Global" + (Max ? "Max" : "Average") + "Pooling" + (InputRank - 1).ToString(CultureInfo.InvariantCulture) + "D";

    public override string NamePrefix => "global_" + (Max ? "max" : "average") + "_pooling" + (InputRank - 1).ToString(CultureInfo.InvariantCulture) + "d";

    public override string Describe() => KerasType;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (input.Rank != InputRank)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, KerasType, InputRank == 3 ? "3" : "2",
                InputRank == 3 ? "height, width, channels" : "steps, channels", input.ToString());
            return null;
        }
        return new Shape(input.Last);
    }
}
