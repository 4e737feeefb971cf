using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3)</c>: γ (ones) and β (zeros) are trained, the
/// moving mean (zeros) and variance (ones) are non-trainable state; same shape out.
/// </summary>
internal sealed partial record BatchNormalizationSpec(double Momentum, double Epsilon, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new BatchNormalizationSpec(a.NamedDouble("Momentum", 0.99), a.NamedDouble("Epsilon", 1e-3), a.NamedString("Name"), location);

    public override string KerasType => "BatchNormalization";

    public override string NamePrefix => "batch_normalization";

    public override IEnumerable<ConfigEntry> Config =>
        [ConfigEntry.Int("axis", -1), ConfigEntry.Double("momentum", Momentum), ConfigEntry.Double("epsilon", Epsilon)];

    public override string Describe() => "BatchNormalization";

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        // Written as !(in range) so that NaN is rejected too.
        if (!(Momentum >= 0 && Momentum <= 1))
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "BatchNormalization momentum", "in [0, 1]", Momentum.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        if (!(Epsilon > 0))
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "BatchNormalization epsilon", Epsilon.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        if (double.IsPositiveInfinity(Epsilon))
        {
            // Emitted as a literal; an infinite epsilon would also turn every normalized value into 0.
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "BatchNormalization epsilon", "finite", Epsilon.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        return input;
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        var channels = new EquatableArray<int>([input.Last]);
        yield return new ParameterSpec("gamma", channels, Initializer.Ones, input.Last, input.Last);
        yield return new ParameterSpec("beta", channels, Initializer.Zeros, input.Last, input.Last);
        yield return new ParameterSpec("moving_mean", channels, Initializer.Zeros, input.Last, input.Last, Trainable: false);
        yield return new ParameterSpec("moving_variance", channels, Initializer.Ones, input.Last, input.Last, Trainable: false);
    }
}
