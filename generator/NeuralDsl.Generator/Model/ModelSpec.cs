namespace NeuralDsl.Generator.Model;

/// <summary>The element type a model computes in.</summary>
internal enum ElementKind
{
    Float,
    Double,
}

/// <summary>
/// Everything the generator needs to know about one <c>[Sequential]</c> class, extracted from the compilation and
/// compared by value (no symbols, no syntax): the output of the Parse step.
/// </summary>
/// <param name="Namespace">Containing namespace as C# source writes it (keywords escaped), empty for the global namespace.</param>
/// <param name="ClassName">The class identifier as C# source writes it: a keyword is escaped (<c>@class</c>).</param>
/// <param name="MetadataName">Fully qualified metadata name, used for the hint name.</param>
/// <param name="ModelName">The name shown in summaries (<c>[Sequential(Name = ...)]</c> or the class name).</param>
/// <param name="Element">float or double.</param>
/// <param name="Loss">The declared loss.</param>
/// <param name="InputShape">Per-sample input shape from <c>[Input]</c>.</param>
/// <param name="Layers">Layer attributes in source order.</param>
/// <param name="Location">The <c>[Sequential]</c> attribute, for model-level diagnostics.</param>
/// <param name="InputLocation">The <c>[Input]</c> attribute, for diagnostics on its dimensions.</param>
/// <param name="IdentifierLocation">The class identifier, for diagnostics on the class name.</param>
/// <param name="Members">What the class already declares or inherits that a generated member could collide with.</param>
/// <param name="HasUserSummary">The user's doc comment on the class has a <c>&lt;summary&gt;</c>: the generated summary
/// table then goes into <c>&lt;remarks&gt;</c>, so the merged XML doc keeps one summary, the user's.</param>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string MetadataName,
    string ModelName,
    ElementKind Element,
    Loss Loss,
    Shape InputShape,
    EquatableArray<LayerSpec> Layers,
    LocationInfo? Location,
    LocationInfo? InputLocation,
    LocationInfo? IdentifierLocation,
    EquatableArray<DeclaredMember> Members,
    bool HasUserSummary = false)
{
    /// <summary>The <c>Name</c> of the <c>[Input]</c>, by which a layer's <c>Input</c> or a merge layer can read the model input; null when unnamed.</summary>
    public string? InputName { get; init; }

    /// <summary>False for <c>[Sequential(Trainable = false)]</c>: every layer is frozen at compile time.</summary>
    public bool Trainable { get; init; } = true;

    /// <summary>The C# keyword of the element type.</summary>
    public string ElementType => Element == ElementKind.Double ? "double" : "float";
}
