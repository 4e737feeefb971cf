namespace NeuralDsl.Generator.Model;

/// <summary>
/// What the generator needs to give a model that has errors its public members anyway (each throwing), so the user
/// sees the NDSL error alone and not a cascade of errors from their own code that calls the model. Null on a class
/// that cannot take a generated partial declaration (not partial, nested, generic, a record, ...) or that already
/// declares or inherits a member named like one of them.
/// </summary>
/// <param name="Namespace">As <see cref="ModelSpec.Namespace"/>.</param>
/// <param name="ClassName">As <see cref="ModelSpec.ClassName"/>.</param>
/// <param name="MetadataName">As <see cref="ModelSpec.MetadataName"/>: the placeholder takes the model's hint name.</param>
/// <param name="Element">float, or double when declared (float when the declared type is unsupported).</param>
/// <param name="HasUserSummary">As <see cref="ModelSpec.HasUserSummary"/>.</param>
/// <param name="ErrorIds">The ids of the errors that keep the model from being generated, set when it is emitted.</param>
internal sealed record ModelPlaceholder(
    string Namespace,
    string ClassName,
    string MetadataName,
    ElementKind Element,
    bool HasUserSummary,
    EquatableArray<string> ErrorIds)
{
    /// <summary>The C# keyword of the element type.</summary>
    public string ElementType => Element == ElementKind.Double ? "double" : "float";
}
