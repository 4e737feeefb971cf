using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record MaxPooling2DSpec
{
    public override bool UsesTrainingFlag => true;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) => PoolingEmitter.MaxBuffers(c.Layer);

    public override void EmitForward(LayerEmitContext c) => PoolingEmitter.EmitMaxForward(c);

    public override void EmitBackward(LayerEmitContext c) => PoolingEmitter.EmitMaxBackward(c, "cell");
}
