using NeuralDsl.Generator.Emit;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record ActivationSpec
{
    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            string a = c.BatchSpan(c.Output, c.OutputSize);
            w.Line(Activation == Activation.Linear ? "x.CopyTo(" + a + ");" : ActivationCalls.Forward(Activation, "x", a, c.Layer.Output.Last));
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line(Activation == Activation.Linear
                ? "dy.CopyTo(dx);"
                : ActivationCalls.Backward(Activation, "x", c.BatchSpan(c.Output, c.OutputSize), "dy", "dx", c.Layer.Output.Last));
        }
    }
}
