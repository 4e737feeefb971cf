using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Emit;

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

    /// <summary>The public run-time switch <c>Trainable</c> (Keras <c>model.trainable</c>), read by the backward passes.</summary>
    public static string RuntimeTrainable => "Trainable";

    public static string Capacity => Field("capacity");

    public static string Batch => Field("batch");

    public static string Training => Field("training");

    public static string InputKept => Field("inputKept");

    public static string Input => Field("input");

    public static string Rng => Field("rng");

    /// <summary>The workspace's Keras mask, [capacity × steps] (see <c>MaskFlow</c>).</summary>
    public static string Mask => Field("mask");

    /// <summary>The workspace's scratch for input gradients that are added to a tensor read by several layers.</summary>
    public static string GradientScratch => Field("gradientScratch");

    /// <summary>The nested class holding a pass's buffers, its passes and the per-layer methods.</summary>
    public static string Workspace => Private("Workspace");

    /// <summary>The workspace field pointing back at the model, for parameters, gradients and state.</summary>
    public static string Model => Field("model");

    /// <summary>A model member as seen from workspace code: <c>__model.__parameters</c>.</summary>
    public static string OnModel(string member) => Model + "." + member;

    public static string TrainingWorkspace => Field("workspace");

    public static string PredictWorkspaces => Field("predictWorkspaces");

    public static string CallState => Field("callState");

    /// <summary>The model's own thread count, 0 while it follows the process setting.</summary>
    public static string MaxThreads => Field("maxThreads");

    public static string EnterTraining => Method("EnterTraining");

    public static string ExitTraining => Method("ExitTraining");

    public static string EnterPredict => Method("EnterPredict");

    public static string ExitPredict => Method("ExitPredict");

    public static string ParameterLayout => Static("parameterLayout");

    public static string StateLayout => Static("stateLayout");

    /// <summary>The static array behind the public <c>Layers</c> (the run-time description of every layer).</summary>
    public static string LayerInfos => Static("layers");

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
