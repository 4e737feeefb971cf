using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace NeuralDsl.Package.Tests;

/// <summary>The NeuralDsl, NeuralDsl.Plots and NeuralDsl.Onnx packages packed once for the tests of a class, from the runtime,
/// generator and companions this test project was built with, into a fresh folder that serves as a local feed; deleted on
/// dispose.</summary>
public sealed class PackedPackage : IDisposable
{
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    public PackedPackage()
    {
        Root = Path.Combine(Path.GetTempPath(), "neuraldsl-package-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);

        // A version no earlier run can have left in any NuGet cache: a stale NeuralDsl is never restored instead.
        string suffix = "packtest-" + Guid.NewGuid().ToString("N")[..12];
        Version = Metadata("NeuralDslVersionPrefix") + "-" + suffix;
        string configuration = typeof(PackedPackage).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        Package = Path.Combine(Feed, $"NeuralDsl.{Version}.nupkg");
        PlotsPackage = Path.Combine(Feed, $"NeuralDsl.Plots.{Version}.nupkg");
        OnnxPackage = Path.Combine(Feed, $"NeuralDsl.Onnx.{Version}.nupkg");
        PackDuration = Pack(Metadata("NeuralDslProject"), Package, configuration, suffix)
                     + Pack(Metadata("NeuralDslPlotsProject"), PlotsPackage, configuration, suffix)
                     + Pack(Metadata("NeuralDslOnnxProject"), OnnxPackage, configuration, suffix);
    }

    // --no-build: the test project's build built the runtime, the generator and the plots in this configuration already.
    private TimeSpan Pack(string project, string package, string configuration, string suffix)
    {
        (int exitCode, string output, TimeSpan duration) = DotnetCli.Run(Root, CommandTimeout, "pack", project,
            "-c", configuration, "--no-build", "-o", Feed, "-nodeReuse:false", "-p:VersionSuffix=" + suffix,
            "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec", Path.GetFileNameWithoutExtension(project)) + Path.DirectorySeparatorChar);
        if (exitCode != 0 || !File.Exists(package))
        {
            string written = File.Exists(package) ? "" : "no ";
            Dispose(); // xunit does not dispose a fixture whose constructor throws
            throw new InvalidOperationException($"dotnet pack exited with {exitCode} and wrote {written}{Path.GetFileName(package)}:\n{output}");
        }
        return duration;
    }

    /// <summary>The temporary folder everything of these tests lives in.</summary>
    public string Root { get; }

    /// <summary>The local feed: a folder holding the .nupkg.</summary>
    public string Feed { get; }

    public string Version { get; }

    /// <summary>The NeuralDsl package.</summary>
    public string Package { get; }

    /// <summary>The NeuralDsl.Plots companion package, of the same version.</summary>
    public string PlotsPackage { get; }

    /// <summary>The NeuralDsl.Onnx companion package (ONNX export), of the same version.</summary>
    public string OnnxPackage { get; }

    public TimeSpan PackDuration { get; }

    private static string Metadata(string key) =>
        typeof(PackedPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail the tests.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
