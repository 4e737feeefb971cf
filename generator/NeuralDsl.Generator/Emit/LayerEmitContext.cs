using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// What a layer emitter writes with: the writer, the planned layer and the naming conventions shared with the model
/// emitter (buffer fields, method names, spans over the flat parameter and gradient vectors).
/// </summary>
internal sealed class LayerEmitContext(SourceWriter writer, ModelPlan plan, PlannedLayer layer)
{
    public SourceWriter Writer { get; } = writer;

    public ModelPlan Plan { get; } = plan;

    public PlannedLayer Layer { get; } = layer;

    /// <summary>The element type keyword: <c>float</c> or <c>double</c>.</summary>
    public string T => Plan.Spec.ElementType;

    public bool IsDouble => Plan.Spec.Element == ElementKind.Double;

    /// <summary>Method name stem: <c>Layer2</c> (Layer2Forward, Layer2Backward).</summary>
    public string Method => Names.LayerMethod(Layer.Index);

    /// <summary>The layer's output buffer field.</summary>
    public string Output => Names.Output(Layer.Index);

    /// <summary>Elements per sample of the output.</summary>
    public int OutputSize => Layer.Output.Size;

    /// <summary>The live part of a batch buffer: <c>Rows(_field, batch, n)</c>.</summary>
    public string BatchSpan(string field, int perSample) => Names.Rows(field, "batch", perSample);

    public string ParameterSpan(PlannedParameter p) =>
        "new global::System.ReadOnlySpan<" + T + ">(" + (p.IsState ? "_state" : "_parameters") + ", " + Literals.Int(p.Offset) + ", " + Literals.Int(p.Length) + ")";

    /// <summary>A writable view of a non-trainable tensor (moving statistics are updated in training).</summary>
    public string StateSpan(PlannedParameter p) =>
        "new global::System.Span<" + T + ">(_state, " + Literals.Int(p.Offset) + ", " + Literals.Int(p.Length) + ")";

    public string GradientSpan(PlannedParameter p) =>
        "new global::System.Span<" + T + ">(_gradients, " + Literals.Int(p.Offset) + ", " + Literals.Int(p.Length) + ")";

    public string ReadOnlySpanType => "global::System.ReadOnlySpan<" + T + ">";

    public string SpanType => "global::System.Span<" + T + ">";

    /// <summary>
    /// Writes the header line and the signature of <c>LayerNForward(x, batch)</c> (with <c>bool training</c> when the
    /// layer uses the flag, as ForwardCore passes it) and opens its body; disposing closes it and leaves a blank line.
    /// </summary>
    public System.IDisposable ForwardMethod()
    {
        WriteHeader("forward");
        return PrivateMethod("Forward", ReadOnlySpanType + " x, int batch" + (Layer.Spec.UsesTrainingFlag ? ", bool training" : ""));
    }

    /// <summary>
    /// Writes the header line and the signature of <c>LayerNBackward(x, dy, dx, batch)</c> and opens its body; disposing
    /// closes it and leaves a blank line.
    /// </summary>
    public System.IDisposable BackwardMethod()
    {
        WriteHeader("backward");
        return PrivateMethod("Backward", ReadOnlySpanType + " x, " + SpanType + " dy, " + SpanType + " dx, int batch");
    }

    /// <summary>Writes <c>private void LayerN{suffix}({parameters})</c> and opens its body; disposing closes it and leaves a blank line.</summary>
    public System.IDisposable PrivateMethod(string suffix, string parameters) => new MemberScope(Writer, Writer.Block("private void " + Method + suffix + "(" + parameters + ")"));

    private sealed class MemberScope(SourceWriter writer, System.IDisposable block) : System.IDisposable
    {
        public void Dispose()
        {
            block.Dispose();
            writer.Line();
        }
    }

    /// <summary>One line naming the layer, its shapes and parameters, written before each of its methods.</summary>
    private void WriteHeader(string direction)
    {
        string parameters = "";
        foreach (PlannedParameter p in Layer.Parameters)
            parameters += ", " + p.Spec.Suffix + " " + Shape.Format(p.Spec.Shape);
        Writer.Line("// Layer " + Literals.Int(Layer.Index) + " · " + Layer.Name + ": " + Layer.Spec.Describe() + " · " + direction + " " +
            (direction == "backward" ? Layer.Output.ToComment() + " -> " + Layer.Input.ToComment() : Layer.Input.ToComment() + " -> " + Layer.Output.ToComment()) +
            (parameters.Length > 0 ? " · " + parameters.Substring(2) + " · " + Literals.Count(Layer.ParameterCount) + " params" : ""));
    }
}

/// <summary>Names shared by the model emitter and the layer emitters.</summary>
internal static class Names
{
    public static string LayerMethod(int index) => "Layer" + Literals.Int(index);

    /// <summary>Output activations of layer <paramref name="index"/>, [capacity, size].</summary>
    public static string Output(int index) => "_a" + Literals.Int(index);

    /// <summary>Gradient with respect to the output of layer <paramref name="index"/>.</summary>
    public static string OutputGradient(int index) => "_d" + Literals.Int(index);

    /// <summary>
    /// <c>Rows(field, batch, n)</c>: the generated model's helper for the first <c>batch</c> samples of a buffer (a
    /// span constructor rather than <c>AsSpan</c>, so the file needs no using directives in the user's project).
    /// </summary>
    public static string Rows(string field, string batch, int perSample) =>
        "Rows(" + field + ", " + batch + ", " + Literals.Int(perSample) + ")";
}
