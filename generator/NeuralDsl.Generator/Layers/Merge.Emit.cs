using System.Globalization;
using NeuralDsl.Generator.Emit;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record MergeSpec
{
    private const string Primitives = "global::System.Numerics.Tensors.TensorPrimitives";

    private static string X(int k) => "x" + k.ToString(CultureInfo.InvariantCulture);

    private static string Dx(int k) => "dx" + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The operand count as a literal of the element type: <c>(float)3</c>.</summary>
    private static string Count(LayerEmitContext c) => "(" + c.T + ")" + Literals.Int(c.Layer.Inputs.Count);

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        int n = c.Layer.Inputs.Count;
        string y = c.BatchSpan(c.Output, c.OutputSize);
        using (c.MergeForwardMethod())
        {
            switch (Kind)
            {
                case MergeKind.Concatenate:
                    Concatenate(c, (k, rows, operandRow, outputRow, offset) =>
                        w.Call("global::NeuralDsl.Merge.ConcatenateForward", [X(k), y, rows, operandRow, outputRow, offset]));
                    break;
                case MergeKind.Subtract:
                    w.Call(Primitives + ".Subtract", ["x0", "x1", y]);
                    break;
                case MergeKind.Add:
                    // One kernel call per operand: long sums are shared with the worker pool, element by element.
                    w.Call("global::NeuralDsl.Merge.Add", ["x0", "x1", y]);
                    for (int k = 2; k < n; k++)
                        w.Call("global::NeuralDsl.Merge.Add", [y, X(k), y]);
                    break;
                default:
                    string op = Kind switch
                    {
                        MergeKind.Multiply => "Multiply",
                        MergeKind.Maximum => "Max",
                        _ => "Add", // Average's sum
                    };
                    w.Call(Primitives + "." + op, ["x0", "x1", y]);
                    for (int k = 2; k < n; k++)
                        w.Call(Primitives + "." + op, [y, X(k), y]);
                    if (Kind == MergeKind.Average)
                        w.Call(Primitives + ".Divide", [y, Count(c), y]);
                    break;
            }
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        int n = c.Layer.Inputs.Count;
        using (c.MergeBackwardMethod())
        {
            switch (Kind)
            {
                case MergeKind.Maximum:
                    w.Comment("In operand order, each takes dy where it attains the maximum and clears it there: a tie goes to the first.");
                    for (int k = 0; k < n; k++)
                        w.Call("global::NeuralDsl.Merge.MaximumBackward", [X(k), c.BatchSpan(c.Output, c.OutputSize), "dy", Dx(k)]);
                    return;
                case MergeKind.Concatenate:
                    Concatenate(c, (k, rows, operandRow, outputRow, offset) =>
                    {
                        w.Line("if (!" + Dx(k) + ".IsEmpty)");
                        Indented(w, "global::NeuralDsl.Merge.ConcatenateBackward", "dy", Dx(k), rows, operandRow, outputRow, offset);
                    });
                    return;
            }
            for (int k = 0; k < n; k++)
            {
                w.Line("if (!" + Dx(k) + ".IsEmpty)");
                switch (Kind)
                {
                    case MergeKind.Add:
                        w.Line("    dy.CopyTo(" + Dx(k) + ");");
                        break;
                    case MergeKind.Subtract:
                        if (k == 0)
                            w.Line("    dy.CopyTo(dx0);");
                        else
                            Indented(w, Primitives + ".Negate", "dy", "dx1");
                        break;
                    case MergeKind.Average:
                        Indented(w, Primitives + ".Divide", "dy", Count(c), Dx(k));
                        break;
                    case MergeKind.Multiply:
                        // d(x0 · x1 · ...)/dxk is dy times the product of the other operands.
                        int first = k == 0 ? 1 : 0;
                        if (n == 2)
                        {
                            Indented(w, Primitives + ".Multiply", "dy", X(first), Dx(k));
                            break;
                        }
                        w.Line("{");
                        Indented(w, Primitives + ".Multiply", "dy", X(first), Dx(k));
                        for (int j = first + 1; j < n; j++)
                        {
                            if (j != k)
                                Indented(w, Primitives + ".Multiply", Dx(k), X(j), Dx(k));
                        }
                        w.Line("}");
                        break;
                }
            }
        }
    }

    /// <summary>One call statement indented under an <c>if</c> without braces.</summary>
    private static void Indented(SourceWriter w, string head, params string[] arguments) =>
        w.Line("    " + head + "(" + string.Join(", ", arguments) + ");");

    /// <summary>
    /// Calls <paramref name="write"/> per operand with the kernel's rows (batch × the axes before the joined one),
    /// row lengths and offset, as C# expressions.
    /// </summary>
    private void Concatenate(LayerEmitContext c, System.Action<int, string, string, string, string> write)
    {
        var output = c.Layer.Output;
        int axis = SampleAxis(output.Rank);
        int outer = 1;
        for (int d = 0; d < axis; d++)
            outer *= output.Dimensions[d];
        int outputRow = output.Size / outer;
        int offset = 0;
        string rows = outer == 1 ? "batch" : "batch * " + Literals.Int(outer);
        for (int k = 0; k < c.Layer.Inputs.Count; k++)
        {
            int operandRow = c.Layer.InputShapes[k].Size / outer;
            write(k, rows, Literals.Named("operandRow", operandRow), Literals.Named("outputRow", outputRow), Literals.Named("offset", offset));
            offset += operandRow;
        }
    }
}
