using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// Makes TorchSharp-cpu 0.107.0 loadable on systems whose libstdc++ predates GCC 13 (Debian 12 ships GCC 12's,
/// which defines versions up to GLIBCXX_3.4.30).
/// <para>
/// <c>libLibTorchSharp.so</c> was linked against GCC 13's libstdc++ and so requires version GLIBCXX_3.4.32, but only
/// for <c>std::ios_base_library_init()</c> — an undefined symbol GCC 13 emits in every translation unit that includes
/// &lt;iostream&gt; and that no relocation refers to. The loader still refuses the library because the version is
/// missing. Marking that single Vernaux entry weak (<c>VER_FLG_WEAK</c>) tells ld.so that a missing version is not
/// fatal; nothing else changes, since no symbol of that version is ever looked up. The iostreams are initialized by
/// the older libstdc++ and libtorch itself (built with an older GCC).
/// </para>
/// <para>
/// Only the copy in this application's own output folder is patched, never the NuGet cache, and only when the
/// libstdc++ this process actually uses lacks the version. The patched bytes are written to a temporary file and
/// renamed over the original (so a hard link into the package cache would be broken, not modified). Every other
/// missing version, or a relocation against a symbol of GLIBCXX_3.4.32, makes it throw instead of guessing.
/// </para>
/// </summary>
internal static class TorchNativeFix
{
    private const string TorchSharpLibrary = "libLibTorchSharp.so";
    private const string StdCxxSoName = "libstdc++.so.6";
    private const string MissingVersion = "GLIBCXX_3.4.32";

    private static readonly object Gate = new();
    private static string? _status;

    /// <summary>
    /// Ensures that the libLibTorchSharp.so next to this application can be loaded. Call it before the first torch
    /// call of the process (Program.Main, and [GlobalSetup] in BenchmarkDotNet child processes). Idempotent.
    /// Returns a one-line description of what was found or done.
    /// </summary>
    public static string EnsureLoadable()
    {
        lock (Gate)
        {
            return _status ??= Run();
        }
    }

    private static string Run()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "not linux-x64: nothing to patch";

        List<string> libraries = CandidateLibraries();
        if (libraries.Count == 0)
            return $"no {TorchSharpLibrary} under {AppContext.BaseDirectory}: nothing to patch (TorchSharp will report its own error if it cannot load)";

        if (LoadedObjects().Any(p => Path.GetFileName(p) == TorchSharpLibrary))
            return $"{TorchSharpLibrary} is already loaded in this process: nothing to patch";

        string stdcxx = FindLoadedStdCxx();
        HashSet<string> defined = new Elf64Image(File.ReadAllBytes(stdcxx)).ReadVersionDefinitions();

        var notes = new List<string>();
        foreach (string library in libraries)
            notes.Add(PatchIfNeeded(library, stdcxx, defined));
        return string.Join("; ", notes);
    }

    [SupportedOSPlatform("linux")]
    private static string PatchIfNeeded(string library, string stdcxx, HashSet<string> defined)
    {
        string nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string full = Path.GetFullPath(library);
        if (full.StartsWith(Path.GetFullPath(nugetRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"Refusing to patch {full}: it is inside the NuGet package cache.");

        byte[] bytes = File.ReadAllBytes(full);
        var image = new Elf64Image(bytes);
        List<Elf64Image.VersionNeed> missing = image.ReadVersionNeeds()
            .Where(n => n.File == StdCxxSoName && !defined.Contains(n.Name))
            .ToList();
        if (missing.Count == 0)
            return $"{stdcxx} defines every version {TorchSharpLibrary} needs: no patch";

        List<Elf64Image.VersionNeed> unexpected = missing.Where(n => n.Name != MissingVersion).ToList();
        if (unexpected.Count > 0)
            throw new InvalidOperationException(
                $"{full} needs {string.Join(", ", unexpected.Select(n => n.Name))} from {stdcxx}, which does not define them. " +
                $"Only {MissingVersion} (std::ios_base_library_init, never relocated) can be made weak safely; install a newer libstdc++ instead.");

        Elf64Image.VersionNeed need = missing[0];
        if (need.IsWeak)
            return $"{full}: {MissingVersion} already weak (patched earlier)";

        List<string> relocated = image.RelocatedSymbolsOfVersion(need.Index, out List<string> symbols);
        if (relocated.Count > 0)
            throw new InvalidOperationException(
                $"{full} relocates against {string.Join(", ", relocated)}@{MissingVersion}; marking the version weak would not help. Install a newer libstdc++.");

        ushort flags = (ushort)(need.Flags | Elf64Image.VerFlagWeak);
        bytes[need.FlagsFileOffset] = (byte)flags;
        bytes[need.FlagsFileOffset + 1] = (byte)(flags >> 8);

        // Verify the edit before it replaces anything: the same entry, now weak, and nothing else changed.
        List<Elf64Image.VersionNeed> after = new Elf64Image(bytes).ReadVersionNeeds();
        if (!after.Any(n => n.File == StdCxxSoName && n.Name == MissingVersion && n.IsWeak))
            throw new InvalidOperationException($"Patching {full} did not produce a weak {MissingVersion} entry; file left unchanged.");

        string temp = full + $".patch-{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
        File.Move(temp, full, overwrite: true);
        return $"{full}: marked {MissingVersion} weak ({stdcxx} lacks it; symbols of that version: {string.Join(", ", symbols)}, none relocated)";
    }

    private static List<string> CandidateLibraries()
    {
        string baseDir = AppContext.BaseDirectory;
        var result = new List<string>();
        foreach (string path in new[]
                 {
                     Path.Combine(baseDir, "runtimes", "linux-x64", "native", TorchSharpLibrary),
                     Path.Combine(baseDir, TorchSharpLibrary),
                 })
        {
            if (File.Exists(path)) result.Add(path);
        }

        return result;
    }

    private static string FindLoadedStdCxx()
    {
        // The loader reuses an already loaded libstdc++.so.6 (the .NET host links it), so the one mapped into this
        // process is exactly the one libLibTorchSharp.so will bind to. Loading it by soname covers any other host.
        NativeLibrary.TryLoad(StdCxxSoName, out _);
        string? path = LoadedObjects().FirstOrDefault(p => Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal));
        return path ?? throw new InvalidOperationException($"{StdCxxSoName} is not mapped into this process; cannot tell which versions it defines.");
    }

    private static IEnumerable<string> LoadedObjects()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash >= 0) yield return line[slash..].Trim();
        }
    }
}
