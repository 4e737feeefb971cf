using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// KerasHub <c>PositionEmbedding(sequence_length)</c>, added to its input: (steps, features) → the same, y = x +
/// embeddings[:steps]; embeddings (sequenceLength, features), glorot_uniform. The gradient of the table is the sum
/// of dy over the batch; dx = dy. Acts per step, so a mask goes on.
/// </summary>
internal sealed record PositionEmbeddingSpec(int SequenceLength, string? ExplicitName, LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new PositionEmbeddingSpec(a.Int("sequenceLength"), a.NamedString("Name"), location);

    public override string KerasType => "PositionEmbedding";

    public override string NamePrefix => "position_embedding";

    public override IEnumerable<ConfigEntry> Config => [ConfigEntry.Int("sequence_length", SequenceLength)];

    public override string Describe() => "PositionEmbedding(" + SequenceLength.ToString(CultureInfo.InvariantCulture) + ")";

    public override MaskHandling MaskHandling => MaskHandling.PassesOn;

    public override Shape? InferShape(Shape input, ShapeContext context) =>
        PositionRules.CheckSequence(KerasType, SequenceLength, input, context, Location) ? input : null;

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        yield return new ParameterSpec("embeddings", new EquatableArray<int>([SequenceLength, input.Last]), Initializer.GlorotUniform, SequenceLength, input.Last);
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            string y = c.BatchSpan(c.Output, c.OutputSize);
            w.Line("// y[b] = x[b] + embeddings[:" + Literals.Int(c.Layer.Input.Dimensions[0]) + "] " + c.Layer.Output.ToComment() + " for every sample.");
            w.Line("x.CopyTo(" + y + ");");
            w.Call("global::NeuralDsl.Bias.AddRows", [y, PositionRules.Rows(c.ParameterSpan(c.Layer.Parameters[0]), c.OutputSize, SequenceLength * c.Layer.Input.Last)]);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("// The table's gradient is dy summed over the batch; the input's is dy itself.");
            c.WriteParameterGradients(() => w.Call("global::NeuralDsl.Bias.AccumulateGradient",
                ["dy", PositionRules.Rows(c.GradientSpan(c.Layer.Parameters[0]), c.OutputSize, SequenceLength * c.Layer.Input.Last)]));
            c.NoteEmptyInputGradient();
            w.Line("if (!dx.IsEmpty)");
            w.Line("    dy.CopyTo(dx);");
        }
    }
}

/// <summary>
/// KerasHub <c>SinePositionEncoding(max_wavelength)</c>, added to its input: y = x + the fixed table (a static array
/// computed once per model type by <c>PositionEncoding.Sine</c>); dx = dy. No parameters; a mask goes on.
/// </summary>
internal sealed record SinePositionEncodingSpec(double MaxWavelength, string? ExplicitName, LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new SinePositionEncodingSpec(a.NamedDouble("MaxWavelength", 10000), a.NamedString("Name"), location);

    public override string KerasType => "SinePositionEncoding";

    public override string NamePrefix => "sine_position_encoding";

    public override IEnumerable<ConfigEntry> Config => [ConfigEntry.Double("max_wavelength", MaxWavelength)];

    public override string Describe() =>
        "SinePositionEncoding(" + (MaxWavelength == 10000 ? "" : "max wavelength " + MaxWavelength.ToString("R", CultureInfo.InvariantCulture)) + ")";

    public override MaskHandling MaskHandling => MaskHandling.PassesOn;

    private static string TableField(int index) => Names.Static("sine", index);

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!(MaxWavelength > 0 && !double.IsInfinity(MaxWavelength)))
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "SinePositionEncoding MaxWavelength", "positive and finite",
                MaxWavelength.ToString("R", CultureInfo.InvariantCulture));
            return null;
        }
        return PositionRules.CheckSequence(KerasType, int.MaxValue, input, context, Location) ? input : null;
    }

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        c.Writer.Comment(c.Layer.Name + ": the sine/cosine table " + input.ToComment() + ", computed once.");
        c.Writer.Call("private static readonly " + c.T + "[] " + TableField(c.Layer.Index) + " = global::NeuralDsl.PositionEncoding.Sine<" + c.T + ">",
            [Literals.Named("steps", input.Dimensions[0]), Literals.Named("features", input.Dimensions[1]), Literals.Named("maxWavelength", MaxWavelength)]);
        c.Writer.Line();
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            string y = c.BatchSpan(c.Output, c.OutputSize);
            w.Line("// y[b] = x[b] + sine table " + c.Layer.Output.ToComment() + " for every sample.");
            w.Line("x.CopyTo(" + y + ");");
            w.Call("global::NeuralDsl.Bias.AddRows", [y, TableField(c.Layer.Index)]);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            c.NoteEmptyInputGradient();
            w.Line("if (!dx.IsEmpty)");
            w.Line("    dy.CopyTo(dx);");
        }
    }
}

/// <summary>
/// KerasHub <c>TokenAndPositionEmbedding(vocabulary_size, sequence_length, embedding_dim, mask_zero)</c>: token ids
/// (steps) → (steps, dim) = token_embedding.embeddings[id] + position_embedding.embeddings[t]; both tables
/// U(−0.05, 0.05) (KerasHub's <c>uniform</c>). First layer only, the mask source with <c>MaskZero</c>.
/// </summary>
internal sealed record TokenAndPositionEmbeddingSpec(int Vocabulary, int SequenceLength, int Dim, bool MaskZero, string? ExplicitName,
    LocationInfo? Location, LocationInfo? MaskZeroLocation) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new TokenAndPositionEmbeddingSpec(a.Int("vocabulary"), a.Int("sequenceLength"), a.Int("dim"), a.NamedBool("MaskZero", false),
            a.NamedString("Name"), location, a.NamedLocation("MaskZero"));

    public override string KerasType => "TokenAndPositionEmbedding";

    public override string NamePrefix => "token_and_position_embedding";

    public override IEnumerable<ConfigEntry> Config =>
    [
        ConfigEntry.Int("vocabulary_size", Vocabulary), ConfigEntry.Int("sequence_length", SequenceLength), ConfigEntry.Int("embedding_dim", Dim),
        ConfigEntry.Bool("mask_zero", MaskZero),
    ];

    public override string Describe() =>
        "TokenAndPositionEmbedding(" + Vocabulary.ToString(CultureInfo.InvariantCulture) + ", " + SequenceLength.ToString(CultureInfo.InvariantCulture) + ", " +
        Dim.ToString(CultureInfo.InvariantCulture) + (MaskZero ? ", mask zero" : "") + ")";

    public override bool MustBeFirst => true;

    public override int? TokenVocabulary => Vocabulary;

    public override bool ProducesMask => MaskZero;

    public override LocationInfo? MaskLocation => MaskZeroLocation;

    public override LayerSpec WithoutLocations() => this with { Location = null, MaskZeroLocation = null };

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        foreach ((string what, int value) in new[] { ("vocabulary", Vocabulary), ("sequenceLength", SequenceLength), ("dim", Dim) })
        {
            if (value <= 0)
            {
                context.Report(DiagnosticDescriptors.NonPositiveSize, Location, "TokenAndPositionEmbedding " + what, value.ToString(CultureInfo.InvariantCulture));
                return null;
            }
        }
        if (input.Rank != 1)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, KerasType, "1", "steps: one token id per step", input.ToString());
            return null;
        }
        if (context.Model.Element == ElementKind.Float && Vocabulary > EmbeddingSpec.MaxFloatVocabulary)
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "TokenAndPositionEmbedding vocabulary of a float model",
                "at most 16777216 (2^24: larger ids are not exact in float; use ElementType = typeof(double))", Vocabulary.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (input.Dimensions[0] > SequenceLength)
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "TokenAndPositionEmbedding sequenceLength",
                "at least the input's " + input.Dimensions[0].ToString(CultureInfo.InvariantCulture) + " steps", SequenceLength.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (!context.FitsIndex((long)Vocabulary * Dim, Location) || !context.FitsIndex((long)SequenceLength * Dim, Location))
            return null;
        return new Shape(input.Dimensions[0], Dim);
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        yield return new ParameterSpec("token_embedding.embeddings", new EquatableArray<int>([Vocabulary, Dim]), Initializer.RandomUniform, Vocabulary, Dim);
        yield return new ParameterSpec("position_embedding.embeddings", new EquatableArray<int>([SequenceLength, Dim]), Initializer.RandomUniform, SequenceLength, Dim);
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        int steps = c.Layer.Input.Dimensions[0];
        string y = c.BatchSpan(c.Output, c.OutputSize);
        using (c.ForwardMethod())
        {
            w.Line("// y[b, t, :] = token_embedding[x[b, t], :] + position_embedding[t, :]; every id is checked (an integer in [0, " +
                Literals.Int(Vocabulary) + ")) before anything is written.");
            if (c.Mask is not null)
                w.Line("// MaskZero: the mask gets 1 for a real token and 0 for the padding id 0, for the layers that follow.");
            w.Call("global::NeuralDsl.Embedding.Forward",
            [
                "x", c.ParameterSpan(c.Layer.Parameters[0]), y, c.Mask ?? "default", "batch",
                Literals.Named("steps", steps), Literals.Named("inputDim", Vocabulary), Literals.Named("outputDim", Dim),
            ]);
            w.Call("global::NeuralDsl.Bias.AddRows", [y, PositionRules.Rows(c.ParameterSpan(c.Layer.Parameters[1]), steps * Dim, SequenceLength * Dim)]);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        int steps = c.Layer.Input.Dimensions[0];
        using (c.BackwardMethod())
        {
            w.Line("// Token ids have no gradient: the input gradient, when asked for, is zero.");
            w.Line("dx.Clear();");
            c.WriteParameterGradients(() =>
            {
                w.Line("// Scatter-add into the token rows; the position rows get dy summed over the batch.");
                w.Call("global::NeuralDsl.Embedding.Backward",
                [
                    "x", "dy", c.GradientSpan(c.Layer.Parameters[0]), "batch",
                    Literals.Named("steps", steps), Literals.Named("inputDim", Vocabulary), Literals.Named("outputDim", Dim),
                ]);
                w.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dy", PositionRules.Rows(c.GradientSpan(c.Layer.Parameters[1]), steps * Dim, SequenceLength * Dim)]);
            });
        }
    }
}

/// <summary>What the position layers share: the sequence check and the view of a table's first rows.</summary>
internal static class PositionRules
{
    /// <summary>NDSL1027-like rank check through the existing descriptors: (steps, features) with steps ≤ the table's length.</summary>
    public static bool CheckSequence(string kind, int sequenceLength, Shape input, ShapeContext context, LocationInfo? location)
    {
        if (sequenceLength <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, location, kind + " sequenceLength", sequenceLength.ToString(CultureInfo.InvariantCulture));
            return false;
        }
        if (input.Rank != 2)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, location, kind, "2", "steps, features", input.ToString());
            return false;
        }
        if (input.Dimensions[0] > sequenceLength)
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, location, kind + " sequenceLength",
                "at least the input's " + input.Dimensions[0].ToString(CultureInfo.InvariantCulture) + " steps", sequenceLength.ToString(CultureInfo.InvariantCulture));
            return false;
        }
        return true;
    }

    /// <summary>The table's first <paramref name="used"/> elements (all of it when it has no more).</summary>
    public static string Rows(string table, int used, int length) => used == length ? table : table + ".Slice(0, " + Literals.Int(used) + ")";
}
