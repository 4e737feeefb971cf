using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

[Sequential(ElementType = typeof(double))] [Input(5, 4)] [PositionEmbedding(7)] [Dense(2, Activation.Tanh)] public partial class GradPositionEmbedding;
[Sequential(ElementType = typeof(double))] [Input(5, 4)] [SinePositionEncoding] [Dense(3, Activation.Tanh)] public partial class GradSinePosition;
[Sequential(ElementType = typeof(double))] [Input(3, 4)] [SinePositionEncoding] public partial class SineOnly;
[Sequential(ElementType = typeof(double))] [Input(6)] [TokenAndPositionEmbedding(9, 8, 4, MaskZero = true)] [MultiHeadAttention(2, 2)]
[GlobalAveragePooling1D] [Dense(2)]
public partial class GradTokenAndPosition;
[Sequential] [Input(4)] [TokenAndPositionEmbedding(9, 4, 3)] public partial class TokenAndPositionF;

/// <summary>PositionEmbedding, SinePositionEncoding and TokenAndPositionEmbedding: values, names, gradient checks.</summary>
public sealed class PositionEmbeddingTests
{
    [Fact]
    public void Position_layers_backward_match_central_differences()
    {
        var learned = new GradPositionEmbedding(1);
        GradientCheck.CheckBackward(learned, batch: 3, seed: 5);
        GradientCheck.CheckBackward(new GradSinePosition(2), batch: 3, seed: 6);
    }

    [Fact]
    public void Token_and_position_embedding_parameter_gradients_match_central_differences()
    {
        double[] ids = [3, 1, 4, 0, 0, 0, 2, 8, 5, 1, 3, 7];
        double[] dx = GradientCheck.CheckParameterGradients(new GradTokenAndPosition(3), ids, seed: 4);
        Assert.All(dx, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Sine_position_encoding_adds_the_KerasHub_table()
    {
        // KerasHub: angle = p · (1/10000)^(2·⌊i/2⌋/d); sin at even i, cos at odd i. d = 4: rates 1, 1, 0.01, 0.01.
        var model = new SineOnly();
        var x = new double[12];
        var y = new double[12];
        model.Predict(x, y);
        double[] rates = [1, 1, 0.01, 0.01];
        for (int p = 0; p < 3; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                double expected = i % 2 == 0 ? Math.Sin(p * rates[i]) : Math.Cos(p * rates[i]);
                Assert.Equal(expected, y[p * 4 + i], 1e-15);
            }
        }
    }

    [Fact]
    public void Token_and_position_embedding_sums_both_tables_under_KerasHub_names()
    {
        var model = new TokenAndPositionF(seed: 1);
        Assert.Equal("token_and_position_embedding.token_embedding.embeddings", TokenAndPositionF.ParameterLayout[0].Name);
        Assert.Equal("token_and_position_embedding.position_embedding.embeddings", TokenAndPositionF.ParameterLayout[1].Name);
        Assert.Equal([4, 3], TokenAndPositionF.ParameterLayout[1].Shape);
        int[] ids = [5, 0, 8, 5];
        var y = new float[12];
        model.Predict(ids, y);
        ReadOnlySpan<float> tokens = model.Parameters[..27];
        ReadOnlySpan<float> positions = model.Parameters.Slice(27, 12);
        for (int t = 0; t < 4; t++)
        {
            for (int j = 0; j < 3; j++)
                Assert.Equal(tokens[ids[t] * 3 + j] + positions[t * 3 + j], y[t * 3 + j]);
        }
    }
}
