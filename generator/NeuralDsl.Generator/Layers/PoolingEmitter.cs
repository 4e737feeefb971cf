using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// What the windowed pooling layers emit alike: a static <c>Pool2DGeometry</c> built from literals (1-D is height 1)
/// and, for max pooling, the arg-max buffer and the forward/backward calls that route each gradient to its maximum.
/// </summary>
internal static class PoolingEmitter
{
    public static string GeometryField(int index) => Names.Static("geometry", index);

    private static string ArgMaxField(int index) => Names.Field("argmax", index);

    /// <param name="c">The layer being emitted and the writer it goes to.</param>
    /// <param name="description">The layer's description for the comment above the geometry, e.g. <c>MaxPooling2D(2×2)</c>.</param>
    /// <param name="factory">The runtime factory method, <c>Create</c> or <c>Create1D</c>.</param>
    /// <param name="arguments">Its named literal arguments, e.g. <c>height: 26</c>.</param>
    public static void EmitGeometry(LayerEmitContext c, string description, string factory, string[] arguments)
    {
        c.Writer.Comment(c.Layer.Name + ": " + description + " " + c.Layer.Input.ToComment() + " -> " + c.Layer.Output.ToComment() + ".");
        c.Writer.Call("private static readonly global::NeuralDsl.Pool2DGeometry " + GeometryField(c.Layer.Index) + " = global::NeuralDsl.Pool2DGeometry." + factory,
            arguments);
        c.Writer.Line();
    }

    /// <summary>Why max pooling records the arg-max in some passes only.</summary>
    public const string ArgMaxNeededComment =
        "// The arg-max is only read by a backward pass: training, or a Forward that keeps its input for Backward.";

    public static IEnumerable<BufferSpec> MaxBuffers(PlannedLayer layer) =>
        [new BufferSpec(ArgMaxField(layer.Index), layer.Output.Size, "input index of each maximum, for the backward pass", IsIndex: true)];

    /// <summary>
    /// The max-pooling forward takes the training flag (its spec sets <c>UsesTrainingFlag</c>): only a pass that can be
    /// followed by a backward pass records the arg-max — training, or a <c>Forward</c> that keeps its input for
    /// <c>Backward</c> (<see cref="Names.InputKept"/>) — so <c>Predict</c> skips the index writes.
    /// </summary>
    public static void EmitMaxForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        using (c.ForwardMethod())
        {
            string y = c.BatchSpan(c.Output, c.OutputSize);
            string geometry = GeometryField(c.Layer.Index);
            w.Line(ArgMaxNeededComment);
            string argMax = "new global::System.Span<int>(" + ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + ")";
            w.Line("if (training || " + Names.InputKept + ")");
            w.Indent();
            w.Call("global::NeuralDsl.Pooling.MaxForward", ["x", y, argMax, "batch", geometry]);
            w.Unindent();
            w.Line("else");
            w.Indent();
            w.Call("global::NeuralDsl.Pooling.MaxForward", ["x", y, "batch", geometry]);
            w.Unindent();
        }
    }

    /// <param name="c">The layer being emitted and the writer it goes to.</param>
    /// <param name="position">What one input position is called in the comment: <c>cell</c> (2-D) or <c>step</c> (1-D).</param>
    public static void EmitMaxBackward(LayerEmitContext c, string position)
    {
        SourceWriter w = c.Writer;
        using (c.BackwardMethod())
        {
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// Each output gradient goes to the input " + position + " that was the maximum.");
            string argMax = "new global::System.ReadOnlySpan<int>(" + ArgMaxField(c.Layer.Index) + ", 0, batch * " + Literals.Int(c.OutputSize) + ")";
            w.Call("global::NeuralDsl.Pooling.MaxBackward", ["dy", argMax, "dx", "batch", GeometryField(c.Layer.Index)]);
        }
    }
}
