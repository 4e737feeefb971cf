using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// The two directions are emitted as recurrent layers of their own (<c>__Layer2FwForward</c>, <c>__Layer2BwForward</c>,
/// buffers <c>__xs2Fw</c>, ...); the layer's methods call both and merge (<c>Recurrent.Merge</c>), and backward split
/// the gradient (<c>Recurrent.MergeBackward</c>) and add the two input gradients.
/// </summary>
internal sealed partial record BidirectionalSpec
{
    private const string RecurrentClass = "global::NeuralDsl.Recurrent";

    /// <summary>A direction as a planned layer of its own: same index and input, its half of the parameters.</summary>
    private LayerEmitContext Direction(LayerEmitContext c, bool backward)
    {
        RecurrentSpec spec = backward ? Backward : Forward;
        int half = c.Layer.Parameters.Count / 2;
        Shape output = Layer!.ReturnSequences ? new Shape(c.Layer.Input.Dimensions[0], Layer.Units) : new Shape(Layer.Units);
        var layer = new PlannedLayer(c.Layer.Index, c.Layer.Name + "." + (backward ? "backward_" : "forward_") + InnerName, spec, c.Layer.Input, output,
            c.Layer.Parameters.Skip(backward ? half : 0).Take(half).ToEquatableArray(), c.Layer.Inputs, c.Layer.InputShapes);
        return new LayerEmitContext(c.Writer, c.Plan, layer, c.Aliases) { Part = spec.Part };
    }

    private static string DyField(LayerEmitContext direction) => Names.Field("dy", direction.Layer.Index) + direction.Part;

    private static string DxBackwardField(PlannedLayer layer) => Names.Field("dx", layer.Index) + "Bw";

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c)
    {
        foreach (LayerEmitContext d in new[] { Direction(c, false), Direction(c, true) })
        {
            yield return new BufferSpec(d.Output, d.OutputSize, d.Layer.Output.ToComment() + " " + d.Layer.Name + " output, in input order");
            yield return new BufferSpec(DyField(d), d.OutputSize, d.Layer.Output.ToComment() + " its output gradient");
            foreach (BufferSpec b in d.Layer.Spec.ExtraBuffers(d))
                yield return b;
        }
        yield return new BufferSpec(DxBackwardField(c.Layer), c.Layer.Input.Size, c.Layer.Input.ToComment() + " the backward direction's input gradient");
    }

    public override void EmitStatics(LayerEmitContext c)
    {
        LayerEmitContext fw = Direction(c, false), bw = Direction(c, true);
        fw.Layer.Spec.EmitStatics(fw);
        bw.Layer.Spec.EmitStatics(bw);
    }

    private string MergeArgument => "global::NeuralDsl.MergeMode." + MergeMode;

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        LayerEmitContext fw = Direction(c, false), bw = Direction(c, true);
        string arguments = UsesTrainingFlag ? "(x, batch, training);" : "(x, batch);";
        int steps = c.Layer.Input.Dimensions[0];
        using (c.ForwardMethod())
        {
            w.Line(fw.Method + "Forward" + arguments + " // " + fw.Layer.Name + " " + fw.Layer.Output.ToComment());
            w.Line(bw.Method + "Forward" + arguments + " // " + bw.Layer.Name + " " + bw.Layer.Output.ToComment() + ", last step first" +
                (Layer!.ReturnSequences ? ", returned in input order" : ""));
            w.Line("// y" + c.Layer.Output.ToComment() + " = " + MergeText);
            w.Call(RecurrentClass + ".Merge", [fw.BatchSpan(fw.Output, fw.OutputSize), bw.BatchSpan(bw.Output, bw.OutputSize), c.BatchSpan(c.Output, c.OutputSize),
                Literals.Int(Layer.Units), MergeArgument]);
            if (c.Mask is { } mask && Layer.ReturnSequences)
            {
                w.Line("// Keras: a Bidirectional sequence is zero at the masked steps (zero_output_for_mask)");
                w.Call(RecurrentClass + ".ClearMaskedSteps", [mask, c.BatchSpan(c.Output, c.OutputSize), Literals.Int(steps)]);
            }
        }
        fw.Layer.Spec.EmitForward(fw);
        bw.Layer.Spec.EmitForward(bw);
    }

    private string MergeText => MergeMode switch
    {
        MergeMode.Concat => "[forward, backward] side by side",
        MergeMode.Sum => "forward + backward",
        MergeMode.Average => "(forward + backward) / 2",
        _ => "forward ⊙ backward",
    };

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        LayerEmitContext fw = Direction(c, false), bw = Direction(c, true);
        int steps = c.Layer.Input.Dimensions[0];
        using (c.BackwardMethod())
        {
            if (c.Mask is { } mask && Layer!.ReturnSequences)
            {
                w.Line("// the masked steps of the output are constant zero: no gradient");
                w.Call(RecurrentClass + ".ClearMaskedSteps", [mask, "dy", Literals.Int(steps)]);
            }
            w.Commented("var dyFw = " + fw.BatchSpan(DyField(fw), fw.OutputSize) + ";", fw.Layer.Output.ToComment());
            w.Commented("var dyBw = " + bw.BatchSpan(DyField(bw), bw.OutputSize) + ";", bw.Layer.Output.ToComment());
            w.Line("// the gradient of y = " + MergeText + " for each direction");
            w.Call(RecurrentClass + ".MergeBackward", ["dy", fw.BatchSpan(fw.Output, fw.OutputSize), bw.BatchSpan(bw.Output, bw.OutputSize), "dyFw", "dyBw",
                Literals.Int(Layer!.Units), MergeArgument]);
            c.NoteEmptyInputGradient();
            w.Line(fw.Method + "Backward(x, dyFw, dx, batch);");
            w.Commented("var dxBw = dx.IsEmpty ? default : " + c.BatchSpan(DxBackwardField(c.Layer), c.Layer.Input.Size) + ";", "the backward direction's part");
            w.Line(bw.Method + "Backward(x, dyBw, dxBw, batch);");
            w.Line("if (!dx.IsEmpty)");
            w.Line("    global::System.Numerics.Tensors.TensorPrimitives.Add(dx, dxBw, dx); // dx = dx_forward + dx_backward");
        }
        fw.Layer.Spec.EmitBackward(fw);
        bw.Layer.Spec.EmitBackward(bw);
    }
}
