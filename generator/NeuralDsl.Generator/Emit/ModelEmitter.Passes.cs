using System.Linq;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>The public passes (Predict, Forward, Backward, ComputeGradients, TrainStep) and the forward chain they share.</summary>
internal sealed partial class ModelEmitter
{
    // ---- Public passes ----

    private string LossName => "global::NeuralDsl.Loss." + Spec.Loss;

    /// <summary>The optimizer's update, skipped while the model is switched to <c>Trainable = false</c>.</summary>
    private string OptimizerStep =>
        "if (" + Names.RuntimeTrainable + ") optimizer.Step<" + _t + ">(" + Names.Parameters + ", " + Names.Gradients + ");";

    /// <summary>
    /// <c>int batch = Batches.Count(input.Length, InputSize, nameof(input));</c>, then, in a graph model, the check that
    /// the graph is set and the batch is its nodes (naming <paramref name="call"/>).
    /// </summary>
    private void WriteBatchCount(string call)
    {
        _w.Call("int batch = global::NeuralDsl.Batches.Count", ["input.Length", "InputSize", "nameof(input)"]);
        WriteGraphCheck(call);
    }

    /// <summary>A <c>Batches.CheckLength</c> of a span against <c>batch</c> samples of <paramref name="size"/> elements.</summary>
    private void WriteCheckLength(string span, string size, string shape) =>
        _w.Call("global::NeuralDsl.Batches.CheckLength", [span + ".Length", "batch * " + size, "nameof(" + span + ")", "batch", shape]);

    private void WritePublicPasses()
    {
        string t = _t;
        _w.DocSummary("Inference on a batch: <paramref name=\"input\"/> is [batch × " + Literals.Int(_plan.InputSize) + "], <paramref name=\"output\"/> [batch × " +
            Literals.Int(_plan.OutputSize) + "]. Safe from many threads at once (each thread has its own buffers); allocates nothing once " +
            "the thread has seen the batch size.");
        using (_w.Method("public void Predict", [ReadOnlySpan + " input", Span + " output"]))
        {
            WriteBatchCount("Predict");
            WriteCheckLength("output", "OutputSize", "OutputShape");
            WriteInCallState(Names.EnterPredict, Names.ExitPredict,
                Names.PredictWorkspaces + ".Value!." + Names.Private("Predict") + "(input, output, batch);");
        }
        _w.Line();
        _w.DocSummary("Inference on a batch, returning a new array of [batch × " + Literals.Int(_plan.OutputSize) + "].");
        using (_w.Method("public " + t + "[] Predict", [ReadOnlySpan + " input"]))
        {
            _w.Line("var output = new " + t + "[global::NeuralDsl.Batches.Count(input.Length, InputSize, nameof(input)) * OutputSize];");
            _w.Line("Predict(input, output);");
            _w.Line("return output;");
        }
        _w.Line();
        _w.DocSummary("Inference on a tensor of shape [batch, " + string.Join(", ", Spec.InputShape.Dimensions) + "]; returns [batch, " +
            string.Join(", ", _plan.OutputShape.Dimensions) + "].");
        _w.ExpressionBody("public global::System.Numerics.Tensors.Tensor<" + t + "> Predict(global::System.Numerics.Tensors.Tensor<" + t + "> input)",
            "global::NeuralDsl.Batches.Predict(this, input, InputShape, OutputShape)");
        _w.Line();
        WriteTokenIdPasses();

        _w.DocSummary("Forward pass that keeps what <see cref=\"Backward\"/> needs; <paramref name=\"training\"/> turns dropout on.");
        using (_w.Method("public void Forward", [ReadOnlySpan + " input", Span + " output", "bool training"]))
        {
            WriteBatchCount("Forward");
            WriteCheckLength("output", "OutputSize", "OutputShape");
            WriteTokenIdCheck();
            WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                Names.TrainingWorkspace + "." + Names.Private("Forward") + "(input, output, batch, training);");
        }
        _w.Line();

        _w.DocSummary("Back-propagates <paramref name=\"outputGradient\"/> through the last <see cref=\"Forward\"/>: adds the parameter gradients to " +
            "<see cref=\"Gradients\"/> and writes the gradient with respect to the input into <paramref name=\"inputGradient\"/>.");
        using (_w.Method("public void Backward", [ReadOnlySpan + " outputGradient", Span + " inputGradient"]))
        {
            WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                Names.TrainingWorkspace + "." + Names.Private("Backward") + "(outputGradient, inputGradient);");
        }
        _w.Line();

        _w.DocSummary("Sets every gradient to zero.");
        _w.Line("public void ZeroGradients() => global::System.Array.Clear(" + Names.Gradients + ");");
        _w.Line();

        _w.DocSummary("Forward (training mode), " + Spec.Loss + " and backward on one batch: overwrites <see cref=\"Gradients\"/> with the " +
            "gradient of the mean loss and returns that loss. <paramref name=\"target\"/> is [batch × " + Literals.Int(_plan.TargetSize) + "].");
        using (_w.Method("public " + t + " ComputeGradients", [ReadOnlySpan + " input", ReadOnlySpan + " target"]))
        {
            if (Spec.Loss == Loss.None)
            {
                _w.Call("throw new global::System.InvalidOperationException",
                    ["\"Model '" + Spec.ModelName + "' was declared without a loss: set [Sequential(Loss = ...)] to train it.\""]);
            }
            else
            {
                WriteBatchCount("ComputeGradients");
                WriteTargetChecks();
                WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                    "return " + Names.TrainingWorkspace + "." + Names.Private("ComputeGradients") + "(input, target, batch);");
            }
        }
        _w.Line();

        // With the token-id or node-mask overloads, a bare cref to ComputeGradients would be ambiguous (CS0419).
        string computeGradients = TokenVocabulary is null && !HasGraph ? "<see cref=\"ComputeGradients\"/>" : "<c>ComputeGradients</c>";
        _w.DocSummary("One training step: " + computeGradients + ", then <paramref name=\"optimizer\"/> updates the parameters. " +
            "Returns the batch loss.");
        using (_w.Method("public " + t + " TrainStep", [ReadOnlySpan + " input", ReadOnlySpan + " target", "global::NeuralDsl.Optimizer optimizer"]))
        {
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            if (Spec.Loss == Loss.None)
            {
                _w.Line(t + " loss = ComputeGradients(input, target);");
                _w.Line(OptimizerStep);
                _w.Line("return loss;");
            }
            else
            {
                WriteBatchCount("TrainStep");
                WriteTargetChecks();
                WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                    t + " loss = " + Names.TrainingWorkspace + "." + Names.Private("ComputeGradients") + "(input, target, batch);",
                    OptimizerStep,
                    "return loss;");
            }
        }
        _w.Line();
    }

    // Length and values of the target, checked before the forward pass: a rejected target leaves the moving statistics
    // and the dropout stream untouched.
    private void WriteTargetChecks()
    {
        _w.Call("global::NeuralDsl.Batches.CheckTargetLength", ["target.Length", "(long)batch * TargetSize", "nameof(target)", "batch", "TargetSize"]);
        _w.Call("global::NeuralDsl.Losses.ValidateTargets", [LossName, "target", "TargetSize", Literals.Int(_plan.OutputShape.Last), "nameof(target)"]);
    }

    // enter(); try { body } finally { exit(); }: the call state admits the call before it touches anything and
    // releases it however the body ends. The body runs with the model's thread count when one is set.
    private void WriteInCallState(string enter, string exit, params string[] body)
    {
        _w.Line(enter + "();");
        using (_w.Block("try"))
        {
            _w.Line("using var __threads = global::NeuralDsl.NeuralDslThreads.Limit(" + Names.MaxThreads + ");");
            foreach (string line in body)
                _w.Line(line);
        }
        using (_w.Block("finally"))
            _w.Line(exit + "();");
    }

    /// <summary>
    /// The guards that keep one instance consistent under threads: any number of Predicts at once, or one training call
    /// alone; a call that would break that throws instead of corrupting buffers or reading half-updated weights.
    /// </summary>
    private void WriteCallGuards()
    {
        string interlocked = "global::System.Threading.Interlocked";
        _w.Comment("A training call runs alone: it takes the instance from idle (0) to -1, or throws.");
        using (_w.Block("private void " + Names.EnterTraining + "()"))
        {
            _w.Line("if (" + interlocked + ".CompareExchange(ref " + Names.CallState + ", -1, 0) != 0)");
            _w.Line("    throw new global::System.InvalidOperationException(");
            _w.Line("        \"Model '" + Spec.ModelName + "' is already running a call on another thread: training calls (Forward, Backward, \" +");
            _w.Line("        \"ComputeGradients, TrainStep) run alone; Predict may run on many threads at once.\");");
        }
        _w.Line();
        _w.Line("private void " + Names.ExitTraining + "() => global::System.Threading.Volatile.Write(ref " + Names.CallState + ", 0);");
        _w.Line();
        _w.Comment("Predicts count themselves in, so a training call cannot start while one runs; none starts during training.");
        using (_w.Block("private void " + Names.EnterPredict + "()"))
        {
            using (_w.Block("while (true)"))
            {
                _w.Line("int state = global::System.Threading.Volatile.Read(ref " + Names.CallState + ");");
                _w.Line("if (state < 0)");
                _w.Line("    throw new global::System.InvalidOperationException(");
                _w.Line("        \"Model '" + Spec.ModelName + "' is running a training call on another thread: Predict waits for no one and \" +");
                _w.Line("        \"would read half-updated weights.\");");
                _w.Line("if (" + interlocked + ".CompareExchange(ref " + Names.CallState + ", state + 1, state) == state)");
                _w.Line("    return;");
            }
        }
        _w.Line();
        _w.Line("private void " + Names.ExitPredict + "() => " + interlocked + ".Decrement(ref " + Names.CallState + ");");
        _w.Line();
    }

    // ---- Workspace passes (the bodies the public passes run on a workspace) ----

    private void WriteWorkspacePasses()
    {
        string output = ModelOutput("input");

        _w.Comment("Predict's pass on this thread's buffers; the arguments were checked.");
        using (_w.Method("public void " + Names.Private("Predict"), [ReadOnlySpan + " input", Span + " output", "int batch"]))
        {
            _w.Line(Names.EnsureCapacity + "(batch);");
            _w.Line(Names.InputKept + " = false;");
            _w.Line(Names.ForwardCore + "(input, batch, training: false);");
            _w.Line(output + ".CopyTo(output);");
        }
        _w.Line();

        using (_w.Method("public void " + Names.Private("Forward"), [ReadOnlySpan + " input", Span + " output", "int batch", "bool training"]))
        {
            _w.Line(Names.EnsureCapacity + "(batch);");
            _w.Line("var kept = " + Names.RowsMethod + "(" + Names.Input + ", batch, InputSize);");
            _w.Line("input.CopyTo(kept);");
            _w.Line(Names.InputKept + " = true;");
            _w.Line(Names.ForwardCore + "(kept, batch, training);");
            _w.Line(ModelOutput("kept") + ".CopyTo(output);");
        }
        _w.Line();

        using (_w.Method("public void " + Names.Private("Backward"), [ReadOnlySpan + " outputGradient", Span + " inputGradient"]))
        {
            _w.Line("if (!" + Names.InputKept + ")");
            _w.Line("    throw new global::System.InvalidOperationException(");
            _w.Line("        \"Backward follows Forward: call Forward(input, output, training) first \" +");
            _w.Line("        \"(Predict and ComputeGradients do not keep the input).\");");
            _w.Line("int batch = " + Names.Batch + ";");
            WriteCheckLength("outputGradient", "OutputSize", "OutputShape");
            WriteCheckLength("inputGradient", "InputSize", "InputShape");
            _w.Line("var input = " + Names.RowsMethod + "(" + Names.Input + ", batch, InputSize);");
            if (Flow.LastComputingLayer >= 0)
            {
                _w.Line("outputGradient.CopyTo(" + GradientExpression(Layers.Count - 1, "inputGradient") + ");");
                WriteBackwardChain(Layers.Count - 1, "input", "inputGradient");
            }
            else
            {
                _w.Line("outputGradient.CopyTo(inputGradient);");
            }
        }
        _w.Line();

        if (Spec.Loss != Loss.None)
        {
            WriteComputeGradients(masked: false);
            if (HasGraph)
                WriteComputeGradients(masked: true);
        }
        WriteTokenIdWorkspacePasses();

        _w.DocSummary("The output of the last forward pass on this workspace, [batch × " + Literals.Int(_plan.OutputSize) + "].");
        _w.Line("public " + ReadOnlySpan + " " + Names.Private("LastOutput") + " => " +
            ModelOutput(Names.Rows(Names.Input, Names.Batch, _plan.InputSize), Names.Batch) + ";");
        _w.Line();
    }

    /// <summary>
    /// The workspace's ComputeGradients; <paramref name="masked"/> writes the graph models' overload with a node mask
    /// (<c>__ComputeGradientsMasked</c>): the loss and its gradient come from <c>NodeMask</c>, the rest is the same.
    /// </summary>
    private void WriteComputeGradients(bool masked)
    {
        string[] parameters = masked
            ? [ReadOnlySpan + " input", ReadOnlySpan + " target", "global::System.ReadOnlySpan<bool> mask", "int batch"]
            : [ReadOnlySpan + " input", ReadOnlySpan + " target", "int batch"];
        using (_w.Method("public " + _t + " " + Names.Private(masked ? "ComputeGradientsMasked" : "ComputeGradients"), parameters))
        {
            int last = Layers.Count - 1;
            int lastAxis = _plan.OutputShape.Last;
            _w.Line(Names.EnsureCapacity + "(batch);");
            _w.Line(Names.InputKept + " = false;");
            _w.Line(Names.ForwardCore + "(input, batch, training: true);");
            _w.Line("var output = " + ModelOutput("input") + ";");
            if (masked)
            {
                _w.Comment("The mean loss over the labelled nodes only; the other nodes' targets are never read.");
                _w.Call(_t + " loss = global::NeuralDsl.NodeMask.MeanLoss", [LossName, "output", "target", "mask", Literals.Int(lastAxis)]);
            }
            else
            {
                _w.Call(_t + " loss = global::NeuralDsl.Losses.Compute", [LossName, "output", "target", Literals.Int(lastAxis)]);
            }
            _w.Line("global::System.Array.Clear(" + Names.OnModel(Names.Gradients) + ");");
            if (Flow.LastComputingLayer < 0)
            {
                _w.Line("return loss;");
                return;
            }

            if (Flow.FusedLoss != FusedLoss.None)
            {
                PlannedLayer lastLayer = Layers[last];
                string? method = lastLayer.Spec.PreActivationBackwardMethod(lastLayer);
                // The fused gradient is with respect to the pre-activation: the layer's own buffer if it continues from
                // there (Dense), else the gradient of its input (an Activation layer is skipped entirely).
                string target = method is not null ? GradientExpression(last, "default") : GradientExpression(lastLayer.InputIndex, "default");
                if (target != "default") // a lone Activation layer has no parameters and needs no gradient
                {
                    if (masked)
                    {
                        _w.Comment("Fused " + lastLayer.Spec.FinalActivation + " + " + Spec.Loss + ": dL/dz = (p − y) / labelled on labelled nodes, 0 elsewhere.");
                        _w.Call("global::NeuralDsl.NodeMask.Gradient", [LossName, "fusedWithActivation: true", "output", "target", "mask", target, Literals.Int(lastAxis)]);
                    }
                    else
                    {
                        _w.Comment("Fused " + lastLayer.Spec.FinalActivation + " + " + Spec.Loss + ": dL/dz = (p − y) / n, without the activation's Jacobian.");
                        _w.Call(FusedLossGradientCall(Flow.FusedLoss), ["output", "target", target, Literals.Int(lastAxis)]);
                    }
                }
                if (method is not null)
                {
                    // Only element-wise single-input layers continue from a pre-activation: the last layer reads its
                    // input first of all readers of it in the backward pass, so it writes that gradient directly.
                    string x = OutputOf(lastLayer.InputIndex, "input");
                    string dx = lastLayer.InputIndex < 0 ? "default" : GradientExpression(lastLayer.InputIndex, "default");
                    _w.Call(method, [x, target, dx, "batch"]);
                }
                if (last > 0)
                    WriteBackwardChain(last - 1, "input", "default");
            }
            else
            {
                if (masked)
                {
                    _w.Call("global::NeuralDsl.NodeMask.Gradient",
                        [LossName, "fusedWithActivation: false", "output", "target", "mask", GradientExpression(last, "default"), Literals.Int(lastAxis)]);
                }
                else
                {
                    _w.Call("global::NeuralDsl.Losses.Gradient", [LossName, "output", "target", GradientExpression(last, "default"), Literals.Int(lastAxis)]);
                }
                WriteBackwardChain(last, "input", "default");
            }
            _w.Line("return loss;");
        }
        _w.Line();
    }

    /// <summary>The runtime method computing the fused gradient the plan chose.</summary>
    private static string FusedLossGradientCall(FusedLoss fused) => fused switch
    {
        FusedLoss.SigmoidBinaryCrossEntropy => "global::NeuralDsl.Losses.SigmoidBinaryCrossEntropyGradient",
        FusedLoss.SoftmaxCategoricalCrossEntropy => "global::NeuralDsl.Losses.SoftmaxCategoricalCrossEntropyGradient",
        FusedLoss.SoftmaxSparseCategoricalCrossEntropy => "global::NeuralDsl.Losses.SoftmaxSparseCategoricalCrossEntropyGradient",
        _ => throw new System.ArgumentOutOfRangeException(nameof(fused), fused, "No fused gradient."),
    };

    /// <summary>
    /// Calls each layer's backward method from <paramref name="from"/> down to the first layer. Where a tensor feeds
    /// several layers, the plan sends all but its last reader's gradient through the scratch, added here after the call.
    /// </summary>
    private void WriteBackwardChain(int from, string input, string inputGradient)
    {
        // With no input gradient to deliver (ComputeGradients), the chain ends at the lowest layer that trains: frozen and
        // parameter-free layers below it would only compute gradients nobody reads.
        int lowest = inputGradient == "default" ? LowestTrainedLayer() : 0;
        for (int i = from; i >= lowest; i--)
        {
            PlannedLayer layer = Layers[i];
            if (layer.Spec.AliasesInput)
                continue;
            var arguments = new System.Collections.Generic.List<string>();
            var additions = new System.Collections.Generic.List<(string Target, string Scratch)>();
            for (int k = 0; k < layer.Inputs.Count; k++)
                arguments.Add(OutputOf(layer.Inputs[k], input));
            arguments.Add(GradientExpression(i, inputGradient));
            bool noGradient = false;
            for (int k = 0; k < layer.Inputs.Count; k++)
            {
                string target = GradientExpression(layer.Inputs[k], inputGradient);
                int offset = Flow.ScratchOffset(i, k);
                if (target == "default" || offset < 0)
                {
                    noGradient |= target == "default";
                    arguments.Add(target);
                    continue;
                }
                string scratch = ScratchSpan(offset, layer.InputShapes[k].Size);
                arguments.Add(scratch);
                additions.Add((target, scratch));
            }
            arguments.Add("batch");
            if (noGradient)
                _w.Comment(layer.Inputs.Count == 1 ? "The first layer: no input gradient needed." : "The model input needs no gradient.");
            _w.Call(Names.LayerMethod(i) + "Backward", arguments);
            if (additions.Count > 0)
                _w.Comment("Read by several layers: this gradient adds to what the later readers wrote.");
            foreach ((string target, string scratch) in additions)
                _w.Call("global::System.Numerics.Tensors.TensorPrimitives.Add", [target, scratch, target]);
        }
    }

    /// <summary>A [batch × size] part of the gradient scratch starting at <paramref name="offset"/> elements per sample.</summary>
    private string ScratchSpan(int offset, int size)
    {
        string all = Names.Rows(Names.GradientScratch, "batch", Flow.ScratchSize);
        return offset == 0 && size == Flow.ScratchSize ? all
            : all + ".Slice(" + (offset == 0 ? "0" : "batch * " + Literals.Int(offset)) + ", batch * " + Literals.Int(size) + ")";
    }

    /// <summary>The first layer owning a trainable tensor; past the last layer when every layer is frozen.</summary>
    private int LowestTrainedLayer()
    {
        foreach (PlannedLayer layer in Layers)
        {
            foreach (PlannedParameter p in layer.Parameters)
            {
                if (!p.IsState)
                    return layer.Index;
            }
        }
        return Layers.Count;
    }

    // ---- Private passes ----

    private void WriteForwardCore()
    {
        _w.Comment("The whole forward pass, one call per layer; x is [batch × " + Literals.Int(_plan.InputSize) + "].");
        using (_w.Block("private void " + Names.ForwardCore + "(" + ReadOnlySpan + " x, int batch, bool training)"))
        {
            _w.Line(Names.Batch + " = batch;");
            if (RecordsTrainingMode)
                _w.Line(Names.Training + " = training;");
            foreach (PlannedLayer layer in Layers)
            {
                string comment = layer.Name + ": " + layer.Spec.Describe() + "  " + layer.Input.ToComment() + " -> " + layer.Output.ToComment();
                if (layer.Spec.AliasesInput)
                {
                    _w.Comment(comment + " (a view: no copy)");
                    continue;
                }
                _w.Comment(comment);
                var arguments = layer.Inputs.Select(j => OutputOf(j, "x")).ToList();
                arguments.Add("batch");
                if (layer.Spec.UsesTrainingFlag)
                    arguments.Add("training");
                _w.Call(Names.LayerMethod(layer.Index) + "Forward", arguments);
            }
        }
        _w.Line();
    }
}
