using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras masking in the generated time loop (only when the model's mask reaches the layer, so an unmasked model's loop
/// is unchanged): at a masked (sample, step) the state is carried, h_t = h_{t-1} and c_t = c_{t-1}, so a returned
/// sequence repeats the previous output (zero before the first real step). Backward, such a step hands the whole
/// gradient reaching h_t (and c_t) to t - 1 and its gate gradient rows are cleared, so it adds nothing to the weights
/// or the input gradient. The step kernels are unchanged: <c>Recurrent.CarryMasked</c>, <c>KeepMaskedGradient</c> and
/// <c>ClearMasked</c> fix the masked rows around them. <c>GoBackwards</c> reads the mask in its processing order.
/// </summary>
internal sealed partial record RecurrentSpec
{
    private const string MaskLocal = "stepMask";

    /// <summary>The input-order step processed at loop index <c>t</c>.</summary>
    private static string MaskedStep(PlannedLayer layer, bool goBackwards) =>
        goBackwards ? Literals.Int(layer.Input.Dimensions[0] - 1) + " - t" : "t";

    private string MaskArguments(LayerEmitContext c) =>
        MaskLocal + ", " + Literals.Int(c.Layer.Input.Dimensions[0]) + ", " + MaskedStep(c.Layer, GoBackwards);

    /// <summary>The kept state gradients of masked rows, backward.</summary>
    private IEnumerable<BufferSpec> MaskBuffers(LayerEmitContext c)
    {
        if (c.Mask is null)
            yield break;
        yield return new BufferSpec(Field("dhCarry", c.Layer), Units, "[B, units] masked rows: the gradient a masked step hands to h_{t-1}");
        if (Cell == RecurrentCell.Lstm)
            yield return new BufferSpec(Field("dcCarry", c.Layer), Units, "[B, units] masked rows: the gradient a masked step hands to c_{t-1}");
    }

    /// <summary>Declares <c>stepMask</c> before the time loop when the mask reaches the layer.</summary>
    private void EmitMaskDeclaration(LayerEmitContext c)
    {
        if (c.Mask is { } mask)
            c.Writer.Commented("var " + MaskLocal + " = " + mask + ";",
                "[B×" + Literals.Int(c.Layer.Input.Dimensions[0]) + "] Keras mask: 1 real step, 0 masked (carries the state)");
    }

    /// <summary>After the step kernel: masked rows keep h_{t-1} (and c_{t-1}).</summary>
    private void EmitMaskedForwardStep(LayerEmitContext c)
    {
        if (c.Mask is null)
            return;
        SourceWriter w = c.Writer;
        w.Line("// masked rows keep the state: h_t = h_{t-1}" + (Cell == RecurrentCell.Lstm ? ", c_t = c_{t-1}" : ""));
        w.Line(RecurrentClass + ".CarryMasked(" + MaskArguments(c) + ", " + StepOf("hs", "t", "step") + ", h);");
        if (Cell == RecurrentCell.Lstm)
            w.Line(RecurrentClass + ".CarryMasked(" + MaskArguments(c) + ", " + StepOf("cs", "t", "step") + ", " + StepOf("cs", "t + 1", "step") + ");");
    }

    /// <summary>Before the backward step kernel: keep what a masked row hands on unchanged.</summary>
    private void EmitKeepMaskedGradient(LayerEmitContext c, string dhOut)
    {
        if (c.Mask is null)
            return;
        SourceWriter w = c.Writer;
        string dhCarry = c.BatchSpan(Field("dhCarry", c.Layer), Units);
        w.Line("// masked rows pass dh_t" + (ReturnSequences ? " + dy_t" : "") + (Cell == RecurrentCell.Lstm ? " and dc_t" : "") + " straight to t - 1");
        w.Line(RecurrentClass + ".KeepMaskedGradient(" + MaskArguments(c) + ", dh, " + dhOut + ", " + dhCarry + ");");
        if (Cell == RecurrentCell.Lstm)
            w.Line(RecurrentClass + ".CarryMasked(" + MaskArguments(c) + ", dc, " + c.BatchSpan(Field("dcCarry", c.Layer), Units) + ");");
    }

    /// <summary>After the step kernels, before the recurrent product: masked rows add nothing to any gradient.</summary>
    private void EmitClearMaskedGradients(LayerEmitContext c, params string[] rows)
    {
        if (c.Mask is null)
            return;
        c.Writer.Line("// masked rows: no gate gradient");
        foreach (string r in rows)
            c.Writer.Line(RecurrentClass + ".ClearMasked(" + MaskArguments(c) + ", " + r + ");");
    }

    /// <summary>At the end of a backward step: masked rows get the kept gradient.</summary>
    private void EmitRestoreMaskedGradient(LayerEmitContext c)
    {
        if (c.Mask is null)
            return;
        SourceWriter w = c.Writer;
        w.Line("// masked rows: the kept gradient goes on to t - 1 unchanged");
        w.Line(RecurrentClass + ".CarryMasked(" + MaskArguments(c) + ", " + c.BatchSpan(Field("dhCarry", c.Layer), Units) + ", dh);");
        if (Cell == RecurrentCell.Lstm)
            w.Line(RecurrentClass + ".CarryMasked(" + MaskArguments(c) + ", " + c.BatchSpan(Field("dcCarry", c.Layer), Units) + ", dc);");
    }
}
