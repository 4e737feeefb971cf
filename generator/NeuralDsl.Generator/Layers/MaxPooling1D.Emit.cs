using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record MaxPooling1DSpec
{
    public override bool UsesTrainingFlag => true;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) => PoolingEmitter.MaxBuffers(c.Layer);

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        PoolingEmitter.EmitGeometry(c, Describe(), "Create1D",
        [
            Literals.Named("steps", input.Dimensions[0]), Literals.Named("channels", input.Dimensions[1]), Literals.Named("pool", PoolSize),
            Literals.Named("stride", Stride), Literals.Named("samePadding", Padding == Padding.Same),
        ]);
    }

    public override void EmitForward(LayerEmitContext c) => PoolingEmitter.EmitMaxForward(c);

    public override void EmitBackward(LayerEmitContext c) => PoolingEmitter.EmitMaxBackward(c, "step");
}
