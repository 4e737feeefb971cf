using NeuralDsl.Generator.Emit;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record ActivationSpec
{
    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        c.WriteHeader("forward");
        using (w.Block("private void " + c.Method + "Forward(" + c.ReadOnlySpanType + " x, int batch)"))
        {
            string a = c.BatchSpan(c.Output, c.OutputSize);
            w.Line(Activation == Activation.Linear ? "x.CopyTo(" + a + ");" : ActivationCalls.Forward(Activation, "x", a, c.Layer.Output.Last));
        }
        w.Line();
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        c.WriteHeader("backward");
        using (w.Block("private void " + c.Method + "Backward(" + c.ReadOnlySpanType + " x, " + c.SpanType + " dy, " + c.SpanType + " dx, int batch)"))
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line(Activation == Activation.Linear
                ? "dy.CopyTo(dx);"
                : ActivationCalls.Backward(Activation, "x", c.BatchSpan(c.Output, c.OutputSize), "dy", "dx", c.Layer.Output.Last));
        }
        w.Line();
    }
}
