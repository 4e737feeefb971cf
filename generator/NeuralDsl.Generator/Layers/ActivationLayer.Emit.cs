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
            if (Activation == Activation.Linear)
                w.Line("x.CopyTo(" + a + ");");
            else
                ActivationCalls.Forward(w, Activation, "x", a, c.Layer.Output.Last);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            if (Activation == Activation.Linear)
                w.Line("dy.CopyTo(dx);");
            else
                ActivationCalls.Backward(w, Activation, "x", c.BatchSpan(c.Output, c.OutputSize), "dy", "dx", c.Layer.Output.Last);
        }
    }
}
