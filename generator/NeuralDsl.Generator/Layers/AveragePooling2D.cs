using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>AveragePooling2D(pool_size, strides = pool_size, padding)</c> on NHWC samples.</summary>
internal sealed partial record AveragePooling2DSpec(int PoolHeight, int PoolWidth, int Strides, Padding Padding, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location)
    {
        bool square = a.HasParameter("poolSize");
        return new AveragePooling2DSpec(
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

    public override string KerasType => "AveragePooling2D";

    public override string NamePrefix => "average_pooling2d";

    public override string Describe() =>
        "AveragePooling2D(" + PoolHeight.ToString(CultureInfo.InvariantCulture) + "×" + PoolWidth.ToString(CultureInfo.InvariantCulture) +
        (Strides != 0 ? ", strides " + Strides.ToString(CultureInfo.InvariantCulture) : "") + (Padding == Padding.Same ? ", same" : "") + ")";

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Padding, Location))
            return null;
        if (Strides < 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "AveragePooling2D stride", Strides.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (!WindowGeometry.AllPositive(context, Location, ("AveragePooling2D pool height", PoolHeight), ("AveragePooling2D pool width", PoolWidth)))
            return null;
        if (input.Rank != 3)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, "AveragePooling2D", "3", "height, width, channels", input.ToString());
            return null;
        }
        int? height = WindowGeometry.OutputLength(input.Dimensions[0], PoolHeight, StrideHeight, 1, Padding, "AveragePooling2D", "pool height", Location, context);
        if (height is null)
            return null; // one diagnostic per layer: the width is not checked after the height failed
        int? width = WindowGeometry.OutputLength(input.Dimensions[1], PoolWidth, StrideWidth, 1, Padding, "AveragePooling2D", "pool width", Location, context);
        return width is { } w ? new Shape(height.Value, w, input.Dimensions[2]) : null;
    }
}
