using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>Bidirectional(layer, merge_mode)</c>, written as <c>[Bidirectional]</c> right before the recurrent layer it
/// wraps. The parser reads the attribute alone (<see cref="Layer"/> null) and then folds the next layer into it
/// (<see cref="ModelParser"/>; anything else there is NDSL1012). Both directions are copies of <see cref="Layer"/> with
/// weights of their own, named as Keras 3 names them (<c>forward_lstm</c>, <c>backward_lstm</c>); the backward one reads
/// the steps last first (<c>go_backwards</c>) and a returned sequence of it is flipped back to input order before the
/// two outputs are merged. One layer in the plan and the summary, with both directions' parameters.
/// </summary>
internal sealed partial record BidirectionalSpec(MergeMode MergeMode, RecurrentSpec? Layer, string? ExplicitName, LocationInfo? Location)
    : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new BidirectionalSpec((MergeMode)a.NamedInt("MergeMode", (int)MergeMode.Concat), null, a.NamedString("Name"), location);

    public override string KerasType => "Bidirectional";

    public override string NamePrefix => "bidirectional";

    /// <summary>Keras <c>merge_mode</c>, the wrapped layer's class (<c>layer</c>) and then its own entries.</summary>
    public override IEnumerable<ConfigEntry> Config =>
        Layer is null ? [] : new[] { ConfigEntry.MergeMode(MergeMode), ConfigEntry.String("layer", Layer.KerasType) }.Concat(Layer.Config);

    public override string Describe() =>
        Layer is null ? "Bidirectional" : "Bidirectional(" + Layer.Describe() + (MergeMode != MergeMode.Concat ? ", " + MergeMode : "") + ")";

    /// <summary>The wrapped layer's Keras name, which the two directions prefix: <c>lstm</c>.</summary>
    private string InnerName => Layer!.ExplicitName ?? Layer.NamePrefix;

    /// <summary>The forward direction: the wrapped layer as written.</summary>
    private RecurrentSpec Forward => Layer! with { Part = "Fw" };

    /// <summary>The backward direction: go_backwards, its sequence returned in input order.</summary>
    private RecurrentSpec Backward => Layer! with { Part = "Bw", GoBackwards = true, ReverseOutput = true };

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (Layer is null || !context.IsDefined(MergeMode, Location))
            return null;
        if (Layer.GoBackwards)
        {
            // Keras requires the two directions to differ in go_backwards; the wrapper sets the backward one.
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Layer.Location, "GoBackwards of a layer inside [Bidirectional]",
                "false (the wrapper runs the backward copy)", "true");
            return null;
        }
        Shape? inner = Layer.InferShape(input, context);
        if (inner is null)
            return null;
        if (MergeMode != MergeMode.Concat)
            return inner;
        return Layer.ReturnSequences ? new Shape(inner.Dimensions[0], 2 * Layer.Units) : new Shape(2 * Layer.Units);
    }

    public override MaskHandling MaskHandling => Layer?.MaskHandling ?? MaskHandling.CannotHonour;

    public override bool UsesTrainingFlag => Layer?.UsesTrainingFlag ?? false;

    public override bool UsesRandomNumbers => Layer?.UsesRandomNumbers ?? false;

    public override bool BackwardReadsTrainingMode => Layer?.BackwardReadsTrainingMode ?? false;

    public override LayerSpec WithoutLocations() => this with { Location = null, Layer = (RecurrentSpec?)Layer?.WithoutLocations() };

    /// <summary>Each direction's tensors, Keras 3 names: <c>forward_lstm.kernel</c>, ..., <c>backward_lstm.kernel</c>, ...</summary>
    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        if (Layer is null)
            yield break;
        foreach (string direction in new[] { "forward_", "backward_" })
        {
            foreach (ParameterSpec p in Layer.GetParameters(input))
                yield return p with { Suffix = direction + InnerName + "." + p.Suffix };
        }
    }
}
