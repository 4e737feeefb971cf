using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>MaxPooling1D(pool_size, strides = pool_size, padding)</c> on (steps, channels) samples.</summary>
internal sealed partial record MaxPooling1DSpec(int PoolSize, int Strides, Padding Padding, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new MaxPooling1DSpec(
            PoolSize: a.Int("poolSize", 2),
            Strides: a.NamedInt("Strides", 0),
            Padding: (Padding)a.NamedInt("Padding", (int)Padding.Valid),
            ExplicitName: a.NamedString("Name"),
            Location: location);

    /// <summary>Keras: the stride defaults to the pool size.</summary>
    private int Stride => Strides == 0 ? PoolSize : Strides;

    public override string KerasType => "MaxPooling1D";

    public override string NamePrefix => "max_pooling1d";

    public override IEnumerable<ConfigEntry> Config => [ConfigEntry.Ints("pool_size", PoolSize), ConfigEntry.Ints("strides", Stride), ConfigEntry.Padding(Padding)];

    public override string Describe() =>
        "MaxPooling1D(" + PoolSize.ToString(CultureInfo.InvariantCulture) +
        (Strides != 0 ? ", strides " + Strides.ToString(CultureInfo.InvariantCulture) : "") + (Padding == Padding.Same ? ", same" : "") + ")";

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Padding, Location))
            return null;
        if (Strides < 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "MaxPooling1D stride", Strides.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (!WindowGeometry.AllPositive(context, Location, ("MaxPooling1D pool size", PoolSize)))
            return null;
        if (input.Rank != 2)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, "MaxPooling1D", "2", "steps, channels", input.ToString());
            return null;
        }
        int? steps = WindowGeometry.OutputLength(input.Dimensions[0], PoolSize, Stride, 1, Padding, "MaxPooling1D", "pool size", Location, context);
        return steps is { } s ? new Shape(s, input.Dimensions[1]) : null;
    }
}
