using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record Conv1DSpec
{
    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer) =>
        ConvolutionEmitter.ExtraBuffers(layer, Activation, ForwardStrategy(layer));

    /// <summary>The forward strategy the rule picks for this layer's literal shape (a 1-D layer is one row high).</summary>
    private ConvolutionStrategy ForwardStrategy(PlannedLayer layer) =>
        ConvolutionEmitter.Strategy(1, KernelSize, layer.Input.Dimensions[1], 1, Strides, 1, Dilation, 1, layer.Output.Dimensions[0]);

    public override string? PreActivationBackwardMethod(PlannedLayer layer) => ConvolutionEmitter.PreActivationBackwardMethod(layer);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        ConvolutionEmitter.EmitStatics(c, Describe(), "Conv2DGeometry.Create1D(" +
            Literals.Int(input.Dimensions[0]) + ", " + Literals.Int(input.Dimensions[1]) + ", " + Literals.Int(Filters) + ", " +
            Literals.Int(KernelSize) + ", " + Literals.Int(Strides) + ", " + Literals.Int(Dilation) +
            ", samePadding: " + (Padding == Padding.Same ? "true" : "false") + ")");
    }

    public override void EmitForward(LayerEmitContext c)
    {
        int channels = c.Layer.Input.Dimensions[1];
        ConvolutionEmitter.EmitForward(c, Activation, UseBias, Filters, ForwardStrategy(c.Layer), KernelSize * channels);
    }

    public override void EmitBackward(LayerEmitContext c) => ConvolutionEmitter.EmitBackward(c, Activation, UseBias, Filters);
}
