using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record GlobalPoolingSpec
{
    private static string ArgMaxField(int index) => Names.Field("argmax", index);

    /// <summary>The runtime kernels see the input as [batch, spatial, channels]: every axis but the last is reduced.</summary>
    private static int Spatial(PlannedLayer layer) => layer.Input.Size / layer.Input.Last;

    /// <summary>Global max pooling records the arg-max only when a backward pass can follow, as windowed max pooling does.</summary>
    public override bool UsesTrainingFlag => Max;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) =>
        Max ? [new BufferSpec(ArgMaxField(c.Layer.Index), c.Layer.Output.Size, "input index of each maximum, for the backward pass", IsIndex: true)] : [];

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        string spatial = Literals.Named("spatial", Spatial(c.Layer));
        string channels = Literals.Named("channels", c.Layer.Input.Last);
        using (c.ForwardMethod())
        {
            string y = c.BatchSpan(c.Output, c.OutputSize);
            if (Max)
            {
                string argMax = "new global::System.Span<int>(" + ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + ")";
                w.Line(PoolingEmitter.ArgMaxNeededComment);
                w.Line("if (training || " + Names.InputKept + ")");
                w.Indent();
                w.Call("global::NeuralDsl.Pooling.GlobalMaxForward", ["x", y, argMax, "batch", spatial, channels]);
                w.Unindent();
                w.Line("else");
                w.Indent();
                w.Call("global::NeuralDsl.Pooling.GlobalMaxForward", ["x", y, "batch", spatial, channels]);
                w.Unindent();
            }
            else
            {
                w.Call("global::NeuralDsl.Pooling.GlobalAverageForward", ["x", y, "batch", spatial, channels]);
            }
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        string spatial = Literals.Named("spatial", Spatial(c.Layer));
        string channels = Literals.Named("channels", c.Layer.Input.Last);
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            if (Max)
            {
                w.Line("// Each channel's gradient goes to the position that was its maximum.");
                string argMax = "new global::System.ReadOnlySpan<int>(" + ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + ")";
                w.Call("global::NeuralDsl.Pooling.GlobalMaxBackward", ["dy", argMax, "dx", "batch", spatial, channels]);
            }
            else
            {
                w.Line("// Every position receives an equal share of its channel's gradient.");
                w.Call("global::NeuralDsl.Pooling.GlobalAverageBackward", ["dy", "dx", "batch", spatial, channels]);
            }
        }
    }
}
