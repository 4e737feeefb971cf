using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>Dropout(rate)</c>: identity in inference; in training, inverted dropout with a kept mask.</summary>
internal sealed partial record DropoutSpec(double Rate, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new DropoutSpec(a.Double(0), a.NamedString("Name"), location);

    public override string KerasType => "Dropout";

    /// <summary>Acts on each step alone, so a Keras mask goes on unchanged to the next layer.</summary>
    public override MaskHandling MaskHandling => MaskHandling.PassesOn;

    public override string NamePrefix => "dropout";

    public override IEnumerable<ConfigEntry> Config => [ConfigEntry.Double("rate", Rate)];

    public override string Describe() => "Dropout(" + Rate.ToString("R", CultureInfo.InvariantCulture) + ")";

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        // Written as !(in range) so that NaN is rejected too.
        if (!(Rate >= 0 && Rate < 1))
        {
            context.Report(DiagnosticDescriptors.DropoutRateOutOfRange, Location, Rate.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        return input;
    }
}
