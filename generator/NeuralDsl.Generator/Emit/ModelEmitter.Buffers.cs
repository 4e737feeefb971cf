using System.Linq;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>The model's batch buffers: their fields, how they grow with the batch, and which one holds which tensor.</summary>
internal sealed partial class ModelEmitter
{
    private void WriteFields()
    {
        _w.Line("// Every trainable tensor, layer after layer in Keras layout, and the matching gradients.");
        _w.Line("private readonly " + _t + "[] _parameters = new " + _t + "[" + Literals.Int(_plan.ParameterCount) + "];");
        _w.Line("private readonly " + _t + "[] _gradients = new " + _t + "[" + Literals.Int(_plan.ParameterCount) + "];");
        if (HasState)
            _w.Line("private readonly " + _t + "[] _state = new " + _t + "[" + Literals.Int(_plan.StateCount) + "]; // moving statistics: updated in training, used in inference");
        _w.Line();
        _w.Line("// Batch buffers, [capacity × per-sample size]; grown on demand, never per call.");
        _w.Line("private int _capacity;");
        _w.Line("private int _batch;        // samples in the last forward pass");
        _w.Line("private bool _training;    // whether that pass ran in training mode");
        _w.Line("private bool _inputKept;   // whether it copied its input into _input (Forward does; Predict and ComputeGradients need not)");
        _w.Line("private " + _t + "[] _input = []; // " + Spec.InputShape.ToComment() + ", the input of the last Forward, for Backward");
        foreach (PlannedLayer layer in Layers.Where(l => !l.Spec.AliasesInput))
        {
            _w.Line("private " + _t + "[] " + Names.Output(layer.Index) + " = []; // " + layer.Output.ToComment() + " " + layer.Name + " output");
            _w.Line("private " + _t + "[] " + Names.OutputGradient(layer.Index) + " = []; // " + layer.Output.ToComment() + " gradient w.r.t. " + layer.Name + " output");
            foreach (BufferSpec buffer in layer.Spec.ExtraBuffers(layer))
            {
                string type = buffer.IsIndex ? "int" : _t;
                _w.Line(buffer.IsPersistent
                    ? "private readonly " + type + "[] " + buffer.Field + " = new " + type + "[" + buffer.LengthExpression + "]; // " + layer.Name + ": " + buffer.Comment
                    : "private " + type + "[] " + buffer.Field + " = []; // " + layer.Name + ": " + buffer.Comment);
            }
        }
        if (Layers.Any(l => l.Spec.UsesRandomNumbers))
            _w.Line("private global::NeuralDsl.Rng _rng; // dropout masks");
        _w.Line();
    }

    private void WriteCapacity()
    {
        _w.Line("// Grows every batch buffer to hold at least batch samples; a no-op once that batch size has been seen.");
        using (_w.Block("private void EnsureCapacity(int batch)"))
        {
            _w.Line("if (batch <= _capacity)");
            _w.Line("    return;");
            _w.Line("// checked: a batch so large that a buffer would pass int.MaxValue elements throws instead of wrapping.");
            _w.Line("_input = new " + _t + "[checked(batch * " + Literals.Int(_plan.InputSize) + ")];");
            foreach (PlannedLayer layer in Layers.Where(l => !l.Spec.AliasesInput))
            {
                string size = Literals.Int(layer.Output.Size);
                _w.Line(Names.Output(layer.Index) + " = new " + _t + "[checked(batch * " + size + ")];");
                _w.Line(Names.OutputGradient(layer.Index) + " = new " + _t + "[checked(batch * " + size + ")];");
                foreach (BufferSpec buffer in layer.Spec.ExtraBuffers(layer).Where(b => !b.IsPersistent))
                {
                    string length = buffer.LengthExpression ?? "checked(batch * " + Literals.Int(buffer.PerSample) + ")";
                    _w.Line(buffer.Field + " = new " + (buffer.IsIndex ? "int" : _t) + "[" + length + "];");
                }
            }
            _w.Line("_capacity = batch;");
        }
        _w.Line();
        _w.Line("// The first batch samples of a [capacity × size] buffer.");
        _w.Line("private static " + Span + " Rows(" + _t + "[] buffer, int batch, int size) => new(buffer, 0, batch * size);");
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
