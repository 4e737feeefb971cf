using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// The <c>int</c> token-id overloads of a model whose first layer takes token ids (Embedding): each checks the ids,
/// writes them exactly into the workspace's input buffer in the element type, and runs the usual pass on it, so they
/// allocate nothing more than the element-type calls.
/// </summary>
internal sealed partial class ModelEmitter
{
    /// <summary>The vocabulary of the first layer when it takes token ids, else null (no overloads).</summary>
    private int? TokenVocabulary => Layers.Count > 0 ? Layers[0].Spec.TokenVocabulary : null;

    private const string IntSpan = "global::System.ReadOnlySpan<int>";

    /// <summary>
    /// In <c>Forward</c> of a token-id model: the ids checked before the pass keeps its input, so a rejected call leaves
    /// what <c>Backward</c> reads untouched.
    /// </summary>
    private void WriteTokenIdCheck()
    {
        if (TokenVocabulary is not int vocabulary)
            return;
        _w.Comment("Token ids checked before the input is kept: a rejected call leaves the last Forward for Backward.");
        _w.Call("global::NeuralDsl.Embedding.CheckIds", ["input", Literals.Named("steps", _plan.InputSize), Literals.Named("inputDim", vocabulary), "nameof(input)"]);
    }

    private void WriteTokenIdPasses()
    {
        if (TokenVocabulary is not int vocabulary)
            return;
        string t = _t;
        string range = "[0, " + Literals.Int(vocabulary) + ")";
        _w.DocSummary("Inference on token ids: <paramref name=\"tokenIds\"/> is [batch × " + Literals.Int(_plan.InputSize) + "], each in " + range +
            " (an id outside throws, naming its row and position), <paramref name=\"output\"/> [batch × " + Literals.Int(_plan.OutputSize) +
            "]. Safe from many threads at once; allocates nothing once the thread has seen the batch size.");
        using (_w.Method("public void Predict", [IntSpan + " tokenIds", Span + " output"]))
        {
            _w.Call("int batch = global::NeuralDsl.Batches.Count", ["tokenIds.Length", "InputSize", "nameof(tokenIds)"]);
            WriteGraphCheck("Predict");
            WriteCheckLength("output", "OutputSize", "OutputShape");
            WriteInCallState(Names.EnterPredict, Names.ExitPredict,
                Names.PredictWorkspaces + ".Value!." + Names.Private("PredictIds") + "(tokenIds, output, batch);");
        }
        _w.Line();
        _w.DocSummary("Inference on token ids, returning a new array of [batch × " + Literals.Int(_plan.OutputSize) + "].");
        using (_w.Method("public " + t + "[] Predict", [IntSpan + " tokenIds"]))
        {
            _w.Line("var output = new " + t + "[global::NeuralDsl.Batches.Count(tokenIds.Length, InputSize, nameof(tokenIds)) * OutputSize];");
            _w.Line("Predict(tokenIds, output);");
            _w.Line("return output;");
        }
        _w.Line();
        if (Spec.Loss == Loss.None)
            return;

        _w.DocSummary("<c>ComputeGradients</c> on token ids, each in " + range + " (an id outside throws before anything moves).");
        using (_w.Method("public " + t + " ComputeGradients", [IntSpan + " tokenIds", ReadOnlySpan + " target"]))
        {
            _w.Call("int batch = global::NeuralDsl.Batches.Count", ["tokenIds.Length", "InputSize", "nameof(tokenIds)"]);
            WriteGraphCheck("ComputeGradients");
            WriteTargetChecks();
            WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                "return " + Names.TrainingWorkspace + "." + Names.Private("ComputeGradientsIds") + "(tokenIds, target, batch);");
        }
        _w.Line();
        _w.DocSummary("One training step on token ids (each in " + range + "): <c>ComputeGradients</c> on them, then " +
            "<paramref name=\"optimizer\"/> updates the parameters. Returns the batch loss.");
        using (_w.Method("public " + t + " TrainStep", [IntSpan + " tokenIds", ReadOnlySpan + " target", "global::NeuralDsl.Optimizer optimizer"]))
        {
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            _w.Call("int batch = global::NeuralDsl.Batches.Count", ["tokenIds.Length", "InputSize", "nameof(tokenIds)"]);
            WriteGraphCheck("TrainStep");
            WriteTargetChecks();
            WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                t + " loss = " + Names.TrainingWorkspace + "." + Names.Private("ComputeGradientsIds") + "(tokenIds, target, batch);",
                OptimizerStep,
                "return loss;");
        }
        _w.Line();
    }

    /// <summary>The workspace side: ids checked and converted into the input buffer, then the element-type pass.</summary>
    private void WriteTokenIdWorkspacePasses()
    {
        if (TokenVocabulary is not int vocabulary)
            return;
        string convert = "global::NeuralDsl.Embedding.ConvertIds";
        string[] convertArguments = ["tokenIds", "ids", Literals.Named("steps", _plan.InputSize), Literals.Named("inputDim", vocabulary), "nameof(tokenIds)"];

        _w.Comment("Predict on token ids: checked and written exactly into " + Names.Input + " (Predict keeps no input there), then Predict's pass.");
        using (_w.Method("public void " + Names.Private("PredictIds"), [IntSpan + " tokenIds", Span + " output", "int batch"]))
        {
            _w.Line(Names.EnsureCapacity + "(batch);");
            _w.Line("var ids = " + Names.RowsMethod + "(" + Names.Input + ", batch, InputSize);");
            _w.Call(convert, convertArguments);
            _w.Line(Names.Private("Predict") + "(ids, output, batch);");
        }
        _w.Line();
        if (Spec.Loss == Loss.None)
            return;

        _w.Comment("ComputeGradients on token ids, the same way (it keeps no input either).");
        using (_w.Method("public " + _t + " " + Names.Private("ComputeGradientsIds"), [IntSpan + " tokenIds", ReadOnlySpan + " target", "int batch"]))
        {
            _w.Line(Names.EnsureCapacity + "(batch);");
            _w.Line("var ids = " + Names.RowsMethod + "(" + Names.Input + ", batch, InputSize);");
            _w.Call(convert, convertArguments);
            _w.Line("return " + Names.Private("ComputeGradients") + "(ids, target, batch);");
        }
        _w.Line();
    }
}
