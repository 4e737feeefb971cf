using System;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace NeuralDsl.Generator.Tests.Harness;

/// <summary>
/// Roslyn-testing-style span markup: <c>[|...|]</c> marks an expected diagnostic span. <see cref="Parse"/> strips the
/// markers and returns the spans in the stripped text, e.g. <c>[[|Dense(0)|]]</c> becomes <c>[Dense(0)]</c> with the
/// span of <c>Dense(0)</c>.
/// </summary>
public static class Markup
{
    private const string Open = "[|";
    private const string Close = "|]";

    /// <summary>Strips every <c>[|</c>/<c>|]</c> pair; spans are in order of appearance. Nesting is not supported.</summary>
    public static (string Text, ImmutableArray<TextSpan> Spans) Parse(string markup)
    {
        var text = new StringBuilder(markup.Length);
        var spans = ImmutableArray.CreateBuilder<TextSpan>();
        int? start = null;
        int i = 0;
        while (i < markup.Length)
        {
            if (string.CompareOrdinal(markup, i, Open, 0, Open.Length) == 0)
            {
                if (start is not null)
                {
                    throw new ArgumentException($"Nested '{Open}' at offset {i}.", nameof(markup));
                }

                start = text.Length;
                i += Open.Length;
            }
            else if (string.CompareOrdinal(markup, i, Close, 0, Close.Length) == 0)
            {
                if (start is null)
                {
                    throw new ArgumentException($"'{Close}' without '{Open}' at offset {i}.", nameof(markup));
                }

                spans.Add(TextSpan.FromBounds(start.Value, text.Length));
                start = null;
                i += Close.Length;
            }
            else
            {
                text.Append(markup[i]);
                i++;
            }
        }

        if (start is not null)
        {
            throw new ArgumentException($"Unclosed '{Open}'.", nameof(markup));
        }

        return (text.ToString(), spans.ToImmutable());
    }
}
