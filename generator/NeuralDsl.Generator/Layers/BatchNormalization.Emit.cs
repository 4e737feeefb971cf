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
        if (!c.TrainsParameters)
            yield break; // frozen: always inference mode, which needs no batch statistics and no dx scratch
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
            if (!c.TrainsParameters)
            {
                w.Line("// Frozen (Trainable = false): inference mode in training too (Keras), with the moving statistics, which stay as they are.");
                EmitInferenceForward(c, y, rows, channels);
                return;
            }
            w.Line("// A model switched to Trainable = false at run time runs the layer in inference mode, as Keras does.");
            w.Line("if (training && " + Names.OnModel(Names.RuntimeTrainable) + ")");
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
            EmitInferenceForward(c, y, rows, channels);
            w.Unindent();
        }
    }

    private void EmitInferenceForward(LayerEmitContext c, string y, string rows, string channels)
    {
        PlannedLayer layer = c.Layer;
        c.Writer.Call("global::NeuralDsl.BatchNorm.InferenceForward",
        [
            "x", c.ParameterSpan(layer.Parameters[0]), c.ParameterSpan(layer.Parameters[1]), c.ParameterSpan(layer.Parameters[2]),
            c.ParameterSpan(layer.Parameters[3]), y, rows, channels, Literals.Named("epsilon", Epsilon),
        ]);
    }

    /// <summary>dx = γ·dy / sqrt(moving_variance + ε): the inference-mode input gradient, without dγ and dβ.</summary>
    private void EmitInferenceInputBackward(LayerEmitContext c, string rows, string channels)
    {
        PlannedLayer layer = c.Layer;
        c.Writer.Call("global::NeuralDsl.BatchNorm.InferenceInputBackward",
            ["dy", c.ParameterSpan(layer.Parameters[0]), c.ParameterSpan(layer.Parameters[3]), "dx", rows, channels, Literals.Named("epsilon", Epsilon)]);
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        string rows = RowsExpression(layer);
        string channels = Literals.Named("channels", layer.Output.Last);
        using (c.BackwardMethod())
        {
            if (!c.TrainsParameters)
            {
                w.Line("// Frozen (Trainable = false): the forward pass used the moving statistics, constants here; no dγ, dβ.");
                c.NoteEmptyInputGradient();
                w.Line("if (dx.IsEmpty)");
                w.Line("    return;");
                EmitInferenceInputBackward(c, rows, channels);
                return;
            }
            if (c.IsFirstComputingLayer)
            {
                w.Line("// Empty in training (the first layer needs no input gradient), but the kernel computes dx with dγ and dβ.");
                w.Line("if (dx.IsEmpty)");
                w.Line("    dx = " + c.BatchSpan(InputGradientScratch(layer.Index), layer.Input.Size) + ";");
            }
            string gammaGradient = c.GradientSpan(layer.Parameters[0]);
            string betaGradient = c.GradientSpan(layer.Parameters[1]);
            w.Comment("Training normalized with the batch statistics, so the gradient flows through them; inference used constants.");
            string trainable = Names.OnModel(Names.RuntimeTrainable);
            w.Line("if (" + Names.Training + " && " + trainable + ")");
            w.Indent();
            w.Call("global::NeuralDsl.BatchNorm.Backward",
            [
                "x", "dy", c.ParameterSpan(layer.Parameters[0]), MeanField(layer.Index), InverseStdField(layer.Index), "dx", gammaGradient, betaGradient,
                rows, channels,
            ]);
            w.Unindent();
            w.Line("else if (" + trainable + ")");
            w.Indent();
            w.Call("global::NeuralDsl.BatchNorm.InferenceBackward",
            [
                "x", "dy", c.ParameterSpan(layer.Parameters[0]), c.ParameterSpan(layer.Parameters[2]), c.ParameterSpan(layer.Parameters[3]), "dx",
                gammaGradient, betaGradient, rows, channels, Literals.Named("epsilon", Epsilon),
            ]);
            w.Unindent();
            w.Line("else");
            w.Indent();
            EmitInferenceInputBackward(c, rows, channels);
            w.Unindent();
        }
    }

    /// <summary>Rows the statistics are taken over: every sample and position, per channel.</summary>
    private static string RowsExpression(PlannedLayer layer) =>
        layer.Input.LeadingSize == 1 ? "rows: batch" : "rows: batch * " + Literals.Int(layer.Input.LeadingSize);
}
