using System;
using System.Collections.Generic;
using System.IO;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;
using Xunit.Sdk;

namespace NeuralDsl.Generator.Tests.HarnessTests;

/// <summary>The snapshot helper itself, in a private temp folder (never the real Snapshots folder, never the env var).</summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ndsl-snapshot-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Verified(string name) => Path.Combine(_dir, name + ".verified.cs");

    private string Received(string name) => Path.Combine(_dir, name + ".received.cs");

    private static string Lines(int count, Func<int, string> line)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            text.Append(line(i)).Append('\n');
        }

        return text.ToString();
    }

    [Fact]
    public void Match_passes_when_the_baseline_is_equal_and_removes_a_stale_received_file()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Verified("A"), "class A { }\n");
        File.WriteAllText(Received("A"), "left over from an earlier failure");

        Snapshot.MatchIn(_dir, "class A { }\n", "A", accept: false);

        Assert.False(File.Exists(Received("A")));
    }

    [Fact]
    public void Match_normalises_line_endings_on_both_sides()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Verified("A"), "line 1\r\nline 2\r\n");

        Snapshot.MatchIn(_dir, "line 1\nline 2\n", "A", accept: false);
        Snapshot.MatchIn(_dir, "line 1\rline 2\r", "A", accept: false);
    }

    [Fact]
    public void Mismatch_writes_received_and_the_diff_names_the_changed_line()
    {
        Directory.CreateDirectory(_dir);
        string expected = Lines(40, i => $"line {i}");
        string actual = expected.Replace("line 20\n", "line twenty\n", StringComparison.Ordinal);
        File.WriteAllText(Verified("A"), expected);

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchIn(_dir, actual, "A", accept: false));

        Assert.Equal(actual, File.ReadAllText(Received("A")));
        Assert.Equal(expected, File.ReadAllText(Verified("A")));
        string message = failure.Message;
        Assert.Contains("\n-line 20\n", message, StringComparison.Ordinal);
        Assert.Contains("\n+line twenty\n", message, StringComparison.Ordinal);
        // One hunk, three lines of context either side: old lines 17..23, new lines 17..23.
        Assert.Contains("@@ -17,7 +17,7 @@", message, StringComparison.Ordinal);
        Assert.Contains(" line 17\n", message, StringComparison.Ordinal);
        Assert.Contains(" line 23\n", message, StringComparison.Ordinal);
        // Only the changed hunk is shown.
        Assert.DoesNotContain("line 16\n", message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 24\n", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Distant_changes_get_separate_hunks_and_near_ones_share_one()
    {
        string expected = Lines(60, i => $"l{i}");
        string actual = expected.Replace("l5\n", "L5\n", StringComparison.Ordinal)
            .Replace("l8\n", "L8\n", StringComparison.Ordinal)
            .Replace("l50\n", "L50\n", StringComparison.Ordinal);

        string diff = Snapshot.UnifiedDiff(expected, actual, "a", "b");

        Assert.Contains("@@ -2,10 +2,10 @@", diff, StringComparison.Ordinal);   // l2..l11 around l5 and l8
        Assert.Contains("@@ -47,7 +47,7 @@", diff, StringComparison.Ordinal);   // l47..l53 around l50
        Assert.Equal(2, diff.Split("@@ -").Length - 1);
    }

    [Fact]
    public void Diff_counts_insertions_and_deletions_in_the_hunk_header()
    {
        string expected = Lines(10, i => $"l{i}");
        string actual = expected.Replace("l5\n", "l5\nnew a\nnew b\n", StringComparison.Ordinal).Replace("l9\n", string.Empty, StringComparison.Ordinal);

        string diff = Snapshot.UnifiedDiff(expected, actual, "a", "b");

        Assert.Contains("\n+new a\n+new b\n", diff, StringComparison.Ordinal);
        Assert.Contains("\n-l9\n", diff, StringComparison.Ordinal);
        Assert.Contains("@@ -3,8 +3,9 @@", diff, StringComparison.Ordinal);    // l3..l10 (8) vs l3..l10 + 2 new − l9 (9)
    }

    [Fact]
    public void Whitespace_only_differences_are_made_visible()
    {
        string diff = Snapshot.UnifiedDiff("a\nb\n", "a \nb\n", "a", "b");

        Assert.Contains("\n+a·\n", diff, StringComparison.Ordinal);
        Assert.Contains("\n-a\n", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_baseline_fails_and_writes_received()
    {
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchIn(_dir, "class B { }\n", "B", accept: false));

        Assert.Contains(Verified("B"), failure.Message, StringComparison.Ordinal);
        Assert.Equal("class B { }\n", File.ReadAllText(Received("B")));
        Assert.False(File.Exists(Verified("B")));
    }

    [Fact]
    public void Accept_mode_writes_the_baseline_and_deletes_received()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Verified("C"), "old\n");
        File.WriteAllText(Received("C"), "new\n");

        Snapshot.MatchIn(_dir, "new\r\n", "C", accept: true);

        Assert.Equal("new\n", File.ReadAllText(Verified("C")));
        Assert.False(File.Exists(Received("C")));
        Snapshot.MatchIn(_dir, "new\n", "C", accept: false);
    }

    [Fact]
    public void Accept_mode_creates_a_missing_baseline()
    {
        Snapshot.MatchIn(_dir, "fresh\n", "D", accept: true);

        Assert.Equal("fresh\n", File.ReadAllText(Verified("D")));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Accept_variable_values(string? value, bool accept) => Assert.Equal(accept, Snapshot.IsAcceptValue(value));

    [Fact]
    public void Generator_version_is_scrubbed_to_a_fixed_token()
    {
        const string a = "[global::System.CodeDom.Compiler.GeneratedCode(\"NeuralDsl.Generator\", \"1.2.3.0\")]\nclass X { }\n";
        const string b = "[global::System.CodeDom.Compiler.GeneratedCodeAttribute(\"NeuralDsl.Generator\", \"9.9.9-beta+abc\")]\nclass X { }\n";

        Assert.Equal("[global::System.CodeDom.Compiler.GeneratedCode(\"NeuralDsl.Generator\", \"<version>\")]\nclass X { }\n", Snapshot.Scrub(a));
        Assert.Contains("(\"NeuralDsl.Generator\", \"<version>\")]", Snapshot.Scrub(b), StringComparison.Ordinal);
        // Other tools' attributes are left alone.
        Assert.Contains("\"2.0\"", Snapshot.Scrub("[GeneratedCode(\"Other\", \"2.0\")]"), StringComparison.Ordinal);

        Directory.CreateDirectory(_dir);
        File.WriteAllText(Verified("E"), Snapshot.Scrub(a));
        Snapshot.MatchIn(_dir, a.Replace("1.2.3.0", "4.5.6.0", StringComparison.Ordinal), "E", accept: false);
    }

    [Fact]
    public void MatchAll_names_files_by_hint_and_reports_every_mismatch()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Verified("T.Case#N.M.g"), "one\n");
        File.WriteAllText(Verified("T.Case#N.O.g"), "two\n");
        var files = new Dictionary<string, string> { ["N.M.g.cs"] = "ONE\n", ["N.O.g.cs"] = "TWO\n" };

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchAllIn(_dir, files, "T.Case", accept: false));

        Assert.Contains("+ONE", failure.Message, StringComparison.Ordinal);
        Assert.Contains("+TWO", failure.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Received("T.Case#N.M.g")));
        Assert.True(File.Exists(Received("T.Case#N.O.g")));
    }

    [Fact]
    public void MatchAll_fails_on_a_stale_baseline_and_accept_mode_deletes_it()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Verified("T.Case#N.M.g"), "one\n");
        File.WriteAllText(Verified("T.Case#N.Gone.g"), "gone\n");
        File.WriteAllText(Verified("T.Other#N.Gone.g"), "another test's file\n");
        var files = new Dictionary<string, string> { ["N.M.g.cs"] = "one\n" };

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchAllIn(_dir, files, "T.Case", accept: false));
        Assert.Contains("T.Case#N.Gone.g.verified.cs", failure.Message, StringComparison.Ordinal);

        Snapshot.MatchAllIn(_dir, files, "T.Case", accept: true);
        Assert.False(File.Exists(Verified("T.Case#N.Gone.g")));
        Assert.True(File.Exists(Verified("T.Other#N.Gone.g")));
    }

    [Fact]
    public void MatchAll_fails_when_nothing_was_emitted()
    {
        Assert.ThrowsAny<XunitException>(() => Snapshot.MatchAllIn(_dir, new Dictionary<string, string>(), "T.Empty", accept: false));
    }

    [Fact]
    public void Snapshot_folder_is_beside_the_calling_source()
    {
        string dir = Snapshot.DirectoryFor(Path.Combine("/repo", "tests", "X.cs"));

        Assert.Equal(Path.Combine("/repo", "tests", "Snapshots"), dir);
        Assert.Equal("P#A.B.g", Snapshot.NameFor("P", "A.B.g.cs"));
    }
}
