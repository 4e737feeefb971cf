using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record BatchNormalizationSpec
{
    private static string MeanField(int index) => Names.Field("mean", index);

    private static string InverseStdField(int index) => Names.Field("inverseStd", index);

    private static string InputGradientScratch(int index) => Names.Field("dxScratch", index);

    public override bool UsesTrainingFlag => true;

    public override bool BackwardReadsTrainingMode => true;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c)
    {
        PlannedLayer layer = c.Layer;
        string channels = Literals.Int(layer.Output.Last);
        yield return new BufferSpec(MeanField(layer.Index), 0, "batch mean per channel, for backward", LengthExpression: channels);
        yield return new BufferSpec(InverseStdField(layer.Index), 0, "1 / sqrt(batch variance + epsilon) per channel", LengthExpression: channels);
        // As the first computing layer it gets no input gradient in training, but the kernel computes dγ and dβ
        // together with dx: that dx goes here.
        if (c.IsFirstComputingLayer)
            yield return new BufferSpec(InputGradientScratch(layer.Index), layer.Input.Size, "input gradient nobody reads (first layer in training)");
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        string rows = RowsExpression(layer);
        string channels = Literals.Named("channels", layer.Output.Last);
        using (c.ForwardMethod())
        {
            string y = c.BatchSpan(c.Output, c.OutputSize);
            w.Line("if (training)");
            w.Indent();
            w.Call("global::NeuralDsl.BatchNorm.TrainingForward",
            [
                "x", c.ParameterSpan(layer.Parameters[0]), c.ParameterSpan(layer.Parameters[1]), y, MeanField(layer.Index), InverseStdField(layer.Index),
                c.StateSpan(layer.Parameters[2]), c.StateSpan(layer.Parameters[3]), rows, channels, Literals.Named("momentum", Momentum),
                Literals.Named("epsilon", Epsilon),
            ]);
            w.Unindent();
            w.Line("else");
            w.Indent();
            w.Call("global::NeuralDsl.BatchNorm.InferenceForward",
            [
                "x", c.ParameterSpan(layer.Parameters[0]), c.ParameterSpan(layer.Parameters[1]), c.ParameterSpan(layer.Parameters[2]),
                c.ParameterSpan(layer.Parameters[3]), y, rows, channels, Literals.Named("epsilon", Epsilon),
            ]);
            w.Unindent();
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        string rows = RowsExpression(layer);
        string channels = Literals.Named("channels", layer.Output.Last);
        using (c.BackwardMethod())
        {
            if (c.IsFirstComputingLayer)
            {
                w.Line("// Empty in training (the first layer needs no input gradient), but the kernel computes dx with dγ and dβ.");
                w.Line("if (dx.IsEmpty)");
                w.Line("    dx = " + c.BatchSpan(InputGradientScratch(layer.Index), layer.Input.Size) + ";");
            }
            string gammaGradient = c.GradientSpan(layer.Parameters[0]);
            string betaGradient = c.GradientSpan(layer.Parameters[1]);
            w.Comment("Training normalized with the batch statistics, so the gradient flows through them; inference used constants.");
            w.Line("if (" + Names.Training + ")");
            w.Indent();
            w.Call("global::NeuralDsl.BatchNorm.Backward",
            [
                "x", "dy", c.ParameterSpan(layer.Parameters[0]), MeanField(layer.Index), InverseStdField(layer.Index), "dx", gammaGradient, betaGradient,
                rows, channels,
            ]);
            w.Unindent();
            w.Line("else");
            w.Indent();
            w.Call("global::NeuralDsl.BatchNorm.InferenceBackward",
            [
                "x", "dy", c.ParameterSpan(layer.Parameters[0]), c.ParameterSpan(layer.Parameters[2]), c.ParameterSpan(layer.Parameters[3]), "dx",
                gammaGradient, betaGradient, rows, channels, Literals.Named("epsilon", Epsilon),
            ]);
            w.Unindent();
        }
    }

    /// <summary>Rows the statistics are taken over: every sample and position, per channel.</summary>
    private static string RowsExpression(PlannedLayer layer) =>
        layer.Input.LeadingSize == 1 ? "rows: batch" : "rows: batch * " + Literals.Int(layer.Input.LeadingSize);
}
