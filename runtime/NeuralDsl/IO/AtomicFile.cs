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
    private const string TemporarySuffix = ".tmp";
    private const int RandomPartLength = 8; // "x8" of a non-negative int

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically.</summary>
    /// <remarks>
    /// <para>
    /// The temporary file is <c>path + ".tmp"</c> when that name is free (predictable, so a leftover from a killed
    /// process is easy to recognise), else <c>path.{8 hex digits}.tmp</c>; it lives in the target's directory because
    /// a rename is only atomic within one file system. On any failure the temporary file is deleted and the target is
    /// untouched. The directory entry itself is not fsynced (.NET has no portable API for it), so after a power loss
    /// the rename may be lost, but never half-applied.
    /// </para>
    /// <para>
    /// A process killed mid-save leaves its temporary file behind; the next save of the same target removes such
    /// leftovers: regular files with exactly those two name forms that no one holds open. A writer holds its temporary
    /// file open (and, on Unix, locked) until the rename, so a concurrent save's file is never taken for a leftover.
    /// </para>
    /// <para>
    /// I/O errors are rethrown with the same exception type and a message that names <paramref name="path"/>, not the
    /// temporary file; the original exception is the inner exception. Exceptions from <paramref name="write"/> that
    /// are not I/O errors pass through unchanged.
    /// </para>
    /// </remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new IOException($"Cannot save '{path}': it is a directory.");

        string? tempPath = null; // the temporary name being tried, then written
        bool created = false;    // whether tempPath is this call's own file, to delete on failure
        try
        {
            RemoveLeftoverTemporaryFiles(fullPath);
            using (FileStream stream = CreateTemporary(fullPath, out tempPath))
            {
                created = true;
                write(stream);
                stream.Flush(flushToDisk: true);
                // Renamed while still open: until it has its final name the file stays locked against cleanup.
                File.Move(tempPath, fullPath, overwrite: true);
                created = false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created) TryDelete(tempPath!);
            throw NamingTarget(e, path, tempPath);
        }
        catch
        {
            if (created) TryDelete(tempPath!);
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="fileName"/> is a temporary-file name this class makes for the target file name
    /// <paramref name="targetName"/>: <c>{target}.tmp</c> or <c>{target}.{8 lowercase hex digits}.tmp</c>.
    /// </summary>
    internal static bool IsTemporaryName(string targetName, string fileName)
    {
        if (!fileName.StartsWith(targetName, StringComparison.Ordinal) || !fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            return false;
        ReadOnlySpan<char> middle = fileName.AsSpan(targetName.Length, fileName.Length - targetName.Length - TemporarySuffix.Length);
        if (middle.IsEmpty) return true;
        if (middle.Length != 1 + RandomPartLength || middle[0] != '.') return false;
        foreach (char c in middle[1..])
        {
            if (!char.IsAsciiHexDigitLower(c)) return false; // 0-9, a-f
        }
        return true;
    }

    private static FileStream CreateTemporary(string fullPath, out string tempPath)
    {
        tempPath = fullPath + TemporarySuffix;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                // CreateNew, never Create: another writer's temporary file must not be truncated under it.
                // FileShare.Delete lets the rename happen while this handle is open; on Unix any share mode but None
                // also takes a shared lock, which makes the exclusive open of another save's cleanup fail.
                return new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.Delete, bufferSize: 1 << 16);
            }
            catch (IOException) when (attempt < 16 && Path.Exists(tempPath))
            {
                // Taken by a concurrent save, or by something that is not a leftover file (a directory, a FIFO).
                tempPath = fullPath + "." + Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture) + TemporarySuffix;
            }
        }
    }

    /// <summary>Deletes the temporary files of earlier saves of <paramref name="fullPath"/> that were killed mid-write.</summary>
    private static void RemoveLeftoverTemporaryFiles(string fullPath)
    {
        string? directory = Path.GetDirectoryName(fullPath);
        string targetName = Path.GetFileName(fullPath);
        if (directory is null || targetName.Length == 0 || !Directory.Exists(directory)) return;
        foreach (string candidate in Directory.EnumerateFiles(directory, targetName + "*" + TemporarySuffix))
        {
            if (!IsTemporaryName(targetName, Path.GetFileName(candidate))) continue;
            // Never a symbolic link (its target is someone's file) nor a FIFO (opening it would block).
            if (new FileInfo(candidate).LinkTarget is not null || FileSystemPath.KindOf(candidate) != PathKind.RegularFile) continue;
            try
            {
                // Exclusive open: fails while a writer holds the file. DeleteOnClose removes it once this handle closes.
                using var leftover = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                // In use by a concurrent save, or already gone.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to remove.
            }
        }
    }

    /// <summary>The same kind of I/O exception, with a message that names the user's path instead of the temporary file.</summary>
    private static Exception NamingTarget(Exception e, string path, string? tempPath)
    {
        string detail = tempPath is null ? e.Message : e.Message.Replace(tempPath, path, StringComparison.Ordinal);
        string message = $"Cannot save '{path}': {detail}";
        Exception renamed = e switch
        {
            DirectoryNotFoundException => new DirectoryNotFoundException(message, e),
            PathTooLongException => new PathTooLongException(message, e),
            UnauthorizedAccessException => new UnauthorizedAccessException(message, e),
            FileNotFoundException => new FileNotFoundException(message, path, e),
            _ => new IOException(message, e),
        };
        renamed.HResult = e.HResult;
        return renamed;
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
