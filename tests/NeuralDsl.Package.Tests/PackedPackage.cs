using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace NeuralDsl.Package.Tests;

/// <summary>The NeuralDsl package packed once for the tests of a class, from the runtime and generator this test
/// project was built with, into a fresh folder that serves as a local feed; deleted on dispose.</summary>
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
        // --no-build: the test project's build built the runtime and the generator in this configuration already.
        (int exitCode, string output, PackDuration) = DotnetCli.Run(Root, CommandTimeout, "pack", Metadata("NeuralDslProject"),
            "-c", configuration, "--no-build", "-o", Feed, "-nodeReuse:false", "-p:VersionSuffix=" + suffix,
            "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + Path.DirectorySeparatorChar);
        Package = Path.Combine(Feed, $"NeuralDsl.{Version}.nupkg");
        if (exitCode != 0 || !File.Exists(Package))
        {
            string written = File.Exists(Package) ? "" : "no ";
            Dispose(); // xunit does not dispose a fixture whose constructor throws
            throw new InvalidOperationException($"dotnet pack exited with {exitCode} and wrote {written}{Path.GetFileName(Package)}:\n{output}");
        }
    }

    /// <summary>The temporary folder everything of these tests lives in.</summary>
    public string Root { get; }

    /// <summary>The local feed: a folder holding the .nupkg.</summary>
    public string Feed { get; }

    public string Version { get; }

    public string Package { get; }

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
