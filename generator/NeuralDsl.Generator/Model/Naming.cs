using System.Text;

namespace NeuralDsl.Generator.Model;

/// <summary>
/// Rules for the names users give models and layers. Names end up in weight files, comments, XML docs and member
/// names, so they are restricted to characters that need no escaping anywhere.
/// </summary>
internal static class Naming
{
    /// <summary>Why <paramref name="name"/> cannot name a layer, or null: letters, digits and underscores, not starting with a digit.</summary>
    public static string? LayerNameProblem(string name)
    {
        if (name.Length == 0)
            return "a layer name cannot be empty";
        if (char.IsDigit(name[0]))
            return "a layer name cannot start with a digit";
        foreach (char c in name)
        {
            if (!(IsAsciiLetterOrDigit(c) || c == '_'))
                return "a layer name may only contain ASCII letters, digits and '_' (it names tensors such as '" + "name.kernel' and generated members)";
        }
        return null;
    }

    /// <summary>Why <paramref name="name"/> cannot name a model, or null: ASCII letters, digits, spaces, '_', '-' and '.'.</summary>
    public static string? ModelNameProblem(string name)
    {
        if (name.Trim().Length == 0)
            return "a model name cannot be empty";
        foreach (char c in name)
        {
            if (!(IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ' '))
                return "a model name may only contain ASCII letters, digits, spaces, '_', '-' and '.'";
        }
        return null;
    }

    /// <summary>
    /// <paramref name="name"/> as a C# identifier in generated source: a keyword gets its verbatim prefix
    /// (<c>@class</c>), as the user had to write it.
    /// </summary>
    public static string Identifier(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    /// <summary>The generated member stem for a tensor name: <c>dense_1.kernel</c> → <c>Dense1Kernel</c>.</summary>
    public static string MemberName(string tensorName)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char ch in tensorName)
        {
            if (!IsAsciiLetterOrDigit(ch))
            {
                upper = true;
                continue;
            }
            sb.Append(upper ? char.ToUpperInvariant(ch) : ch);
            upper = false;
        }
        if (sb.Length == 0 || char.IsDigit(sb[0]))
            sb.Insert(0, "Layer");
        return sb.ToString();
    }

    /// <summary>
    /// Keras' <c>to_snake_case</c> for a class name, the automatic name of a block use: <c>BasicBlock32</c> →
    /// <c>basic_block32</c>, <c>ResNetBottleneck</c> → <c>res_net_bottleneck</c>. Characters other than letters, digits
    /// and '_' are dropped first; a leading digit (impossible for a C# class name) is kept.
    /// </summary>
    public static string SnakeCase(string className)
    {
        string name = System.Text.RegularExpressions.Regex.Replace(className, @"[^A-Za-z0-9_]+", "");
        name = System.Text.RegularExpressions.Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        name = System.Text.RegularExpressions.Regex.Replace(name, "([a-z])([A-Z])", "$1_$2");
        return name.ToLowerInvariant();
    }

    private static bool IsAsciiLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');
}
