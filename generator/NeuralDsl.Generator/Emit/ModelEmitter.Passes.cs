using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>The public passes (Predict, Forward, Backward, ComputeGradients, TrainStep) and the forward chain they share.</summary>
internal sealed partial class ModelEmitter
{
    // ---- Public passes ----

    private string LossName => "global::NeuralDsl.Loss." + Spec.Loss;

    private void WritePublicPasses()
    {
        string output = ModelOutput("input");

        _w.Line("/// <summary>Inference on a batch: <paramref name=\"input\"/> is [batch × " + Literals.Int(_plan.InputSize) + "], <paramref name=\"output\"/> [batch × " + Literals.Int(_plan.OutputSize) + "]. Allocates nothing once the batch size has been seen.</summary>");
        using (_w.Block("public void Predict(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            _w.Line("int batch = global::NeuralDsl.Batches.Count(input.Length, InputSize, nameof(input));");
            _w.Line("global::NeuralDsl.Batches.CheckLength(output.Length, batch * OutputSize, nameof(output), batch, OutputShape);");
            _w.Line("EnsureCapacity(batch);");
            _w.Line("_inputKept = false;");
            _w.Line("ForwardCore(input, batch, training: false);");
            _w.Line(output + ".CopyTo(output);");
        }
        _w.Line();
        _w.Line("/// <summary>Inference on a batch, returning a new array of [batch × " + Literals.Int(_plan.OutputSize) + "].</summary>");
        using (_w.Block("public " + _t + "[] Predict(" + ReadOnlySpan + " input)"))
        {
            _w.Line("var output = new " + _t + "[global::NeuralDsl.Batches.Count(input.Length, InputSize, nameof(input)) * OutputSize];");
            _w.Line("Predict(input, output);");
            _w.Line("return output;");
        }
        _w.Line();
        _w.Line("/// <summary>Inference on a tensor of shape [batch, " + string.Join(", ", Spec.InputShape.Dimensions) + "]; returns [batch, " + string.Join(", ", _plan.OutputShape.Dimensions) + "].</summary>");
        _w.Line("public global::System.Numerics.Tensors.Tensor<" + _t + "> Predict(global::System.Numerics.Tensors.Tensor<" + _t + "> input) =>");
        _w.Line("    global::NeuralDsl.Batches.Predict(this, input, InputShape, OutputShape);");
        _w.Line();

        _w.Line("/// <summary>Forward pass that keeps what <see cref=\"Backward\"/> needs; <paramref name=\"training\"/> turns dropout on.</summary>");
        using (_w.Block("public void Forward(" + ReadOnlySpan + " input, " + Span + " output, bool training)"))
        {
            _w.Line("int batch = global::NeuralDsl.Batches.Count(input.Length, InputSize, nameof(input));");
            _w.Line("global::NeuralDsl.Batches.CheckLength(output.Length, batch * OutputSize, nameof(output), batch, OutputShape);");
            _w.Line("EnsureCapacity(batch);");
            _w.Line("var kept = Rows(_input, batch, InputSize);");
            _w.Line("input.CopyTo(kept);");
            _w.Line("_inputKept = true;");
            _w.Line("ForwardCore(kept, batch, training);");
            _w.Line(ModelOutput("kept") + ".CopyTo(output);");
        }
        _w.Line();

        _w.Line("/// <summary>");
        _w.Line("/// Back-propagates <paramref name=\"outputGradient\"/> through the last <see cref=\"Forward\"/>: adds the parameter gradients to");
        _w.Line("/// <see cref=\"Gradients\"/> and writes the gradient with respect to the input into <paramref name=\"inputGradient\"/>.");
        _w.Line("/// </summary>");
        using (_w.Block("public void Backward(" + ReadOnlySpan + " outputGradient, " + Span + " inputGradient)"))
        {
            _w.Line("if (!_inputKept)");
            _w.Line("    throw new global::System.InvalidOperationException(\"Backward follows Forward: call Forward(input, output, training) first (Predict and ComputeGradients do not keep the input).\");");
            _w.Line("int batch = _batch;");
            _w.Line("global::NeuralDsl.Batches.CheckLength(outputGradient.Length, batch * OutputSize, nameof(outputGradient), batch, OutputShape);");
            _w.Line("global::NeuralDsl.Batches.CheckLength(inputGradient.Length, batch * InputSize, nameof(inputGradient), batch, InputShape);");
            _w.Line("var input = Rows(_input, batch, InputSize);");
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

        _w.Line("/// <summary>Sets every gradient to zero.</summary>");
        _w.Line("public void ZeroGradients() => global::System.Array.Clear(_gradients);");
        _w.Line();

        WriteComputeGradients();

        _w.Line("/// <summary>One training step: <see cref=\"ComputeGradients\"/>, then <paramref name=\"optimizer\"/> updates the parameters. Returns the batch loss.</summary>");
        using (_w.Block("public " + _t + " TrainStep(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, global::NeuralDsl.Optimizer optimizer)"))
        {
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            _w.Line(_t + " loss = ComputeGradients(input, target);");
            _w.Line("optimizer.Step<" + _t + ">(_parameters, _gradients);");
            _w.Line("return loss;");
        }
        _w.Line();
    }

    private void WriteComputeGradients()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Forward (training mode), " + Spec.Loss + " and backward on one batch: overwrites <see cref=\"Gradients\"/> with the");
        _w.Line("/// gradient of the mean loss and returns that loss. <paramref name=\"target\"/> is [batch × " + Literals.Int(_plan.TargetSize) + "].");
        _w.Line("/// </summary>");
        using (_w.Block("public " + _t + " ComputeGradients(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target)"))
        {
            if (Spec.Loss == Loss.None)
            {
                _w.Line("throw new global::System.InvalidOperationException(\"Model '" + Spec.ModelName + "' was declared without a loss: set [Sequential(Loss = ...)] to train it.\");");
                _w.Line();
                return;
            }
            int last = Layers.Count - 1;
            int lastAxis = _plan.OutputShape.Last;
            _w.Line("int batch = global::NeuralDsl.Batches.Count(input.Length, InputSize, nameof(input));");
            _w.Line("global::NeuralDsl.Batches.CheckTargetLength(target.Length, batch * TargetSize, nameof(target), batch, TargetSize);");
            _w.Line("EnsureCapacity(batch);");
            _w.Line("_inputKept = false;");
            _w.Line("ForwardCore(input, batch, training: true);");
            _w.Line("var output = " + ModelOutput("input") + ";");
            _w.Line(_t + " loss = global::NeuralDsl.Losses.Compute(" + LossName + ", output, target, " + Literals.Int(lastAxis) + ");");
            _w.Line("global::System.Array.Clear(_gradients);");
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
                string target = method is not null ? GradientExpression(last, "default") : GradientExpression(last - 1, "default");
                if (target != "default") // a lone Activation layer has no parameters and needs no gradient
                {
                    _w.Line("// Fused " + lastLayer.Spec.FinalActivation + " + " + Spec.Loss + ": dL/dz = (p − y) / n, without the activation's Jacobian.");
                    _w.Line(FusedLossGradientCall(Flow.FusedLoss) + "(output, target, " + target + ", " + Literals.Int(lastAxis) + ");");
                }
                if (method is not null)
                {
                    string x = OutputOf(last - 1, "input");
                    string dx = last == 0 ? "default" : GradientExpression(last - 1, "default");
                    _w.Line(method + "(" + x + ", " + target + ", " + dx + ", batch);");
                }
                if (last > 0)
                    WriteBackwardChain(last - 1, "input", "default");
            }
            else
            {
                _w.Line("global::NeuralDsl.Losses.Gradient(" + LossName + ", output, target, " + GradientExpression(last, "default") + ", " + Literals.Int(lastAxis) + ");");
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

    /// <summary>Calls each layer's backward method from <paramref name="from"/> down to the first layer.</summary>
    private void WriteBackwardChain(int from, string input, string inputGradient)
    {
        for (int i = from; i >= 0; i--)
        {
            PlannedLayer layer = Layers[i];
            if (layer.Spec.AliasesInput)
                continue;
            string x = OutputOf(i - 1, input);
            string dy = GradientExpression(i, inputGradient);
            string dx = i == 0 ? inputGradient : GradientExpression(i - 1, inputGradient);
            _w.Line(Names.LayerMethod(i) + "Backward(" + x + ", " + dy + ", " + dx + ", batch);" + (dx == "default" ? " // no input gradient needed" : ""));
        }
    }

    // ---- Private passes ----

    private void WriteForwardCore()
    {
        _w.Line("// The whole forward pass, one call per layer; x is [batch × " + Literals.Int(_plan.InputSize) + "].");
        using (_w.Block("private void ForwardCore(" + ReadOnlySpan + " x, int batch, bool training)"))
        {
            _w.Line("_batch = batch;");
            _w.Line("_training = training;");
            foreach (PlannedLayer layer in Layers)
            {
                string comment = "// " + layer.Name + ": " + layer.Spec.Describe() + "  " + layer.Input.ToComment() + " -> " + layer.Output.ToComment();
                if (layer.Spec.AliasesInput)
                {
                    _w.Line(comment + " (a view: no copy)");
                    continue;
                }
                string x = OutputOf(layer.Index - 1, "x");
                _w.Line(comment);
                _w.Line(Names.LayerMethod(layer.Index) + "Forward(" + x + ", batch" + (layer.Spec.UsesTrainingFlag ? ", training" : "") + ");");
            }
        }
        _w.Line();
    }
}
