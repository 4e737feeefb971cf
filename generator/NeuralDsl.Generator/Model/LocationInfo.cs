using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NeuralDsl.Generator.Model;

/// <summary>
/// A source location captured by value (path and spans), never a <see cref="Location"/> or syntax tree, so it can
/// live in cached pipeline models.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>
    /// A source location in the tree of <see cref="FilePath"/> when the compilation has it (so #pragma suppression and
    /// the IDE work), else an external-file location.
    /// </summary>
    public Location ToLocation(Compilation? compilation)
    {
        if (compilation is not null)
        {
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath && Span.End <= tree.Length)
                    return Location.Create(tree, Span);
            }
        }
        return Location.Create(FilePath, Span, LineSpan);
    }

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(Location location) =>
        location.SourceTree is null ? null : new(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
