using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>ZeroPadding2D(padding = ((top, bottom), (left, right)))</c> on NHWC samples.</summary>
internal sealed partial record ZeroPadding2DSpec(int Top, int Bottom, int Left, int Right, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location)
    {
        bool symmetric = a.HasParameter("padding");
        int height = symmetric ? a.Int("padding", 1) : a.Int("heightPadding");
        int width = symmetric ? a.Int("padding", 1) : a.Int("widthPadding");
        // A named side overrides the constructor's value for that side only, as the attribute's properties do.
        return new ZeroPadding2DSpec(
            Top: a.NamedInt("Top", height),
            Bottom: a.NamedInt("Bottom", height),
            Left: a.NamedInt("Left", width),
            Right: a.NamedInt("Right", width),
            ExplicitName: a.NamedString("Name"),
            Location: location);
    }

    public override string KerasType => "ZeroPadding2D";

    public override string NamePrefix => "zero_padding2d";

    /// <summary>Keras <c>padding</c> ((top, bottom), (left, right)), flattened: top, bottom, left, right.</summary>
    public override IEnumerable<ConfigEntry> Config => [ConfigEntry.Ints("padding", Top, Bottom, Left, Right)];

    public override string Describe() =>
        "ZeroPadding2D(top " + Top.ToString(CultureInfo.InvariantCulture) + ", bottom " + Bottom.ToString(CultureInfo.InvariantCulture) +
        ", left " + Left.ToString(CultureInfo.InvariantCulture) + ", right " + Right.ToString(CultureInfo.InvariantCulture) + ")";

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        // Zero is a valid padding (Keras accepts it); only a negative side is an error.
        foreach ((string side, int value) in new[] { ("top", Top), ("bottom", Bottom), ("left", Left), ("right", Right) })
        {
            if (value < 0)
            {
                context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "ZeroPadding2D " + side + " padding", "zero or more",
                    value.ToString(CultureInfo.InvariantCulture));
                return null;
            }
        }
        if (input.Rank != 3)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, "ZeroPadding2D", "3", "height, width, channels", input.ToString());
            return null;
        }
        // In 64 bits: int.MaxValue of padding must be reported, not wrapped to a small (or negative) size.
        long height = (long)Top + input.Dimensions[0] + Bottom;
        long width = (long)Left + input.Dimensions[1] + Right;
        if (!context.FitsIndex(height, Location) || !context.FitsIndex(width, Location))
            return null;
        return new Shape((int)height, (int)width, input.Dimensions[2]);
    }
}
