using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record Conv1DSpec
{
    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) =>
        ConvolutionEmitter.ExtraBuffers(c.Layer, Activation, ForwardStrategy(c.Layer));

    /// <summary>The forward strategy the rule picks for this layer's literal shape (a 1-D layer is one row high).</summary>
    private ConvolutionStrategy ForwardStrategy(PlannedLayer layer) =>
        ConvolutionEmitter.Strategy(1, KernelSize, layer.Input.Dimensions[1], Filters, 1, Strides, 1, Dilation, 1, layer.Output.Dimensions[0]);

    public override string? PreActivationBackwardMethod(PlannedLayer layer) => ConvolutionEmitter.PreActivationBackwardMethod(layer, Activation);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        ConvolutionEmitter.EmitStatics(c, Describe(), "Create1D",
        [
            Literals.Named("steps", input.Dimensions[0]), Literals.Named("channels", input.Dimensions[1]), Literals.Named("filters", Filters),
            Literals.Named("kernel", KernelSize), Literals.Named("stride", Strides), Literals.Named("dilation", Dilation),
            Literals.Named("samePadding", Padding == Padding.Same),
        ]);
    }

    public override void EmitForward(LayerEmitContext c)
    {
        int channels = c.Layer.Input.Dimensions[1];
        ConvolutionEmitter.EmitForward(c, Activation, UseBias, Filters, ForwardStrategy(c.Layer), KernelSize * channels);
    }

    public override void EmitBackward(LayerEmitContext c) => ConvolutionEmitter.EmitBackward(c, Activation, UseBias, Filters);
}
