using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// The diagnostic catalog (style.md §2.4/§2.5): every descriptor is tracked in AnalyzerReleases (RS2008) with its
/// severity, uses the NeuralDsl category and NDSL ids, and has a test in <see cref="DiagnosticTests"/> named after it.
/// </summary>
public sealed class DescriptorCatalogTests
{
    /// <summary>Reported only when the generator itself fails, so it cannot be provoked on purpose.</summary>
    private const string InternalError = "NDSL2000";

    private static IReadOnlyList<DiagnosticDescriptor> Descriptors()
    {
        Type catalog = typeof(ModelGenerator).Assembly.GetType("NeuralDsl.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        return [.. catalog.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)];
    }

    private static string ReleaseNotes([CallerFilePath] string file = "")
    {
        string diagnostics = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "generator", "NeuralDsl.Generator", "Diagnostics"));
        return File.ReadAllText(Path.Combine(diagnostics, "AnalyzerReleases.Shipped.md")) + "\n" + File.ReadAllText(Path.Combine(diagnostics, "AnalyzerReleases.Unshipped.md"));
    }

    [Fact]
    public void Catalog_covers_the_contract_ids()
    {
        string[] ids = [.. Descriptors().Select(d => d.Id)];

        Assert.Equal(ids.Distinct(StringComparer.Ordinal).Count(), ids.Length);
        foreach (string id in new[] { "NDSL0001", "NDSL0002", "NDSL0003", "NDSL0004", "NDSL0005", "NDSL0006", "NDSL0007", "NDSL1001", "NDSL1002", "NDSL1003", "NDSL1004", InternalError })
        {
            Assert.Contains(id, ids);
        }
    }

    [Fact]
    public void Every_descriptor_is_well_formed_and_tracked_in_analyzer_releases()
    {
        string notes = ReleaseNotes();
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            Assert.Matches("^NDSL[0-2][0-9]{3}$", d.Id);
            Assert.Equal("NeuralDsl", d.Category);
            Assert.True(d.IsEnabledByDefault, d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString(System.Globalization.CultureInfo.InvariantCulture)), d.Id);
            string row = $"{d.Id} | NeuralDsl | {d.DefaultSeverity} |";
            Assert.True(notes.Contains(row, StringComparison.Ordinal), $"AnalyzerReleases does not list '{row}'.");
        }

        Assert.Equal(DiagnosticSeverity.Warning, Descriptors().Single(d => d.Id == "NDSL1004").DefaultSeverity);
    }

    [Fact]
    public void Every_descriptor_has_a_diagnostic_test_named_after_its_id()
    {
        string[] tests = [.. typeof(DiagnosticTests).GetMethods().Where(m => m.GetCustomAttributes<FactAttribute>().Any()).Select(m => m.Name)];
        var missing = Descriptors()
            .Select(d => d.Id)
            .Where(id => id != InternalError && !tests.Any(t => t.StartsWith(id + "_", StringComparison.Ordinal)))
            .ToList();

        Assert.True(missing.Count == 0, "No DiagnosticTests method starts with: " + string.Join(", ", missing));
    }
}
