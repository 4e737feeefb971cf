using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Numerics;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>Images read from an IDX file, scaled to [0, 1].</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Pixels">Row-major [Count, Rows, Columns]: each byte divided by 255, so 0 → 0 and 255 → 1 exactly.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of every image.</param>
/// <param name="Columns">Width of every image.</param>
public sealed record IdxImages<T>(T[] Pixels, int Count, int Rows, int Columns)
{
    /// <summary>Elements of one image (<see cref="Rows"/> × <see cref="Columns"/>): a model's input size.</summary>
    public int ImageSize => Rows * Columns;
}

/// <summary>
/// Reader for the IDX format of the MNIST database: a big-endian header (magic <c>0x00000801</c> for a label
/// vector, <c>0x00000803</c> for an image array; then one 32-bit size per dimension) followed by unsigned bytes.
/// Gzipped files (recognised by their content, whatever the name) are decompressed on the fly.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an unsigned-byte vector (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Magic number of an unsigned-byte array with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Reads an image file as floats in [0, 1].</summary>
    /// <exception cref="InvalidDataException">Wrong magic number, or a file shorter or longer than its header says.</exception>
    public static IdxImages<float> ReadImages(string path) => ReadImages<float>(path);

    /// <summary>Reads an image file with element type <typeparamref name="T"/>, values in [0, 1].</summary>
    /// <exception cref="InvalidDataException">Wrong magic number, or a file shorter or longer than its header says.</exception>
    public static IdxImages<T> ReadImages<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Element type {typeof(T).Name} is not supported: use float or double.");
        (byte[] bytes, int[] dims) = ReadRaw(path, ImagesMagic, "images");
        // Division, not multiplication by 1/255: it is correctly rounded for every byte and gives exactly 1 for 255.
        Span<T> table = stackalloc T[256];
        T scale = T.CreateChecked(255);
        for (int i = 0; i < 256; i++) table[i] = T.CreateChecked(i) / scale;
        var pixels = new T[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) pixels[i] = table[bytes[i]];
        return new IdxImages<T>(pixels, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads an image file's raw bytes (0..255) and its dimensions.</summary>
    /// <exception cref="InvalidDataException">Wrong magic number, or a file shorter or longer than its header says.</exception>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImageBytes(string path)
    {
        (byte[] bytes, int[] dims) = ReadRaw(path, ImagesMagic, "images");
        return (bytes, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a label file: one byte per sample.</summary>
    /// <exception cref="InvalidDataException">Wrong magic number, or a file shorter or longer than its header says.</exception>
    public static byte[] ReadLabels(string path) => ReadRaw(path, LabelsMagic, "labels").Bytes;

    private static (byte[] Bytes, int[] Dims) ReadRaw(string path, int expectedMagic, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string source = $"IDX file '{path}'";
        using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        bool gzip = IsGzip(file);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        string unit = gzip ? "decompressed bytes" : "bytes";

        int dimensions = expectedMagic & 0xFF;
        int headerLength = 4 + 4 * dimensions;
        Span<byte> header = stackalloc byte[headerLength];
        int got = ReadFully(stream, header, source);
        if (got < 4)
            throw new InvalidDataException(Invariant($"{source}: the file has {got} {unit}, too short for the 4-byte magic number."));
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
            throw new InvalidDataException(Invariant($"{source}: magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({what}: unsigned bytes, {dimensions} dimension{(dimensions == 1 ? "" : "s")}).{Hint(magic)}"));
        if (got < headerLength)
            throw new InvalidDataException(Invariant($"{source}: truncated header: {got} {unit}, expected {headerLength}."));

        var dims = new int[dimensions];
        long payload = 1;
        for (int d = 0; d < dimensions; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(header.Slice(4 + 4 * d));
            if (dims[d] < 0)
                throw new InvalidDataException(Invariant($"{source}: dimension {d} is {dims[d]}, which is negative."));
            payload *= dims[d];
            if (payload > Array.MaxLength)
                throw new InvalidDataException(Invariant($"{source}: the header's dimensions [{string.Join(", ", dims[..(d + 1)])}] need more than {Array.MaxLength} bytes."));
        }

        long expected = headerLength + payload;
        var bytes = new byte[payload];
        int read = ReadFully(stream, bytes, source);
        if (read < payload)
            throw new InvalidDataException(Invariant($"{source}: truncated: the header ({Describe(dims)}) needs {expected} {unit}, but the file has {headerLength + read}."));
        long extra = CountRemaining(stream, source);
        if (extra > 0)
            throw new InvalidDataException(Invariant($"{source}: the header ({Describe(dims)}) needs {expected} {unit}, but the file has {expected + extra}."));
        return (bytes, dims);
    }

    private static string Describe(int[] dims) =>
        dims.Length == 1 ? Invariant($"{dims[0]} labels") : Invariant($"{dims[0]} images of {dims[1]}×{dims[2]}");

    private static string Hint(int magic) => magic switch
    {
        LabelsMagic => " This is a label file.",
        ImagesMagic => " This is an image file.",
        _ when (magic >> 16) == 0x1F8B => " This looks like a gzip stream inside another one.",
        _ => "",
    };

    /// <summary>Checks the gzip signature (1F 8B) and rewinds.</summary>
    private static bool IsGzip(FileStream file)
    {
        Span<byte> signature = stackalloc byte[2];
        int n = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer, string source)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: the gzip stream is corrupt: {e.Message}", e);
        }
    }

    private static long CountRemaining(Stream stream, string source)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long total = 0;
        int n;
        while ((n = ReadFully(stream, scratch, source)) > 0)
        {
            total += n;
            if (n < scratch.Length) break;
        }
        return total;
    }
}
