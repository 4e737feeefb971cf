using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NeuralDsl.Generator.Tests.Harness;

/// <summary>A diagnostic a test expects: id, file and exact span. Messages are never compared.</summary>
public sealed record ExpectedDiagnostic(string Id, string Path, TextSpan Span);

/// <summary>Marked-up test sources and exact diagnostic comparison.</summary>
public static class DiagnosticAssert
{
    /// <summary>
    /// Strips <c>[|...|]</c> from each source (named as <see cref="GeneratorHarness.Files"/> names them) and expects
    /// one <paramref name="id"/> diagnostic on every marked span.
    /// </summary>
    public static (SourceFile[] Files, ExpectedDiagnostic[] Expected) Prepare(string id, params string[] markedSources)
    {
        SourceFile[] files = GeneratorHarness.Files(markedSources);
        var expected = new List<ExpectedDiagnostic>();
        for (int i = 0; i < files.Length; i++)
        {
            (string text, var spans) = Markup.Parse(files[i].Text);
            files[i] = files[i] with { Text = text };
            expected.AddRange(spans.Select(span => new ExpectedDiagnostic(id, files[i].Path, span)));
        }

        return (files, [.. expected]);
    }

    /// <summary>
    /// The generator reported exactly <paramref name="expected"/> (as a multiset of id, file, span), nothing else,
    /// and did not throw. On failure both sides are listed with line/column and the text under each span.
    /// </summary>
    public static void Exactly(GeneratorRun run, IReadOnlyList<SourceFile> files, params ExpectedDiagnostic[] expected)
    {
        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        var actual = run.GeneratorDiagnostics
            .Select(d => new ExpectedDiagnostic(d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan))
            .ToList();

        var sortedActual = Sort(actual);
        var sortedExpected = Sort(expected);
        if (!sortedActual.SequenceEqual(sortedExpected))
        {
            Assert.Fail(
                "Expected diagnostics:\n" + Describe(sortedExpected, files)
                + "Actual diagnostics:\n" + Describe(sortedActual, files)
                + "Reported:\n" + GeneratorHarness.Describe(run.GeneratorDiagnostics));
        }
    }

    /// <summary>The severity of the single reported diagnostic with <paramref name="id"/>.</summary>
    public static DiagnosticSeverity SeverityOf(GeneratorRun run, string id) =>
        run.GeneratorDiagnostics.Single(d => d.Id == id).Severity;

    private static List<ExpectedDiagnostic> Sort(IEnumerable<ExpectedDiagnostic> diagnostics) =>
        [.. diagnostics.OrderBy(d => d.Path, StringComparer.Ordinal).ThenBy(d => d.Span.Start).ThenBy(d => d.Span.End).ThenBy(d => d.Id, StringComparer.Ordinal)];

    private static string Describe(IEnumerable<ExpectedDiagnostic> diagnostics, IReadOnlyList<SourceFile> files)
    {
        var lines = new List<string>();
        foreach (ExpectedDiagnostic d in diagnostics)
        {
            SourceFile? file = files.FirstOrDefault(f => f.Path == d.Path);
            if (file is null || d.Span.End > file.Text.Length)
            {
                lines.Add($"  {d.Id} {d.Path} {d.Span}");
                continue;
            }

            SourceText text = SourceText.From(file.Text);
            LinePositionSpan position = text.Lines.GetLinePositionSpan(d.Span);
            lines.Add($"  {d.Id} {d.Path}({position.Start.Line + 1},{position.Start.Character + 1})-({position.End.Line + 1},{position.End.Character + 1}) \"{file.Text.Substring(d.Span.Start, d.Span.Length)}\"");
        }

        return lines.Count == 0 ? "  (none)\n" : string.Join("\n", lines) + "\n";
    }
}
