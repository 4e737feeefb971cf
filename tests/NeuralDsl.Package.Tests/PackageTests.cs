using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace NeuralDsl.Package.Tests;

/// <summary>The NeuralDsl package as a user gets it: what it holds, and a fresh console project that installs it
/// (and the NeuralDsl.Plots companion) from a local feed, builds without a warning, trains a model with the generator
/// the package carries and plots its training curves.</summary>
public sealed class PackageTests(PackedPackage package, ITestOutputHelper log) : IClassFixture<PackedPackage>
{
    // The consumer's results, one `name=value` a line (its summary's ===== rules are not).
    private static readonly Regex s_valueLine = new("^([a-z_]+)=(.+)$");

    [Fact]
    public void Package_holds_the_runtime_its_docs_the_generator_as_analyzer_and_the_readme()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.Package);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net10.0/NeuralDsl.dll", entries);
        Assert.Contains("lib/net10.0/NeuralDsl.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/NeuralDsl.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/NeuralDsl.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        // The generator is an analyzer only: never a library the user's code compiles against.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));

        XDocument nuspec;
        using (Stream stream = zip.Entries.Single(e => e.FullName == "NeuralDsl.nuspec").Open())
            nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("NeuralDsl", metadata.Element(ns + "id")!.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
        XElement license = metadata.Element(ns + "license")!;
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        // Its one dependency; the generator's Roslyn references are the compiler's own, not the user's.
        string[] dependencies = metadata.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToArray();
        Assert.Equal(["System.Numerics.Tensors"], dependencies);
    }

    [Fact]
    public void Plots_package_holds_its_library_and_docs_and_depends_on_NeuralDsl_of_at_least_its_version()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PlotsPackage);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net10.0/NeuralDsl.Plots.dll", entries);
        Assert.Contains("lib/net10.0/NeuralDsl.Plots.xml", entries);
        Assert.Contains("README.md", entries);
        // Its own code only: NeuralDsl comes from the NeuralDsl package, never a second copy in this one.
        Assert.DoesNotContain("lib/net10.0/NeuralDsl.dll", entries);

        XDocument nuspec;
        using (Stream stream = zip.Entries.Single(e => e.FullName == "NeuralDsl.Plots.nuspec").Open())
            nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("NeuralDsl.Plots", metadata.Element(ns + "id")!.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        // Public API only (no InternalsVisibleTo from the runtime), so any NeuralDsl from this version on will do.
        Dictionary<string, string> dependencies = metadata.Descendants(ns + "dependency")
            .ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
        Assert.Equal(["NeuralDsl", "ScottPlot"], dependencies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(package.Version, dependencies["NeuralDsl"]);
    }

    [Fact]
    public void Onnx_package_holds_its_library_and_docs_and_depends_on_NeuralDsl_of_at_least_its_version()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.OnnxPackage);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net10.0/NeuralDsl.Onnx.dll", entries);
        Assert.Contains("lib/net10.0/NeuralDsl.Onnx.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain("lib/net10.0/NeuralDsl.dll", entries);

        XDocument nuspec;
        using (Stream stream = zip.Entries.Single(e => e.FullName == "NeuralDsl.Onnx.nuspec").Open())
            nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("NeuralDsl.Onnx", metadata.Element(ns + "id")!.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        // Protobuf for the file format, and NeuralDsl's public API only, so any NeuralDsl from this version on will do.
        Dictionary<string, string> dependencies = metadata.Descendants(ns + "dependency")
            .ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
        Assert.Equal(["Google.Protobuf", "NeuralDsl"], dependencies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(package.Version, dependencies["NeuralDsl"]);
    }

    [Fact]
    public void A_fresh_console_project_installs_the_package_from_a_local_feed_builds_without_warnings_and_trains()
    {
        string consumer = Path.Combine(package.Root, "consumer");
        string packages = Path.Combine(package.Root, "packages");
        TimeSpan timeout = PackedPackage.CommandTimeout;

        log.WriteLine($"dotnet pack: {package.PackDuration.TotalSeconds:F1} s");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        DotnetCli.RunOrFail(package.Root, timeout, "new", "console", "-o", consumer, "-n", "PackageConsumer", "--no-restore");
        log.WriteLine($"dotnet new console: {stopwatch.Elapsed.TotalSeconds:F1} s");
        WriteNuGetConfig(consumer, packages);
        stopwatch.Restart();
        DotnetCli.RunOrFail(consumer, timeout, "add", "package", "NeuralDsl", "--version", package.Version);
        log.WriteLine($"dotnet add package NeuralDsl (restore from the feed): {stopwatch.Elapsed.TotalSeconds:F1} s");
        stopwatch.Restart();
        DotnetCli.RunOrFail(consumer, timeout, "add", "package", "NeuralDsl.Plots", "--version", package.Version);
        log.WriteLine($"dotnet add package NeuralDsl.Plots: {stopwatch.Elapsed.TotalSeconds:F1} s");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(consumer, "Program.cs"), overwrite: true);

        (int exitCode, string build, TimeSpan buildTime) = DotnetCli.Run(consumer, timeout, "build", "-nodeReuse:false");
        log.WriteLine($"consumer build: {buildTime.TotalSeconds:F1} s");
        Assert.True(exitCode == 0, "the consumer does not build:\n" + build);
        List<string> warnings = DotnetCli.WarningLines(build);
        Assert.True(warnings.Count == 0, "the consumer builds with warnings:\n" + string.Join('\n', warnings));

        // Restored from the feed just packed, into this test's own packages folder.
        string restored = Path.Combine(packages, "neuraldsl", package.Version.ToLowerInvariant());
        Assert.True(File.Exists(Path.Combine(restored, "analyzers", "dotnet", "cs", "NeuralDsl.Generator.dll")), $"no package in {restored}");

        string run = DotnetCli.RunOrFail(consumer, timeout, Path.Combine(consumer, "bin", "Debug", "net10.0", "PackageConsumer.dll"));
        log.WriteLine(run);
        Dictionary<string, string> values = run.Split('\n').Select(line => s_valueLine.Match(line.TrimEnd()))
            .Where(m => m.Success).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        // The generator ran: the summary and the sizes of 2 → 8 (relu) → 1 (sigmoid).
        Assert.Contains("Total params: 33", run);
        Assert.Equal("33", values["parameters"]);
        // Training learned the separable labels, and the prediction reads the right side of the line a + b = 0.
        Assert.True(Value(values, "last_loss") < Value(values, "first_loss") / 2, run);
        Assert.True(Value(values, "accuracy") >= 0.95, run);
        Assert.True(Value(values, "positive") > 0.8, run);
        Assert.True(Value(values, "negative") < 0.2, run);

        // NeuralDsl.Plots drew the training curves: a PNG of two 480 × 360 panels side by side (loss, accuracy).
        string plot = Path.Combine(consumer, values["plot"]);
        byte[] png = File.ReadAllBytes(plot);
        Assert.True(png.Length > 2000, $"{plot}: {png.Length} bytes, too small for two drawn panels");
        Assert.Equal(s_pngSignature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal((960, 360), (BigEndian(png, 16), BigEndian(png, 20)));
    }

    private static readonly byte[] s_pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static int BigEndian(byte[] bytes, int offset) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));

    private static double Value(Dictionary<string, string> values, string key) => double.Parse(values[key], CultureInfo.InvariantCulture);

    /// <summary>NeuralDsl and NeuralDsl.Plots come only from the local feed and everything else from nuget.org, into a packages folder of
    /// this test's own; the machine's packages folder serves as a read-only fallback, so the dependencies already
    /// there are not downloaded again (the unique version keeps any NeuralDsl in it out of reach).</summary>
    private void WriteNuGetConfig(string consumer, string packages)
    {
        string machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var configuration = new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", packages))),
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "local"), new XAttribute("value", package.Feed)),
                new XElement("add", new XAttribute("key", "nuget.org"), new XAttribute("value", "https://api.nuget.org/v3/index.json"))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "local"),
                    new XElement("package", new XAttribute("pattern", "NeuralDsl")),
                    new XElement("package", new XAttribute("pattern", "NeuralDsl.Plots"))),
                new XElement("packageSource", new XAttribute("key", "nuget.org"), new XElement("package", new XAttribute("pattern", "*")))),
            new XElement("fallbackPackageFolders",
                Directory.Exists(machinePackages) ? new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", machinePackages)) : null));
        new XDocument(configuration).Save(Path.Combine(consumer, "nuget.config"));
    }
}
