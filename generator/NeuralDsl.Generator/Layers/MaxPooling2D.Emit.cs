using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record MaxPooling2DSpec
{
    public override bool UsesTrainingFlag => true;

    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer) => PoolingEmitter.MaxBuffers(layer);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        PoolingEmitter.EmitGeometry(c, Describe(), "Pool2DGeometry.Create(" +
            Literals.Int(input.Dimensions[0]) + ", " + Literals.Int(input.Dimensions[1]) + ", " + Literals.Int(input.Dimensions[2]) + ", " +
            Literals.Int(PoolHeight) + ", " + Literals.Int(PoolWidth) + ", " + Literals.Int(StrideHeight) + ", " + Literals.Int(StrideWidth) +
            ", samePadding: " + (Padding == Padding.Same ? "true" : "false") + ")");
    }

    public override void EmitForward(LayerEmitContext c) => PoolingEmitter.EmitMaxForward(c);

    public override void EmitBackward(LayerEmitContext c) => PoolingEmitter.EmitMaxBackward(c, "cell");
}
