using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record DropoutSpec
{
    private static string MaskField(int index) => Names.Field("mask", index);

    public override bool UsesTrainingFlag => true;

    public override bool UsesRandomNumbers => true;

    public override bool BackwardReadsTrainingMode => true;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) =>
        [new BufferSpec(MaskField(c.Layer.Index), c.Layer.Output.Size, "kept mask: 0 or 1 / (1 - rate)")];

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            string y = c.BatchSpan(c.Output, c.OutputSize);
            w.Line("if (training)");
            w.Indent();
            w.Call("global::NeuralDsl.Dropout.Forward", ["x", y, c.BatchSpan(MaskField(c.Layer.Index), c.OutputSize), Literals.Named("rate", Rate), "ref " + Names.OnModel(Names.Rng)]);
            w.Unindent();
            w.Line("else");
            w.Line("    x.CopyTo(" + y + ");");
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("if (" + Names.Training + ")");
            w.Line("    global::NeuralDsl.Dropout.Backward(dy, " + c.BatchSpan(MaskField(c.Layer.Index), c.OutputSize) + ", dx);");
            w.Line("else");
            w.Line("    dy.CopyTo(dx);");
        }
    }
}
