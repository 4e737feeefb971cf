using System;
using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Forward: <c>Attention.ProjectHeads</c> (the three projections x · kernel + bias, each kernel (features, heads,
/// depth) read as a (features × heads·depth) matrix, with their head-major copies, in one parallel call),
/// <c>Attention.Forward</c> (per (sample, head) in parallel: S = QKᵀ/√keyDim, the masked stable softmax, C = P·V and the
/// merged context; in training with attention dropout the separate <c>Probabilities</c>, dropout, <c>Context</c> and
/// <c>MergeHeads</c> instead) and <c>Attention.Project</c> (the output projection with its bias, row blocks in parallel).
/// Backward mirrors it with <c>Attention.BackwardMerged</c> (softmax backward fused; the context gradient read and the
/// query, key and value gradients written in the projections' [steps, heads·depth] rows, no head-major copies).
/// </summary>
internal sealed partial record MultiHeadAttentionSpec
{
    private const string Kernels = "global::NeuralDsl.Attention";

    private static string F(string stem, PlannedLayer layer) => Names.Field(stem, layer.Index);

    /// <summary>The sizes of one layer, read from its plan.</summary>
    private readonly struct Sizes(MultiHeadAttentionSpec spec, PlannedLayer layer)
    {
        public int Queries { get; } = layer.InputShapes[0].Dimensions[0];

        public int Keys { get; } = layer.InputShapes[layer.InputShapes.Count - 1].Dimensions[0];

        public int QueryFeatures { get; } = layer.InputShapes[0].Last;

        public int ValueFeatures { get; } = layer.InputShapes.Count > 1 ? layer.InputShapes[1].Last : layer.InputShapes[0].Last;

        public int KeyFeatures { get; } = layer.InputShapes.Count > 2 ? layer.InputShapes[2].Last : layer.InputShapes.Count > 1 ? layer.InputShapes[1].Last : layer.InputShapes[0].Last;

        public int Output { get; } = layer.Output.Last;

        public int QueryWidth { get; } = spec.NumHeads * spec.KeyDim;

        public int ValueWidth { get; } = spec.NumHeads * spec.ValueDim;

        public int Probabilities { get; } = spec.NumHeads * layer.InputShapes[0].Dimensions[0] * layer.InputShapes[layer.InputShapes.Count - 1].Dimensions[0];
    }

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c)
    {
        var s = new Sizes(this, c.Layer);
        PlannedLayer l = c.Layer;
        yield return new BufferSpec(F("q", l), s.Queries * s.QueryWidth, "queries x · query.kernel + bias [queries, heads, keyDim]");
        yield return new BufferSpec(F("k", l), s.Keys * s.QueryWidth, "keys [keys, heads, keyDim]");
        yield return new BufferSpec(F("v", l), s.Keys * s.ValueWidth, "values [keys, heads, valueDim]");
        yield return new BufferSpec(F("qh", l), s.Queries * s.QueryWidth, "queries, head-major [heads, queries, keyDim]");
        yield return new BufferSpec(F("kh", l), s.Keys * s.QueryWidth, "keys, head-major [heads, keys, keyDim]");
        yield return new BufferSpec(F("vh", l), s.Keys * s.ValueWidth, "values, head-major [heads, keys, valueDim]");
        yield return new BufferSpec(F("p", l), s.Probabilities, "attention probabilities [heads, queries, keys]");
        if (Dropout > 0)
        {
            yield return new BufferSpec(F("pd", l), s.Probabilities, "probabilities after dropout [heads, queries, keys]");
            yield return new BufferSpec(F("pmask", l), s.Probabilities, "dropout mask on the probabilities: 0 or 1 / (1 - rate)");
        }
        yield return new BufferSpec(F("ch", l), s.Queries * s.ValueWidth, "context, head-major [heads, queries, valueDim]");
        yield return new BufferSpec(F("c", l), s.Queries * s.ValueWidth, "context [queries, heads, valueDim]");
        yield return new BufferSpec(F("dc", l), s.Queries * s.ValueWidth, "context gradient [queries, heads, valueDim]");
        yield return new BufferSpec(F("ds", l), s.Probabilities, "score gradient [heads, queries, keys]");
        yield return new BufferSpec(F("dq", l), s.Queries * s.QueryWidth, "query gradient [queries, heads, keyDim]");
        yield return new BufferSpec(F("dk", l), s.Keys * s.QueryWidth, "key gradient [keys, heads, keyDim]");
        yield return new BufferSpec(F("dv", l), s.Keys * s.ValueWidth, "value gradient [keys, heads, valueDim]");
    }

    private PlannedParameter Param(PlannedLayer layer, string suffix)
    {
        foreach (PlannedParameter p in layer.Parameters)
        {
            if (p.Spec.Suffix == suffix)
                return p;
        }
        throw new InvalidOperationException("No parameter " + suffix);
    }

    /// <summary>The operand spans: query, value, key (self-attention: all <c>x</c>).</summary>
    private (string Query, string Value, string Key) Operand(string prefix) =>
        !IsCross ? (prefix, prefix, prefix) : HasKeyOperand ? (prefix + "0", prefix + "1", prefix + "2") : (prefix + "0", prefix + "1", prefix + "1");

    /// <summary>Self-attention has the one-input signature; cross-attention reads several outputs (x0 query, x1 value, x2 key).</summary>
    private IDisposable Forward(LayerEmitContext c) => IsCross ? c.MergeForwardMethod() : c.ForwardMethod();

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer l = c.Layer;
        var s = new Sizes(this, l);
        (string xq, string xv, string xk) = Operand("x");
        string H = Literals.Named("heads", NumHeads);
        using (Forward(c))
        {
            string q = c.BatchSpan(F("q", l), s.Queries * s.QueryWidth), k = c.BatchSpan(F("k", l), s.Keys * s.QueryWidth);
            string v = c.BatchSpan(F("v", l), s.Keys * s.ValueWidth);
            string qh = c.BatchSpan(F("qh", l), s.Queries * s.QueryWidth), kh = c.BatchSpan(F("kh", l), s.Keys * s.QueryWidth);
            string vh = c.BatchSpan(F("vh", l), s.Keys * s.ValueWidth);
            string bias = UseBias ? " + bias" : "";
            w.Comment("Q[batch * " + Literals.Int(s.Queries) + "×" + Literals.Int(s.QueryWidth) + "] = " + xq + "[batch * " + Literals.Int(s.Queries) + "×" +
                Literals.Int(s.QueryFeatures) + "] · query.kernel" + bias + "; K[batch * " + Literals.Int(s.Keys) + "×" + Literals.Int(s.QueryWidth) + "] = " +
                xk + " · key.kernel" + bias + "; V[batch * " + Literals.Int(s.Keys) + "×" + Literals.Int(s.ValueWidth) + "] = " + xv + " · value.kernel" + bias +
                "; each also head-major [heads, steps, depth]. One parallel call: row blocks of the three products, bias and head-major copy per block.");
            w.Call(Kernels + ".ProjectHeads", [xq, xk, xv,
                c.ParameterSpan(Param(l, "query.kernel")), c.ParameterSpan(Param(l, "key.kernel")), c.ParameterSpan(Param(l, "value.kernel")),
                BiasSpan(c, "query"), BiasSpan(c, "key"), BiasSpan(c, "value"), q, k, v, qh, kh, vh, "batch",
                Literals.Named("queries", s.Queries), Literals.Named("keys", s.Keys), H, Literals.Named("keyDim", KeyDim), Literals.Named("valueDim", ValueDim)]);
            string p = c.BatchSpan(F("p", l), s.Probabilities);
            string ch = c.BatchSpan(F("ch", l), s.Queries * s.ValueWidth), context = c.BatchSpan(F("c", l), s.Queries * s.ValueWidth);
            string softmax = "softmax(Q·Kᵀ / √" + Literals.Int(KeyDim) + ")" + (UseCausalMask ? ", key j ≤ query i only" : "") +
                (c.Mask is not null ? ", padded steps masked (query and key)" : "") + "; the row maximum is subtracted first";
            if (Dropout > 0)
            {
                using (w.Block("if (training)"))
                {
                    w.Comment("P[heads, " + Literals.Int(s.Queries) + ", " + Literals.Int(s.Keys) + "] = " + softmax + ".");
                    w.Call(Kernels + ".Probabilities", [qh, kh, p, c.Mask ?? "default", "batch", H, Literals.Named("queries", s.Queries),
                        Literals.Named("keys", s.Keys), Literals.Named("keyDim", KeyDim), Literals.Named("causal", UseCausalMask)]);
                    w.Comment("Attention dropout (training only), as Keras applies it to the probabilities.");
                    string pd = c.BatchSpan(F("pd", l), s.Probabilities);
                    w.Call("global::NeuralDsl.Dropout.Forward", [p, pd, c.BatchSpan(F("pmask", l), s.Probabilities),
                        Literals.Named("rate", Dropout), "ref " + Names.OnModel(Names.Rng)]);
                    w.Comment("Context[heads, " + Literals.Int(s.Queries) + ", " + Literals.Int(ValueDim) + "] = P̃ · V, then back to [queries, heads·valueDim].");
                    w.Call(Kernels + ".Context", [pd, vh, ch, "batch", H, Literals.Named("queries", s.Queries), Literals.Named("keys", s.Keys),
                        Literals.Named("valueDim", ValueDim)]);
                    w.Call(Kernels + ".MergeHeads", [ch, context, "batch", Literals.Named("steps", s.Queries), H, Literals.Named("depth", ValueDim)]);
                }
                using (w.Block("else"))
                    EmitCore(c, s, qh, kh, vh, p, ch, context, softmax);
            }
            else
            {
                EmitCore(c, s, qh, kh, vh, p, ch, context, softmax);
            }
            string y = c.BatchSpan(c.Output, c.OutputSize);
            string rows = "batch * " + Literals.Int(s.Queries);
            w.Comment("y[" + rows + "×" + Literals.Int(s.Output) + "] = context[" + rows + "×" + Literals.Int(s.ValueWidth) + "] · attention_output.kernel[" +
                Literals.Int(s.ValueWidth) + "×" + Literals.Int(s.Output) + "]" + (UseBias ? " + bias (added per row block)" : "") +
                ", row blocks in parallel.");
            w.Call(Kernels + ".Project", [context, c.ParameterSpan(Param(l, "attention_output.kernel")), BiasSpan(c, "attention_output"), y,
                rows, Literals.Int(s.ValueWidth), Literals.Int(s.Output)]);
        }
    }

    /// <summary>Probabilities, context and merged context in one parallel pass (no attention dropout).</summary>
    private void EmitCore(LayerEmitContext c, Sizes s, string qh, string kh, string vh, string p, string ch, string context, string softmax)
    {
        c.Writer.Comment("Per (sample, head), in parallel: P[" + Literals.Int(s.Queries) + "×" + Literals.Int(s.Keys) + "] = " + softmax + "; Context[" +
            Literals.Int(s.Queries) + "×" + Literals.Int(ValueDim) + "] = P · V, head-major and merged [queries, heads·valueDim].");
        c.Writer.Call(Kernels + ".Forward", [qh, kh, vh, p, ch, context, c.Mask ?? "default", "batch", Literals.Named("heads", NumHeads),
            Literals.Named("queries", s.Queries), Literals.Named("keys", s.Keys), Literals.Named("keyDim", KeyDim), Literals.Named("valueDim", ValueDim),
            Literals.Named("causal", UseCausalMask)]);
    }

    /// <summary>The bias of one projection, or <c>default</c> (an empty span) without biases.</summary>
    private string BiasSpan(LayerEmitContext c, string part) => UseBias ? c.ParameterSpan(Param(c.Layer, part + ".bias")) : "default";

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer l = c.Layer;
        var s = new Sizes(this, l);
        (string xq, string xv, string xk) = Operand("x");
        (string dxq, string dxv, string dxk) = Operand("dx");
        string H = Literals.Named("heads", NumHeads);
        string rows = "batch * " + Literals.Int(s.Queries);
        using (IsCross ? c.MergeBackwardMethod() : c.BackwardMethod())
        {
            string context = c.BatchSpan(F("c", l), s.Queries * s.ValueWidth);
            string dc = c.BatchSpan(F("dc", l), s.Queries * s.ValueWidth);
            c.WriteParameterGradients(() =>
            {
                w.Comment("attention_output.kernel gradient [" + Literals.Int(s.ValueWidth) + "×" + Literals.Int(s.Output) + "] += contextᵀ · dy");
                w.Call("global::NeuralDsl.Gemm.Multiply", [context, "dy", c.GradientSpan(Param(l, "attention_output.kernel")), Literals.Int(s.ValueWidth), rows,
                    Literals.Int(s.Output), "transposeA: true", "accumulate: true"]);
                if (UseBias)
                    w.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dy", c.GradientSpan(Param(l, "attention_output.bias"))]);
            });
            w.Comment("dContext[" + rows + "×" + Literals.Int(s.ValueWidth) + "] = dy · attention_output.kernelᵀ.");
            w.Call("global::NeuralDsl.Gemm.Multiply", ["dy", c.ParameterSpan(Param(l, "attention_output.kernel")), dc, rows, Literals.Int(s.Output),
                Literals.Int(s.ValueWidth), "transposeB: true"]);

            string p = c.BatchSpan(F("p", l), s.Probabilities);
            string used = p, mask = "default";
            if (Dropout > 0)
            {
                w.Line("bool dropped = " + Names.Training + ";");
                used = "dropped ? " + c.BatchSpan(F("pd", l), s.Probabilities) + " : " + p;
                mask = "dropped ? " + c.BatchSpan(F("pmask", l), s.Probabilities) + " : default";
            }
            w.Comment("Per (sample, head), in parallel, on its head's columns of dContext, dquery, dkey and dvalue [steps, heads·depth]: dV = Pᵀ·dC, " +
                "dP = dC·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √" + Literals.Int(KeyDim) + " (softmax backward, fused), dQ = dS·K, dK = dSᵀ·Q.");
            w.Call(Kernels + ".BackwardMerged", [
                c.BatchSpan(F("qh", l), s.Queries * s.QueryWidth), c.BatchSpan(F("kh", l), s.Keys * s.QueryWidth), c.BatchSpan(F("vh", l), s.Keys * s.ValueWidth),
                p, used, mask, dc, c.BatchSpan(F("ds", l), s.Probabilities),
                c.BatchSpan(F("dq", l), s.Queries * s.QueryWidth), c.BatchSpan(F("dk", l), s.Keys * s.QueryWidth), c.BatchSpan(F("dv", l), s.Keys * s.ValueWidth),
                "batch", H, Literals.Named("queries", s.Queries), Literals.Named("keys", s.Keys), Literals.Named("keyDim", KeyDim), Literals.Named("valueDim", ValueDim)]);

            c.WriteParameterGradients(() =>
            {
                ProjectionGradients(c, xq, "query", F("dq", l), s.Queries, s.QueryFeatures, s.QueryWidth);
                ProjectionGradients(c, xk, "key", F("dk", l), s.Keys, s.KeyFeatures, s.QueryWidth);
                ProjectionGradients(c, xv, "value", F("dv", l), s.Keys, s.ValueFeatures, s.ValueWidth);
            });

            c.NoteEmptyInputGradient();
            // Each input's gradient: the first projection that reads it writes, later ones add (self-attention: all three).
            var written = new HashSet<string>();
            InputGradient(c, dxq, "query", F("dq", l), s.Queries, s.QueryFeatures, s.QueryWidth, written);
            InputGradient(c, dxk, "key", F("dk", l), s.Keys, s.KeyFeatures, s.QueryWidth, written);
            InputGradient(c, dxv, "value", F("dv", l), s.Keys, s.ValueFeatures, s.ValueWidth, written);
        }
    }

    /// <summary><c>part.kernel gradient += xᵀ · d</c> and the bias gradient.</summary>
    private void ProjectionGradients(LayerEmitContext c, string x, string part, string field, int steps, int features, int width)
    {
        PlannedLayer l = c.Layer;
        string rows = "batch * " + Literals.Int(steps);
        string d = c.BatchSpan(field, steps * width);
        c.Writer.Comment(part + ".kernel gradient [" + Literals.Int(features) + "×" + Literals.Int(width) + "] += " + x + "ᵀ · d" + part);
        c.Writer.Call("global::NeuralDsl.Gemm.Multiply", [x, d, c.GradientSpan(Param(l, part + ".kernel")), Literals.Int(features), rows, Literals.Int(width),
            "transposeA: true", "accumulate: true"]);
        if (UseBias)
            c.Writer.Call("global::NeuralDsl.Bias.AccumulateGradient", [d, c.GradientSpan(Param(l, part + ".bias"))]);
    }

    /// <summary><c>dx (=|+=) d · part.kernelᵀ</c> unless dx is empty.</summary>
    private void InputGradient(LayerEmitContext c, string dx, string part, string field, int steps, int features, int width, HashSet<string> written)
    {
        PlannedLayer l = c.Layer;
        string rows = "batch * " + Literals.Int(steps);
        bool add = !written.Add(dx);
        using (c.Writer.Block("if (!" + dx + ".IsEmpty)"))
        {
            c.Writer.Comment(dx + "[" + rows + "×" + Literals.Int(features) + "] " + (add ? "+=" : "=") + " d" + part + " · " + part + ".kernelᵀ");
            var arguments = new List<string>
            {
                c.BatchSpan(field, steps * width), c.ParameterSpan(Param(l, part + ".kernel")), dx, rows, Literals.Int(width), Literals.Int(features),
                "transposeB: true",
            };
            if (add)
                arguments.Add("accumulate: true");
            c.Writer.Call("global::NeuralDsl.Gemm.Multiply", arguments);
        }
    }
}
