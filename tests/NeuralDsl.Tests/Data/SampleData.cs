using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace NeuralDsl.Tests.Data;

/// <summary>Locates the repository's committed <c>samples/data</c> folder.</summary>
internal static class SampleData
{
    /// <summary>The full path of a file in <c>samples/data</c>.</summary>
    public static string File(string name) => Path.Combine(Folder(), name);

    private static string Folder([CallerFilePath] string thisFile = "")
    {
        // The build output may live outside the repository (--artifacts-path), so start from this source file,
        // then fall back to the output folder's ancestors.
        foreach (string start in new[] { Path.GetDirectoryName(thisFile) ?? "", AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "samples", "data");
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "Dsl.sln")) && Directory.Exists(candidate))
                    return candidate;
            }
        }
        throw new DirectoryNotFoundException($"samples/data not found above '{thisFile}' or '{AppContext.BaseDirectory}'.");
    }
}
