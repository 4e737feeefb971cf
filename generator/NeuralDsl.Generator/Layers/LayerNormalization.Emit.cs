using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record LayerNormalizationSpec
{
    private static string MeanField(int index) => Names.Field("rowMean", index);

    private static string InverseStdField(int index) => Names.Field("rowInverseStd", index);

    private static string InputGradientScratch(int index) => Names.Field("dxScratch", index);

    private bool HasParameters => HasGamma || HasBeta;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c)
    {
        PlannedLayer layer = c.Layer;
        int rows = layer.Input.LeadingSize;
        yield return new BufferSpec(MeanField(layer.Index), rows, RmsScaling ? "0 per row (RMS scaling has no mean)" : "mean per row, for backward");
        yield return new BufferSpec(InverseStdField(layer.Index), rows, "1 / sqrt(variance + epsilon) per row, for backward");
        // As the first computing layer it gets no input gradient in training, but the kernel computes dγ and dβ
        // together with dx: that dx goes here.
        if (c.IsFirstComputingLayer && HasParameters)
            yield return new BufferSpec(InputGradientScratch(layer.Index), layer.Input.Size, "input gradient nobody reads (first layer in training)");
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int perSample = layer.Input.LeadingSize;
        using (c.ForwardMethod())
        {
            w.Comment(RmsScaling
                ? "Per row of " + Literals.Int(layer.Output.Last) + ": y = γ x / sqrt(mean(x²) + ε)."
                : "Per row of " + Literals.Int(layer.Output.Last) + ": y = " + (HasGamma ? "γ " : "") + "(x − μ) / sqrt(σ² + ε)" + (HasBeta ? " + β" : "") + ".");
            w.Call("global::NeuralDsl.LayerNorm.Forward",
            [
                "x", GammaSpan(c), BetaSpan(c), c.BatchSpan(c.Output, c.OutputSize), c.BatchSpan(MeanField(layer.Index), perSample),
                c.BatchSpan(InverseStdField(layer.Index), perSample), RowsExpression(layer), Literals.Named("features", layer.Output.Last),
                Literals.Named("epsilon", Epsilon), "rmsScaling: " + (RmsScaling ? "true" : "false"),
            ]);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int perSample = layer.Input.LeadingSize;
        using (c.BackwardMethod())
        {
            if (c.IsFirstComputingLayer)
            {
                if (HasParameters)
                {
                    w.Line("// Empty in training (the first layer needs no input gradient), but the kernel computes dx with " + (HasGamma && HasBeta ? "dγ and dβ" : HasGamma ? "dγ" : "dβ") + ".");
                    w.Line("if (dx.IsEmpty)");
                    w.Line("    dx = " + c.BatchSpan(InputGradientScratch(layer.Index), layer.Input.Size) + ";");
                }
                else
                {
                    c.NoteEmptyInputGradient();
                    w.Line("if (dx.IsEmpty)");
                    w.Line("    return;");
                }
            }
            w.Comment("dy becomes dy·γ; dx = s (g − mean(g) − x̂ mean(g x̂)) per row" + (RmsScaling ? " without the mean(g) term" : "") + ".");
            w.Call("global::NeuralDsl.LayerNorm.Backward",
            [
                "x", "dy", GammaSpan(c), c.BatchSpan(MeanField(layer.Index), perSample), c.BatchSpan(InverseStdField(layer.Index), perSample), "dx",
                HasGamma ? TrainedGradient(c, layer.Parameters[0]) : "default",
                HasBeta ? TrainedGradient(c, layer.Parameters[HasGamma ? 1 : 0]) : "default",
                RowsExpression(layer), Literals.Named("features", layer.Output.Last), "rmsScaling: " + (RmsScaling ? "true" : "false"),
            ]);
        }
    }

    /// <summary>
    /// The tensor's gradient, or none while the model's run-time switch is off; always none for a layer frozen at
    /// compile time (its tensors have no gradient). The kernel skips an empty gradient.
    /// </summary>
    private static string TrainedGradient(LayerEmitContext c, PlannedParameter p) =>
        c.TrainsParameters ? Names.OnModel(Names.RuntimeTrainable) + " ? " + c.GradientSpan(p) + " : default" : "default";

    private string GammaSpan(LayerEmitContext c) => HasGamma ? c.ParameterSpan(c.Layer.Parameters[0]) : "default";

    private string BetaSpan(LayerEmitContext c) => HasBeta ? c.ParameterSpan(c.Layer.Parameters[HasGamma ? 1 : 0]) : "default";

    /// <summary>Rows normalized on their own: every sample and step.</summary>
    private static string RowsExpression(PlannedLayer layer) =>
        layer.Input.LeadingSize == 1 ? "rows: batch" : "rows: batch * " + Literals.Int(layer.Input.LeadingSize);
}
