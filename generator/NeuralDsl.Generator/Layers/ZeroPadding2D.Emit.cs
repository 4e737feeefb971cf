using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record ZeroPadding2DSpec
{
    /// <summary>The kernel's arguments: the two tensors, then batch, input height, width, channels and the four sides.</summary>
    private string[] Arguments(string from, string to, Shape input) =>
    [
        from, to, "batch", Literals.Named("height", input.Dimensions[0]), Literals.Named("width", input.Dimensions[1]),
        Literals.Named("channels", input.Dimensions[2]), Literals.Named("top", Top), Literals.Named("bottom", Bottom), Literals.Named("left", Left),
        Literals.Named("right", Right),
    ];

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            w.Call("global::NeuralDsl.Padding2D.Forward", Arguments("x", c.BatchSpan(c.Output, c.OutputSize), c.Layer.Input));
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
            w.Call("global::NeuralDsl.Padding2D.Backward", Arguments("dy", "dx", c.Layer.Input));
        }
    }
}
