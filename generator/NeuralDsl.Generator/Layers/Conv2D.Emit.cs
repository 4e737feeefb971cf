using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record Conv2DSpec
{
    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer) =>
        ConvolutionEmitter.ExtraBuffers(layer, Activation, ForwardStrategy(layer));

    /// <summary>The forward strategy the rule picks for this layer's literal shape.</summary>
    private ConvolutionStrategy ForwardStrategy(PlannedLayer layer) =>
        ConvolutionEmitter.Strategy(KernelHeight, KernelWidth, layer.Input.Dimensions[2], StrideHeight, StrideWidth, Dilation, Dilation,
            layer.Output.Dimensions[0], layer.Output.Dimensions[1]);

    public override string? PreActivationBackwardMethod(PlannedLayer layer) => ConvolutionEmitter.PreActivationBackwardMethod(layer);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        ConvolutionEmitter.EmitStatics(c, Describe(), "Conv2DGeometry.Create(" +
            Literals.Int(input.Dimensions[0]) + ", " + Literals.Int(input.Dimensions[1]) + ", " + Literals.Int(input.Dimensions[2]) + ", " +
            Literals.Int(Filters) + ", " + Literals.Int(KernelHeight) + ", " + Literals.Int(KernelWidth) + ", " +
            Literals.Int(StrideHeight) + ", " + Literals.Int(StrideWidth) + ", " + Literals.Int(Dilation) + ", " + Literals.Int(Dilation) +
            ", samePadding: " + (Padding == Padding.Same ? "true" : "false") + ")");
    }

    public override void EmitForward(LayerEmitContext c)
    {
        int channels = c.Layer.Input.Dimensions[2];
        ConvolutionEmitter.EmitForward(c, Activation, UseBias, Filters, ForwardStrategy(c.Layer), KernelHeight * KernelWidth * channels);
    }

    public override void EmitBackward(LayerEmitContext c) => ConvolutionEmitter.EmitBackward(c, Activation, UseBias, Filters);
}
