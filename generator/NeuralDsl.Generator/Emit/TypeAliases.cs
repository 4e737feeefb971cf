using System;
using System.Collections.Generic;

namespace NeuralDsl.Generator.Emit;

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
