using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record Conv2DSpec
{
    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) =>
        ConvolutionEmitter.ExtraBuffers(c.Layer, Activation, ForwardStrategy(c.Layer));

    /// <summary>The forward strategy the rule picks for this layer's literal shape.</summary>
    private ConvolutionStrategy ForwardStrategy(PlannedLayer layer) =>
        ConvolutionEmitter.Strategy(KernelHeight, KernelWidth, layer.Input.Dimensions[2], Filters, StrideHeight, StrideWidth, Dilation, Dilation,
            layer.Output.Dimensions[0], layer.Output.Dimensions[1]);

    public override string? PreActivationBackwardMethod(PlannedLayer layer) => ConvolutionEmitter.PreActivationBackwardMethod(layer, Activation);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        ConvolutionEmitter.EmitStatics(c, Describe(), "Create",
        [
            Literals.Named("height", input.Dimensions[0]), Literals.Named("width", input.Dimensions[1]), Literals.Named("channels", input.Dimensions[2]),
            Literals.Named("filters", Filters), Literals.Named("kernelH", KernelHeight), Literals.Named("kernelW", KernelWidth),
            Literals.Named("strideH", StrideHeight), Literals.Named("strideW", StrideWidth), Literals.Named("dilationH", Dilation),
            Literals.Named("dilationW", Dilation), Literals.Named("samePadding", Padding == Padding.Same),
        ]);
    }

    public override void EmitForward(LayerEmitContext c)
    {
        int channels = c.Layer.Input.Dimensions[2];
        ConvolutionEmitter.EmitForward(c, Activation, UseBias, Filters, ForwardStrategy(c.Layer), KernelHeight * KernelWidth * channels,
            ConvolutionStrategyRule.IsWinogradShape(KernelHeight, KernelWidth, StrideHeight, StrideWidth, Dilation, Dilation));
    }

    public override void EmitBackward(LayerEmitContext c) => ConvolutionEmitter.EmitBackward(c, Activation, UseBias, Filters);
}
