using System;
using System.Globalization;
using System.IO;

namespace NeuralDsl;

/// <summary>
/// Replaces a file so that readers (and a crash) see either the old content or the complete new content, never a
/// prefix: write a temporary file in the same directory, flush it to disk, then rename it over the target.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically.</summary>
    /// <remarks>
    /// The temporary file is <c>path + ".tmp"</c> when that name is free (predictable, so a leftover from a killed
    /// process is easy to recognise), else <c>path.{random}.tmp</c>; it lives in the target's directory because a
    /// rename is only atomic within one file system. On any failure the temporary file is deleted and the target is
    /// untouched. The directory entry itself is not fsynced (.NET has no portable API for it), so after a power loss
    /// the rename may be lost, but never half-applied.
    /// </remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new IOException($"Cannot write '{path}': it is a directory.");

        FileStream stream = CreateTemporary(fullPath, out string tempPath);
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    private static FileStream CreateTemporary(string fullPath, out string tempPath)
    {
        tempPath = fullPath + ".tmp";
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                // CreateNew, never Create: another writer's temporary file must not be truncated under it.
                return new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            }
            catch (IOException) when (attempt < 16 && File.Exists(tempPath))
            {
                tempPath = fullPath + "." + Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture) + ".tmp";
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original exception is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
