using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NeuralDsl.Generator.Model;

/// <summary>
/// A source location captured by value (path and spans), never a <see cref="Location"/> or syntax tree, so it can
/// live in cached pipeline models.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(Location location) =>
        location.SourceTree is null ? null : new(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
