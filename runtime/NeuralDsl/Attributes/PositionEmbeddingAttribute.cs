using System;

namespace NeuralDsl;

/// <summary>
/// A learned position embedding (KerasHub <c>PositionEmbedding(sequence_length)</c>) added to a sequence (steps,
/// features): <c>y[t, :] = x[t, :] + embeddings[t, :]</c> with embeddings (sequenceLength, features), initialized
/// glorot_uniform as KerasHub does; steps may be fewer than <see cref="SequenceLength"/> (the first rows are used).
/// KerasHub's layer returns the table and the model adds it; here the layer does the addition.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PositionEmbeddingAttribute : LayerAttribute
{
    /// <summary>A table for sequences of up to <paramref name="sequenceLength"/> steps.</summary>
    public PositionEmbeddingAttribute(int sequenceLength) => SequenceLength = sequenceLength;

    /// <summary>The longest sequence the table covers.</summary>
    public int SequenceLength { get; }
}
