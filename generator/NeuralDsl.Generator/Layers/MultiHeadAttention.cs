using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>MultiHeadAttention(num_heads, key_dim, value_dim, dropout, use_bias, output_shape)</c> called with
/// <c>use_causal_mask</c>: query (Tq, dq) → (Tq, output). Self-attention reads one operand (query = key = value);
/// cross-attention reads the query (the layer's own input) and <see cref="Value"/> (and <see cref="Key"/>, defaulting to
/// the value), in that operand order. Weights in Keras layout: query/key/value kernels (features, heads, keyDim or
/// valueDim) with biases (heads, depth), the output kernel (heads, valueDim, output) with its bias.
/// </summary>
internal sealed partial record MultiHeadAttentionSpec(
    int NumHeads,
    int KeyDim,
    int ValueDimArgument,
    double Dropout,
    bool UseBias,
    int OutputShape,
    bool UseCausalMask,
    string? Key,
    string? Value,
    string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new MultiHeadAttentionSpec(
            NumHeads: a.Int("numHeads"),
            KeyDim: a.Int("keyDim"),
            ValueDimArgument: a.NamedInt("ValueDim", 0),
            Dropout: a.NamedDouble("Dropout", 0),
            UseBias: a.NamedBool("UseBias", true),
            OutputShape: a.NamedInt("OutputShape", 0),
            UseCausalMask: a.NamedBool("UseCausalMask", false),
            Key: a.NamedString("Key"),
            Value: a.NamedString("Value"),
            ExplicitName: a.NamedString("Name"),
            Location: location);

    /// <summary>
    /// KerasHub's <c>key_dim = hidden_dim // num_heads</c>: set by <c>[TransformerEncoder]</c>, whose attribute cannot
    /// know the model dim; <see cref="KeyDim"/> is 0 until the plan sizes the layer from the block's input
    /// (<see cref="SizeFromUseInput"/>), where a model dim that is not a multiple of the heads is NDSL1029.
    /// </summary>
    public bool KeyDimFromInput { get; init; }

    public override bool SizedByUseInput => KeyDimFromInput;

    public override LayerSpec? SizeFromUseInput(Shape useInput, ShapeContext context)
    {
        if (NumHeads <= 0)
            return this with { KeyDimFromInput = false }; // reported by the shape rule as a non-positive numHeads
        if (useInput.Rank != 2)
        {
            context.Report(DiagnosticDescriptors.AttentionInputNotSequence, Location, "[TransformerEncoder] '" + context.CurrentName + "'", "query",
                "its input", useInput.ToString());
            return null;
        }
        int modelDim = useInput.Last;
        if (modelDim % NumHeads != 0)
        {
            context.Report(DiagnosticDescriptors.ModelDimNotDivisibleByHeads, Location, "[TransformerEncoder]", modelDim.ToString(CultureInfo.InvariantCulture),
                NumHeads.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        return this with { KeyDim = modelDim / NumHeads, KeyDimFromInput = false };
    }

    public override string KerasType => "MultiHeadAttention";

    public override string NamePrefix => "multi_head_attention";

    /// <summary>Keras' arguments; <c>output_shape</c> 0 means the query's features, and <c>use_causal_mask</c> is the call's.</summary>
    public override IEnumerable<ConfigEntry> Config =>
    [
        ConfigEntry.Int("num_heads", NumHeads), ConfigEntry.Int("key_dim", KeyDim), ConfigEntry.Int("value_dim", ValueDim), ConfigEntry.Double("dropout", Dropout),
        ConfigEntry.Bool("use_bias", UseBias), ConfigEntry.Int("output_shape", OutputShape), ConfigEntry.Bool("use_causal_mask", UseCausalMask),
    ];

    /// <summary>Keras <c>value_dim</c>: the key dim unless given.</summary>
    public int ValueDim => ValueDimArgument > 0 ? ValueDimArgument : KeyDim;

    /// <summary>Cross-attention: the value (and key) are other outputs than the query.</summary>
    public bool IsCross => Value is not null || Key is not null;

    /// <summary>Whether a separate key operand is read (operand 2); otherwise the key is the value.</summary>
    public bool HasKeyOperand => Key is not null && Value is not null;

    public override string Describe() =>
        "MultiHeadAttention(" + NumHeads.ToString(CultureInfo.InvariantCulture) + " heads, key dim " + KeyDim.ToString(CultureInfo.InvariantCulture) +
        (ValueDim != KeyDim ? ", value dim " + ValueDim.ToString(CultureInfo.InvariantCulture) : "") +
        (UseCausalMask ? ", causal" : "") + (Dropout > 0 ? ", dropout " + Dropout.ToString("R", CultureInfo.InvariantCulture) : "") +
        (UseBias ? "" : ", no bias") + (IsCross ? ", cross" : "") + ")";

    /// <summary>The query, then the value, then the key when it is another tensor.</summary>
    public override IReadOnlyList<TensorRef?> Operands =>
        !IsCross ? [InputReference]
        : HasKeyOperand ? [InputReference, TensorRef.Named(Value!), TensorRef.Named(Key!)]
        : [InputReference, TensorRef.Named(Value ?? Key!)];

    /// <summary>
    /// Self-attention reads the padding mask (query and key positions, Keras 3) and passes it on with the query's
    /// steps, as Keras propagates the query mask; cross-attention between differently masked tensors is not supported.
    /// </summary>
    public override MaskHandling MaskHandling => IsCross ? MaskHandling.CannotHonour : MaskHandling.ReadsAndPassesOn;

    public override bool UsesTrainingFlag => Dropout > 0;

    public override bool BackwardReadsTrainingMode => Dropout > 0;

    public override bool UsesRandomNumbers => Dropout > 0;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        string describe = "[MultiHeadAttention] '" + context.CurrentName + "'";
        if (NumHeads <= 0 || KeyDim <= 0 || ValueDimArgument < 0 || OutputShape < 0)
        {
            (string what, int value) = NumHeads <= 0 ? ("MultiHeadAttention numHeads", NumHeads) : KeyDim <= 0 ? ("MultiHeadAttention keyDim", KeyDim)
                : ValueDimArgument < 0 ? ("MultiHeadAttention ValueDim", ValueDimArgument) : ("MultiHeadAttention OutputShape", OutputShape);
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, what, value.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (!(Dropout >= 0 && Dropout < 1))
        {
            context.Report(DiagnosticDescriptors.InvalidAttention, Location, describe,
                "Dropout = " + Dropout.ToString("R", CultureInfo.InvariantCulture) + " is outside [0, 1)");
            return null;
        }
        if (Key is not null && Value is null)
        {
            context.Report(DiagnosticDescriptors.InvalidAttention, Location, describe,
                "it names a Key (\"" + Key + "\") but no Value; as in Keras call(query, value, key) the value is required and the key defaults to it: " +
                "set Value = \"" + Key + "\" (or Value alone)");
            return null;
        }

        IReadOnlyList<Shape> shapes = context.OperandShapes;
        IReadOnlyList<string> names = context.OperandNames;
        string[] roles = ["query", "value", "key"];
        for (int k = 0; k < shapes.Count; k++)
        {
            if (shapes[k].Rank != 2)
            {
                context.Report(DiagnosticDescriptors.AttentionInputNotSequence, Location, describe, roles[k], names[k], shapes[k].ToString());
                return null;
            }
        }
        if (shapes.Count == 3 && shapes[1].Dimensions[0] != shapes[2].Dimensions[0])
        {
            context.Report(DiagnosticDescriptors.AttentionShapesMismatch, Location, describe, "value " + names[1], shapes[1].ToString(), "key " + names[2],
                shapes[2].ToString(), "the key and the value need the same number of steps (one key per value)");
            return null;
        }
        int queries = input.Dimensions[0];
        int keys = shapes[shapes.Count - 1].Dimensions[0];
        if (!context.FitsIndex((long)NumHeads * queries * keys, Location) ||
            !context.FitsIndex((long)NumHeads * System.Math.Max(KeyDim, ValueDim) * System.Math.Max(queries, keys), Location))
            return null;
        return new Shape(queries, OutputShape > 0 ? OutputShape : input.Dimensions[1]);
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input) => GetParameters([input]);

    /// <summary>
    /// Keras order and layout; Keras' fans for a rank-3 kernel (a, b, c) are fan in b·a and fan out c·a
    /// (<c>compute_fans</c>: the leading axes count as a receptive field), which the Glorot limit follows here too.
    /// </summary>
    public override IEnumerable<ParameterSpec> GetParameters(IReadOnlyList<Shape> operands)
    {
        int queryFeatures = operands[0].Last;
        int valueFeatures = operands.Count > 1 ? operands[1].Last : queryFeatures;
        int keyFeatures = operands.Count > 2 ? operands[2].Last : valueFeatures;
        int output = OutputShape > 0 ? OutputShape : queryFeatures;
        foreach ((string part, int features, int depth) in new[] { ("query", queryFeatures, KeyDim), ("key", keyFeatures, KeyDim), ("value", valueFeatures, ValueDim) })
        {
            yield return new ParameterSpec(part + ".kernel", new EquatableArray<int>([features, NumHeads, depth]), Initializer.GlorotUniform,
                NumHeads * features, depth * features);
            if (UseBias)
                yield return new ParameterSpec(part + ".bias", new EquatableArray<int>([NumHeads, depth]), Initializer.Zeros, NumHeads * features, depth * features);
        }
        yield return new ParameterSpec("attention_output.kernel", new EquatableArray<int>([NumHeads, ValueDim, output]), Initializer.GlorotUniform,
            ValueDim * NumHeads, output * NumHeads);
        if (UseBias)
            yield return new ParameterSpec("attention_output.bias", new EquatableArray<int>([output]), Initializer.Zeros, ValueDim * NumHeads, output * NumHeads);
    }
}
