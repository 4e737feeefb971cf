using System.Collections.Generic;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>Keras <c>Activation(fn)</c>: an element-wise function (softmax: per row of the last axis), same shape out.</summary>
internal sealed partial record ActivationSpec(Activation Activation, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new ActivationSpec((Activation)a.Int(0, (int)Activation.Linear), a.NamedString("Name"), location);

    public override string KerasType => "Activation";

    /// <summary>Acts on each step alone, so a Keras mask goes on unchanged to the next layer.</summary>
    public override MaskHandling MaskHandling => MaskHandling.PassesOn;

    public override string NamePrefix => "activation";

    public override IEnumerable<ConfigEntry> Config => [ConfigEntry.Activation("activation", Activation)];

    public override string Describe() => "Activation(" + Activation + ")";

    public override Activation FinalActivation => Activation;

    public override Shape? InferShape(Shape input, ShapeContext context) => context.IsDefined(Activation, Location) ? input : null;
}
