using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// What Conv1D and Conv2D emit alike: a static <c>Conv2DGeometry</c> built from literals (1-D is height 1), an im2col
/// scratch sized by the runtime when the batch capacity grows, and forward/backward calls to <c>Convolution</c> with
/// bias and activation around them. The two layers differ only in how they describe the geometry.
/// </summary>
internal static class ConvolutionEmitter
{
    private static string GeometryField(int index) => "s_geometry" + Literals.Int(index);

    private static string PreActivationField(int index) => "_z" + Literals.Int(index);

    private static string ScratchField(int index) => "_scratch" + Literals.Int(index);

    private static string AffineField(PlannedLayer layer, Activation activation) =>
        activation == Activation.Linear ? Names.Output(layer.Index) : PreActivationField(layer.Index);

    public static IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer, Activation activation)
    {
        if (activation != Activation.Linear)
            yield return new BufferSpec(PreActivationField(layer.Index), layer.Output.Size, "pre-activation");
        yield return new BufferSpec(ScratchField(layer.Index), 0, "im2col columns (Convolution.ScratchLength)",
            LengthExpression: "global::NeuralDsl.Convolution.ScratchLength(" + GeometryField(layer.Index) + ", batch)");
    }

    public static string PreActivationBackwardMethod(PlannedLayer layer) => Names.LayerMethod(layer.Index) + "AffineBackward";

    /// <param name="geometryFactory">The runtime factory call with its literal arguments, e.g. <c>Conv2DGeometry.Create(28, 28, 1, ...)</c>.</param>
    public static void EmitStatics(LayerEmitContext c, string description, string geometryFactory)
    {
        c.Writer.Line("// " + c.Layer.Name + ": " + description + " " + c.Layer.Input.ToComment() + " -> " + c.Layer.Output.ToComment() +
            "; the runtime derives padding and output size from these literals with the same Keras rules as the generator.");
        c.Writer.Line("private static readonly global::NeuralDsl.Conv2DGeometry " + GeometryField(c.Layer.Index) + " = global::NeuralDsl." + geometryFactory + ";");
        c.Writer.Line();
    }

    public static void EmitForward(LayerEmitContext c, Activation activation, bool useBias, int filters)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        c.WriteHeader("forward");
        using (w.Block("private void " + c.Method + "Forward(" + c.ReadOnlySpanType + " x, int batch)"))
        {
            w.Line("var z = " + c.BatchSpan(AffineField(layer, activation), c.OutputSize) + ";");
            w.Line("global::NeuralDsl.Convolution.Forward(x, " + c.ParameterSpan(layer.Parameters[0]) + ", z, batch, " +
                GeometryField(layer.Index) + ", " + ScratchField(layer.Index) + ");");
            if (useBias)
                w.Line("global::NeuralDsl.Bias.AddRows(z, " + c.ParameterSpan(layer.Parameters[1]) + ");");
            if (activation != Activation.Linear)
                w.Line(ActivationCalls.Forward(activation, "z", c.BatchSpan(c.Output, c.OutputSize), filters));
        }
        w.Line();
    }

    public static void EmitBackward(LayerEmitContext c, Activation activation, bool useBias, int filters)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        c.WriteHeader("backward");
        using (w.Block("private void " + c.Method + "Backward(" + c.ReadOnlySpanType + " x, " + c.SpanType + " dy, " + c.SpanType + " dx, int batch)"))
        {
            if (activation != Activation.Linear)
            {
                w.Line("// dz = dy ⊙ " + activation + "'(z), in place.");
                w.Line(ActivationCalls.BackwardInPlace(activation, c.BatchSpan(AffineField(layer, activation), c.OutputSize),
                    c.BatchSpan(c.Output, c.OutputSize), "dy", filters));
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
            if (useBias)
                w.Line("global::NeuralDsl.Bias.AccumulateGradient(dz, " + c.GradientSpan(layer.Parameters[1]) + ");");
            w.Line("if (!dx.IsEmpty)");
            w.Line("    global::NeuralDsl.Convolution.BackwardInput(dz, " + c.ParameterSpan(layer.Parameters[0]) + ", dx, batch, " +
                GeometryField(layer.Index) + ", " + ScratchField(layer.Index) + ");");
        }
        w.Line();
    }
}
