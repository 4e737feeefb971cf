namespace NeuralDsl.Generator.Model;

/// <summary>
/// A member the model class already has — declared by the user or inherited from a base class — reduced to what
/// decides whether a generated member collides with it (C# rules: a method clashes with a method of the same name only
/// when the signatures match; any other member clashes by name alone).
/// </summary>
/// <param name="Name">The member name; <c>.ctor</c> for an instance constructor.</param>
/// <param name="Signature">For methods and constructors, the parameter types, e.g. <c>(global::System.ReadOnlySpan&lt;float&gt;)</c>
/// (generic methods add their arity: <c>`1(...)</c>); null for fields, properties, events and nested types.</param>
/// <param name="InheritedFrom">The base class declaring it, or null for a member of the model class itself.</param>
/// <param name="Location">The member's identifier, for members declared in source on the model class.</param>
internal sealed record DeclaredMember(string Name, string? Signature, string? InheritedFrom, LocationInfo? Location)
{
    /// <summary>
    /// True when a member <paramref name="name"/> with <paramref name="signature"/> (null: not a method) cannot be
    /// declared beside this one (CS0102, CS0111), or would hide it when this one is inherited (CS0108).
    /// </summary>
    public bool Collides(string name, string? signature) =>
        Name == name && (Signature is null || signature is null || Signature == signature);

    /// <summary>Member kind and name for messages: <c>method 'Predict(...)'</c>, <c>member 'InputSize'</c>.</summary>
    public string Describe() =>
        Signature is null ? "member '" + Name + "'" : Name == ".ctor" ? "constructor " + Signature : "method '" + Name + Signature + "'";
}
