using System;
using System.IO;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>What a path names, as far as reading and replacing weight files cares.</summary>
internal enum PathKind
{
    /// <summary>Nothing exists there.</summary>
    Missing,

    /// <summary>A regular file, or a path whose type this platform cannot tell (then opening it decides).</summary>
    RegularFile,

    Directory,

    /// <summary>Opening one for reading blocks until some other process opens it for writing.</summary>
    Fifo,

    Socket,
    CharacterDevice,
    BlockDevice,
}

/// <summary>
/// Tells regular files from FIFOs, sockets and devices before a file is opened: opening a FIFO for reading blocks
/// until a writer appears, which would hang a load. .NET has no API for the file type, so on Linux it comes from
/// <c>statx</c> (whose buffer layout is the same on every architecture); elsewhere a non-directory counts as a
/// regular file.
/// </summary>
internal static partial class FileSystemPath
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const uint StatxType = 0x1;        // STATX_TYPE: fill stx_mode's type bits
    private const int StatxSize = 256;         // sizeof(struct statx)
    private const int StatxMaskOffset = 0;     // __u32 stx_mask
    private const int StatxModeOffset = 28;    // __u16 stx_mode
    private const int TypeMask = 0xF000;       // S_IFMT

    private static bool s_statxMissing;

    /// <summary>The kind of <paramref name="path"/>, following symbolic links.</summary>
    public static PathKind KindOf(string path)
    {
        if (Directory.Exists(path)) return PathKind.Directory;
        if (!File.Exists(path)) return PathKind.Missing;
        if (!OperatingSystem.IsLinux() || s_statxMissing) return PathKind.RegularFile;
        try
        {
            return KindFromStatx(path);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without statx (glibc before 2.28, musl before 1.2.5): fall back to opening the path.
            s_statxMissing = true;
            return PathKind.RegularFile;
        }
    }

    /// <summary>"a directory", "a named pipe (FIFO)", ...: how messages name a path of that kind.</summary>
    public static string Describe(PathKind kind) => kind switch
    {
        PathKind.Missing => "missing",
        PathKind.RegularFile => "a regular file",
        PathKind.Directory => "a directory",
        PathKind.Fifo => "a named pipe (FIFO)",
        PathKind.Socket => "a socket",
        PathKind.CharacterDevice => "a character device",
        PathKind.BlockDevice => "a block device",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static unsafe PathKind KindFromStatx(string path)
    {
        byte* buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (Statx(CurrentDirectory, path, 0, StatxType, buffer) != 0)
            return PathKind.RegularFile; // vanished or unreadable since File.Exists: opening it reports why
        if ((*(uint*)(buffer + StatxMaskOffset) & StatxType) == 0)
            return PathKind.RegularFile;
        return (*(ushort*)(buffer + StatxModeOffset) & TypeMask) switch
        {
            0x1000 => PathKind.Fifo,
            0x2000 => PathKind.CharacterDevice,
            0x4000 => PathKind.Directory,
            0x6000 => PathKind.BlockDevice,
            0xC000 => PathKind.Socket,
            _ => PathKind.RegularFile,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
