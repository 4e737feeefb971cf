using System;

namespace NeuralDsl;

/// <summary>
/// KerasHub <c>TokenAndPositionEmbedding(vocabulary_size, sequence_length, embedding_dim, mask_zero)</c>: token ids
/// (steps) → (steps, dim), the token's embedding plus its position's. Tensors <c>token_embedding.embeddings</c>
/// (vocabulary, dim) and <c>position_embedding.embeddings</c> (sequenceLength, dim), both U(−0.05, 0.05) (KerasHub's
/// <c>uniform</c> default). First layer only, like <see cref="EmbeddingAttribute"/>, with the same <c>int</c> overloads.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TokenAndPositionEmbeddingAttribute : LayerAttribute
{
    /// <summary>Ids in [0, <paramref name="vocabulary"/>), sequences of up to <paramref name="sequenceLength"/> steps, vectors of <paramref name="dim"/>.</summary>
    public TokenAndPositionEmbeddingAttribute(int vocabulary, int sequenceLength, int dim)
    {
        Vocabulary = vocabulary;
        SequenceLength = sequenceLength;
        Dim = dim;
    }

    /// <summary>The vocabulary size.</summary>
    public int Vocabulary { get; }

    /// <summary>The longest sequence the position table covers.</summary>
    public int SequenceLength { get; }

    /// <summary>The embedding length.</summary>
    public int Dim { get; }

    /// <summary>Keras <c>mask_zero</c>: id 0 is padding, masked for the layers that follow.</summary>
    public bool MaskZero { get; set; }
}
