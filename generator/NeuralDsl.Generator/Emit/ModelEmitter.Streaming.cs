using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// Streaming inference for causal models: <c>Step(x_t, y_t)</c> runs one sample through one time step, carrying the
/// recurrent states between calls, so that y_t equals what Predict outputs at step t for the prefix x_0..x_t. Written
/// only when every layer is causal: recurrent layers that read forwards, and layers that act on each step alone
/// (Dense, Activation, Dropout); at least one recurrent layer. Everything runs at batch one on fixed buffers
/// (matrix-vector products, <c>Recurrent.StepProject</c>), so a call allocates nothing.
/// </summary>
internal sealed partial class ModelEmitter
{
    private const string StateField = "__stream";

    /// <summary>Whether this model gets <c>Step</c>: see the class remarks (<see cref="Streaming.IsCausal"/>).</summary>
    private bool Streams => Streaming.IsCausal(_plan);

    /// <summary>The streaming state of each recurrent layer: h, then c for an LSTM, layer after layer.</summary>
    private IEnumerable<(PlannedLayer Layer, int Offset, int Length)> StateSlots()
    {
        int offset = 0;
        foreach (PlannedLayer layer in Layers)
        {
            if (layer.Spec is not RecurrentSpec r)
                continue;
            int length = r.Cell == RecurrentCell.Lstm ? 2 * r.Units : r.Units;
            yield return (layer, offset, length);
            offset += length;
        }
    }

    private void WriteStreaming()
    {
        if (!Streams)
            return;
        var slots = StateSlots().ToList();
        int stateSize = slots.Sum(s => s.Length);
        int stepInput = Spec.InputShape.Last, stepOutput = _plan.OutputShape.Last;
        string t = _t;

        _w.Comment("---- Streaming inference: one sample, one time step (the model is causal) ----");
        _w.Line();
        _w.DocSummary("Elements of one time step's input x_t: the last axis of the input " + Spec.InputShape + ".");
        _w.Line("public const int StepInputSize = " + Literals.Int(stepInput) + ";");
        _w.Line();
        _w.DocSummary("Elements of one time step's output y_t.");
        _w.Line("public const int StepOutputSize = " + Literals.Int(stepOutput) + ";");
        _w.Line();
        _w.DocSummary("Elements of the streaming state that <see cref=\"Step\"/> carries: " +
            string.Join(", ", slots.Select(s => s.Layer.Name + (((RecurrentSpec)s.Layer.Spec).Cell == RecurrentCell.Lstm ? " h and c" : " h") + " (" + Literals.Int(s.Length) + ")")) + ".");
        _w.Line("public const int StateSize = " + Literals.Int(stateSize) + ";");
        _w.Line();
        _w.Commented("private readonly " + t + "[] " + StateField + " = new " + t + "[" + Literals.Int(stateSize) + "];",
            "the streaming state, per instance: " + string.Join(", ", slots.Select(s => s.Layer.Name + " at " + Literals.Int(s.Offset))));
        foreach (PlannedLayer layer in Layers)
        {
            foreach ((string field, int length, string comment) in StepBuffers(layer))
                _w.Commented("private readonly " + t + "[] " + field + " = new " + t + "[" + Literals.Int(length) + "];", layer.Name + ": " + comment);
        }
        _w.Line();

        _w.Line("/// <summary>");
        _w.Line("/// Streaming inference: runs one sample through one time step, <paramref name=\"input\"/> x_t [" + Literals.Int(stepInput) +
            "] to <paramref name=\"output\"/> y_t [" + Literals.Int(stepOutput) + "],");
        _w.Line("/// carrying the recurrent state to the next call: after steps x_0..x_t from <see cref=\"ResetState\"/>, y_t is what");
        _w.Line("/// <c>Predict</c> outputs at step t for that prefix. Allocates nothing. The state belongs to this instance and");
        _w.Line("/// the call changes it, so it runs alone: a concurrent Step or a training call on the same instance throws.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length is not " + Literals.Int(stepInput) + " or " + Literals.Int(stepOutput) + ".</exception>");
        _w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Another call is running on this instance.</exception>");
        using (_w.Method("public void Step", [ReadOnlySpan + " input", Span + " output"]))
        {
            _w.Call("global::NeuralDsl.Recurrent.CheckStepLength", ["input.Length", "StepInputSize", "\"The step input x_t\"", "nameof(input)"]);
            _w.Call("global::NeuralDsl.Recurrent.CheckStepLength", ["output.Length", "StepOutputSize", "\"The step output y_t\"", "nameof(output)"]);
            WriteInCallState(Names.Method("EnterStep"), Names.ExitTraining, Names.Method("StepCore") + "(input, output);");
        }
        _w.Line();

        _w.DocSummary("Sets the streaming state to zero, the state before the first step of a sequence.");
        using (_w.Block("public void ResetState()"))
            WriteInCallState(Names.Method("EnterStep"), Names.ExitTraining, "global::System.Array.Clear(" + StateField + ");");
        _w.Line();

        _w.DocSummary("Copies the streaming state [" + Literals.Int(stateSize) + "] into <paramref name=\"state\"/> (layout: <see cref=\"StateSize\"/>).");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The length is not " + Literals.Int(stateSize) + ".</exception>");
        using (_w.Block("public void GetState(" + Span + " state)"))
        {
            _w.Call("global::NeuralDsl.Recurrent.CheckStepLength", ["state.Length", "StateSize", "\"The streaming state\"", "nameof(state)"]);
            WriteInCallState(Names.Method("EnterStep"), Names.ExitTraining, "new " + ReadOnlySpan + "(" + StateField + ").CopyTo(state);");
        }
        _w.Line();

        _w.DocSummary("Replaces the streaming state with <paramref name=\"state\"/> [" + Literals.Int(stateSize) + "], e.g. one saved by <see cref=\"GetState\"/>.");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The length is not " + Literals.Int(stateSize) + ".</exception>");
        using (_w.Block("public void SetState(" + ReadOnlySpan + " state)"))
        {
            _w.Call("global::NeuralDsl.Recurrent.CheckStepLength", ["state.Length", "StateSize", "\"The streaming state\"", "nameof(state)"]);
            WriteInCallState(Names.Method("EnterStep"), Names.ExitTraining, "state.CopyTo(" + StateField + ");");
        }
        _w.Line();

        _w.Comment("The streaming calls change the state: like a training call, each takes the instance from idle (0) to -1, or throws.");
        using (_w.Block("private void " + Names.Method("EnterStep") + "()"))
        {
            _w.Line("if (global::System.Threading.Interlocked.CompareExchange(ref " + Names.CallState + ", -1, 0) != 0)");
            _w.Line("    throw new global::System.InvalidOperationException(");
            _w.Line("        \"Model '" + Spec.ModelName + "' is already running a call on another thread: Step, ResetState, GetState and SetState \" +");
            _w.Line("        \"use the instance's streaming state and run alone, as training calls do.\");");
        }
        _w.Line();

        _w.Comment("One time step of one sample through every layer; the arguments were checked.");
        using (_w.Method("private void " + Names.Method("StepCore"), [ReadOnlySpan + " input", Span + " output"]))
        {
            _w.Commented("var state = new " + Span + "(" + StateField + ");", "[" + Literals.Int(stateSize) + "]");
            string current = "input";
            int currentSize = stepInput;
            foreach (PlannedLayer layer in Layers)
            {
                bool last = layer.Index == Layers.Count - 1;
                _w.Comment("Layer " + Literals.Int(layer.Index) + " · " + layer.Name + ": " + layer.Spec.Describe() + ", x_t [" + Literals.Int(currentSize) + "] → [" +
                    Literals.Int(layer.Output.Last) + "]");
                int offset = slots.FirstOrDefault(s => s.Layer == layer).Offset;
                current = WriteStepLayer(layer, current, last ? "output" : null, offset);
                currentSize = layer.Output.Last;
            }
            if (current != "output")
                _w.Line(current + ".CopyTo(output);");
        }
        _w.Line();
    }

    /// <summary>The fixed per-step buffers of a layer.</summary>
    private IEnumerable<(string Field, int Length, string Comment)> StepBuffers(PlannedLayer layer)
    {
        bool last = layer.Index == Layers.Count - 1;
        switch (layer.Spec)
        {
            case RecurrentSpec r:
                int width = r.Gates * r.Units;
                yield return (Names.Field("stepGates", layer.Index), width, "one step's gate pre-activations [" + Literals.Int(width) + "]");
                if (r.Cell == RecurrentCell.Gru)
                {
                    yield return (Names.Field("stepRecurrent", layer.Index), width, "one step's recurrent projection [" + Literals.Int(width) + "]");
                    yield return (Names.Field("stepH", layer.Index), r.Units, "the new state before it replaces h [" + Literals.Int(r.Units) + "]");
                    if (!r.ResetAfter)
                        yield return (Names.Field("stepResetH", layer.Index), r.Units, "r ⊙ h_{t-1} [" + Literals.Int(r.Units) + "]");
                }
                break;
            case DenseSpec or ActivationSpec when !last:
                yield return (Names.Field("stepA", layer.Index), layer.Output.Last, "one step's output [" + Literals.Int(layer.Output.Last) + "]");
                break;
        }
    }

    /// <summary>Writes one layer's step from <paramref name="x"/>; returns the span holding its output.</summary>
    private string WriteStepLayer(PlannedLayer layer, string x, string? output, int stateOffset)
    {
        string Buffer(string stem) => "new " + Span + "(" + Names.Field(stem, layer.Index) + ")";
        string Param(int i) => Names.ParameterView(layer.Parameters[i]);
        string recurrentClass = "global::NeuralDsl.Recurrent";
        string i_ = Literals.Int(layer.Index);
        switch (layer.Spec)
        {
            case DropoutSpec:
                _w.Comment("identity in inference");
                return x;
            case ActivationSpec a:
            {
                string y = output ?? "a" + i_;
                if (output is null)
                    _w.Line("var " + y + " = " + Buffer("stepA") + ";");
                if (a.Activation == Activation.Linear)
                    _w.Line(x + ".CopyTo(" + y + ");");
                else
                    ActivationCalls.Forward(_w, a.Activation, x, y, layer.Output.Last);
                return y;
            }
            case DenseSpec d:
            {
                string y = output ?? "a" + i_;
                if (output is null)
                    _w.Line("var " + y + " = " + Buffer("stepA") + ";");
                string bias = d.UseBias ? Param(1) : "default";
                _w.Line("// y[" + Literals.Int(d.Units) + "] = " + (d.UseBias ? "bias + " : "") + "x · kernel[" + Literals.Int(layer.Input.Last) + "×" + Literals.Int(d.Units) + "]");
                _w.Call(recurrentClass + ".StepProject", [bias, x, Param(0), "default", "default", y]);
                if (d.Activation != Activation.Linear)
                    ActivationCalls.Forward(_w, d.Activation, y, y, d.Units);
                return y;
            }
            case RecurrentSpec r:
            {
                int u = r.Units, width = r.Gates * r.Units;
                string units = Literals.Int(u), w = Literals.Int(width), features = Literals.Int(layer.Input.Last);
                string h = "h" + i_, g = "g" + i_;
                string act = "global::NeuralDsl.Activation." + r.Activation, recAct = "global::NeuralDsl.Activation." + r.RecurrentActivation;
                _w.Commented("var " + h + " = state.Slice(" + Literals.Int(stateOffset) + ", " + units + ");", "h_{t-1}, then h_t [" + units + "]");
                _w.Commented("var " + g + " = " + Buffer("stepGates") + ";", "[" + w + "]");
                string bias = r.UseBias ? Param(2) : "default";
                switch (r.Cell)
                {
                    case RecurrentCell.Simple:
                        _w.Line("// g = " + (r.UseBias ? "bias + " : "") + "x_t · kernel[" + features + "×" + w + "] + h_{t-1} · recurrent_kernel[" + units + "×" + w + "]");
                        _w.Call(recurrentClass + ".StepProject", [bias, x, Param(0), h, Param(1), g]);
                        _w.Line("// h_t = " + r.Activation + "(g)");
                        _w.Call(recurrentClass + ".SimpleForward", [g, h, units, act]);
                        break;
                    case RecurrentCell.Lstm:
                        _w.Commented("var c" + i_ + " = state.Slice(" + Literals.Int(stateOffset + u) + ", " + units + ");", "c_{t-1}, then c_t [" + units + "]");
                        _w.Line("// g = " + (r.UseBias ? "bias + " : "") + "x_t · kernel[" + features + "×" + w + "] + h_{t-1} · recurrent_kernel[" + units + "×" + w + "], gates i, f, c, o");
                        _w.Call(recurrentClass + ".StepProject", [bias, x, Param(0), h, Param(1), g]);
                        _w.Line("// c_t = f ⊙ c_{t-1} + i ⊙ g_c, h_t = o ⊙ " + r.Activation + "(c_t)");
                        _w.Call(recurrentClass + ".LstmStep", [g, "c" + i_, h, act, recAct]);
                        break;
                    default:
                    {
                        string hr = "hr" + i_, hn = "hn" + i_;
                        _w.Commented("var " + hr + " = " + Buffer("stepRecurrent") + ";", "[" + w + "]");
                        _w.Commented("var " + hn + " = " + Buffer("stepH") + ";", "h_t before it replaces h_{t-1} [" + units + "]");
                        string inputBias = !r.UseBias ? "default" : r.ResetAfter ? Param(2) + ".Slice(0, " + w + ")" : bias;
                        _w.Line("// g = x_t · kernel[" + features + "×" + w + "]" + (r.UseBias ? " + bias" + (r.ResetAfter ? " row 0" : "") : ""));
                        _w.Call(recurrentClass + ".StepProject", [inputBias, x, Param(0), "default", "default", g]);
                        string recurrentBias = r.UseBias && r.ResetAfter ? Param(2) + ".Slice(" + w + ", " + w + ")" : "default";
                        _w.Line("// hr = h_{t-1} · recurrent_kernel[" + units + "×" + w + "]" + (r.UseBias && r.ResetAfter ? " + bias row 1" : ""));
                        _w.Call(recurrentClass + ".StepProject", [recurrentBias, "default", "default", h, Param(1), hr]);
                        if (r.ResetAfter)
                        {
                            _w.Line("// z, r = σ(g + hr), hh = " + r.Activation + "(g_h + r ⊙ hr_h), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ hh");
                            _w.Call(recurrentClass + ".GruForward", [g, hr, h, hn, units, act, recAct]);
                        }
                        else
                        {
                            string rh = "rh" + i_;
                            _w.Commented("var " + rh + " = " + Buffer("stepResetH") + ";", "r ⊙ h_{t-1} [" + units + "]");
                            _w.Line("// z, r = σ(g + hr), rh = r ⊙ h_{t-1}");
                            _w.Call(recurrentClass + ".GruGatesForward", [g, hr, h, rh, units, recAct]);
                            _w.Line("// hr = rh · recurrent_kernel: its h block is the candidate's recurrent term");
                            _w.Call(recurrentClass + ".StepProject", ["default", "default", "default", rh, Param(1), hr]);
                            _w.Line("// hh = " + r.Activation + "(g_h + that block), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ hh");
                            _w.Call(recurrentClass + ".GruCandidateForward", [g, hr + ".Slice(" + Literals.Int(2 * u) + ", " + units + ")", h, hn, units, act]);
                        }
                        _w.Line(hn + ".CopyTo(" + h + ");");
                        break;
                    }
                }
                return h;
            }
            default:
                // Streams admits only the layers above.
                throw new System.InvalidOperationException("Layer " + layer.Name + " cannot stream.");
        }
    }
}
