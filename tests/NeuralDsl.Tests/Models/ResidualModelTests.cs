using System;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Models;

// ---- Residual blocks: a convolution pair that keeps the shape (identity shortcut), one that halves the size and
// ---- doubles the channels (1×1 convolution shortcut with stride 2), a dense pair that changes the width (Dense
// ---- shortcut), and the ready-made ResNet blocks at tiny sizes. Double precision for the gradient checks. ----
[Block]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same)]
[Conv2D(3, 3, Padding = Padding.Same)]
public partial class KeepShape;

[Block]
[Conv2D(6, 3, Activation.Tanh, Padding = Padding.Same, Strides = 2)]
[Conv2D(6, 3, Padding = Padding.Same)]
public partial class HalveAndWiden;

[Block]
[Dense(5, Activation.Tanh)]
[Dense(7)]
public partial class Widen;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(6, 6, 3)]
[Residual(typeof(KeepShape))]
[Activation(Activation.Tanh)]
[Residual(typeof(HalveAndWiden))]
[Flatten]
[Dense(2)]
public partial class GradResidualConv;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(4)]
[Residual(typeof(Widen), Name = "wide")]
[Residual(typeof(Widen), Projection = true, Trainable = true)]
[Dense(2)]
public partial class GradResidualDense;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(6, 6, 2)]
[ResNetBasicBlock(2)]
[ResNetBasicBlock(4, Strides = 2)]
[GlobalAveragePooling2D]
[Dense(2)]
public partial class GradBasicBlocks;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(5, 5, 8)]
[ResNetBottleneck(2)]
[ResNetBottleneck(3, Strides = 2)]
[GlobalAveragePooling2D]
[Dense(2)]
public partial class GradBottlenecks;

// The residual conv model written by hand with named outputs and Add: the same layers in the same order.
[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(6, 6, 3, Name = "x")]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same)]
[Conv2D(3, 3, Padding = Padding.Same, Name = "f1")]
[Add("x", "f1")]
[Activation(Activation.Tanh, Name = "x2")]
[Conv2D(6, 3, Activation.Tanh, Padding = Padding.Same, Strides = 2)]
[Conv2D(6, 3, Padding = Padding.Same, Name = "f2")]
[Conv2D(6, 1, Strides = 2, Input = "x2", Name = "shortcut")]
[Add("shortcut", "f2")]
[Flatten]
[Dense(2)]
public partial class HandResidualConv;

/// <summary>
/// Residual connections: gradients through identity, convolution and Dense shortcuts and through the ResNet blocks
/// match central differences (double), the projection is chosen from the shapes, and a residual is the same model as
/// the graph written by hand.
/// </summary>
public sealed class ResidualModelTests
{
    [Theory]
    [InlineData(nameof(GradResidualConv))]
    [InlineData(nameof(GradResidualDense))]
    [InlineData(nameof(GradBasicBlocks))]
    [InlineData(nameof(GradBottlenecks))]
    public void Backward_matches_central_differences(string name)
    {
        IModel<double> model = name switch
        {
            nameof(GradResidualConv) => new GradResidualConv(1),
            nameof(GradResidualDense) => new GradResidualDense(1),
            nameof(GradBasicBlocks) => new GradBasicBlocks(1),
            _ => new GradBottlenecks(1),
        };
        // Random biases, γ and β and moving statistics, so every term is seen (BN runs on its moving statistics here).
        GradientCheck.Random(model.Parameters.Length, 21, scale: 0.5).CopyTo(model.Parameters);
        GradientCheck.Random(model.State.Length, 22, scale: 0.3).Select(v => v + 1).ToArray().CopyTo(model.State);
        GradientCheck.CheckBackward(model, batch: 3, seed: 7);
    }

    [Fact]
    public void The_shortcut_projects_only_where_the_block_changes_the_shape()
    {
        string[] conv = [.. GradResidualConv.ParameterLayout.Select(p => p.Name)];
        Assert.DoesNotContain(conv, n => n.StartsWith("keep_shape_shortcut", StringComparison.Ordinal));
        Assert.Contains("halve_and_widen_shortcut.kernel", conv);
        Assert.Equal([1, 1, 3, 6], GradResidualConv.ParameterLayout.Single(p => p.Name == "halve_and_widen_shortcut.kernel").Shape);

        // 4 → 7 needs a Dense; 7 → 7 with Projection = true gets one anyway.
        string[] dense = [.. GradResidualDense.ParameterLayout.Select(p => p.Name)];
        Assert.Contains("wide_shortcut.kernel", dense);
        Assert.Contains("widen_shortcut.kernel", dense);
        Assert.Equal([7, 7], GradResidualDense.ParameterLayout.Single(p => p.Name == "widen_shortcut.kernel").Shape);

        // The ResNet blocks: the first basic block keeps 6×6×2 (identity), the second projects with conv + BN.
        string[] basic = [.. GradBasicBlocks.ParameterLayout.Select(p => p.Name)];
        Assert.DoesNotContain(basic, n => n.StartsWith("res_net_basic_block_0_", StringComparison.Ordinal));
        Assert.Contains("res_net_basic_block_1_0_conv.kernel", basic);
        Assert.Contains("res_net_basic_block_1_0_bn.gamma", basic);
        // A bottleneck outputs 4 · filters channels: filters 2 keeps 5×5×8 (identity), filters 3 with stride 2 projects.
        string[] bottleneck = [.. GradBottlenecks.ParameterLayout.Select(p => p.Name)];
        Assert.DoesNotContain(bottleneck, n => n.StartsWith("res_net_bottleneck_0_conv", StringComparison.Ordinal));
        Assert.Contains("res_net_bottleneck_1_0_conv.kernel", bottleneck);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_residual_equals_the_graph_written_by_hand(bool training)
    {
        var residual = new GradResidualConv(3);
        var hand = new HandResidualConv(3);
        Assert.Equal(hand.Parameters.Length, residual.Parameters.Length);
        double[] parameters = GradientCheck.Random(residual.Parameters.Length, 5, scale: 0.6);
        parameters.CopyTo(residual.Parameters);
        parameters.CopyTo(hand.Parameters);

        const int batch = 4;
        double[] x = GradientCheck.Random(batch * GradResidualConv.InputSize, 8);
        double[] g = GradientCheck.Random(batch * GradResidualConv.OutputSize, 9);
        var y1 = new double[g.Length];
        var y2 = new double[g.Length];
        residual.Forward(x, y1, training);
        hand.Forward(x, y2, training);
        Assert.Equal(y2, y1);

        var dx1 = new double[x.Length];
        var dx2 = new double[x.Length];
        residual.ZeroGradients();
        hand.ZeroGradients();
        residual.Backward(g, dx1);
        hand.Backward(g, dx2);
        Assert.Equal(dx2, dx1);
        Assert.Equal(hand.Gradients.ToArray(), residual.Gradients.ToArray());
    }
}

/// <summary>The ResNet sample's ResNet-50 (linked from samples/ResNet) has Keras' parameter counts and names.</summary>
public sealed class ResNet50Tests
{
    [Fact]
    public void Parameter_counts_are_keras_resnet50s()
    {
        // keras.applications.ResNet50(weights=None).summary(): 25,636,712 = 25,583,592 trainable + 53,120 non-trainable.
        Assert.Equal(25_583_592, ResNet.ResNet50.ParameterCount);
        Assert.Equal(53_120, ResNet.ResNet50.StateCount);
        Assert.Contains("Total params: 25,636,712", ResNet.ResNet50.Summary, StringComparison.Ordinal);
        Assert.Equal(1000, ResNet.ResNet50.OutputSize);
    }

    [Fact]
    public void Weights_carry_keras_names()
    {
        string[] names = [.. ResNet.ResNet50.ParameterLayout.Select(p => p.Name)];
        Assert.Equal("conv1_conv.kernel", names[0]);
        Assert.Contains("conv2_block1_0_conv.kernel", names);
        Assert.Contains("conv5_block3_3_bn.beta", names);
        Assert.DoesNotContain(names, n => n.StartsWith("conv2_block2_0_", StringComparison.Ordinal)); // identity shortcut
        Assert.Equal("predictions.bias", names[^1]);
        Assert.Equal([7, 7, 3, 64], ResNet.ResNet50.ParameterLayout[0].Shape);
    }
}

// ---- A block holding a residual and a ResNet block, used twice: residual decisions per use, nested names. ----
[Block]
[Residual(typeof(KeepShape))]
[ResNetBasicBlock(4, Strides = 2)]
public partial class ResidualStage;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(8, 8, 3)]
[Block(typeof(ResidualStage))]
[Block(typeof(ResidualStage), Name = "late")]
[Flatten]
[Dense(2)]
public partial class GradNestedResiduals;

/// <summary>Residuals inside a block: each use decides its own shortcuts, and gradients match central differences.</summary>
public sealed class NestedResidualTests
{
    [Fact]
    public void Each_use_decides_its_shortcuts_and_backward_matches_central_differences()
    {
        string[] names = [.. GradNestedResiduals.ParameterLayout.Select(p => p.Name)];
        // First use on 8×8×3: KeepShape keeps it (identity), the basic block halves and widens (projection). Second use
        // on 4×4×4: KeepShape's 3 filters change the channels (a 1×1 projection 4 → 3), the basic block projects again.
        Assert.Contains("residual_stage_res_net_basic_block_0_conv.kernel", names);
        Assert.DoesNotContain(names, n => n.StartsWith("residual_stage_keep_shape_shortcut", StringComparison.Ordinal));
        Assert.Contains("late_keep_shape_shortcut.kernel", names);
        Assert.Contains("late_res_net_basic_block_0_conv.kernel", names);

        var model = new GradNestedResiduals(2);
        GradientCheck.Random(model.Parameters.Length, 31, scale: 0.5).CopyTo(model.Parameters);
        GradientCheck.Random(model.State.Length, 32, scale: 0.3).Select(v => v + 1).ToArray().CopyTo(model.State);
        GradientCheck.CheckBackward(model, batch: 2, seed: 3);
    }
}
