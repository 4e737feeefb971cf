using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>Embedding(input_dim, output_dim, mask_zero)</c>: token ids (steps) → (steps, outputDim); embeddings
/// (inputDim, outputDim), initialized like Keras' <c>uniform</c> (U(−0.05, 0.05)). First layer only (NDSL1010). With
/// <c>MaskZero</c> it is the source of the model's Keras mask (<see cref="MaskFlow"/>).
/// </summary>
/// <param name="InputDim">The vocabulary size: ids in [0, InputDim).</param>
/// <param name="OutputDim">The embedding length.</param>
/// <param name="MaskZero">Keras <c>mask_zero</c>: id 0 is padding, masked for the layers that follow.</param>
/// <param name="ExplicitName">The <c>Name</c> given in the attribute, or null.</param>
/// <param name="Location">The attribute, for diagnostics.</param>
/// <param name="MaskZeroLocation">The <c>MaskZero = ...</c> argument, where NDSL1011 is reported.</param>
internal sealed partial record EmbeddingSpec(int InputDim, int OutputDim, bool MaskZero, string? ExplicitName, LocationInfo? Location,
    LocationInfo? MaskZeroLocation) : LayerSpec(ExplicitName, Location)
{
    /// <summary>The largest vocabulary a float model can carry exactly: every integer up to 2^24 is a float.</summary>
    public const int MaxFloatVocabulary = 1 << 24;

    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new EmbeddingSpec(a.Int("inputDim"), a.Int("outputDim"), a.NamedBool("MaskZero", false), a.NamedString("Name"), location,
            a.NamedLocation("MaskZero"));

    public override string KerasType => "Embedding";

    public override string NamePrefix => "embedding";

    public override IEnumerable<ConfigEntry> Config =>
        [ConfigEntry.Int("input_dim", InputDim), ConfigEntry.Int("output_dim", OutputDim), ConfigEntry.Bool("mask_zero", MaskZero)];

    public override string Describe() =>
        "Embedding(" + InputDim.ToString(CultureInfo.InvariantCulture) + ", " + OutputDim.ToString(CultureInfo.InvariantCulture) +
        (MaskZero ? ", mask zero" : "") + ")";

    public override bool MustBeFirst => true;

    public override int? TokenVocabulary => InputDim;

    public override bool ProducesMask => MaskZero;

    public override LocationInfo? MaskLocation => MaskZeroLocation;

    public override LayerSpec WithoutLocations() => this with { Location = null, MaskZeroLocation = null };

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (InputDim <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "Embedding inputDim", InputDim.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (OutputDim <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "Embedding outputDim", OutputDim.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (input.Rank != 1)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, KerasType, "1", "steps: one token id per step", input.ToString());
            return null;
        }
        if (context.Model.Element == ElementKind.Float && InputDim > MaxFloatVocabulary)
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "Embedding inputDim of a float model",
                "at most 16777216 (2^24: larger ids are not exact in float; use ElementType = typeof(double))", InputDim.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (!context.FitsIndex((long)InputDim * OutputDim, Location))
            return null;
        return new Shape(new EquatableArray<int>([input.Dimensions[0], OutputDim]));
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        yield return new ParameterSpec("embeddings", new EquatableArray<int>([InputDim, OutputDim]), Initializer.RandomUniform, InputDim, OutputDim);
    }
}
