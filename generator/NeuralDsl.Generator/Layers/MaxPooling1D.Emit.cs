using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record MaxPooling1DSpec
{
    private static string GeometryField(int index) => "s_geometry" + Literals.Int(index);

    private static string ArgMaxField(int index) => "_argmax" + Literals.Int(index);

    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer) =>
        [new BufferSpec(ArgMaxField(layer.Index), layer.Output.Size, "input index of each maximum, for the backward pass", IsIndex: true)];

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        c.Writer.Line("// " + c.Layer.Name + ": " + Describe() + " " + input.ToComment() + " -> " + c.Layer.Output.ToComment() + ".");
        c.Writer.Line("private static readonly global::NeuralDsl.Pool2DGeometry " + GeometryField(c.Layer.Index) + " = global::NeuralDsl.Pool2DGeometry.Create1D(" +
            Literals.Int(input.Dimensions[0]) + ", " + Literals.Int(input.Dimensions[1]) + ", " + Literals.Int(PoolSize) + ", " + Literals.Int(Stride) +
            ", samePadding: " + (Padding == Padding.Same ? "true" : "false") + ");");
        c.Writer.Line();
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        c.WriteHeader("forward");
        using (w.Block("private void " + c.Method + "Forward(" + c.ReadOnlySpanType + " x, int batch)"))
        {
            w.Line("global::NeuralDsl.Pooling.MaxForward(x, " + c.BatchSpan(c.Output, c.OutputSize) + ", new global::System.Span<int>(" +
                ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + "), batch, " + GeometryField(c.Layer.Index) + ");");
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
            w.Line("// Each output gradient goes to the input step that was the maximum.");
            w.Line("global::NeuralDsl.Pooling.MaxBackward(dy, new global::System.ReadOnlySpan<int>(" + ArgMaxField(c.Layer.Index) +
                ", 0, batch * " + Literals.Int(c.OutputSize) + "), dx, batch, " + GeometryField(c.Layer.Index) + ");");
        }
        w.Line();
    }
}
