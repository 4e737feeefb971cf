using System;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Models;

// ---- Blocks: a convolution block (BN between, a strided second convolution), a dense head block, and a block that
// ---- nests the first one. BlockNet uses them; FlatNet writes the same layers out by hand. ----
[Block]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same)]
[BatchNormalization]
[Conv2D(4, 3, Padding = Padding.Same, Strides = 2)]
public partial class ConvPair;

[Block]
[Block(typeof(ConvPair))]
[Activation(Activation.Tanh)]
public partial class ConvStage;

[Block]
[Dense(5, Activation.Swish)]
[Dense(3)]
public partial class DenseHead;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(6, 6, 2)]
[Block(typeof(ConvStage))]
[Block(typeof(ConvPair), Name = "second")]
[Flatten]
[Block(typeof(DenseHead))]
public partial class BlockNet;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(6, 6, 2)]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same)]
[BatchNormalization]
[Conv2D(4, 3, Padding = Padding.Same, Strides = 2)]
[Activation(Activation.Tanh)]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same)]
[BatchNormalization]
[Conv2D(4, 3, Padding = Padding.Same, Strides = 2)]
[Flatten]
[Dense(5, Activation.Swish)]
[Dense(3)]
public partial class FlatNet;

// A trained block feeding a frozen one (Trainable = false on the use, which freezes every layer inside) and a residual.
[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(6, 6, 2)]
[Block(typeof(ConvPair), Name = "trained")]
[Block(typeof(ConvStage), Name = "frozen", Trainable = false)]
[Flatten]
[Residual(typeof(DenseHead))]
public partial class FrozenBlockNet;

/// <summary>
/// A model built from <c>[Block]</c> classes is the same model written flat: same parameters in the same order (under
/// nested names), the same outputs and gradients bit for bit, and its gradients match central differences.
/// </summary>
public sealed class BlockModelTests
{
    private static (BlockNet Blocks, FlatNet Flat) Pair()
    {
        var blocks = new BlockNet(seed: 5);
        var flat = new FlatNet(seed: 6);
        // Random parameters (biases and BN's γ/β included) and moving statistics, copied into both.
        double[] parameters = GradientCheck.Random(blocks.Parameters.Length, 17, scale: 0.7);
        parameters.CopyTo(blocks.Parameters);
        parameters.CopyTo(flat.Parameters);
        double[] state = GradientCheck.Random(blocks.State.Length, 18, scale: 0.3).Select(v => v + 1).ToArray();
        state.CopyTo(blocks.State);
        state.CopyTo(flat.State);
        return (blocks, flat);
    }

    [Fact]
    public void Parameters_are_the_flat_models_under_nested_names()
    {
        var blocks = new BlockNet(seed: 1);
        var flat = new FlatNet(seed: 1);
        Assert.Equal(flat.Parameters.Length, blocks.Parameters.Length);
        Assert.Equal(FlatNet.ParameterLayout.Select(p => (p.Offset, string.Join("x", p.Shape))), BlockNet.ParameterLayout.Select(p => (p.Offset, string.Join("x", p.Shape))));
        Assert.Equal(
            [
                "conv_stage_conv_pair_conv2d", "conv_stage_conv_pair_batch_normalization", "conv_stage_conv_pair_conv2d_1",
                "second_conv2d", "second_batch_normalization", "second_conv2d_1", "dense_head_dense", "dense_head_dense_1",
            ],
            BlockNet.ParameterLayout.Select(p => p.Name[..p.Name.IndexOf('.', StringComparison.Ordinal)]).Distinct());
        // The same seed draws the same initial weights: names do not enter the initializers.
        Assert.Equal(flat.Parameters.ToArray(), blocks.Parameters.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Predict_forward_and_backward_equal_the_flat_model(bool training)
    {
        (BlockNet blocks, FlatNet flat) = Pair();
        const int batch = 4;
        double[] x = GradientCheck.Random(batch * BlockNet.InputSize, 3);
        double[] g = GradientCheck.Random(batch * BlockNet.OutputSize, 4);

        var yBlocks = new double[batch * BlockNet.OutputSize];
        var yFlat = new double[yBlocks.Length];
        blocks.Predict(x, yBlocks);
        flat.Predict(x, yFlat);
        Assert.Equal(yFlat, yBlocks);

        var dxBlocks = new double[x.Length];
        var dxFlat = new double[x.Length];
        blocks.Forward(x, yBlocks, training);
        flat.Forward(x, yFlat, training);
        Assert.Equal(yFlat, yBlocks);
        blocks.ZeroGradients();
        flat.ZeroGradients();
        blocks.Backward(g, dxBlocks);
        flat.Backward(g, dxFlat);
        Assert.Equal(dxFlat, dxBlocks);
        Assert.Equal(flat.Gradients.ToArray(), blocks.Gradients.ToArray());
        Assert.Equal(flat.State.ToArray(), blocks.State.ToArray());
    }

    [Fact]
    public void A_frozen_block_passes_the_input_gradient_and_keeps_its_tensors_out_of_training()
    {
        // Every tensor of the frozen use (two convolutions, a BatchNormalization) is state, beside the moving statistics; the trained use and the
        // residual head stay trainable, and the gradient reaching the trained block goes through the frozen one.
        Assert.All(FrozenBlockNet.StateLayout.Where(p => !p.Name.Contains(".moving_", StringComparison.Ordinal)),
            p => Assert.StartsWith("frozen_", p.Name, StringComparison.Ordinal));
        Assert.Contains(FrozenBlockNet.StateLayout, p => p.Name.EndsWith(".kernel", StringComparison.Ordinal));
        Assert.DoesNotContain(FrozenBlockNet.ParameterLayout, p => p.Name.StartsWith("frozen_", StringComparison.Ordinal));
        Assert.Contains(FrozenBlockNet.ParameterLayout, p => p.Name.StartsWith("trained_", StringComparison.Ordinal));
        GradientCheck.CheckBackward(new FrozenBlockNet(seed: 12), batch: 3, seed: 13);
    }

    [Fact]
    public void Backward_through_nested_blocks_matches_central_differences()
    {
        (BlockNet blocks, _) = Pair();
        GradientCheck.CheckBackward(blocks, batch: 3, seed: 7);
    }
}
