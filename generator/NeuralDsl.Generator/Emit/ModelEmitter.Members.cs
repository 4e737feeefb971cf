using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>The model's public surface besides the passes: summary, constants, constructor, parameter views, <c>IModel</c>.</summary>
internal sealed partial class ModelEmitter
{
    // ---- Summary ----

    /// <summary>
    /// Keras' summary table. Its columns are 28, 25 and 9 characters wide (65 in all with the separating spaces) and,
    /// like Keras 3's, grow to fit their longest cell (plus one space before the next column), so rows stay aligned for
    /// long layer names and shapes; the rules span the table's width.
    /// </summary>
    private string SummaryText()
    {
        // A graph (named inputs, merges) gets Keras' functional layout: an InputLayer row and a "Connected to" column.
        bool graph = !_plan.IsChain;
        string inputName = Spec.InputName ?? "input_layer";
        var rows = Layers.Select(layer => (Name: layer.Name + " (" + layer.Spec.KerasType + ")", Shape: layer.Output.ToKeras(),
            Params: Literals.Count(layer.ParameterCount),
            Connected: string.Join(", ", layer.Inputs.Select(j => (j < 0 ? inputName : Layers[j].Name) + "[0][0]")))).ToList();
        if (graph)
            rows.Insert(0, (inputName + " (InputLayer)", Spec.InputShape.ToKeras(), "0", "-"));
        int nameWidth = Math.Max(28, rows.Select(r => r.Name.Length + 1).DefaultIfEmpty(0).Max());
        int shapeWidth = Math.Max(25, rows.Select(r => r.Shape.Length + 1).DefaultIfEmpty(0).Max());
        int paramWidth = Math.Max(9, rows.Select(r => r.Params.Length + (graph ? 1 : 0)).DefaultIfEmpty(0).Max());
        int connectedWidth = graph ? Math.Max(12, rows.Select(r => r.Connected.Length).Max()) : 0;
        int width = 1 + nameWidth + 1 + shapeWidth + 1 + paramWidth + (graph ? 1 + connectedWidth : 0);
        var sb = new StringBuilder();
        string rule = new string('_', width);
        string doubleRule = new string('=', width);
        sb.Append("Model: \"").Append(Spec.ModelName).Append("\"\n");
        sb.Append(rule).Append('\n');
        sb.Append(Row("Layer (type)", "Output Shape", "Param #", "Connected to")).Append('\n');
        sb.Append(doubleRule).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append(Row(rows[i].Name, rows[i].Shape, rows[i].Params, rows[i].Connected)).Append('\n');
            sb.Append(i == rows.Count - 1 ? doubleRule : rule).Append('\n');
        }
        if (rows.Count == 0)
            sb.Append(doubleRule).Append('\n');
        sb.Append("Total params: ").Append(Literals.Count(_plan.ParameterCount + _plan.StateCount)).Append('\n');
        sb.Append("Trainable params: ").Append(Literals.Count(_plan.ParameterCount)).Append('\n');
        sb.Append("Non-trainable params: ").Append(Literals.Count(_plan.StateCount)).Append('\n');
        sb.Append(rule).Append('\n');
        return sb.ToString();

        string Row(string name, string shape, string parameters, string connected) =>
            (" " + name.PadRight(nameWidth) + " " + shape.PadRight(shapeWidth) + " " +
             (graph ? parameters.PadRight(paramWidth) + " " + connected : parameters)).TrimEnd();
    }

    /// <summary>
    /// The class's XML doc: the model and its summary table, as <c>&lt;summary&gt;</c>, or as <c>&lt;remarks&gt;</c> when
    /// the user wrote a summary of their own (the compiler merges the partial declarations' docs, and two summaries
    /// would show as one run-on text or not at all).
    /// </summary>
    private void WriteClassDoc()
    {
        string element = Spec.HasUserSummary ? "remarks" : "summary";
        _w.Line("/// <" + element + ">");
        _w.Line("/// Sequential model <c>" + Spec.ModelName + "</c> (" + _t + "), loss " + Spec.Loss + ": " + Spec.InputShape + " → " + _plan.OutputShape + ".");
        _w.Line("/// <code>");
        foreach (string line in SummaryText().TrimEnd('\n').Split('\n'))
            _w.Line("/// " + Xml(line));
        _w.Line("/// </code>");
        _w.Line("/// </" + element + ">");
    }

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    // ---- Constants ----

    private void WriteConstants()
    {
        _w.DocSummary("Elements of one input sample, shape " + Spec.InputShape + ".");
        _w.Line("public const int InputSize = " + Literals.Int(_plan.InputSize) + ";");
        _w.Line();
        _w.DocSummary("Elements of one output sample, shape " + _plan.OutputShape + ".");
        _w.Line("public const int OutputSize = " + Literals.Int(_plan.OutputSize) + ";");
        _w.Line();
        _w.DocSummary("Elements of one target sample for " + Spec.Loss + ".");
        _w.Line("public const int TargetSize = " + Literals.Int(_plan.TargetSize) + ";");
        _w.Line();
        _w.DocSummary("Trainable parameters in all layers.");
        _w.Line("public const int ParameterCount = " + Literals.Int(_plan.ParameterCount) + ";");
        _w.Line();
        _w.DocSummary("The model name shown in the summary.");
        _w.Line("public const string ModelName = " + Literals.String(Spec.ModelName) + ";");
        _w.Line();
        _w.DocSummary("Keras-style summary: layers, output shapes and parameter counts.");
        _w.Line("public const string Summary = " + Literals.String(SummaryText()) + ";");
        _w.Line();
        _w.DocSummary("The per-sample input shape (the batch is the leading, run-time dimension).");
        _w.Line("public static global::System.ReadOnlySpan<int> InputShape => [" + string.Join(", ", Spec.InputShape.Dimensions) + "];");
        _w.Line();
        _w.DocSummary("The per-sample output shape.");
        _w.Line("public static global::System.ReadOnlySpan<int> OutputShape => [" + string.Join(", ", _plan.OutputShape.Dimensions) + "];");
        _w.Line();
        _w.DocSummary("Names, offsets and Keras-layout shapes of the tensors in <see cref=\"Parameters\"/>.");
        _w.ExpressionBody("public static global::System.Collections.Generic.IReadOnlyList<global::NeuralDsl.ParameterInfo> ParameterLayout", Names.ParameterLayout);
        _w.Line();
        _w.Line("private static readonly global::NeuralDsl.ParameterInfo[] " + Names.ParameterLayout + " =");
        _w.Line("[");
        _w.Indent();
        foreach (PlannedParameter p in Layers.SelectMany(l => l.Parameters).Where(p => !p.IsState))
            _w.Line("new(" + Literals.String(p.Name) + ", " + Literals.Int(p.Offset) + ", [" + string.Join(", ", p.Spec.Shape) + "]),");
        _w.Unindent();
        _w.Line("];");
        _w.Line();
        WriteLayerInfos();
        if (HasState)
        {
            _w.DocSummary("Non-trainable tensors saved with the weights (" + Literals.Count(_plan.StateCount) + " elements).");
            _w.Line("public const int StateCount = " + Literals.Int(_plan.StateCount) + ";");
            _w.Line();
            _w.DocSummary("Names, offsets and Keras-layout shapes of the non-trainable tensors in <see cref=\"State\"/>.");
            _w.ExpressionBody("public static global::System.Collections.Generic.IReadOnlyList<global::NeuralDsl.ParameterInfo> StateLayout", Names.StateLayout);
            _w.Line();
            _w.Line("private static readonly global::NeuralDsl.ParameterInfo[] " + Names.StateLayout + " =");
            _w.Line("[");
            _w.Indent();
            foreach (PlannedParameter p in Layers.SelectMany(l => l.Parameters).Where(p => p.IsState))
                _w.Line("new(" + Literals.String(p.Name) + ", " + Literals.Int(p.Offset) + ", [" + string.Join(", ", p.Spec.Shape) + "]),");
            _w.Unindent();
            _w.Line("];");
            _w.Line();
        }
    }

    /// <summary>
    /// The public <c>Layers</c>: one <c>LayerInfo</c> per layer after the <c>InputLayer</c>, with the Keras class and
    /// name, the tensors it reads, its output shape, its configuration (<see cref="LayerSpec.Config"/>) and its tensors.
    /// </summary>
    private void WriteLayerInfos()
    {
        string inputName = Spec.InputName ?? "input_layer";
        _w.DocSummary("The layers as data (Keras <c>get_config()</c>): the <c>InputLayer</c>, then every layer with the tensors it reads, its " +
            "output shape, configuration and parameter names; what exporters and importers walk.");
        _w.ExpressionBody("public static global::System.Collections.Generic.IReadOnlyList<global::NeuralDsl.LayerInfo> Layers", Names.LayerInfos);
        _w.Line();
        _w.Line("private static readonly global::NeuralDsl.LayerInfo[] " + Names.LayerInfos + " =");
        _w.Line("[");
        _w.Indent();
        _w.Line("new(" + Literals.String(inputName) + ", \"InputLayer\", [], [" + string.Join(", ", Spec.InputShape.Dimensions) +
            "], global::NeuralDsl.LayerConfig.Empty, [], []),");
        foreach (PlannedLayer layer in Layers)
        {
            string inputs = string.Join(", ", layer.Inputs.Select(j => Literals.String(j < 0 ? inputName : Layers[j].Name)));
            string parameters = string.Join(", ", layer.Parameters.Where(p => !p.IsState).Select(p => Literals.String(p.Name)));
            string state = string.Join(", ", layer.Parameters.Where(p => p.IsState).Select(p => Literals.String(p.Name)));
            _w.Line("new(" + Literals.String(layer.Name) + ", " + Literals.String(layer.Spec.KerasType) + ", [" + inputs + "], [" +
                string.Join(", ", layer.Output.Dimensions) + "],");
            _w.Indent();
            List<string> config = ConfigEntry.Lines(layer.Spec.Config, 96);
            if (config.Count == 0)
            {
                _w.Line("global::NeuralDsl.LayerConfig.Empty,");
            }
            else if (config.Count == 1 && config[0].Length <= 72)
            {
                _w.Line("new global::NeuralDsl.LayerConfig(" + config[0] + "),");
            }
            else
            {
                _w.Line("new global::NeuralDsl.LayerConfig(");
                _w.Indent();
                for (int i = 0; i < config.Count; i++)
                    _w.Line(config[i] + (i == config.Count - 1 ? ")," : ""));
                _w.Unindent();
            }
            string tensors = "[" + parameters + "], [" + state + "]),";
            if (tensors.Length <= 96)
            {
                _w.Line(tensors);
            }
            else
            {
                // Long names (attention, Bidirectional): the parameter list wraps, the state list follows it.
                _w.Line("[");
                _w.Indent();
                foreach (string line in ConfigEntry.Pack(layer.Parameters.Where(p => !p.IsState).Select(p => Literals.String(p.Name)), 96))
                    _w.Line(line);
                _w.Unindent();
                _w.Line("], [" + state + "]),");
            }
            _w.Unindent();
        }
        _w.Unindent();
        _w.Line("];");
        _w.Line();
    }

    // ---- Construction and views ----

    private void WriteConstructor()
    {
        _w.DocSummary("Creates the model with Keras-default initialization drawn deterministically from <paramref name=\"seed\"/>.");
        using (_w.Block("public " + Spec.ClassName + "(int seed = 0)"))
        {
            _w.Line("var rng = new global::NeuralDsl.Rng((ulong)seed);");
            foreach (PlannedParameter p in Layers.SelectMany(l => l.Parameters))
            {
                _w.Comment(p.Name + " " + Shape.Format(p.Spec.Shape) + ": " + p.Spec.Initializer + FansComment(p.Spec));
                _w.Call("global::NeuralDsl.Initializers.Fill",
                    [Names.ParameterView(p), "global::NeuralDsl.Initializer." + p.Spec.Initializer, Literals.Int(p.Spec.FanIn), Literals.Int(p.Spec.FanOut), "ref rng"]);
                if (p.Spec.OnesLength > 0)
                {
                    _w.Comment("unit_forget_bias: elements " + Literals.Int(p.Spec.OnesStart) + ".." + Literals.Int(p.Spec.OnesStart + p.Spec.OnesLength - 1) + " (the forget gate) start at 1");
                    _w.Line(Names.ParameterView(p) + ".Slice(" + Literals.Int(p.Spec.OnesStart) + ", " + Literals.Int(p.Spec.OnesLength) + ").Fill(1);");
                }
            }
            if (Layers.Any(l => l.Spec.UsesRandomNumbers))
                _w.Line(Names.Rng + " = new global::NeuralDsl.Rng(rng.NextUInt64());");
            _w.Line(Names.TrainingWorkspace + " = new " + Names.Workspace + "(this);");
            _w.Line(Names.PredictWorkspaces + " = new(() => new " + Names.Workspace + "(this));");
        }
        _w.Line();
    }

    private void WriteParameterViews()
    {
        foreach (PlannedParameter p in Layers.SelectMany(l => l.Parameters))
        {
            string name = Names.ParameterView(p);
            string range = Literals.Int(p.Offset) + ", " + Literals.Int(p.Length);
            if (p.IsState)
            {
                _w.DocSummary("<c>" + p.Name + "</c> " + Shape.Format(p.Spec.Shape) + ", non-trainable, a view into <see cref=\"State\"/>.");
                _w.Line("public " + Span + " " + name + " => new(" + Names.State + ", " + range + ");");
                _w.Line();
                continue;
            }
            _w.DocSummary("<c>" + p.Name + "</c> " + Shape.Format(p.Spec.Shape) + ", a view into <see cref=\"Parameters\"/>.");
            _w.Line("public " + Span + " " + name + " => new(" + Names.Parameters + ", " + range + ");");
            _w.Line();
            _w.DocSummary("Gradient of <c>" + p.Name + "</c> " + Shape.Format(p.Spec.Shape) + ", a view into <see cref=\"Gradients\"/>.");
            _w.Line("public " + Span + " " + Names.GradientView(p) + " => new(" + Names.Gradients + ", " + range + ");");
            _w.Line();
        }
        _w.DocSummary("Every trainable parameter (" + Literals.Count(_plan.ParameterCount) + "), layer after layer, each tensor in Keras layout.");
        _w.Line("public " + Span + " Parameters => " + Names.Parameters + ";");
        _w.Line();
        _w.DocSummary("Gradients matching <see cref=\"Parameters\"/>.");
        _w.Line("public " + Span + " Gradients => " + Names.Gradients + ";");
        _w.Line();
        _w.DocSummary("Keras <c>model.trainable</c> at run time. While false, Backward and ComputeGradients compute only input gradients " +
            "(no parameter-gradient work; <see cref=\"Gradients\"/> are left as they are), TrainStep updates nothing, and " +
            "BatchNormalization runs in inference mode: a GAN's discriminator while the generator trains through it. " +
            (Spec.Trainable
                ? "Layers declared with <c>Trainable = false</c> stay frozen either way."
                : "This model is frozen at compile time (<c>[Sequential(Trainable = false)]</c>): it has no trainable parameter, whatever this says."));
        _w.Line("public bool " + Names.RuntimeTrainable + " { get; set; } = " + (Spec.Trainable ? "true" : "false") + ";");
        _w.Line();
        _w.DocSummary("Threads this model's calls may use, the calling thread included: <see cref=\"global::NeuralDsl.NeuralDslThreads.MaxThreads\"/> " +
            "until set; 0 follows the process setting again. Results are the same bits for every count.");
        using (_w.Block("public int MaxThreads"))
        {
            _w.Line("get => " + Names.MaxThreads + " > 0 ? " + Names.MaxThreads + " : global::NeuralDsl.NeuralDslThreads.MaxThreads;");
            _w.Line("set => " + Names.MaxThreads + " = global::NeuralDsl.NeuralDslThreads.CheckModelSetting(value);");
        }
        _w.Line();
        if (HasState)
        {
            _w.DocSummary("Non-trainable state (" + Literals.Count(_plan.StateCount) + "), saved with the weights.");
            _w.Line("public " + Span + " State => " + Names.State + ";");
            _w.Line();
        }
        _w.DocSummary("The output of the last Forward or ComputeGradients, [batch × " + Literals.Int(_plan.OutputSize) + "] (Predict runs on " +
            "buffers of its own).");
        _w.Line("public " + ReadOnlySpan + " LastOutput => " + Names.TrainingWorkspace + "." + Names.Private("LastOutput") + ";");
        _w.Line();
    }

    // ---- Interface ----

    private void WriteInterfaceMembers()
    {
        _w.Line("string " + Interface + ".Name => ModelName;");
        _w.Line("int " + Interface + ".InputSize => InputSize;");
        _w.Line("int " + Interface + ".OutputSize => OutputSize;");
        _w.Line("int " + Interface + ".TargetSize => TargetSize;");
        _w.Line("int " + Interface + ".OutputLastAxis => " + Literals.Int(_plan.OutputShape.Last) + ";");
        _w.Line("global::NeuralDsl.Loss " + Interface + ".Loss => " + LossName + ";");
        _w.Line("string " + Interface + ".Summary => Summary;");
        _w.ExpressionBody("global::System.Collections.Generic.IReadOnlyList<global::NeuralDsl.ParameterInfo> " + Interface + ".ParameterLayout",
            Names.ParameterLayout);
        if (HasState)
            _w.ExpressionBody("global::System.Collections.Generic.IReadOnlyList<global::NeuralDsl.ParameterInfo> " + Interface + ".StateLayout", Names.StateLayout);
        _w.ExpressionBody("global::System.Collections.Generic.IReadOnlyList<global::NeuralDsl.LayerInfo> " + Interface + ".Layers", Names.LayerInfos);
        _w.Line();
    }

    /// <summary>The fans an initializer's scale is computed from, for its comment; nothing for those that use none.</summary>
    private static string FansComment(ParameterSpec p) => p.Initializer switch
    {
        Initializer.GlorotUniform or Initializer.GlorotNormal => " (fan in " + Literals.Int(p.FanIn) + ", fan out " + Literals.Int(p.FanOut) + ")",
        Initializer.HeUniform or Initializer.HeNormal or Initializer.LecunUniform or Initializer.LecunNormal => " (fan in " + Literals.Int(p.FanIn) + ")",
        _ => "",
    };
}
