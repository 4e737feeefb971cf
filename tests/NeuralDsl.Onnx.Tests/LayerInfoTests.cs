using System;
using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Onnx.Tests.Models;
using Xunit;

namespace NeuralDsl.Onnx.Tests;

/// <summary>The layer description every generated model carries (<see cref="IModel{T}.Layers"/>), which the export walks.</summary>
public sealed class LayerInfoTests
{
    [Fact]
    public void A_stack_lists_its_input_layer_then_each_layer_with_its_config_shapes_and_tensors()
    {
        IModel<float> model = new DigitCnn(1);
        IReadOnlyList<LayerInfo> layers = model.Layers;
        Assert.Equal(["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"], layers.Select(l => l.KerasType));
        Assert.Equal(["input_layer", "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dropout", "dense"], layers.Select(l => l.Name));
        Assert.Equal([28, 28, 1], layers[0].OutputShape);
        Assert.Empty(layers[0].Inputs);
        for (int i = 1; i < layers.Count; i++)
            Assert.Equal([layers[i - 1].Name], layers[i].Inputs);

        LayerInfo conv = layers[3];
        Assert.Equal([11, 11, 64], conv.OutputShape);
        Assert.Equal(64, conv.Config.GetInt("filters"));
        Assert.Equal([3, 3], conv.Config.GetInts("kernel_size"));
        Assert.Equal([1, 1], conv.Config.GetInts("strides"));
        Assert.Equal(Padding.Valid, conv.Config.GetEnum<Padding>("padding"));
        Assert.Equal(Activation.ReLU, conv.Config.GetEnum<Activation>("activation"));
        Assert.True(conv.Config.GetBool("use_bias"));
        Assert.Equal(["conv2d_1.kernel", "conv2d_1.bias"], conv.Parameters);
        Assert.Equal([2, 2], layers[2].Config.GetInts("strides")); // Keras: the pool size unless given
        Assert.Equal(0.5, layers[6].Config.GetDouble("rate"));

        // Every parameter of the layout belongs to exactly one layer.
        Assert.Equal(model.ParameterLayout.Select(p => p.Name), layers.SelectMany(l => l.Parameters));
    }

    [Fact]
    public void A_graph_names_its_operands_and_state_tensors()
    {
        IReadOnlyList<LayerInfo> layers = ((IModel<float>)new Merges(1)).Layers;
        Assert.Equal("x", layers[0].Name);
        Assert.Equal(["x"], layers.Single(l => l.Name == "b").Inputs);
        Assert.Equal(["a", "b", "c"], layers.Single(l => l.Name == "sum").Inputs);
        LayerInfo joined = layers.Single(l => l.Name == "joined");
        Assert.Equal(["max", "a", "x"], joined.Inputs);
        Assert.Equal(-1, joined.Config.GetInt("axis"));
        Assert.Equal([14], joined.OutputShape);

        IModel<float> bn = new BatchNormDense(1);
        LayerInfo norm = bn.Layers.Single(l => l.KerasType == "BatchNormalization");
        Assert.Equal(["batch_normalization.gamma", "batch_normalization.beta"], norm.Parameters);
        Assert.Equal(["batch_normalization.moving_mean", "batch_normalization.moving_variance"], norm.State);
        Assert.Equal(bn.StateLayout.Select(s => s.Name), bn.Layers.SelectMany(l => l.State));
    }

    [Fact]
    public void A_recurrent_wrapper_lists_its_merge_mode_the_wrapped_kind_and_both_directions()
    {
        LayerInfo bidirectional = ((IModel<float>)new BidirectionalStack(1)).Layers[2];
        Assert.Equal("Bidirectional", bidirectional.KerasType);
        Assert.Equal(MergeMode.Sum, bidirectional.Config.GetEnum<MergeMode>("merge_mode"));
        Assert.Equal("GRU", bidirectional.Config.GetString("layer"));
        Assert.True(bidirectional.Config.GetBool("reset_after"));
        Assert.Equal(6, bidirectional.Parameters.Count);
        Assert.StartsWith("bidirectional_1.forward_gru.", bidirectional.Parameters[0]);
        Assert.StartsWith("bidirectional_1.backward_gru.", bidirectional.Parameters[3]);
    }

    [Fact]
    public void A_config_names_the_key_and_the_kind_when_a_value_is_missing_or_of_another_kind()
    {
        var config = new LayerConfig(("units", 8), ("kernel_size", new[] { 3, 3 }));
        var missing = Assert.Throws<KeyNotFoundException>(() => config.GetInt("filters"));
        Assert.Contains("'filters'", missing.Message);
        Assert.Contains("units, kernel_size", missing.Message);
        var wrong = Assert.Throws<InvalidCastException>(() => config.GetDouble("units"));
        Assert.Contains("'units'", wrong.Message);
        Assert.Contains("not a double", wrong.Message);
        Assert.Throws<ArgumentException>(() => new LayerConfig(("units", 8), ("units", 9)));
        Assert.Throws<ArgumentException>(() => new LayerConfig(("weights", new float[] { 1 })));
        Assert.Equal("units=8, kernel_size=(3, 3)", config.ToString());
    }

    [Fact]
    public void A_config_keeps_its_own_copy_of_an_int_list()
    {
        int[] sizes = [3, 3];
        var config = new LayerConfig(("kernel_size", sizes));
        sizes[0] = 5;
        Assert.Equal([3, 3], config.GetInts("kernel_size"));
    }
}
