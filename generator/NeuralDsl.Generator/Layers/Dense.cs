using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>Dense(units, activation, use_bias, kernel_initializer, bias_initializer)</c>: <c>y = act(x · kernel + bias)</c>
/// over the last axis, kernel (in, units).
/// </summary>
internal sealed partial record DenseSpec(
    int Units,
    Activation Activation,
    bool UseBias,
    Initializer KernelInitializer,
    Initializer BiasInitializer,
    string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) => new DenseSpec(
        Units: a.Int(0),
        Activation: (Activation)a.Int(1, (int)Activation.Linear),
        UseBias: a.NamedBool("UseBias", true),
        KernelInitializer: (Initializer)a.NamedInt("KernelInitializer", (int)Initializer.GlorotUniform),
        BiasInitializer: (Initializer)a.NamedInt("BiasInitializer", (int)Initializer.Zeros),
        ExplicitName: a.NamedString("Name"),
        Location: location);

    /// <summary>
    /// The units are the last axis of the block use's input (TransformerEncoder's output Dense: the model dim), filled in
    /// by the plan (<see cref="SizeFromUseInput"/>); <see cref="Units"/> is 0 until then.
    /// </summary>
    public bool UnitsFromInput { get; init; }

    public override bool SizedByUseInput => UnitsFromInput;

    public override LayerSpec? SizeFromUseInput(Shape useInput, ShapeContext context) => this with { Units = useInput.Last, UnitsFromInput = false };

    public override string KerasType => "Dense";

    public override string NamePrefix => "dense";

    public override IEnumerable<ConfigEntry> Config =>
        [ConfigEntry.Int("units", Units), ConfigEntry.Activation("activation", Activation), ConfigEntry.Bool("use_bias", UseBias)];

    public override string Describe() =>
        "Dense(" + Units.ToString(CultureInfo.InvariantCulture) + (Activation == Activation.Linear ? "" : ", " + Activation) + (UseBias ? "" : ", no bias") + ")";

    public override bool ActsOnLastAxis => true;

    /// <summary>Acts on each step alone, so a Keras mask goes on unchanged to the next layer.</summary>
    public override MaskHandling MaskHandling => MaskHandling.PassesOn;

    public override Activation FinalActivation => Activation;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Activation, Location) | !context.IsDefined(KernelInitializer, Location) | !context.IsDefined(BiasInitializer, Location))
            return null;
        if (Units <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "Dense units", Units.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        return input.WithLast(Units);
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        int fanIn = input.Last;
        yield return new ParameterSpec("kernel", new EquatableArray<int>([fanIn, Units]), KernelInitializer, fanIn, Units);
        if (UseBias)
            yield return new ParameterSpec("bias", new EquatableArray<int>([Units]), BiasInitializer, fanIn, Units);
    }
}
