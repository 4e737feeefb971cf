using System;

namespace NeuralDsl;

/// <summary>
/// KerasHub's <c>TransformerEncoder(intermediate_dim, num_heads, dropout, activation, layer_norm_epsilon,
/// normalize_first)</c> on a sequence (steps, modelDim), a ready-made block built from the same expansion as
/// <see cref="ResidualAttribute"/>. Post-norm (the default): x → <c>MultiHeadAttention</c>(numHeads, modelDim / numHeads)
/// → <c>Dropout</c> → add x → <c>LayerNormalization</c> → <c>Dense</c>(intermediateDim, <see cref="Activation"/>) →
/// <c>Dense</c>(modelDim) → <c>Dropout</c> → add → <c>LayerNormalization</c>. With <see cref="NormalizeFirst"/>
/// (pre-norm) each normalization comes first in its branch and the adds are the block's outputs. The padding mask of an
/// <c>Embedding</c> with <c>MaskZero</c> reaches the attention and passes on. Layers named as KerasHub names them:
/// <c>{use}_self_attention_layer</c>, <c>{use}_self_attention_dropout</c>, <c>{use}_self_attention_add</c>,
/// <c>{use}_self_attention_layer_norm</c>, <c>{use}_feedforward_layer_norm</c>,
/// <c>{use}_feedforward_intermediate_dense</c>, <c>{use}_feedforward_output_dense</c>, <c>{use}_feedforward_dropout</c>,
/// <c>{use}_feedforward_add</c>. The model dimension must be a multiple of <see cref="NumHeads"/> (NDSL1029).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TransformerEncoderAttribute : LayerAttribute
{
    /// <summary>An encoder with a feed-forward of <paramref name="intermediateDim"/> units and <paramref name="numHeads"/> attention heads.</summary>
    public TransformerEncoderAttribute(int intermediateDim, int numHeads)
    {
        IntermediateDim = intermediateDim;
        NumHeads = numHeads;
    }

    /// <summary>Units of the feed-forward's first (hidden) Dense.</summary>
    public int IntermediateDim { get; }

    /// <summary>Attention heads; each has modelDim / numHeads query, key and value elements.</summary>
    public int NumHeads { get; }

    /// <summary>
    /// Dropout rate in [0, 1) (default 0), used as KerasHub uses it: on the attention probabilities, after the attention
    /// and after the feed-forward, in training only.
    /// </summary>
    public double Dropout { get; set; }

    /// <summary>Activation of the feed-forward's first Dense (default ReLU).</summary>
    public Activation Activation { get; set; } = Activation.ReLU;

    /// <summary>Epsilon of both layer normalizations (KerasHub default 1e-5).</summary>
    public double LayerNormEpsilon { get; set; } = 1e-5;

    /// <summary>Pre-norm: normalize before the attention and before the feed-forward rather than after each add (default false).</summary>
    public bool NormalizeFirst { get; set; }
}
