using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record AveragePooling2DSpec
{
    private static string GeometryField(int index) => PoolingEmitter.GeometryField(index);

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            w.Call("global::NeuralDsl.Pooling.AverageForward", ["x", c.BatchSpan(c.Output, c.OutputSize), "batch", GeometryField(c.Layer.Index)]);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// Each output gradient is shared equally by the real cells of its window.");
            w.Call("global::NeuralDsl.Pooling.AverageBackward", ["dy", "dx", "batch", GeometryField(c.Layer.Index)]);
        }
    }
}
