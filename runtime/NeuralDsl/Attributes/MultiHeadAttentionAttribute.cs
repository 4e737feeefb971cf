using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>MultiHeadAttention(num_heads, key_dim, value_dim, dropout, use_bias, output_shape)</c> on a sequence
/// (steps, features). Self-attention by default (query = key = value = the layer's input); cross-attention when
/// <see cref="Value"/> (and optionally <see cref="Key"/>) name other layers' outputs, as Keras'
/// <c>call(query, value, key)</c> with the key defaulting to the value. Weights in Keras layout:
/// <c>query.kernel</c> (features, heads, keyDim), <c>query.bias</c> (heads, keyDim), the same for <c>key</c> and
/// <c>value</c> (valueDim), <c>attention_output.kernel</c> (heads, valueDim, output) and <c>attention_output.bias</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiHeadAttentionAttribute : LayerAttribute
{
    /// <summary>Attention with <paramref name="numHeads"/> heads of <paramref name="keyDim"/> query/key elements each.</summary>
    public MultiHeadAttentionAttribute(int numHeads, int keyDim)
    {
        NumHeads = numHeads;
        KeyDim = keyDim;
    }

    /// <summary>Number of attention heads.</summary>
    public int NumHeads { get; }

    /// <summary>Elements per head of a query and a key; scores are scaled by 1/√keyDim.</summary>
    public int KeyDim { get; }

    /// <summary>Elements per head of a value (Keras <c>value_dim</c>); 0 (the default) means <see cref="KeyDim"/>.</summary>
    public int ValueDim { get; set; }

    /// <summary>Dropout rate on the attention probabilities in training, in [0, 1) (default 0).</summary>
    public double Dropout { get; set; }

    /// <summary>Whether the projections have biases (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Features of the output per step (Keras <c>output_shape</c>); 0 (the default) means the query's features.</summary>
    public int OutputShape { get; set; }

    /// <summary>Keras <c>use_causal_mask</c>: query step i attends to key steps j ≤ i only.</summary>
    public bool UseCausalMask { get; set; }

    /// <summary>The name of the layer whose output is the key (cross-attention); null uses <see cref="Value"/>.</summary>
    public string? Key { get; set; }

    /// <summary>The name of the layer whose output is the value (cross-attention); null uses the layer's own input (self-attention).</summary>
    public string? Value { get; set; }
}
