using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record Conv2DSpec
{
    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer) => ConvolutionEmitter.ExtraBuffers(layer, Activation);

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
        ConvolutionEmitter.EmitForward(c, Activation, UseBias, Filters,
            ConvolutionEmitter.Strategy(KernelHeight, KernelWidth, channels, StrideHeight, StrideWidth, Dilation, Dilation), KernelHeight * KernelWidth * channels);
    }

    public override void EmitBackward(LayerEmitContext c) => ConvolutionEmitter.EmitBackward(c, Activation, UseBias, Filters);
}
