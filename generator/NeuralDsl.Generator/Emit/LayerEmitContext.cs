using System;
using System.Collections.Generic;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// What a layer emitter writes with: the writer, the planned layer, the file's type aliases and the naming
/// conventions shared with the model emitter (buffer fields, method names, parameter views).
/// </summary>
internal sealed class LayerEmitContext(SourceWriter writer, ModelPlan plan, PlannedLayer layer, TypeAliases aliases)
{
    public SourceWriter Writer { get; } = writer;

    public ModelPlan Plan { get; } = plan;

    public PlannedLayer Layer { get; } = layer;

    /// <summary>The generated file's <c>using</c> aliases: asking for one declares it.</summary>
    public TypeAliases Aliases { get; } = aliases;

    /// <summary>The element type keyword: <c>float</c> or <c>double</c>.</summary>
    public string T => Plan.Spec.ElementType;

    public bool IsDouble => Plan.Spec.Element == ElementKind.Double;

    /// <summary>
    /// Set for a part of a layer that is emitted as a layer of its own (the two directions of a Bidirectional:
    /// <c>Fw</c>, <c>Bw</c>): appended to <see cref="Method"/> and <see cref="Output"/>; empty otherwise.
    /// </summary>
    public string Part { get; init; } = "";

    /// <summary>Method name stem: <c>__Layer2</c> (__Layer2Forward, __Layer2Backward), <c>__Layer2Fw</c> for a part.</summary>
    public string Method => Names.LayerMethod(Layer.Index) + Part;

    /// <summary>The layer's output buffer field (<c>__a2</c>, <c>__a2Fw</c> for a part).</summary>
    public string Output => Names.Output(Layer.Index) + Part;

    /// <summary>
    /// True when the layer reads the model input (directly or through aliasing layers), so in training the backward
    /// pass needs no input gradient and passes an empty <c>dx</c>.
    /// </summary>
    public bool IsFirstComputingLayer => Plan.Flow.HolderOf(Layer.InputIndex) < 0;

    /// <summary>
    /// Writes, in the first computing layer only, why its <c>dx</c> may be empty; written above the check that skips
    /// the input gradient.
    /// </summary>
    public void NoteEmptyInputGradient()
    {
        if (IsFirstComputingLayer)
            Writer.Line("// dx is empty in training: the first layer needs no input gradient.");
    }

    /// <summary>
    /// The mask this layer reads or writes, [batch × steps] of 1 (real step) and 0 (masked step): <c>__Rows(__mask,
    /// batch, steps)</c>, or null when the mask does not reach this layer (or the model has none). The mask source
    /// (Embedding with MaskZero) writes it in its forward pass; a layer that declares <see cref="MaskHandling.Consumes"/>
    /// or <see cref="MaskHandling.ReadsAndPassesOn"/> reads it in its forward and backward passes (the workspace keeps it from the forward pass it follows). A layer
    /// that passes it on never needs it.
    /// </summary>
    public string? Mask =>
        Plan.Flow.Mask.Source == Layer.Index || Plan.Flow.Mask.Reaches(Layer.Index) ? BatchSpan(Names.Mask, Plan.Flow.Mask.Steps) : null;

    /// <summary>Elements per sample of the output.</summary>
    public int OutputSize => Layer.Output.Size;

    /// <summary>The live part of a batch buffer: <c>__Rows(__field, batch, n)</c>.</summary>
    public string BatchSpan(string field, int perSample) => Names.Rows(field, "batch", perSample);

    /// <summary>
    /// The tensor's named view (<c>__model.Dense1Kernel</c>): a span over the flat vector with literal offset and length,
    /// reached through the model because layer methods run in a workspace.
    /// </summary>
    public string ParameterSpan(PlannedParameter p) => Names.OnModel(Names.ParameterView(p));

    /// <summary>A writable view of a non-trainable tensor (moving statistics are updated in training).</summary>
    public string StateSpan(PlannedParameter p) => Names.OnModel(Names.ParameterView(p));

    public string GradientSpan(PlannedParameter p) => Names.OnModel(Names.GradientView(p));

    /// <summary>
    /// The flat array a tensor lives in, for code that indexes it directly (Dense's register form): the parameters, or
    /// the state vector for a frozen layer's tensors.
    /// </summary>
    public string ArrayOf(PlannedParameter p) => Names.OnModel(p.IsState ? Names.State : Names.Parameters);

    /// <summary>
    /// False when the layer is frozen at compile time (<c>Trainable = false</c> on it or on the model) or has no trainable
    /// tensor: its backward pass then computes the input gradient only. A layer that trains writes its parameter-gradient
    /// work inside <see cref="ParameterGradients"/>.
    /// </summary>
    public bool TrainsParameters
    {
        get
        {
            foreach (PlannedParameter p in Layer.Parameters)
            {
                if (!p.IsState)
                    return true;
            }
            return false;
        }
    }

    /// <summary>
    /// Opens <c>if (__model.Trainable)</c> around parameter-gradient work: the model's run-time switch (a GAN's
    /// discriminator while the generator trains through it) skips it and keeps only the input gradient.
    /// </summary>
    public IDisposable ParameterGradients() => Writer.Block("if (" + Names.OnModel(Names.RuntimeTrainable) + ")");

    /// <summary>
    /// Writes <paramref name="work"/> (parameter-gradient code) inside <see cref="ParameterGradients"/> when the layer
    /// trains; for a layer frozen at compile time writes a comment instead, since its tensors have no gradient.
    /// </summary>
    public void WriteParameterGradients(Action work)
    {
        if (!TrainsParameters)
        {
            Writer.Line("// Frozen (Trainable = false): no parameter gradient.");
            return;
        }
        using (ParameterGradients())
            work();
    }

    public string ReadOnlySpanType => "global::System.ReadOnlySpan<" + T + ">";

    public string SpanType => "global::System.Span<" + T + ">";

    /// <summary>
    /// Writes the header line and the signature of <c>LayerNForward(x, batch)</c> (with <c>bool training</c> when the
    /// layer uses the flag, as ForwardCore passes it) and opens its body; disposing closes it and leaves a blank line.
    /// </summary>
    public IDisposable ForwardMethod()
    {
        WriteHeader("forward");
        return PrivateMethod("Forward", Layer.Spec.UsesTrainingFlag ? [ReadOnlySpanType + " x", "int batch", "bool training"] : [ReadOnlySpanType + " x", "int batch"]);
    }

    /// <summary>
    /// Writes the header line and the signature of <c>LayerNBackward(x, dy, dx, batch)</c> and opens its body; disposing
    /// closes it and leaves a blank line. The output gradient is writable (<c>dy</c>, the layer may overwrite it) unless
    /// <paramref name="outputGradient"/> names a read-only one.
    /// </summary>
    public IDisposable BackwardMethod(string? outputGradient = null)
    {
        WriteHeader("backward");
        string dy = outputGradient is null ? SpanType + " dy" : ReadOnlySpanType + " " + outputGradient;
        return PrivateMethod("Backward", [ReadOnlySpanType + " x", dy, SpanType + " dx", "int batch"]);
    }

    /// <summary>
    /// For a layer reading several outputs (a merge, cross-attention): writes the header line and the signature of
    /// <c>LayerNForward(x0, x1, ..., batch)</c> (then <c>bool training</c> when the layer uses the flag), one comment line per operand with its shape, and opens the body.
    /// </summary>
    public IDisposable MergeForwardMethod()
    {
        WriteHeader("forward");
        WriteOperandComments();
        var parameters = new List<string>();
        for (int k = 0; k < Layer.Inputs.Count; k++)
            parameters.Add(ReadOnlySpanType + " x" + k.ToString(System.Globalization.CultureInfo.InvariantCulture));
        parameters.Add("int batch");
        if (Layer.Spec.UsesTrainingFlag) // cross-attention with dropout; ForwardCore passes the flag after the batch
            parameters.Add("bool training");
        return PrivateMethod("Forward", parameters);
    }

    /// <summary>
    /// For a merge: the signature of <c>LayerNBackward(x0, x1, ..., dy, dx0, dx1, ..., batch)</c>; a <c>dxk</c> is empty
    /// when nobody needs that gradient (the model input in training).
    /// </summary>
    public IDisposable MergeBackwardMethod()
    {
        WriteHeader("backward");
        WriteOperandComments();
        var parameters = new List<string>();
        for (int k = 0; k < Layer.Inputs.Count; k++)
            parameters.Add(ReadOnlySpanType + " x" + k.ToString(System.Globalization.CultureInfo.InvariantCulture));
        parameters.Add(SpanType + " dy");
        for (int k = 0; k < Layer.Inputs.Count; k++)
            parameters.Add(SpanType + " dx" + k.ToString(System.Globalization.CultureInfo.InvariantCulture));
        parameters.Add("int batch");
        return PrivateMethod("Backward", parameters);
    }

    /// <summary>The name of operand <paramref name="k"/>'s source: a layer name, or the model input's.</summary>
    public string OperandName(int k) => Layer.Inputs[k] < 0 ? Plan.Spec.InputName ?? "input_layer" : Plan.Layers[Layer.Inputs[k]].Name;

    private void WriteOperandComments()
    {
        for (int k = 0; k < Layer.Inputs.Count; k++)
            Writer.Comment("x" + k.ToString(System.Globalization.CultureInfo.InvariantCulture) + " = " + OperandName(k) + " " + Layer.InputShapes[k].ToComment());
    }

    /// <summary>Writes <c>private void LayerN{suffix}({parameters})</c> and opens its body; disposing closes it and leaves a blank line.</summary>
    public IDisposable PrivateMethod(string suffix, IReadOnlyList<string> parameters) =>
        new MemberScope(Writer, Writer.Method("private void " + Method + suffix, parameters));

    private sealed class MemberScope(SourceWriter writer, IDisposable block) : IDisposable
    {
        public void Dispose()
        {
            block.Dispose();
            writer.Line();
        }
    }

    /// <summary>One comment naming the layer, its shapes and parameters, written before each of its methods.</summary>
    private void WriteHeader(string direction)
    {
        string parameters = "";
        foreach (PlannedParameter p in Layer.Parameters)
            parameters += ", " + p.Spec.Suffix + " " + Shape.Format(p.Spec.Shape);
        Writer.Comment("Layer " + Literals.Int(Layer.Index) + " · " + Layer.Name + ": " + Layer.Spec.Describe() + " · " + direction + " " +
            (direction == "backward" ? Layer.Output.ToComment() + " -> " + Layer.Input.ToComment() : Layer.Input.ToComment() + " -> " + Layer.Output.ToComment()) +
            (parameters.Length > 0 ? " · " + parameters.Substring(2) + " · " + Literals.Count(Layer.ParameterCount) + " params" : ""));
    }
}
