using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// MultiHeadAttention: self-attention behind a masked Embedding (the mask read by the softmax), and causal
/// cross-attention with dropout reading a value and a key by name (the x0/x1/x2 signature and the training flag).
/// </summary>
public sealed partial class LayerSnapshotTests
{
    [Fact]
    public void MultiHeadAttentionMasked() => Verify("""
        [Input(6)]
        [Embedding(50, 8, MaskZero = true)]
        [MultiHeadAttention(2, 4)]
        [GlobalAveragePooling1D]
        [Dense(1, Activation.Sigmoid)]
        """);

    [Fact]
    public void MultiHeadAttentionCross() => Verify("""
        [Input(5, 4, Name = "x")]
        [Conv1D(6, 2, Name = "memory")]
        [Dense(3, Name = "keys")]
        [MultiHeadAttention(2, 3, ValueDim = 2, OutputShape = 5, Dropout = 0.1, UseCausalMask = true, Input = "x", Value = "memory", Key = "keys")]
        """);
}

/// <summary>The position layers: a learned table shorter input than its length, the sine table, token + position ids.</summary>
public sealed partial class LayerSnapshotTests
{
    [Fact]
    public void PositionEmbedding() => Verify("""
        [Input(5, 4)]
        [PositionEmbedding(8)]
        [SinePositionEncoding]
        [Dense(2)]
        """);

    [Fact]
    public void TokenAndPositionEmbedding() => Verify("""
        [Input(6)]
        [TokenAndPositionEmbedding(30, 6, 4, MaskZero = true)]
        [GlobalAveragePooling1D]
        [Dense(1, Activation.Sigmoid)]
        """);
}
