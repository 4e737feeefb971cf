using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record ZeroPadding2DSpec
{
    /// <summary>The kernel's size arguments after the tensors: batch, input height, width, channels, then the four sides.</summary>
    private string Sizes(Shape input) =>
        "batch, " + Literals.Int(input.Dimensions[0]) + ", " + Literals.Int(input.Dimensions[1]) + ", " + Literals.Int(input.Dimensions[2]) + ", " +
        Literals.Int(Top) + ", " + Literals.Int(Bottom) + ", " + Literals.Int(Left) + ", " + Literals.Int(Right);

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            w.Line("global::NeuralDsl.Padding2D.Forward(x, " + c.BatchSpan(c.Output, c.OutputSize) + ", " + Sizes(c.Layer.Input) + ");");
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// The zero border has no input behind it: the input gradient is the interior of dy.");
            w.Line("global::NeuralDsl.Padding2D.Backward(dy, dx, " + Sizes(c.Layer.Input) + ");");
        }
    }
}
