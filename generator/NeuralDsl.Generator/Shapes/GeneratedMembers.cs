using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>A public member the emitter writes on a model class: name and, for methods, the parameter types.</summary>
/// <param name="Name">The member's name, as a user's code would call it.</param>
/// <param name="Signature">As <see cref="DeclaredMember.Signature"/>: null for constants, properties and fields.</param>
internal sealed record GeneratedMember(string Name, string? Signature);

/// <summary>
/// The public (and protected) members a model class receives from the emitter, the ones a user can see and therefore
/// collide with. Private helpers are not listed: they carry a prefix nobody writes. A test compiles models and holds
/// this list to the members the emitted class really declares.
/// </summary>
internal static class GeneratedMembers
{
    public const string Constructor = ".ctor";

    public static IEnumerable<GeneratedMember> Of(ModelPlan plan)
    {
        foreach (string name in new[] { "InputSize", "OutputSize", "TargetSize", "ParameterCount", "ModelName", "Summary", "InputShape", "OutputShape", "ParameterLayout", "Parameters", "Gradients", "LastOutput" })
        {
            yield return new GeneratedMember(name, null);
        }
        yield return new GeneratedMember("Trainable", null);
        yield return new GeneratedMember("MaxThreads", null);
        yield return new GeneratedMember("Layers", null);
        if (plan.StateCount > 0)
        {
            yield return new GeneratedMember("StateCount", null);
            yield return new GeneratedMember("StateLayout", null);
            yield return new GeneratedMember("State", null);
        }
        foreach (PlannedParameter p in plan.Layers.SelectMany(l => l.Parameters))
        {
            string view = Naming.MemberName(p.Name);
            yield return new GeneratedMember(view, null);
            if (!p.IsState)
                yield return new GeneratedMember(view + "Gradient", null);
        }
        foreach (GeneratedMember method in Methods(plan.Spec.ElementType))
        {
            yield return method;
        }
        if (Streaming.IsCausal(plan))
        {
            string t = plan.Spec.ElementType;
            foreach (string name in new[] { "StepInputSize", "StepOutputSize", "StateSize" })
                yield return new GeneratedMember(name, null);
            yield return new GeneratedMember("Step", Signature("global::System.ReadOnlySpan<" + t + ">", "global::System.Span<" + t + ">"));
            yield return new GeneratedMember("ResetState", Signature());
            yield return new GeneratedMember("GetState", Signature("global::System.Span<" + t + ">"));
            yield return new GeneratedMember("SetState", Signature("global::System.ReadOnlySpan<" + t + ">"));
        }
        if (plan.Layers.Any(l => l.Spec is Layers.GraphConvSpec))
        {
            string t = plan.Spec.ElementType;
            string readOnlySpan = "global::System.ReadOnlySpan<" + t + ">";
            string ints = "global::System.ReadOnlySpan<int>";
            yield return new GeneratedMember("Graph", null);
            yield return new GeneratedMember("SetGraph", Signature("int", "global::System.ReadOnlySpan<(int Source, int Target)>"));
            yield return new GeneratedMember("SetGraph", Signature("int", ints, ints));
            yield return new GeneratedMember("SetGraph", Signature("global::NeuralDsl.GraphAdjacency"));
            if (plan.Spec.Loss != Loss.None)
            {
                string mask = "global::System.ReadOnlySpan<bool>";
                yield return new GeneratedMember("ComputeGradients", Signature(readOnlySpan, readOnlySpan, mask));
                yield return new GeneratedMember("TrainStep", Signature(readOnlySpan, readOnlySpan, mask, "global::NeuralDsl.Optimizer"));
            }
        }
        if (plan.Layers.Count > 0 && plan.Layers[0].Spec.TokenVocabulary is not null)
        {
            string t = plan.Spec.ElementType;
            string ids = "global::System.ReadOnlySpan<int>";
            yield return new GeneratedMember("Predict", Signature(ids, "global::System.Span<" + t + ">"));
            yield return new GeneratedMember("Predict", Signature(ids));
            if (plan.Spec.Loss != Loss.None)
            {
                yield return new GeneratedMember("ComputeGradients", Signature(ids, "global::System.ReadOnlySpan<" + t + ">"));
                yield return new GeneratedMember("TrainStep", Signature(ids, "global::System.ReadOnlySpan<" + t + ">", "global::NeuralDsl.Optimizer"));
            }
        }
    }

    /// <summary>
    /// The members every model has whatever its layers: the constants and properties without layer views or state,
    /// and the methods. A model with errors gets these as placeholders (<see cref="ModelPlaceholder"/>).
    /// </summary>
    public static IEnumerable<GeneratedMember> Common(string elementType) =>
        new[] { "InputSize", "OutputSize", "TargetSize", "ParameterCount", "ModelName", "Summary", "InputShape", "OutputShape", "ParameterLayout", "Parameters", "Gradients", "LastOutput" }
            .Select(name => new GeneratedMember(name, null))
            .Concat(Methods(elementType));

    private static IEnumerable<GeneratedMember> Methods(string t)
    {
        string span = "global::System.Span<" + t + ">";
        string readOnlySpan = "global::System.ReadOnlySpan<" + t + ">";
        string tensor = "global::System.Numerics.Tensors.Tensor<" + t + ">";
        yield return new GeneratedMember(Constructor, Signature("int"));
        yield return new GeneratedMember("Predict", Signature(readOnlySpan, span));
        yield return new GeneratedMember("Predict", Signature(readOnlySpan));
        yield return new GeneratedMember("Predict", Signature(tensor));
        yield return new GeneratedMember("Forward", Signature(readOnlySpan, span, "bool"));
        yield return new GeneratedMember("Backward", Signature(readOnlySpan, span));
        yield return new GeneratedMember("ZeroGradients", Signature());
        yield return new GeneratedMember("TrainStep", Signature(readOnlySpan, readOnlySpan, "global::NeuralDsl.Optimizer"));
        yield return new GeneratedMember("ComputeGradients", Signature(readOnlySpan, readOnlySpan));
    }

    /// <summary>The signature text the parser writes for a method with these parameter types (fully qualified, keywords for special types).</summary>
    public static string Signature(params string[] parameterTypes) => "(" + string.Join(", ", parameterTypes) + ")";
}
