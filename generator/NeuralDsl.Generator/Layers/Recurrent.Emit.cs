using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Backpropagation through time, written out for the literal number of steps. Every buffer is time-major
/// [steps, batch, ·] so one step is one contiguous block: the input is transposed once (in processing order), the
/// input projection of the whole sequence is one GEMM before the loop, each step is one GEMM with the recurrent kernel
/// for all gates plus the cell's elementwise kernel (<c>Recurrent.*Forward</c>), and backward keeps the gate
/// gradients of every step so the kernel, recurrent-kernel and input gradients are one GEMM each after the loop.
/// </summary>
internal sealed partial record RecurrentSpec
{
    private string Field(string stem, PlannedLayer layer) => Names.Field(stem, layer.Index) + Part;

    private const string RecurrentClass = "global::NeuralDsl.Recurrent";

    private const string GemmMultiply = "global::NeuralDsl.Gemm.Multiply";

    /// <summary>A GRU that applies the reset gate before the recurrent product: two products per step.</summary>
    private bool ResetBefore => Cell == RecurrentCell.Gru && !ResetAfter;

    /// <summary>A GRU with <c>reset_after</c>: the recurrent projection keeps its own bias row and is stored per step.</summary>
    private bool KeepsRecurrentProjection => Cell == RecurrentCell.Gru && ResetAfter;

    /// <summary>Input dropout: one mask on the input of every step.</summary>
    private bool HasDropout => DropoutRate > 0;

    /// <summary>Recurrent dropout: one mask on h_{t-1} at every step (Keras 3: the step then sees only the masked state).</summary>
    private bool HasRecurrentDropout => RecurrentDropoutRate > 0;

    /// <summary>With either dropout the forward pass differs in training, draws masks, and backward reads the mode.</summary>
    private bool DropsOut => HasDropout || HasRecurrentDropout;

    public override bool UsesTrainingFlag => DropsOut;

    public override bool UsesRandomNumbers => DropsOut;

    public override bool BackwardReadsTrainingMode => DropsOut;

    public override IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext c)
    {
        PlannedLayer layer = c.Layer;
        int steps = layer.Input.Dimensions[0], features = layer.Input.Dimensions[1], width = Gates * Units;
        yield return new BufferSpec(Field("xs", layer), steps * features, "time-major input [steps, B, features] in processing order");
        if (HasDropout)
            yield return new BufferSpec(Field("dropoutMask", layer), features, "[B, features] input dropout mask, the same at every step");
        if (HasRecurrentDropout)
        {
            yield return new BufferSpec(Field("recurrentMask", layer), Units, "[B, units] recurrent dropout mask, the same at every step");
            yield return new BufferSpec(Field("hms", layer), steps * Units, "[steps, B, units] masked h_{t-1} of every step, in training");
        }
        yield return new BufferSpec(Field("gates", layer), steps * width, "[steps, B, " + Literals.Int(width) + "] gate pre-activations, then activated");
        yield return new BufferSpec(Field("hs", layer), (steps + 1) * Units, "[steps + 1, B, units] states h_0 (zero) .. h_steps");
        if (Cell == RecurrentCell.Lstm)
        {
            yield return new BufferSpec(Field("cs", layer), (steps + 1) * Units, "[steps + 1, B, units] cell states c_0 (zero) .. c_steps");
            yield return new BufferSpec(Field("tcs", layer), steps * Units, "[steps, B, units] act(c_t)");
            yield return new BufferSpec(Field("dc", layer), Units, "[B, units] gradient carried to c_{t-1}");
        }
        if (KeepsRecurrentProjection)
        {
            yield return new BufferSpec(Field("hr", layer), steps * width, "[steps, B, " + Literals.Int(width) + "] h_{t-1} · recurrent_kernel + recurrent bias");
            yield return new BufferSpec(Field("dgatesRecurrent", layer), steps * width, "[steps, B, " + Literals.Int(width) + "] recurrent-side gate gradients");
        }
        if (ResetBefore)
        {
            yield return new BufferSpec(Field("hr", layer), width, "[B, " + Literals.Int(width) + "] one step's h_{t-1} · recurrent_kernel");
            yield return new BufferSpec(Field("rh", layer), steps * Units, "[steps, B, units] r ⊙ h_{t-1}");
            yield return new BufferSpec(Field("candidate", layer), Units, "[B, units] one step's (r ⊙ h_{t-1}) · recurrent_kernel_h, then its gradient");
            yield return new BufferSpec(Field("dgatesRecurrent", layer), steps * width, "[steps, B, " + Literals.Int(width) + "] recurrent-side gate gradients");
            yield return new BufferSpec(Field("dcandidate", layer), steps * Units, "[steps, B, units] candidate pre-activation gradients");
            yield return new BufferSpec(Field("recurrentH", layer), 0, "[units, units] the candidate block of recurrent_kernel, packed",
                LengthExpression: Literals.Int(Units * Units), IsPersistent: true);
            yield return new BufferSpec(Field("dRecurrentH", layer), 0, "[units, units] gradient of that block before it is added in place",
                LengthExpression: Literals.Int(Units * Units), IsPersistent: true);
        }
        foreach (BufferSpec carry in MaskBuffers(c))
            yield return carry;
        yield return new BufferSpec(Field("dgates", layer), steps * width, "[steps, B, " + Literals.Int(width) + "] gate pre-activation gradients");
        yield return new BufferSpec(Field("dh", layer), Units, "[B, units] gradient carried to h_{t-1}");
        if (ReturnSequences)
            yield return new BufferSpec(Field("dhs", layer), steps * Units, "[steps, B, units] time-major output gradient");
        yield return new BufferSpec(Field("dxs", layer), steps * features, "[steps, B, features] time-major input gradient");
    }

    private PlannedParameter KernelOf(PlannedLayer layer) => layer.Parameters[0];

    private PlannedParameter RecurrentKernelOf(PlannedLayer layer) => layer.Parameters[1];

    private PlannedParameter? BiasOf(PlannedLayer layer) => UseBias ? layer.Parameters[2] : null;

    private static string Act(Activation a) => "global::NeuralDsl.Activation." + a;

    /// <summary><c>name.Slice(t * stride, stride)</c>: one step of a time-major buffer.</summary>
    private static string StepOf(string buffer, string t, string stride) => buffer + ".Slice(" + (t.Contains(" ") ? "(" + t + ")" : t) + " * " + stride + ", " + stride + ")";

    /// <summary>Declares the spans both passes use, each with its shape.</summary>
    private void DeclareCommon(LayerEmitContext c, int steps, int features)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int width = Gates * Units;
        w.Commented("int step = batch * " + Literals.Int(Units) + ";", "one step of a state: [B×" + Literals.Int(Units) + "]");
        w.Commented("int gateStep = batch * " + Literals.Int(width) + ";", "one step of the gates: [B×" + Literals.Int(width) + "]");
        w.Commented("var xs = " + c.BatchSpan(Field("xs", layer), steps * features) + ";",
            "[" + Literals.Int(steps) + ", B, " + Literals.Int(features) + "] time-major input" + (GoBackwards ? ", last step first" : ""));
        w.Commented("var gates = " + c.BatchSpan(Field("gates", layer), steps * width) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(width) + "] " + GateNames);
        w.Commented("var hs = " + c.BatchSpan(Field("hs", layer), (steps + 1) * Units) + ";", "[" + Literals.Int(steps + 1) + ", B, " + Literals.Int(Units) + "] h_0 .. h_" + Literals.Int(steps));
        if (Cell == RecurrentCell.Lstm)
        {
            w.Commented("var cs = " + c.BatchSpan(Field("cs", layer), (steps + 1) * Units) + ";", "[" + Literals.Int(steps + 1) + ", B, " + Literals.Int(Units) + "] c_0 .. c_" + Literals.Int(steps));
            w.Commented("var tcs = " + c.BatchSpan(Field("tcs", layer), steps * Units) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(Units) + "] " + Activation + "(c_t)");
        }
        if (KeepsRecurrentProjection)
            w.Commented("var hr = " + c.BatchSpan(Field("hr", layer), steps * width) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(width) + "] h_{t-1} · recurrent_kernel + recurrent bias");
        if (ResetBefore)
            w.Commented("var rh = " + c.BatchSpan(Field("rh", layer), steps * Units) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(Units) + "] r ⊙ h_{t-1}");
    }

    private string GateNames => Cell switch
    {
        RecurrentCell.Simple => "pre-activations",
        RecurrentCell.Lstm => "gates i, f, c, o",
        _ => "gates z, r, h",
    };

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int steps = layer.Input.Dimensions[0], features = layer.Input.Dimensions[1], width = Gates * Units;
        string kernel = c.ParameterSpan(KernelOf(layer)), recurrent = c.ParameterSpan(RecurrentKernelOf(layer));
        using (c.ForwardMethod())
        {
            DeclareCommon(c, steps, features);
            w.Call(RecurrentClass + ".ToTimeMajor",
                GoBackwards ? ["x", "xs", Literals.Int(steps), Literals.Int(features), "reverse: true"] : ["x", "xs", Literals.Int(steps), Literals.Int(features)]);
            if (HasDropout)
            {
                using (w.Block("if (training)"))
                {
                    w.Line("// Keras 3 dropout: one input mask [B×" + Literals.Int(features) + "] for the whole sequence, applied at every step");
                    w.Commented("var mask = " + c.BatchSpan(Field("dropoutMask", layer), features) + ";", "0 or 1 / (1 - rate)");
                    w.Call(RecurrentClass + ".DrawMask", ["mask", Literals.Named("rate", DropoutRate), "ref " + Names.OnModel(Names.Rng)]);
                    w.Call(RecurrentClass + ".MultiplySteps", ["xs", "mask"]);
                }
            }
            if (HasRecurrentDropout)
            {
                w.Commented("var recurrentMask = " + c.BatchSpan(Field("recurrentMask", layer), Units) + ";",
                    "Keras 3 recurrent dropout: one mask on h_{t-1} for the whole sequence");
                w.Commented("var hms = " + c.BatchSpan(Field("hms", layer), steps * Units) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(Units) + "] masked h_{t-1}");
                w.Line("if (training)");
                w.Line("    " + RecurrentClass + ".DrawMask(recurrentMask, " + Literals.Named("rate", RecurrentDropoutRate) + ", ref " + Names.OnModel(Names.Rng) + ");");
            }
            w.Line("// gates[" + Literals.Int(steps) + "·B×" + Literals.Int(width) + "] = xs · kernel[" + Literals.Int(features) + "×" + Literals.Int(width) + "]" +
                (UseBias ? " + bias" + (ResetAfter ? " row 0" : "") : "") + ": the whole sequence's input projection, one product");
            w.Call(GemmMultiply, ["xs", kernel, "gates", "batch * " + Literals.Int(steps), Literals.Int(features), Literals.Int(width)]);
            if (BiasOf(layer) is { } bias)
                w.Call("global::NeuralDsl.Bias.AddRows", ["gates", ResetAfter ? c.ParameterSpan(bias) + ".Slice(0, " + Literals.Int(width) + ")" : c.ParameterSpan(bias)]);
            if (ResetBefore)
            {
                w.Line("// recurrent_kernel's candidate block [" + Literals.Int(Units) + "×" + Literals.Int(Units) + "], packed for the per-step product with r ⊙ h_{t-1}");
                w.Call(RecurrentClass + ".CopyColumns", [recurrent, Field("recurrentH", layer), Literals.Int(width), Literals.Int(2 * Units), Literals.Int(Units)]);
            }
            w.Line("hs.Slice(0, step).Clear(); // h_0 = 0");
            if (Cell == RecurrentCell.Lstm)
                w.Line("cs.Slice(0, step).Clear(); // c_0 = 0");
            EmitMaskDeclaration(c);
            using (w.Block("for (int t = 0; t < " + Literals.Int(steps) + "; t++)"))
            {
                w.Commented("var g = " + StepOf("gates", "t", "gateStep") + ";", "[B×" + Literals.Int(width) + "]");
                w.Commented("var hPrev = " + StepOf("hs", "t", "step") + ";", "h_{t-1} [B×" + Literals.Int(Units) + "]");
                if (HasRecurrentDropout)
                {
                    using (w.Block("if (training)"))
                    {
                        w.Line("// the step sees h_{t-1} ⊙ recurrentMask only (kept for the backward pass)");
                        w.Line("hPrev.CopyTo(" + StepOf("hms", "t", "step") + ");");
                        w.Line("hPrev = " + StepOf("hms", "t", "step") + ";");
                        w.Call(RecurrentClass + ".MultiplySteps", ["hPrev", "recurrentMask"]);
                    }
                }
                w.Commented("var h = " + StepOf("hs", "t + 1", "step") + ";", "h_t [B×" + Literals.Int(Units) + "]");
                EmitForwardStep(c, width, recurrent);
                EmitMaskedForwardStep(c);
            }
            if (ReturnSequences)
            {
                w.Line("// y[B, " + Literals.Int(steps) + ", " + Literals.Int(Units) + "] = h_1 .. h_" + Literals.Int(steps) + " in processing order");
                if (ReverseOutput)
                    w.Call(RecurrentClass + ".FromTimeMajor", ["hs.Slice(step)", c.BatchSpan(c.Output, c.OutputSize), Literals.Int(steps), Literals.Int(Units), "reverse: true"]);
                else
                    w.Call(RecurrentClass + ".FromTimeMajor", ["hs.Slice(step)", c.BatchSpan(c.Output, c.OutputSize), Literals.Int(steps), Literals.Int(Units)]);
            }
            else
            {
                w.Line("// y[B×" + Literals.Int(Units) + "] = h_" + Literals.Int(steps));
                w.Line("hs.Slice(" + Literals.Int(steps) + " * step, step).CopyTo(" + c.BatchSpan(c.Output, c.OutputSize) + ");");
            }
        }
    }

    private void EmitForwardStep(LayerEmitContext c, int width, string recurrent)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        string units = Literals.Int(Units);
        string recurrentProduct = "h_{t-1}[B×" + units + "] · recurrent_kernel[" + units + "×" + Literals.Int(width) + "]";
        switch (Cell)
        {
            case RecurrentCell.Simple:
                w.Line("// g += " + recurrentProduct);
                w.Call(GemmMultiply, ["hPrev", recurrent, "g", "batch", units, Literals.Int(width), "accumulate: true"]);
                w.Line("// h_t = " + Activation + "(g)");
                w.Call(RecurrentClass + ".SimpleForward", ["g", "h", units, Act(Activation)]);
                break;
            case RecurrentCell.Lstm:
                w.Line("// g += " + recurrentProduct + ", all four gates in one product (at B = 1 its column passes");
                w.Line("// alternate direction with t, so each step starts on the part of recurrent_kernel still in L1)");
                w.Call(RecurrentClass + ".AddRecurrentProduct", ["hPrev", recurrent, "g", "batch", units, Literals.Int(width), "t"]);
                w.Line("// c_t = f ⊙ c_{t-1} + i ⊙ g_c, h_t = o ⊙ " + Activation + "(c_t)");
                w.Call(RecurrentClass + ".LstmForward",
                    ["g", StepOf("cs", "t", "step"), StepOf("cs", "t + 1", "step"), StepOf("tcs", "t", "step"), "h", units, Act(Activation), Act(RecurrentActivation)]);
                break;
            case RecurrentCell.Gru when ResetAfter:
                w.Commented("var hrt = " + StepOf("hr", "t", "gateStep") + ";", "[B×" + Literals.Int(width) + "]");
                w.Line("// hrt = " + recurrentProduct + (UseBias ? " + bias row 1" : "") + ", all three gates in one product");
                w.Call(GemmMultiply, ["hPrev", recurrent, "hrt", "batch", units, Literals.Int(width)]);
                if (BiasOf(layer) is { } bias)
                    w.Call("global::NeuralDsl.Bias.AddRows", ["hrt", c.ParameterSpan(bias) + ".Slice(" + Literals.Int(width) + ", " + Literals.Int(width) + ")"]);
                w.Line("// z, r = σ(g + hrt), hh = " + Activation + "(g_h + r ⊙ hrt_h), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ hh");
                w.Call(RecurrentClass + ".GruForward", ["g", "hrt", "hPrev", "h", units, Act(Activation), Act(RecurrentActivation)]);
                break;
            default:
                w.Commented("var hr = " + c.BatchSpan(Field("hr", layer), width) + ";", "[B×" + Literals.Int(width) + "] (its h block is not used)");
                w.Commented("var q = " + c.BatchSpan(Field("candidate", layer), Units) + ";", "[B×" + units + "]");
                w.Commented("var rht = " + StepOf("rh", "t", "step") + ";", "r ⊙ h_{t-1} [B×" + units + "]");
                w.Line("// hr = " + recurrentProduct);
                w.Call(GemmMultiply, ["hPrev", recurrent, "hr", "batch", units, Literals.Int(width)]);
                w.Line("// z, r = σ(g + hr), rht = r ⊙ h_{t-1}");
                w.Call(RecurrentClass + ".GruGatesForward", ["g", "hr", "hPrev", "rht", units, Act(RecurrentActivation)]);
                w.Line("// q = rht[B×" + units + "] · recurrent_kernel_h[" + units + "×" + units + "]");
                w.Call(GemmMultiply, ["rht", Field("recurrentH", layer), "q", "batch", units, units]);
                w.Line("// hh = " + Activation + "(g_h + q), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ hh");
                w.Call(RecurrentClass + ".GruCandidateForward", ["g", "q", "hPrev", "h", units, Act(Activation)]);
                break;
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int steps = layer.Input.Dimensions[0], features = layer.Input.Dimensions[1], width = Gates * Units;
        string kernel = c.ParameterSpan(KernelOf(layer)), recurrent = c.ParameterSpan(RecurrentKernelOf(layer));
        string units = Literals.Int(Units);
        using (c.BackwardMethod())
        {
            DeclareCommon(c, steps, features);
            w.Commented("var dgates = " + c.BatchSpan(Field("dgates", layer), steps * width) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(width) + "] every step's gate gradients");
            bool separateRecurrent = Cell == RecurrentCell.Gru;
            if (separateRecurrent)
                w.Commented("var dgatesRecurrent = " + c.BatchSpan(Field("dgatesRecurrent", layer), steps * width) + ";",
                    "[" + Literals.Int(steps) + ", B, " + Literals.Int(width) + "] the same on the recurrent side");
            if (ResetBefore)
                w.Commented("var dcandidate = " + c.BatchSpan(Field("dcandidate", layer), steps * Units) + ";", "[" + Literals.Int(steps) + ", B, " + units + "] dhh'");
            w.Commented("var dh = " + c.BatchSpan(Field("dh", layer), Units) + ";", "[B×" + units + "] gradient reaching h_t from later steps");
            if (HasRecurrentDropout)
            {
                w.Commented("var recurrentMask = " + c.BatchSpan(Field("recurrentMask", layer), Units) + ";", "the forward pass's recurrent dropout mask");
                w.Commented("var hms = " + c.BatchSpan(Field("hms", layer), steps * Units) + ";", "[" + Literals.Int(steps) + ", B, " + units + "] masked h_{t-1}");
            }
            if (Cell == RecurrentCell.Lstm)
            {
                w.Commented("var dc = " + c.BatchSpan(Field("dc", layer), Units) + ";", "[B×" + units + "] gradient reaching c_t from later steps");
                w.Line("dc.Clear();");
            }
            if (ReturnSequences)
            {
                w.Commented("var dhs = " + c.BatchSpan(Field("dhs", layer), steps * Units) + ";", "[" + Literals.Int(steps) + ", B, " + units + "] dy, time-major");
                if (ReverseOutput)
                    w.Call(RecurrentClass + ".ToTimeMajor", ["dy", "dhs", Literals.Int(steps), units, "reverse: true"]);
                else
                    w.Call(RecurrentClass + ".ToTimeMajor", ["dy", "dhs", Literals.Int(steps), units]);
                w.Line("dh.Clear();");
            }
            else
            {
                w.Line("dy.CopyTo(dh); // only h_" + Literals.Int(steps) + " is an output");
            }
            if (ResetBefore)
                w.Call(RecurrentClass + ".CopyColumns", [recurrent, Field("recurrentH", layer), Literals.Int(width), Literals.Int(2 * Units), units]);
            EmitMaskDeclaration(c);
            using (w.Block("for (int t = " + Literals.Int(steps - 1) + "; t >= 0; t--)"))
            {
                w.Commented("var g = " + StepOf("gates", "t", "gateStep") + ";", "activated gates [B×" + Literals.Int(width) + "]");
                w.Commented("var dg = " + StepOf("dgates", "t", "gateStep") + ";", "[B×" + Literals.Int(width) + "]");
                if (HasRecurrentDropout)
                    w.Commented("var hPrev = " + Names.Training + " ? " + StepOf("hms", "t", "step") + " : " + StepOf("hs", "t", "step") + ";",
                        "the h_{t-1} the step saw [B×" + units + "]");
                else
                    w.Commented("var hPrev = " + StepOf("hs", "t", "step") + ";", "h_{t-1} [B×" + units + "]");
                string dhOut = ReturnSequences ? StepOf("dhs", "t", "step") : "default";
                EmitKeepMaskedGradient(c, dhOut);
                EmitBackwardStep(c, width, recurrent, dhOut);
                if (HasRecurrentDropout)
                {
                    w.Line("if (" + Names.Training + " && t > 0)");
                    w.Line("    " + RecurrentClass + ".MultiplySteps(dh, recurrentMask); // from the masked h_{t-1} to h_{t-1}");
                }
                EmitRestoreMaskedGradient(c);
            }
            if (!c.TrainsParameters)
            {
                w.Line("// Frozen (Trainable = false): no kernel, recurrent kernel or bias gradient; the gate gradients above are what dx needs.");
            }
            else
            {
                using (c.ParameterGradients())
                {
                    w.Line("// kernel gradient [" + Literals.Int(features) + "×" + Literals.Int(width) + "] += xsᵀ · dgates over all " + Literals.Int(steps) + "·B rows");
                    w.Call(GemmMultiply, ["xs", "dgates", c.GradientSpan(KernelOf(layer)), Literals.Int(features), "batch * " + Literals.Int(steps), Literals.Int(width),
                        "transposeA: true", "accumulate: true"]);
                    string dRecurrent = c.GradientSpan(RecurrentKernelOf(layer));
                    w.Line("// recurrent_kernel gradient [" + units + "×" + Literals.Int(width) + "] += [h_0 .. h_" + Literals.Int(steps - 1) + "]ᵀ · " +
                        (separateRecurrent ? "dgatesRecurrent" : "dgates"));
                    string previousStates = HasRecurrentDropout
                        ? Names.Training + " ? hms : hs.Slice(0, " + Literals.Int(steps) + " * step)"
                        : "hs.Slice(0, " + Literals.Int(steps) + " * step)";
                    w.Call(GemmMultiply, [previousStates, separateRecurrent ? "dgatesRecurrent" : "dgates", dRecurrent, units,
                        "batch * " + Literals.Int(steps), Literals.Int(width), "transposeA: true", "accumulate: true"]);
                    if (ResetBefore)
                    {
                        w.Line("// the candidate block's gradient [" + units + "×" + units + "] = (r ⊙ h)ᵀ · dcandidate, added to its columns");
                        w.Call(GemmMultiply, ["rh", "dcandidate", Field("dRecurrentH", layer), units, "batch * " + Literals.Int(steps), units, "transposeA: true"]);
                        w.Call(RecurrentClass + ".AddColumns", [Field("dRecurrentH", layer), dRecurrent, Literals.Int(width), Literals.Int(2 * Units), units]);
                    }
                    if (BiasOf(layer) is { } bias)
                    {
                        string dBias = c.GradientSpan(bias);
                        if (ResetAfter)
                        {
                            w.Line("// bias gradient: row 0 (input side) += Σ dgates, row 1 (recurrent side) += Σ dgatesRecurrent");
                            w.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dgates", dBias + ".Slice(0, " + Literals.Int(width) + ")"]);
                            w.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dgatesRecurrent", dBias + ".Slice(" + Literals.Int(width) + ", " + Literals.Int(width) + ")"]);
                        }
                        else
                        {
                            w.Line("// bias gradient [" + Literals.Int(width) + "] += Σ rows of dgates");
                            w.Call("global::NeuralDsl.Bias.AccumulateGradient", ["dgates", dBias]);
                        }
                    }
                }
            }
            c.NoteEmptyInputGradient();
            using (w.Block("if (!dx.IsEmpty)"))
            {
                w.Commented("var dxs = " + c.BatchSpan(Field("dxs", layer), steps * features) + ";", "[" + Literals.Int(steps) + ", B, " + Literals.Int(features) + "]");
                w.Line("// dxs = dgates · kernelᵀ, then back to [B, " + Literals.Int(steps) + ", " + Literals.Int(features) + "]" + (GoBackwards ? ", reversing the steps" : ""));
                w.Call(GemmMultiply, ["dgates", kernel, "dxs", "batch * " + Literals.Int(steps), Literals.Int(width), Literals.Int(features), "transposeB: true"]);
                if (HasDropout)
                {
                    w.Line("if (" + Names.Training + ")");
                    w.Line("    " + RecurrentClass + ".MultiplySteps(dxs, " + c.BatchSpan(Field("dropoutMask", layer), features) + "); // through the dropout mask");
                }
                if (GoBackwards)
                    w.Call(RecurrentClass + ".FromTimeMajor", ["dxs", "dx", Literals.Int(steps), Literals.Int(features), "reverse: true"]);
                else
                    w.Call(RecurrentClass + ".FromTimeMajor", ["dxs", "dx", Literals.Int(steps), Literals.Int(features)]);
            }
        }
    }

    private void EmitBackwardStep(LayerEmitContext c, int width, string recurrent, string dhOut)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        string units = Literals.Int(Units);
        string carry = "// dh = dg[B×" + Literals.Int(width) + "] · recurrent_kernelᵀ: the gradient reaching h_{t-1}";
        switch (Cell)
        {
            case RecurrentCell.Simple:
                w.Call(RecurrentClass + ".SimpleBackward", [StepOf("hs", "t + 1", "step"), dhOut, "dh", "dg", units, Act(Activation)]);
                EmitClearMaskedGradients(c, "dg");
                using (w.Block("if (t > 0)"))
                {
                    w.Line(carry);
                    w.Call(GemmMultiply, ["dg", recurrent, "dh", "batch", Literals.Int(width), units, "transposeB: true"]);
                }
                break;
            case RecurrentCell.Lstm:
                w.Call(RecurrentClass + ".LstmBackward",
                    ["g", StepOf("cs", "t", "step"), StepOf("tcs", "t", "step"), dhOut, "dh", "dc", "dg", units, Act(Activation), Act(RecurrentActivation)]);
                EmitClearMaskedGradients(c, "dg");
                using (w.Block("if (t > 0)"))
                {
                    w.Line(carry);
                    w.Call(GemmMultiply, ["dg", recurrent, "dh", "batch", Literals.Int(width), units, "transposeB: true"]);
                }
                break;
            case RecurrentCell.Gru when ResetAfter:
                w.Commented("var dgr = " + StepOf("dgatesRecurrent", "t", "gateStep") + ";", "[B×" + Literals.Int(width) + "]");
                w.Line("// dg = [dz', dr', dhh'], dgr = [dz', dr', dhh' ⊙ r], dh = dh_t ⊙ z (the direct path)");
                w.Call(RecurrentClass + ".GruBackward", ["g", StepOf("hr", "t", "gateStep"), "hPrev", dhOut, "dh", "dg", "dgr", units, Act(Activation), Act(RecurrentActivation)]);
                EmitClearMaskedGradients(c, "dg", "dgr");
                using (w.Block("if (t > 0)"))
                {
                    w.Line("// dh += dgr[B×" + Literals.Int(width) + "] · recurrent_kernelᵀ: the gated paths to h_{t-1}");
                    w.Call(GemmMultiply, ["dgr", recurrent, "dh", "batch", Literals.Int(width), units, "transposeB: true", "accumulate: true"]);
                }
                break;
            default:
                w.Commented("var dgr = " + StepOf("dgatesRecurrent", "t", "gateStep") + ";", "[B×" + Literals.Int(width) + "]");
                w.Commented("var dcand = " + StepOf("dcandidate", "t", "step") + ";", "[B×" + units + "]");
                w.Commented("var drh = " + c.BatchSpan(Field("candidate", layer), Units) + ";", "d(r ⊙ h_{t-1}) [B×" + units + "]");
                w.Line("// dz' and dhh' into dg (dhh' also into dcand), dh = dh_t ⊙ z (the direct path)");
                w.Call(RecurrentClass + ".GruCandidateBackward", ["g", "hPrev", dhOut, "dh", "dg", "dcand", units, Act(Activation), Act(RecurrentActivation)]);
                w.Line("// drh = dcand[B×" + units + "] · recurrent_kernel_hᵀ");
                w.Call(GemmMultiply, ["dcand", Field("recurrentH", layer), "drh", "batch", units, units, "transposeB: true"]);
                w.Line("// dr' into dg, dh += drh ⊙ r, dgr = [dz', dr', 0]");
                w.Call(RecurrentClass + ".GruGatesBackward", ["g", "hPrev", "drh", "dh", "dg", "dgr", units, Act(RecurrentActivation)]);
                EmitClearMaskedGradients(c, "dg", "dgr", "dcand");
                using (w.Block("if (t > 0)"))
                {
                    w.Line("// dh += dgr[B×" + Literals.Int(width) + "] · recurrent_kernelᵀ: the gated paths to h_{t-1}");
                    w.Call(GemmMultiply, ["dgr", recurrent, "dh", "batch", Literals.Int(width), units, "transposeB: true", "accumulate: true"]);
                }
                break;
        }
    }
}
