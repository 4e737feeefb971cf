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

    /// <summary>Method name stem: <c>__Layer2</c> (__Layer2Forward, __Layer2Backward).</summary>
    public string Method => Names.LayerMethod(Layer.Index);

    /// <summary>The layer's output buffer field.</summary>
    public string Output => Names.Output(Layer.Index);

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
    /// closes it and leaves a blank line.
    /// </summary>
    public IDisposable BackwardMethod()
    {
        WriteHeader("backward");
        return PrivateMethod("Backward", [ReadOnlySpanType + " x", SpanType + " dy", SpanType + " dx", "int batch"]);
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

/// <summary>
/// The <c>using</c> aliases of one generated file, declared only when some line asks for them. Alias names carry the
/// private prefix (<see cref="Names.Private"/>), so no user type or member named like them changes what they bind to.
/// </summary>
internal sealed class TypeAliases
{
    private readonly SortedDictionary<string, string> _used = new(StringComparer.Ordinal);

    /// <summary><c>System.Runtime.Intrinsics.Vector256</c> (the static class of vector operations).</summary>
    public string Vector256 => Use("Vector256", "global::System.Runtime.Intrinsics.Vector256");

    /// <summary><c>System.Runtime.Intrinsics.Vector128</c>.</summary>
    public string Vector128 => Use("Vector128", "global::System.Runtime.Intrinsics.Vector128");

    /// <summary><c>System.Runtime.CompilerServices.Unsafe</c>.</summary>
    public string Unsafe => Use("Unsafe", "global::System.Runtime.CompilerServices.Unsafe");

    /// <summary><c>System.Runtime.InteropServices.MemoryMarshal</c>.</summary>
    public string MemoryMarshal => Use("MemoryMarshal", "global::System.Runtime.InteropServices.MemoryMarshal");

    /// <summary>The vector type <c>Vector256&lt;T&gt;</c> of the element type, for its <c>Zero</c>.</summary>
    public string Vector256Of(string t) => Use("Vector256" + Title(t), "global::System.Runtime.Intrinsics.Vector256<" + t + ">");

    /// <summary>The vector type <c>Vector128&lt;T&gt;</c> of the element type.</summary>
    public string Vector128Of(string t) => Use("Vector128" + Title(t), "global::System.Runtime.Intrinsics.Vector128<" + t + ">");

    private static string Title(string keyword) => char.ToUpperInvariant(keyword[0]) + keyword.Substring(1);

    private string Use(string name, string target)
    {
        string alias = Names.Private(name);
        _used[alias] = target;
        return alias;
    }

    /// <summary>The directives for the aliases used, in ordinal order.</summary>
    public IEnumerable<string> Directives()
    {
        foreach (KeyValuePair<string, string> pair in _used)
            yield return "using " + pair.Key + " = " + pair.Value + ";";
    }
}

/// <summary>
/// Names of generated members, in one place. Public members (views such as <c>Dense1Kernel</c>) are named after the
/// layers. Every private member (fields, static geometries, helpers, per-layer methods) and every type alias starts
/// with <c>__</c> (<see cref="Private"/>): C# reserves identifiers containing two consecutive underscores for the
/// implementation, so no member a user declares in the partial class collides with them.
/// </summary>
internal static class Names
{
    /// <summary>A private generated name: <c>__parameters</c>, <c>__EnsureCapacity</c>, <c>__Vector256</c>.</summary>
    public static string Private(string name) => "__" + name;

    /// <summary>A field of the generated class, lower camel case: <c>__parameters</c>, <c>__mask3</c>.</summary>
    public static string Field(string stem) => Private(stem);

    public static string Field(string stem, int index) => Field(stem + Literals.Int(index));

    /// <summary>A static field of the generated class: <c>__geometry2</c>.</summary>
    public static string Static(string stem) => Private(stem);

    public static string Static(string stem, int index) => Static(stem + Literals.Int(index));

    /// <summary>A private method of the generated class, Pascal case: <c>__EnsureCapacity</c>, <c>__Layer2Forward</c>.</summary>
    public static string Method(string name) => Private(name);

    public static string Parameters => Field("parameters");

    public static string Gradients => Field("gradients");

    public static string State => Field("state");

    public static string Capacity => Field("capacity");

    public static string Batch => Field("batch");

    public static string Training => Field("training");

    public static string InputKept => Field("inputKept");

    public static string Input => Field("input");

    public static string Rng => Field("rng");

    /// <summary>The nested class holding a pass's buffers, its passes and the per-layer methods.</summary>
    public static string Workspace => Private("Workspace");

    /// <summary>The workspace field pointing back at the model, for parameters, gradients and state.</summary>
    public static string Model => Field("model");

    /// <summary>A model member as seen from workspace code: <c>__model.__parameters</c>.</summary>
    public static string OnModel(string member) => Model + "." + member;

    public static string TrainingWorkspace => Field("workspace");

    public static string PredictWorkspaces => Field("predictWorkspaces");

    public static string CallState => Field("callState");

    public static string EnterTraining => Method("EnterTraining");

    public static string ExitTraining => Method("ExitTraining");

    public static string EnterPredict => Method("EnterPredict");

    public static string ExitPredict => Method("ExitPredict");

    public static string ParameterLayout => Static("parameterLayout");

    public static string StateLayout => Static("stateLayout");

    public static string EnsureCapacity => Method("EnsureCapacity");

    public static string ForwardCore => Method("ForwardCore");

    public static string LayerMethod(int index) => Method("Layer" + Literals.Int(index));

    /// <summary>Output activations of layer <paramref name="index"/>, [capacity, size].</summary>
    public static string Output(int index) => Field("a", index);

    /// <summary>Gradient with respect to the output of layer <paramref name="index"/>.</summary>
    public static string OutputGradient(int index) => Field("d", index);

    /// <summary>The public view of a tensor: <c>dense_1.kernel</c> → <c>Dense1Kernel</c>.</summary>
    public static string ParameterView(PlannedParameter p) => Naming.MemberName(p.Name);

    /// <summary>The public view of a tensor's gradient: <c>Dense1KernelGradient</c>.</summary>
    public static string GradientView(PlannedParameter p) => Naming.MemberName(p.Name) + "Gradient";

    /// <summary>
    /// <c>__Rows(field, batch, n)</c>: the generated model's helper for the first <c>batch</c> samples of a buffer (a
    /// span constructor rather than <c>AsSpan</c>, which would need a using directive).
    /// </summary>
    public static string Rows(string field, string batch, int perSample) =>
        RowsMethod + "(" + field + ", " + batch + ", " + Literals.Int(perSample) + ")";

    public static string RowsMethod => Method("Rows");
}
