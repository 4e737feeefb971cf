using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record DenseSpec
{
    private static string PreActivationField(int index) => Names.Field("z", index);

    /// <summary>The pre-activation buffer when there is an activation; a linear layer writes its output directly.</summary>
    private string AffineField(PlannedLayer layer) =>
        Activation == Activation.Linear ? Names.Output(layer.Index) : PreActivationField(layer.Index);

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c) =>
        Activation == Activation.Linear ? [] : [new BufferSpec(PreActivationField(c.Layer.Index), c.Layer.Output.Size, "pre-activation x · kernel + bias")];

    /// <summary>A linear layer's backward method is its affine backward (dy is dz); otherwise the separate AffineBackward.</summary>
    public override string? PreActivationBackwardMethod(PlannedLayer layer) =>
        Names.LayerMethod(layer.Index) + (Activation == Activation.Linear ? "Backward" : "AffineBackward");

    private PlannedParameter Kernel(PlannedLayer layer) => layer.Parameters[0];

    private PlannedParameter? BiasOf(PlannedLayer layer) => UseBias ? layer.Parameters[1] : null;

    /// <summary><c>batch</c>, or <c>batch * leading</c> when the layer acts on the last axis of a larger tensor.</summary>
    private static string RowsExpression(PlannedLayer layer) =>
        layer.Input.LeadingSize == 1 ? "batch" : "batch * " + Literals.Int(layer.Input.LeadingSize);

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        string affine = AffineField(layer);
        using (c.ForwardMethod())
        {
            if (DenseRegisterEmitter.Fits(inputs, Units, c.IsDouble))
            {
                using (w.Block("if (" + DenseRegisterEmitter.Accelerated(c) + ")"))
                {
                    DenseRegisterEmitter.EmitForward(c, Units, Kernel(layer), BiasOf(layer), Activation == Activation.ReLU, affine, RowsExpression(layer));
                    if (Activation is not (Activation.Linear or Activation.ReLU))
                        ActivationCalls.Forward(w, Activation, c.BatchSpan(affine, c.OutputSize), c.BatchSpan(c.Output, c.OutputSize), Units);
                    w.Line("return;");
                }
                w.Line(DenseRegisterEmitter.FallbackComment(inputs, Units, c.IsDouble));
            }
            EmitGemmForward(c, affine);
            if (Activation != Activation.Linear)
                ActivationCalls.Forward(w, Activation, "z", c.BatchSpan(c.Output, c.OutputSize), Units);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        if (Activation == Activation.Linear)
        {
            // Without an activation dy is dz: the backward method is the affine backward itself (no fused loss can
            // enter a linear layer, so nothing else calls an AffineBackward).
            using (c.BackwardMethod(outputGradient: "dz"))
                EmitAffineBackwardBody(c);
            return;
        }

        using (c.BackwardMethod())
        {
            w.Line("// dz = dy ⊙ " + Activation + "'(z), in place.");
            ActivationCalls.BackwardInPlace(w, Activation, c.BatchSpan(AffineField(layer), c.OutputSize), c.BatchSpan(c.Output, c.OutputSize), "dy",
                Units);
            w.Line(c.Method + "AffineBackward(x, dy, dx, batch);");
        }

        // A method of its own: a fused activation + loss gradient is already dz and enters here.
        w.Comment("Layer " + Literals.Int(layer.Index) + " · " + layer.Name + ": gradients of x · kernel + bias from dz " + layer.Output.ToComment() + ".");
        using (c.PrivateMethod("AffineBackward", [c.ReadOnlySpanType + " x", c.ReadOnlySpanType + " dz", c.SpanType + " dx", "int batch"]))
            EmitAffineBackwardBody(c);
    }

    /// <summary>Kernel, bias and input gradients from dz; dx is skipped when empty.</summary>
    private void EmitAffineBackwardBody(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        if (DenseRegisterEmitter.Fits(layer.Input.Last, Units, c.IsDouble))
        {
            using (w.Block("if (" + DenseRegisterEmitter.Accelerated(c) + ")"))
            {
                DenseRegisterEmitter.EmitBackward(c, Units, Kernel(layer), BiasOf(layer), RowsExpression(layer));
                w.Line("return;");
            }
            w.Line(DenseRegisterEmitter.FallbackComment(layer.Input.Last, Units, c.IsDouble));
        }
        EmitGemmBackward(c);
    }

    private void EmitGemmForward(LayerEmitContext c, string affine)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        string rows = RowsExpression(layer);
        w.Line("var z = " + c.BatchSpan(affine, c.OutputSize) + ";");
        w.Line("// z[" + rows + "×" + Literals.Int(Units) + "] = x[" + rows + "×" + Literals.Int(inputs) + "] · kernel[" +
            Literals.Int(inputs) + "×" + Literals.Int(Units) + "]" + (UseBias ? " + bias" : ""));
        w.Call("global::NeuralDsl.Gemm.Multiply", ["x", c.ParameterSpan(Kernel(layer)), "z", rows, Literals.Int(inputs), Literals.Int(Units)]);
        if (BiasOf(layer) is { } bias)
            w.Call("global::NeuralDsl.Bias.AddRows", ["z", c.ParameterSpan(bias)]);
    }

    private void EmitGemmBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        string rows = RowsExpression(layer);
        if (!c.TrainsParameters)
        {
            w.Line("// Frozen (Trainable = false): no kernel or bias gradient, only dx.");
        }
        else
        {
            using (c.ParameterGradients())
            {
                w.Line("// dKernel[" + Literals.Int(inputs) + "×" + Literals.Int(Units) + "] += xᵀ · dz");
                w.Call("global::NeuralDsl.Gemm.Multiply",
                    ["x", "dz", c.GradientSpan(Kernel(layer)), Literals.Int(inputs), rows, Literals.Int(Units), "transposeA: true", "accumulate: true"]);
                if (BiasOf(layer) is { } bias)
                {
                    w.Line("// dBias[" + Literals.Int(Units) + "] += Σ rows of dz");
                    w.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dz", c.GradientSpan(bias)]);
                }
            }
        }
        c.NoteEmptyInputGradient();
        using (w.Block("if (!dx.IsEmpty)"))
        {
            w.Line("// dx[" + rows + "×" + Literals.Int(inputs) + "] = dz · kernelᵀ");
            w.Call("global::NeuralDsl.Gemm.Multiply",
                ["dz", c.ParameterSpan(Kernel(layer)), "dx", rows, Literals.Int(Units), Literals.Int(inputs), "transposeB: true"]);
        }
    }
}
