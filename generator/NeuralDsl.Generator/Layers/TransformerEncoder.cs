using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// KerasHub's <c>TransformerEncoder</c> (keras_hub/src/layers/modeling/transformer_encoder.py, <c>build</c> and
/// <c>call</c>) as a ready-made block: a <see cref="BlockSpec"/> of two <see cref="ResidualSpec"/> uses, expanded by
/// <see cref="Shapes.BlockExpansion"/> like any user's block and residual, nothing emitted of its own.
/// <list type="bullet">
/// <item><c>self_attention</c>: MultiHeadAttention (key dim = model dim / heads, attention dropout = Dropout) →
/// Dropout, add x, then LayerNormalization (post-norm); with <c>NormalizeFirst</c> the normalization opens the branch
/// and the add is the output.</item>
/// <item><c>feedforward</c>: Dense(intermediateDim, Activation) → Dense(model dim) → Dropout, add, LayerNormalization
/// (post-norm), or the normalization first (pre-norm).</item>
/// </list>
/// Inner names follow KerasHub's (<c>self_attention_layer</c>, <c>self_attention_layer_norm</c>,
/// <c>self_attention_dropout</c>, <c>feedforward_layer_norm</c>, <c>feedforward_intermediate_dense</c>,
/// <c>feedforward_output_dense</c>, <c>feedforward_dropout</c>), which the block rule prefixes with the use:
/// <c>transformer_encoder_self_attention_layer.query.kernel</c>; the adds are <c>{use}_self_attention_add</c> and
/// <c>{use}_feedforward_add</c>. A Dropout of rate 0 is the identity, so with <c>Dropout = 0</c> (the default) the two
/// Dropout layers are left out. The model dim is known only from the block's input: the attention and the output Dense
/// are sized by the plan (<see cref="LayerSpec.SizedByUseInput"/>).
/// </summary>
internal static class TransformerEncoder
{
    /// <summary>KerasHub's default <c>layer_norm_epsilon</c>.</summary>
    public const double DefaultEpsilon = 1e-5;

    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location)
    {
        int intermediateDim = a.Int(0), numHeads = a.Int(1);
        double dropout = a.NamedDouble("Dropout", 0), epsilon = a.NamedDouble("LayerNormEpsilon", DefaultEpsilon);
        var activation = (Activation)a.NamedInt("Activation", (int)Activation.ReLU);
        bool normalizeFirst = a.NamedBool("NormalizeFirst", false);

        LayerSpec Norm() => new LayerNormalizationSpec(epsilon, Center: true, Scale: true, RmsScaling: false, "layer_norm", location);
        LayerSpec[] Dropout() => dropout != 0 ? [new DropoutSpec(dropout, "dropout", location)] : [];
        EquatableArray<LayerSpec> List(params LayerSpec[][] parts)
        {
            var all = new System.Collections.Generic.List<LayerSpec>();
            foreach (LayerSpec[] part in parts)
                all.AddRange(part);
            return all.ToEquatableArray();
        }

        LayerSpec attention = new MultiHeadAttentionSpec(numHeads, KeyDim: 0, ValueDimArgument: 0, dropout, UseBias: true, OutputShape: 0,
            UseCausalMask: false, Key: null, Value: null, "layer", location) { KeyDimFromInput = true };
        LayerSpec intermediate = new DenseSpec(intermediateDim, activation, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros, "intermediate_dense", location);
        LayerSpec output = new DenseSpec(0, Activation.Linear, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros, "output_dense", location) { UnitsFromInput = true };

        LayerSpec[] pre = normalizeFirst ? [Norm()] : [], post = normalizeFirst ? [] : [Norm()];
        var selfAttention = new ResidualSpec("TransformerEncoder", List(pre, [attention], Dropout()), ProjectionMode.Never, ShortcutStyle.Plain,
            List(post), "self_attention", location);
        var feedforward = new ResidualSpec("TransformerEncoder", List(normalizeFirst ? [Norm()] : [], [intermediate, output], Dropout()), ProjectionMode.Never,
            ShortcutStyle.Plain, List(normalizeFirst ? [] : [Norm()]), "feedforward", location);
        return new BlockSpec("TransformerEncoder", new EquatableArray<LayerSpec>([selfAttention, feedforward]), a.NamedString("Name"), location);
    }
}
