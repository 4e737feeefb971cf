using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DiffPlex;
using DiffPlex.Model;
using Xunit;

namespace NeuralDsl.Generator.Tests.Harness;

/// <summary>
/// A Verify-convention snapshot helper (no Verify package is served here). <c>Match(text, name)</c> compares the
/// LF-normalised, scrubbed text with <c>Snapshots/{name}.verified.cs</c> beside the calling test source. On a
/// mismatch (or a missing baseline) it writes <c>{name}.received.cs</c> and fails with a unified diff.
/// With <c>DSL_ACCEPT_SNAPSHOTS=1</c> it (re)writes the baseline instead and deletes the received file.
/// </summary>
public static partial class Snapshot
{
    /// <summary>The environment variable that switches every snapshot assertion to accept mode.</summary>
    public const string AcceptVariable = "DSL_ACCEPT_SNAPSHOTS";

    /// <summary>What the <c>[GeneratedCode("NeuralDsl.Generator", "x.y.z")]</c> version is replaced with.</summary>
    public const string VersionToken = "<version>";

    /// <summary>Lines of unchanged context around each changed hunk in a failure diff.</summary>
    public const int ContextLines = 3;

    private const string VerifiedSuffix = ".verified.cs";
    private const string ReceivedSuffix = ".received.cs";

    /// <summary>Whether the current process runs in accept mode (<c>DSL_ACCEPT_SNAPSHOTS=1</c>).</summary>
    public static bool AcceptMode => IsAcceptValue(Environment.GetEnvironmentVariable(AcceptVariable));

    /// <summary><c>1</c> or <c>true</c> (any case) turn accept mode on; anything else, or unset, leaves it off.</summary>
    public static bool IsAcceptValue(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Matches <paramref name="text"/> against <c>Snapshots/{name}.verified.cs</c> beside the calling source file.</summary>
    public static void Match(string text, string name, [CallerFilePath] string file = "") =>
        MatchIn(DirectoryFor(file), text, name, AcceptMode);

    /// <summary>
    /// Matches a whole set of emitted files: each entry is stored as <c>{prefix}#{key without .cs}.verified.cs</c>.
    /// Baselines with the same prefix that no entry produced are stale: they fail the test (accept mode deletes them).
    /// All mismatches are reported together.
    /// </summary>
    public static void MatchAll(IReadOnlyDictionary<string, string> files, string prefix, [CallerFilePath] string file = "") =>
        MatchAllIn(DirectoryFor(file), files, prefix, AcceptMode);

    /// <summary>The <c>Snapshots</c> folder beside <paramref name="callerFilePath"/>.</summary>
    public static string DirectoryFor(string callerFilePath)
    {
        if (string.IsNullOrEmpty(callerFilePath))
        {
            throw new ArgumentException("The caller file path is empty; pass [CallerFilePath] through.", nameof(callerFilePath));
        }

        string folder = Path.GetDirectoryName(callerFilePath)
            ?? throw new ArgumentException($"'{callerFilePath}' has no folder.", nameof(callerFilePath));
        return Path.Combine(folder, "Snapshots");
    }

    /// <summary>The snapshot name for one emitted file: <c>{prefix}#{hint}</c> with a trailing <c>.cs</c> removed.</summary>
    public static string NameFor(string prefix, string hintName) =>
        prefix + "#" + (hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName[..^3] : hintName);

    /// <summary><see cref="Match"/> against an explicit folder and mode (what the helper's own tests use).</summary>
    public static void MatchIn(string directory, string text, string name, bool accept)
    {
        string? failure = Compare(directory, text, name, accept);
        if (failure is not null)
        {
            Assert.Fail(failure);
        }
    }

    /// <summary><see cref="MatchAll"/> against an explicit folder and mode.</summary>
    public static void MatchAllIn(string directory, IReadOnlyDictionary<string, string> files, string prefix, bool accept)
    {
        var failures = new List<string>();
        var expectedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in files.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string name = NameFor(prefix, entry.Key);
            expectedNames.Add(name);
            string? failure = Compare(directory, entry.Value, name, accept);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        if (Directory.Exists(directory))
        {
            foreach (string path in Directory.GetFiles(directory, prefix + "#*" + VerifiedSuffix).OrderBy(p => p, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(path)[..^VerifiedSuffix.Length];
                if (expectedNames.Contains(name))
                {
                    continue;
                }

                if (accept)
                {
                    File.Delete(path);
                }
                else
                {
                    failures.Add($"Stale snapshot {path}: no emitted file produced it (run with {AcceptVariable}=1 to delete it).");
                }
            }
        }

        if (files.Count == 0)
        {
            failures.Add($"Nothing to match for '{prefix}': the generator emitted no files.");
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join("\n\n", failures));
        }
    }

    /// <summary>Normalises line endings to LF and replaces the generator version in <c>[GeneratedCode]</c>.</summary>
    public static string Scrub(string text)
    {
        string lf = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return GeneratedCodeVersion().Replace(lf, "${head}" + VersionToken + "${tail}");
    }

    /// <summary>
    /// A unified diff (<c>---</c>/<c>+++</c> header, <c>@@ -a,n +b,m @@</c> hunks, 1-based line numbers) that shows only
    /// the changed hunks with <paramref name="context"/> lines around them. Empty when the texts are equal.
    /// </summary>
    public static string UnifiedDiff(string expected, string actual, string expectedLabel, string actualLabel, int context = ContextLines)
    {
        DiffResult diff = Differ.Instance.CreateLineDiffs(expected, actual, ignoreWhitespace: false, ignoreCase: false);
        if (diff.DiffBlocks.Count == 0)
        {
            return string.Empty;
        }

        IReadOnlyList<string> a = diff.PiecesOld;
        IReadOnlyList<string> b = diff.PiecesNew;
        var blocks = diff.DiffBlocks.OrderBy(d => d.DeleteStartA).ToList();

        // A final newline yields an empty last piece; it is not a line of its own unless a change touches it.
        int lengthA = a.Count > 0 && a[^1].Length == 0 ? a.Count - 1 : a.Count;

        var output = new StringBuilder();
        output.Append("--- ").Append(expectedLabel).Append('\n');
        output.Append("+++ ").Append(actualLabel).Append('\n');

        int i = 0;
        while (i < blocks.Count)
        {
            // Group blocks whose context windows touch into one hunk.
            int j = i;
            while (j + 1 < blocks.Count && blocks[j + 1].DeleteStartA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA) <= 2 * context)
            {
                j++;
            }

            DiffBlock first = blocks[i];
            DiffBlock last = blocks[j];
            int startA = Math.Max(0, first.DeleteStartA - context);
            int startB = Math.Max(0, first.InsertStartB - (first.DeleteStartA - startA));
            int endA = Math.Max(last.DeleteStartA + last.DeleteCountA, Math.Min(lengthA, last.DeleteStartA + last.DeleteCountA + context));

            var lines = new List<string>();
            int countA = 0;
            int countB = 0;
            int cursorA = startA;
            for (int k = i; k <= j; k++)
            {
                DiffBlock block = blocks[k];
                for (; cursorA < block.DeleteStartA; cursorA++)
                {
                    lines.Add(" " + Visible(a[cursorA]));
                    countA++;
                    countB++;
                }

                for (int d = 0; d < block.DeleteCountA; d++)
                {
                    lines.Add("-" + Visible(a[block.DeleteStartA + d]));
                    countA++;
                }

                for (int n = 0; n < block.InsertCountB; n++)
                {
                    lines.Add("+" + Visible(b[block.InsertStartB + n]));
                    countB++;
                }

                cursorA = block.DeleteStartA + block.DeleteCountA;
            }

            for (; cursorA < endA; cursorA++)
            {
                lines.Add(" " + Visible(a[cursorA]));
                countA++;
                countB++;
            }

            output.Append("@@ -").Append(HunkStart(startA, countA)).Append(',').Append(countA)
                .Append(" +").Append(HunkStart(startB, countB)).Append(',').Append(countB).Append(" @@\n");
            foreach (string line in lines)
            {
                output.Append(line).Append('\n');
            }

            i = j + 1;
        }

        return output.ToString();
    }

    private static string? Compare(string directory, string text, string name, bool accept)
    {
        string received = Scrub(text);
        string verifiedPath = Path.Combine(directory, name + VerifiedSuffix);
        string receivedPath = Path.Combine(directory, name + ReceivedSuffix);

        if (accept)
        {
            Directory.CreateDirectory(directory);
            WriteLf(verifiedPath, received);
            File.Delete(receivedPath);
            return null;
        }

        if (!File.Exists(verifiedPath))
        {
            Directory.CreateDirectory(directory);
            WriteLf(receivedPath, received);
            return $"Snapshot '{name}' has no baseline {verifiedPath}.\nWrote {receivedPath}; review it and rename it, "
                + $"or run with {AcceptVariable}=1 to accept.";
        }

        string verified = Scrub(File.ReadAllText(verifiedPath));
        if (string.Equals(verified, received, StringComparison.Ordinal))
        {
            File.Delete(receivedPath);
            return null;
        }

        WriteLf(receivedPath, received);
        string diff = UnifiedDiff(verified, received, verifiedPath, receivedPath);
        return $"Snapshot '{name}' does not match its baseline (run with {AcceptVariable}=1 to accept).\n{diff}";
    }

    private static void WriteLf(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    // Unified diff convention: an empty range starts at the line before it.
    private static int HunkStart(int zeroBasedStart, int count) => count == 0 ? zeroBasedStart : zeroBasedStart + 1;

    // Trailing whitespace is invisible in a failure message; show it so whitespace-only diffs are readable.
    private static string Visible(string line)
    {
        int end = line.Length;
        while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        {
            end--;
        }

        if (end == line.Length)
        {
            return line;
        }

        return line[..end] + line[end..].Replace(' ', '·').Replace('\t', '→');
    }

    [GeneratedRegex("""(?<head>GeneratedCode(?:Attribute)?\(\s*"NeuralDsl\.Generator"\s*,\s*")[^"]*(?<tail>")""")]
    private static partial Regex GeneratedCodeVersion();
}
