using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Kipf &amp; Welling's <c>GraphConv(units, activation)</c>: <c>y = act(Â · x · kernel + bias)</c>, Â the normalized
/// adjacency the model instance holds (<c>SetGraph</c>), kernel (in, units). The batch axis is the node axis, so each
/// node's per-sample input is one feature vector [features] (NDSL1024 otherwise).
/// </summary>
internal sealed partial record GraphConvSpec(
    int Units,
    Activation Activation,
    bool UseBias,
    Initializer KernelInitializer,
    Initializer BiasInitializer,
    string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) => new GraphConvSpec(
        Units: a.Int(0),
        Activation: (Activation)a.Int(1, (int)Activation.Linear),
        UseBias: a.NamedBool("UseBias", true),
        KernelInitializer: (Initializer)a.NamedInt("KernelInitializer", (int)Initializer.GlorotUniform),
        BiasInitializer: (Initializer)a.NamedInt("BiasInitializer", (int)Initializer.Zeros),
        ExplicitName: a.NamedString("Name"),
        Location: location);

    public override string KerasType => "GraphConv";

    public override string NamePrefix => "graph_conv";

    public override IEnumerable<ConfigEntry> Config =>
        [ConfigEntry.Int("units", Units), ConfigEntry.Activation("activation", Activation), ConfigEntry.Bool("use_bias", UseBias)];

    public override string Describe() =>
        "GraphConv(" + Units.ToString(CultureInfo.InvariantCulture) + (Activation == Activation.Linear ? "" : ", " + Activation) + (UseBias ? "" : ", no bias") + ")";

    public override Activation FinalActivation => Activation;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Activation, Location) | !context.IsDefined(KernelInitializer, Location) | !context.IsDefined(BiasInitializer, Location))
            return null;
        if (Units <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "GraphConv units", Units.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (input.Rank != 1)
        {
            context.Report(DiagnosticDescriptors.GraphConvInputNotNodeFeatures, Location, context.CurrentName,
                context.OperandNames.Count > 0 ? context.OperandNames[0] : "its input", input.ToString());
            return null;
        }
        return new Shape(Units);
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        int fanIn = input.Last;
        yield return new ParameterSpec("kernel", new EquatableArray<int>([fanIn, Units]), KernelInitializer, fanIn, Units);
        if (UseBias)
            yield return new ParameterSpec("bias", new EquatableArray<int>([Units]), BiasInitializer, fanIn, Units);
    }

    /// <summary>
    /// True when the sparse product runs on the layer's output width: <c>Â · (x · kernel)</c> when units ≤ in (the
    /// product with Â, one pass over the nonzeros per feature, then works on the narrower side), else
    /// <c>(Â · x) · kernel</c>. The dense product costs nodes·in·units either way.
    /// </summary>
    public bool AggregatesAfterProduct(int inputs) => Units <= inputs;
}
