using System.Linq;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>The model's batch buffers: their fields, how they grow with the batch, and which one holds which tensor.</summary>
internal sealed partial class ModelEmitter
{
    private void WriteFields()
    {
        string t = _t;
        _w.Comment("Every trainable tensor, layer after layer in Keras layout, and the matching gradients.");
        _w.Line("private readonly " + t + "[] " + Names.Parameters + " = new " + t + "[" + Literals.Int(_plan.ParameterCount) + "];");
        _w.Line("private readonly " + t + "[] " + Names.Gradients + " = new " + t + "[" + Literals.Int(_plan.ParameterCount) + "];");
        if (HasState)
        {
            _w.Commented("private readonly " + t + "[] " + Names.State + " = new " + t + "[" + Literals.Int(_plan.StateCount) + "];",
                "non-trainable tensors: moving statistics (updated in training) and frozen layers' weights");
        }
        if (Layers.Any(l => l.Spec.UsesRandomNumbers))
            _w.Commented("private global::NeuralDsl.Rng " + Names.Rng + ";", "dropout masks");
        _w.Line();
        _w.Comment("Batch buffers live in workspaces: one for the training calls, and one per thread for Predict.");
        _w.Line("private readonly " + Names.Workspace + " " + Names.TrainingWorkspace + ";");
        _w.Line("private readonly global::System.Threading.ThreadLocal<" + Names.Workspace + "> " + Names.PredictWorkspaces + ";");
        _w.Commented("private int " + Names.CallState + ";", "0 idle, n > 0 Predicts running, -1 a training call running");
        _w.Commented("private int " + Names.MaxThreads + ";", "MaxThreads as set; 0 follows NeuralDslThreads.MaxThreads");
        _w.Line();
    }

    /// <summary>Whether a backward method reads the mode of the last forward pass, so the workspace keeps it.</summary>
    private bool RecordsTrainingMode => Layers.Any(l => !l.Spec.AliasesInput && l.Spec.BackwardReadsTrainingMode);

    /// <summary>The batch buffers of one workspace.</summary>
    private void WriteWorkspaceFields()
    {
        string t = _t;
        _w.Comment("Batch buffers, [capacity × per-sample size]; grown on demand, never per call.");
        _w.Line("private int " + Names.Capacity + ";");
        _w.Commented("private int " + Names.Batch + ";", "samples in the last forward pass");
        if (RecordsTrainingMode)
            _w.Commented("private bool " + Names.Training + ";", "whether that pass ran in training mode");
        _w.Commented("private bool " + Names.InputKept + ";",
            "whether it copied its input into " + Names.Input + " (Forward does; Predict and ComputeGradients need not)");
        _w.Commented("private " + t + "[] " + Names.Input + " = [];", Spec.InputShape.ToComment() + ", the input of the last Forward, for Backward");
        if (Flow.Mask.Exists)
        {
            _w.Commented("private " + t + "[] " + Names.Mask + " = [];",
                "[" + Literals.Int(Flow.Mask.Steps) + "] mask per sample from " + Layers[Flow.Mask.Source].Name + ": 1 real step, 0 padding");
        }
        if (Flow.ScratchSize > 0)
        {
            _w.Commented("private " + t + "[] " + Names.GradientScratch + " = [];",
                "[" + Literals.Int(Flow.ScratchSize) + "] per sample: input gradients added to a tensor several layers read");
        }
        foreach (PlannedLayer layer in Layers.Where(l => !l.Spec.AliasesInput))
        {
            _w.Commented("private " + t + "[] " + Names.Output(layer.Index) + " = [];", layer.Output.ToComment() + " " + layer.Name + " output");
            _w.Commented("private " + t + "[] " + Names.OutputGradient(layer.Index) + " = [];",
                layer.Output.ToComment() + " gradient w.r.t. " + layer.Name + " output");
            foreach (BufferSpec buffer in layer.Spec.ExtraBuffers(Context(layer)))
            {
                string type = buffer.IsIndex ? "int" : t;
                if (buffer.IsPersistent)
                {
                    _w.Comment(layer.Name + ": " + buffer.Comment);
                    _w.Initialized("private readonly " + type + "[] " + buffer.Field, "new " + type + "[" + buffer.LengthExpression + "]");
                }
                else
                {
                    _w.Commented("private " + type + "[] " + buffer.Field + " = [];", layer.Name + ": " + buffer.Comment);
                }
            }
        }
        _w.Line();
    }

    /// <summary>
    /// The nested class that owns every buffer a pass writes, with the passes and per-layer methods that write them. It
    /// reads the parameters through the model, so workspaces share them read-only.
    /// </summary>
    private void WriteWorkspace()
    {
        _w.DocSummary("The buffers one pass at a time writes, and the passes and layer methods that write them. The model keeps one " +
            "for its training calls and one per thread for <c>Predict</c>, which share " +
            "the parameters read-only.");
        using (_w.Block("private sealed class " + Names.Workspace))
        {
            _w.Line("private readonly " + Spec.ClassName + " " + Names.Model + ";");
            _w.Line();
            _w.Line("public " + Names.Workspace + "(" + Spec.ClassName + " model) => " + Names.Model + " = model;");
            _w.Line();
            WriteWorkspaceFields();
            WriteWorkspacePasses();
            WriteCapacity();
            WriteForwardCore();
            foreach (PlannedLayer layer in Layers.Where(l => !l.Spec.AliasesInput))
            {
                LayerEmitContext context = Context(layer);
                layer.Spec.EmitForward(context);
                layer.Spec.EmitBackward(context);
            }
        }
        _w.Line();
    }

    private void WriteCapacity()
    {
        _w.Comment("Grows every batch buffer to hold at least batch samples; a no-op once that batch size has been seen.");
        using (_w.Block("private void " + Names.EnsureCapacity + "(int batch)"))
        {
            _w.Line("if (batch <= " + Names.Capacity + ")");
            _w.Line("    return;");
            _w.Comment("checked: a batch so large that a buffer would pass int.MaxValue elements throws instead of wrapping.");
            _w.Line(Names.Input + " = new " + _t + "[checked(batch * " + Literals.Int(_plan.InputSize) + ")];");
            if (Flow.Mask.Exists)
                _w.Line(Names.Mask + " = new " + _t + "[checked(batch * " + Literals.Int(Flow.Mask.Steps) + ")];");
            if (Flow.ScratchSize > 0)
                _w.Line(Names.GradientScratch + " = new " + _t + "[checked(batch * " + Literals.Int(Flow.ScratchSize) + ")];");
            foreach (PlannedLayer layer in Layers.Where(l => !l.Spec.AliasesInput))
            {
                string size = Literals.Int(layer.Output.Size);
                _w.Line(Names.Output(layer.Index) + " = new " + _t + "[checked(batch * " + size + ")];");
                _w.Line(Names.OutputGradient(layer.Index) + " = new " + _t + "[checked(batch * " + size + ")];");
                foreach (BufferSpec buffer in layer.Spec.ExtraBuffers(Context(layer)).Where(b => !b.IsPersistent))
                {
                    string length = buffer.LengthExpression ?? "checked(batch * " + Literals.Int(buffer.PerSample) + ")";
                    _w.Line(buffer.Field + " = new " + (buffer.IsIndex ? "int" : _t) + "[" + length + "];");
                }
            }
            _w.Line(Names.Capacity + " = batch;");
        }
        _w.Line();
        _w.Comment("The first batch samples of a [capacity × size] buffer.");
        _w.Line("private static " + Span + " " + Names.RowsMethod + "(" + _t + "[] buffer, int batch, int size) => new(buffer, 0, batch * size);");
        _w.Line();
    }

    // ---- Buffer references (aliasing layers read their input's buffer, as decided in the plan) ----

    /// <summary>
    /// The span holding the output of layer <paramref name="index"/>: its own buffer, or for Flatten (and for
    /// <paramref name="index"/> = -1) the buffer it aliases, down to the model input <paramref name="input"/>.
    /// </summary>
    private string OutputOf(int index, string input, string batch = "batch")
    {
        int holder = Flow.HolderOf(index);
        return holder < 0 ? input : Names.Rows(Names.Output(holder), batch, Layers[holder].Output.Size);
    }

    /// <summary>The span holding the model output.</summary>
    private string ModelOutput(string input, string batch = "batch") => OutputOf(Layers.Count - 1, input, batch);

    /// <summary>The span receiving the gradient with respect to the output of layer <paramref name="index"/>.</summary>
    private string GradientExpression(int index, string inputGradient)
    {
        int holder = Flow.HolderOf(index);
        return holder < 0 ? inputGradient : Names.Rows(Names.OutputGradient(holder), "batch", Layers[holder].Output.Size);
    }
}
