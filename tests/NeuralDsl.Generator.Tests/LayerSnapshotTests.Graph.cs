using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Named graphs: merges of each kind, a residual connection and a named [Input] read later. Each snapshot shows the
/// multi-input layer methods (x0, x1, ...), the "Connected to" summary column and, where a tensor feeds several
/// layers, the gradient scratch whose contents are added in the backward pass.
/// </summary>
public sealed partial class LayerSnapshotTests
{
    /// <summary>x → Dense "stem" → Dense → Add(current, stem) → ReLU → Dense: stem feeds two layers, its gradient adds up.</summary>
    [Fact]
    public void Residual() => Verify("""
        [Input(3)]
        [Dense(4, Activation.ReLU, Name = "stem")]
        [Dense(4)]
        [Add(From = "stem")]
        [Activation(Activation.ReLU)]
        [Dense(2)]
        """);

    [Fact]
    public void Subtract() => Verify("""
        [Input(3, Name = "x")]
        [Dense(4, Name = "a")]
        [Dense(4, Input = "x", Name = "b")]
        [Subtract("a", "b")]
        """);

    /// <summary>Three operands, one of them the named model input (which needs no gradient in training).</summary>
    [Fact]
    public void Multiply() => Verify("""
        [Input(4, Name = "x")]
        [Dense(4, Activation.Tanh, Name = "a")]
        [Dense(4, Name = "b")]
        [Multiply("a", "b", "x")]
        """);

    [Fact]
    public void Average() => Verify("""
        [Input(3)]
        [Dense(4, Name = "a")]
        [Dense(4)]
        [Average(From = "a")]
        """);

    [Fact]
    public void Maximum() => Verify("""
        [Input(3)]
        [Dense(4, Name = "a")]
        [Dense(4)]
        [Maximum(From = "a")]
        """);

    /// <summary>On the last axis of a sequence, then along the steps axis (Keras axis 1).</summary>
    [Fact]
    public void Concatenate() => Verify("""
        [Input(3, 2, Name = "x")]
        [Dense(4, Name = "a")]
        [Concatenate("x", "a", Axis = -1, Name = "features")]
        [Dense(2, Name = "b")]
        [Concatenate("b", "x", Axis = 1)]
        [Flatten]
        """);

    /// <summary>
    /// Kipf &amp; Welling's GCN: GraphConv 6 → 8 aggregates first ((Â · x) · kernel, in &lt; units), GraphConv 8 → 3
    /// aggregates after the product (Â · (x · kernel)), then the softmax head; SetGraph, the graph checks and the
    /// node-mask ComputeGradients and TrainStep.
    /// </summary>
    [Fact]
    public void GraphConv() => Verify("""
        [Input(6)]
        [GraphConv(8, Activation.ReLU)]
        [GraphConv(3, Activation.Softmax)]
        """, loss: "Loss.CategoricalCrossEntropy");
}
