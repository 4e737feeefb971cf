using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record Conv1DSpec
{
    private static string GeometryField(int index) => "s_geometry" + Literals.Int(index);

    private static string PreActivationField(int index) => "_z" + Literals.Int(index);

    private static string ScratchField(int index) => "_scratch" + Literals.Int(index);

    private string AffineField(PlannedLayer layer) =>
        Activation == Activation.Linear ? Names.Output(layer.Index) : PreActivationField(layer.Index);

    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer)
    {
        if (Activation != Activation.Linear)
            yield return new BufferSpec(PreActivationField(layer.Index), layer.Output.Size, "pre-activation");
        yield return new BufferSpec(ScratchField(layer.Index), 0, "im2col columns (Convolution.ScratchLength)",
            LengthExpression: "global::NeuralDsl.Convolution.ScratchLength(" + GeometryField(layer.Index) + ", batch)");
    }

    public override string? PreActivationBackwardMethod(PlannedLayer layer) => Names.LayerMethod(layer.Index) + "AffineBackward";

    public override void EmitStatics(LayerEmitContext c)
    {
        Shape input = c.Layer.Input;
        c.Writer.Line("// " + c.Layer.Name + ": " + Describe() + " " + input.ToComment() + " -> " + c.Layer.Output.ToComment() +
            "; the runtime derives padding and output size from these literals with the same Keras rules as the generator.");
        c.Writer.Line("private static readonly global::NeuralDsl.Conv2DGeometry " + GeometryField(c.Layer.Index) + " = global::NeuralDsl.Conv2DGeometry.Create1D(" +
            Literals.Int(input.Dimensions[0]) + ", " + Literals.Int(input.Dimensions[1]) + ", " + Literals.Int(Filters) + ", " +
            Literals.Int(KernelSize) + ", " + Literals.Int(Strides) + ", " + Literals.Int(Dilation) +
            ", samePadding: " + (Padding == Padding.Same ? "true" : "false") + ");");
        c.Writer.Line();
    }

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        c.WriteHeader("forward");
        using (w.Block("private void " + c.Method + "Forward(" + c.ReadOnlySpanType + " x, int batch)"))
        {
            w.Line("var z = " + c.BatchSpan(AffineField(layer), c.OutputSize) + ";");
            w.Line("global::NeuralDsl.Convolution.Forward(x, " + c.ParameterSpan(layer.Parameters[0]) + ", z, batch, " +
                GeometryField(layer.Index) + ", " + ScratchField(layer.Index) + ");");
            if (UseBias)
                w.Line("global::NeuralDsl.Bias.AddRows(z, " + c.ParameterSpan(layer.Parameters[1]) + ");");
            if (Activation != Activation.Linear)
                w.Line(ActivationCalls.Forward(Activation, "z", c.BatchSpan(c.Output, c.OutputSize), Filters));
        }
        w.Line();
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        c.WriteHeader("backward");
        using (w.Block("private void " + c.Method + "Backward(" + c.ReadOnlySpanType + " x, " + c.SpanType + " dy, " + c.SpanType + " dx, int batch)"))
        {
            if (Activation != Activation.Linear)
            {
                w.Line("// dz = dy ⊙ " + Activation + "'(z), in place.");
                w.Line(ActivationCalls.BackwardInPlace(Activation, c.BatchSpan(AffineField(layer), c.OutputSize),
                    c.BatchSpan(c.Output, c.OutputSize), "dy", Filters));
            }
            w.Line(c.Method + "AffineBackward(x, dy, dx, batch);");
        }
        w.Line();

        w.Line("// Layer " + Literals.Int(layer.Index) + " · " + layer.Name + ": kernel and bias gradients from dz " + layer.Output.ToComment() +
            "; dx is skipped when empty (the first layer in training).");
        using (w.Block("private void " + c.Method + "AffineBackward(" + c.ReadOnlySpanType + " x, " + c.ReadOnlySpanType + " dz, " + c.SpanType + " dx, int batch)"))
        {
            w.Line("global::NeuralDsl.Convolution.BackwardKernel(x, dz, " + c.GradientSpan(layer.Parameters[0]) + ", batch, " +
                GeometryField(layer.Index) + ", " + ScratchField(layer.Index) + ");");
            if (UseBias)
                w.Line("global::NeuralDsl.Bias.AccumulateGradient(dz, " + c.GradientSpan(layer.Parameters[1]) + ");");
            w.Line("if (!dx.IsEmpty)");
            w.Line("    global::NeuralDsl.Convolution.BackwardInput(dz, " + c.ParameterSpan(layer.Parameters[0]) + ", dx, batch, " +
                GeometryField(layer.Index) + ", " + ScratchField(layer.Index) + ");");
        }
        w.Line();
    }
}
