using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>LayerNormalization(axis=-1, epsilon=1e-3, center, scale, rms_scaling)</c>: every row of the last axis is
/// normalized with its own statistics; γ (ones, with <c>Scale</c> or <c>RmsScaling</c>) and β (zeros, with
/// <c>Center</c> and without <c>RmsScaling</c>) are trained; same shape out.
/// </summary>
internal sealed partial record LayerNormalizationSpec(double Epsilon, bool Center, bool Scale, bool RmsScaling, string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new LayerNormalizationSpec(a.NamedDouble("Epsilon", 1e-3), a.NamedBool("Center", true), a.NamedBool("Scale", true),
            a.NamedBool("RmsScaling", false), a.NamedString("Name"), location);

    /// <summary>γ exists with <c>Scale</c> or <c>RmsScaling</c> (Keras 3 builds it for either).</summary>
    public bool HasGamma => Scale || RmsScaling;

    /// <summary>β exists with <c>Center</c> unless <c>RmsScaling</c>.</summary>
    public bool HasBeta => Center && !RmsScaling;

    public override string KerasType => "LayerNormalization";

    public override string NamePrefix => "layer_normalization";

    public override IEnumerable<ConfigEntry> Config =>
    [
        ConfigEntry.Int("axis", -1), ConfigEntry.Double("epsilon", Epsilon), ConfigEntry.Bool("center", Center), ConfigEntry.Bool("scale", Scale),
        ConfigEntry.Bool("rms_scaling", RmsScaling),
    ];

    public override string Describe() => RmsScaling ? "LayerNormalization(RMS)" : "LayerNormalization";

    /// <summary>Normalizes each step on its own, so a Keras mask goes on unchanged to the next layer.</summary>
    public override MaskHandling MaskHandling => MaskHandling.PassesOn;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!(Epsilon > 0))
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "LayerNormalization epsilon", Epsilon.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        if (double.IsPositiveInfinity(Epsilon))
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "LayerNormalization epsilon", "finite", Epsilon.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        return input;
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        var features = new EquatableArray<int>([input.Last]);
        if (HasGamma)
            yield return new ParameterSpec("gamma", features, Initializer.Ones, input.Last, input.Last);
        if (HasBeta)
            yield return new ParameterSpec("beta", features, Initializer.Zeros, input.Last, input.Last);
    }
}
