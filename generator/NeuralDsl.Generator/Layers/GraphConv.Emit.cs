using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record GraphConvSpec
{
    /// <summary>The model field holding the instance's Â (a <c>GraphAdjacency</c>, null until <c>SetGraph</c>).</summary>
    public const string GraphField = "__graph";

    private static string PreActivationField(int index) => Names.Field("z", index);

    /// <summary>x · kernel [B, units] (aggregate after the product) or Â · x [B, in] (aggregate first), kept for backward.</summary>
    private static string ProductField(int index, bool after) => Names.Field(after ? "xw" : "ax", index);

    /// <summary>Backward's intermediate: Â · dz [B, units] (after) or dz · kernelᵀ [B, in] (first).</summary>
    private static string ScratchField(int index) => Names.Field("graphScratch", index);

    private string AffineField(PlannedLayer layer) =>
        Activation == Activation.Linear ? Names.Output(layer.Index) : PreActivationField(layer.Index);

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c)
    {
        int inputs = c.Layer.Input.Last;
        bool after = AggregatesAfterProduct(inputs);
        int width = after ? Units : inputs;
        if (Activation != Activation.Linear)
            yield return new BufferSpec(PreActivationField(c.Layer.Index), Units, "pre-activation Â · x · kernel + bias");
        yield return new BufferSpec(ProductField(c.Layer.Index, after), width, after ? "x · kernel, before Â" : "Â · x, before the kernel");
        yield return new BufferSpec(ScratchField(c.Layer.Index), width, after ? "backward: Â · dz" : "backward: dz · kernelᵀ, before Â");
    }

    public override string? PreActivationBackwardMethod(PlannedLayer layer) =>
        Names.LayerMethod(layer.Index) + (Activation == Activation.Linear ? "Backward" : "AffineBackward");

    private static string Graph => Names.OnModel(GraphField) + "!";

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        bool after = AggregatesAfterProduct(inputs);
        string n = Literals.Int(inputs), u = Literals.Int(Units);
        string product = c.BatchSpan(ProductField(layer.Index, after), after ? Units : inputs);
        using (c.ForwardMethod())
        {
            w.Line("// The batch is the graph's nodes (checked against SetGraph's node count before the pass).");
            w.Line("var z = " + c.BatchSpan(AffineField(layer), Units) + ";");
            if (after)
            {
                w.Line("// Â · (x · kernel): units " + u + " ≤ in " + n + ", so the sparse product with Â runs on the narrower side");
                w.Line("// (nonzeros·" + u + " multiply-adds instead of nonzeros·" + n + "); the dense product is nodes·" + n + "·" + u + " either way.");
                w.Line("var xw = " + product + ";");
                w.Line("// xw[nodes×" + u + "] = x[nodes×" + n + "] · kernel[" + n + "×" + u + "]");
                w.Call("global::NeuralDsl.Gemm.Multiply", ["x", c.ParameterSpan(Kernel(layer)), "xw", "batch", n, u]);
                w.Line("// z[nodes×" + u + "] = Â · xw");
                w.Line(Graph + ".Multiply<" + c.T + ">(xw, z, " + u + ");");
            }
            else
            {
                w.Line("// (Â · x) · kernel: in " + n + " < units " + u + ", so the sparse product with Â runs on the narrower side");
                w.Line("// (nonzeros·" + n + " multiply-adds instead of nonzeros·" + u + "); the dense product is nodes·" + n + "·" + u + " either way.");
                w.Line("var ax = " + product + ";");
                w.Line("// ax[nodes×" + n + "] = Â · x");
                w.Line(Graph + ".Multiply<" + c.T + ">(x, ax, " + n + ");");
                w.Line("// z[nodes×" + u + "] = ax[nodes×" + n + "] · kernel[" + n + "×" + u + "]");
                w.Call("global::NeuralDsl.Gemm.Multiply", ["ax", c.ParameterSpan(Kernel(layer)), "z", "batch", n, u]);
            }
            if (BiasOf(layer) is { } bias)
                w.Call("global::NeuralDsl.Bias.AddRows", ["z", c.ParameterSpan(bias)]);
            if (Activation != Activation.Linear)
                ActivationCalls.Forward(w, Activation, "z", c.BatchSpan(c.Output, Units), Units);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        if (Activation == Activation.Linear)
        {
            // Without an activation dy is dz: the backward method is the affine backward itself.
            using (c.BackwardMethod(outputGradient: "dz"))
                EmitAffineBackwardBody(c);
            return;
        }

        using (c.BackwardMethod())
        {
            w.Line("// dz = dy ⊙ " + Activation + "'(z), in place.");
            ActivationCalls.BackwardInPlace(w, Activation, c.BatchSpan(AffineField(layer), Units), c.BatchSpan(c.Output, Units), "dy", Units);
            w.Line(c.Method + "AffineBackward(x, dy, dx, batch);");
        }

        // A method of its own: a fused activation + loss gradient is already dz and enters here.
        w.Comment("Layer " + Literals.Int(layer.Index) + " · " + layer.Name + ": gradients of Â · x · kernel + bias from dz " + layer.Output.ToComment() + ".");
        using (c.PrivateMethod("AffineBackward", [c.ReadOnlySpanType + " x", c.ReadOnlySpanType + " dz", c.SpanType + " dx", "int batch"]))
            EmitAffineBackwardBody(c);
    }

    /// <summary>
    /// Â is symmetric, so Âᵀ · g = Â · g. Aggregating after the product: g = Â · dz, dKernel += xᵀ · g, dx = g · kernelᵀ.
    /// Aggregating first: dKernel += (Â · x)ᵀ · dz, dx = Â · (dz · kernelᵀ). Either way one sparse product on the
    /// narrower width. dBias sums dz (the bias is added after Â).
    /// </summary>
    private void EmitAffineBackwardBody(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        bool after = AggregatesAfterProduct(inputs);
        string n = Literals.Int(inputs), u = Literals.Int(Units);
        string scratch = c.BatchSpan(ScratchField(layer.Index), after ? Units : inputs);
        if (after)
        {
            w.Line("// g[nodes×" + u + "] = Âᵀ · dz = Â · dz (Â is symmetric)");
            w.Line("var g = " + scratch + ";");
            w.Line(Graph + ".Multiply<" + c.T + ">(dz, g, " + u + ");");
            c.WriteParameterGradients(() =>
            {
                w.Line("// dKernel[" + n + "×" + u + "] += xᵀ · g");
                w.Call("global::NeuralDsl.Gemm.Multiply",
                    ["x", "g", c.GradientSpan(Kernel(layer)), n, "batch", u, "transposeA: true", "accumulate: true"]);
                WriteBiasGradient(c);
            });
            c.NoteEmptyInputGradient();
            using (w.Block("if (!dx.IsEmpty)"))
            {
                w.Line("// dx[nodes×" + n + "] = g · kernelᵀ");
                w.Call("global::NeuralDsl.Gemm.Multiply", ["g", c.ParameterSpan(Kernel(layer)), "dx", "batch", u, n, "transposeB: true"]);
            }
        }
        else
        {
            c.WriteParameterGradients(() =>
            {
                w.Line("// dKernel[" + n + "×" + u + "] += (Â · x)ᵀ · dz, Â · x kept by the forward pass");
                w.Call("global::NeuralDsl.Gemm.Multiply",
                    [c.BatchSpan(ProductField(layer.Index, after), inputs), "dz", c.GradientSpan(Kernel(layer)), n, "batch", u, "transposeA: true", "accumulate: true"]);
                WriteBiasGradient(c);
            });
            c.NoteEmptyInputGradient();
            using (w.Block("if (!dx.IsEmpty)"))
            {
                w.Line("// s[nodes×" + n + "] = dz · kernelᵀ, then dx = Âᵀ · s = Â · s (Â is symmetric)");
                w.Line("var s = " + scratch + ";");
                w.Call("global::NeuralDsl.Gemm.Multiply", ["dz", c.ParameterSpan(Kernel(layer)), "s", "batch", u, n, "transposeB: true"]);
                w.Line(Graph + ".Multiply<" + c.T + ">(s, dx, " + n + ");");
            }
        }
    }

    private void WriteBiasGradient(LayerEmitContext c)
    {
        if (BiasOf(c.Layer) is { } bias)
        {
            c.Writer.Line("// dBias[" + Literals.Int(Units) + "] += Σ rows of dz");
            c.Writer.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dz", c.GradientSpan(bias)]);
        }
    }

    private static PlannedParameter Kernel(PlannedLayer layer) => layer.Parameters[0];

    private PlannedParameter? BiasOf(PlannedLayer layer) => UseBias ? layer.Parameters[1] : null;
}
