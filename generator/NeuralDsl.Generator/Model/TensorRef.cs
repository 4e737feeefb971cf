using System;

namespace NeuralDsl.Generator.Model;

/// <summary>
/// A layer's reference to an earlier output: by name as written in an attribute (<c>Input = "stem"</c>, a merge's
/// operand; a layer name or the name of the <c>[Input]</c>), or by absolute layer index (-1 the model input) for code
/// that builds layer lists itself, such as a block expanded at its place of use, whose layers may have automatic names
/// not yet assigned. The plan resolves both to layer indices once names are assigned.
/// </summary>
/// <param name="Name">The referenced name, or null for a reference by index.</param>
/// <param name="Index">The referenced layer index (-1 the model input) when <paramref name="Name"/> is null.</param>
internal sealed record TensorRef(string? Name, int Index)
{
    /// <summary>A reference to the output named <paramref name="name"/>.</summary>
    public static TensorRef Named(string name) => new(name ?? throw new ArgumentNullException(nameof(name)), 0);

    /// <summary>A reference to the output of layer <paramref name="index"/>; -1 is the model input.</summary>
    public static TensorRef At(int index) => new(null, index);

    /// <summary>As written in messages: <c>'stem'</c>, or <c>layer 3</c>.</summary>
    public override string ToString() => Name is not null ? "'" + Name + "'" : Index < 0 ? "the model input" : "layer " + Index;
}
