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
            if (c.Mask is { } mask)
            {
                EmitMaskedForward(c, mask, y, spatial, channels);
                return;
            }
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
            if (c.Mask is { } mask)
            {
                EmitMaskedBackward(c, mask, spatial, channels);
                return;
            }
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

    // ---- With a Keras mask (an Embedding with MaskZero earlier): only the unmasked steps count ----

    private void EmitMaskedForward(LayerEmitContext c, string mask, string y, string spatial, string channels)
    {
        SourceWriter w = c.Writer;
        if (Max)
        {
            string argMax = "new global::System.Span<int>(" + ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + ")";
            w.Line("// The maximum over the unmasked steps (a sample with every step masked pools to 0).");
            w.Line(PoolingEmitter.ArgMaxNeededComment);
            w.Call("global::NeuralDsl.Pooling.GlobalMaxForwardMasked", ["x", mask, y, "training || " + Names.InputKept + " ? " + argMax + " : default", "batch", spatial, channels]);
        }
        else
        {
            w.Line("// The mean over the unmasked steps (a sample with every step masked pools to 0).");
            w.Call("global::NeuralDsl.Pooling.GlobalAverageForwardMasked", ["x", mask, y, "batch", spatial, channels]);
        }
    }

    private void EmitMaskedBackward(LayerEmitContext c, string mask, string spatial, string channels)
    {
        SourceWriter w = c.Writer;
        if (Max)
        {
            w.Line("// Each channel's gradient goes to the unmasked step that was its maximum; masked steps get 0.");
            string argMax = "new global::System.ReadOnlySpan<int>(" + ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + ")";
            w.Call("global::NeuralDsl.Pooling.GlobalMaxBackwardMasked", ["dy", argMax, "dx", "batch", spatial, channels]);
        }
        else
        {
            w.Line("// Each unmasked step receives an equal share of its channel's gradient; masked steps get 0.");
            w.Call("global::NeuralDsl.Pooling.GlobalAverageBackwardMasked", ["dy", mask, "dx", "batch", spatial, channels]);
        }
    }
}
