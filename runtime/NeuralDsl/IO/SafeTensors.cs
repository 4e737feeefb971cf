using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with
/// spaces) mapping each tensor name to <c>{"dtype", "shape", "data_offsets"}</c> plus an optional
/// <c>__metadata__</c> string map, then the raw little-endian tensor data. Everything is validated before a
/// <see cref="SafeTensorsFile"/> is returned, so callers never see a header that disagrees with the bytes.
/// Write files with <see cref="SafeTensorsWriter"/>.
/// </summary>
public static class SafeTensors
{
    /// <summary>
    /// Largest header accepted, the reference implementation's limit: a corrupt length field must not make the
    /// reader allocate gigabytes before it has seen a single byte of JSON.
    /// </summary>
    public const int MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads and validates a whole safetensors file (header and data) into memory.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The validated tensors, their data and the metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file; the message says why.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">The path is a directory, a FIFO, a socket or a device rather than a regular file.</exception>
    public static SafeTensorsFile Read(string path) => Read(path, "Safetensors file");

    /// <summary>Parses and validates safetensors bytes already in memory.</summary>
    /// <param name="bytes">The whole file: length prefix, header and data.</param>
    /// <param name="sourceName">How error messages name the data, e.g. a file or resource name.</param>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed safetensors file; the message says why.</exception>
    public static SafeTensorsFile Parse(ReadOnlySpan<byte> bytes, string sourceName = "safetensors data")
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        string source = $"Safetensors data '{sourceName}'";
        if (bytes.Length < 8)
            throw Malformed(source, Invariant($"it has {bytes.Length} bytes, fewer than the 8-byte header length."));
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        long dataLength = CheckHeaderLength(source, headerLength, bytes.Length);
        ReadOnlySpan<byte> header = bytes.Slice(8, (int)headerLength);
        List<SafeTensorInfo> tensors = ParseHeader(source, header, dataLength, out Dictionary<string, string> metadata);
        byte[] data = bytes.Slice(8 + (int)headerLength).ToArray();
        return new SafeTensorsFile(source, tensors, metadata, data);
    }

    /// <summary>
    /// Reads a file, naming it in messages as <c>{label} '{path}'</c> so that, for example, weight loading
    /// reports "Weight file 'x.safetensors': ...". <paramref name="checkHeader"/> sees the validated header (the
    /// source label and the tensors) before the data section is read, so a file that is well-formed but wrong for
    /// the caller is rejected without reading its data.
    /// </summary>
    internal static SafeTensorsFile Read(string path, string label, Action<string, IReadOnlyList<SafeTensorInfo>>? checkHeader = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string source = $"{label} '{path}'";
        // A FIFO would block the open below until some writer appeared; a directory would fail as "access denied".
        PathKind kind = FileSystemPath.KindOf(path);
        if (kind is not (PathKind.RegularFile or PathKind.Missing))
            throw new IOException($"{source} is {FileSystemPath.Describe(kind)}, expected a regular file.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Malformed(source, Invariant($"the file has {fileLength} bytes, fewer than the 8-byte header length."));
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long dataLength = CheckHeaderLength(source, headerLength, fileLength);
        byte[] header = new byte[(int)headerLength];
        ReadExactly(stream, header, source);
        List<SafeTensorInfo> tensors = ParseHeader(source, header, dataLength, out Dictionary<string, string> metadata);
        checkHeader?.Invoke(source, tensors);
        // Validation of the header is complete here; only now is the data section worth allocating.
        if (dataLength > Array.MaxLength)
            throw new NotSupportedException(Invariant($"{source}: the data section has {dataLength} bytes, more than this reader can hold in memory ({Array.MaxLength})."));
        byte[] data = new byte[dataLength];
        ReadExactly(stream, data, source);
        return new SafeTensorsFile(source, tensors, metadata, data);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            // The length was checked up front, so this only happens when the file shrinks while being read.
            throw new InvalidDataException($"{source}: the file ended before its {buffer.Length}-byte section was read (was it changed while being read?).", e);
        }
    }

    /// <summary>Checks the header length against the total size and returns the size of the data section.</summary>
    private static long CheckHeaderLength(string source, ulong headerLength, long totalLength)
    {
        long available = totalLength - 8;
        if (headerLength > (ulong)available)
            throw Malformed(source, Invariant($"the header length {headerLength} runs past the end of the file ({available} bytes follow the 8-byte length)."));
        if (headerLength > MaxHeaderLength)
            throw Malformed(source, Invariant($"the header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes."));
        return available - (long)headerLength;
    }

    /// <summary>
    /// Parses the JSON header and validates every entry against a data section of <paramref name="dataLength"/>
    /// bytes. Returns the tensors in data order.
    /// </summary>
    internal static List<SafeTensorInfo> ParseHeader(string source, ReadOnlySpan<byte> header, long dataLength, out Dictionary<string, string> metadata)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            string found = header.Length == 0 ? "an empty header" : Invariant($"byte 0x{header[0]:X2}");
            throw Malformed(source, $"the JSON header must begin with '{{' but starts with {found}.");
        }

        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensorInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        try
        {
            var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            reader.Read(); // the '{' checked above
            while (true)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                reader.Read();
                if (name == MetadataKey)
                {
                    if (sawMetadata) throw Malformed(source, "'__metadata__' appears twice in the header.");
                    sawMetadata = true;
                    ReadMetadata(ref reader, source, metadata);
                }
                else
                {
                    if (!names.Add(name)) throw Malformed(source, $"tensor '{name}' appears twice in the header.");
                    tensors.Add(ReadTensor(ref reader, source, name, dataLength));
                }
            }
            // Only the padding may follow the root object; the reader throws on anything else.
            if (reader.Read())
                throw Malformed(source, "the JSON header has content after its closing '}'.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the JSON header is malformed: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader reports invalid UTF-8 inside strings this way.
            throw new InvalidDataException($"{source}: the JSON header is malformed: {e.Message}", e);
        }

        CheckCoverage(source, tensors, dataLength);
        return tensors;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, string source, Dictionary<string, string> metadata)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Malformed(source, Invariant($"'__metadata__' must be an object mapping strings to strings, found {reader.TokenType}."));
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw Malformed(source, Invariant($"'__metadata__' must map strings to strings, but '{key}' is {reader.TokenType}."));
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw Malformed(source, $"'__metadata__' has the key '{key}' twice.");
        }
    }

    private static SafeTensorInfo ReadTensor(ref Utf8JsonReader reader, string source, string name, long dataLength)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Malformed(source, Invariant($"tensor '{name}' must be a JSON object, found {reader.TokenType}."));
        string? dtypeText = null;
        List<ulong>? shape = null;
        List<ulong>? offsets = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "dtype":
                    if (dtypeText is not null) throw Malformed(source, $"tensor '{name}' has 'dtype' twice.");
                    if (reader.TokenType != JsonTokenType.String)
                        throw Malformed(source, Invariant($"tensor '{name}' has a 'dtype' that is {reader.TokenType}, not a string."));
                    dtypeText = reader.GetString()!;
                    break;
                case "shape":
                    if (shape is not null) throw Malformed(source, $"tensor '{name}' has 'shape' twice.");
                    shape = ReadUInt64Array(ref reader, source, name, property);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw Malformed(source, $"tensor '{name}' has 'data_offsets' twice.");
                    offsets = ReadUInt64Array(ref reader, source, name, property);
                    break;
                default:
                    // Unknown keys are tolerated (as the reference reader does); their values are skipped whole.
                    reader.Skip();
                    break;
            }
        }

        if (dtypeText is null) throw Malformed(source, $"tensor '{name}' has no 'dtype'.");
        if (shape is null) throw Malformed(source, $"tensor '{name}' has no 'shape'.");
        if (offsets is null) throw Malformed(source, $"tensor '{name}' has no 'data_offsets'.");
        if (!SafeTensorsDTypes.TryParse(dtypeText, out SafeTensorsDType dtype))
            throw Malformed(source, $"tensor '{name}' has the unknown dtype '{dtypeText}'.");
        if (offsets.Count != 2)
            throw Malformed(source, Invariant($"tensor '{name}' has {offsets.Count} data_offsets, expected 2 ([begin, end])."));

        var dims = new int[shape.Count];
        long elements = 1;
        bool tooLarge = false;
        for (int i = 0; i < dims.Length; i++)
        {
            if (shape[i] > int.MaxValue)
                throw Malformed(source, Invariant($"tensor '{name}' has the dimension {shape[i]}, larger than this reader supports ({int.MaxValue})."));
            dims[i] = (int)shape[i];
            // Saturate instead of overflowing: any product this large fails the byte-count check below anyway.
            if (dims[i] != 0 && elements > long.MaxValue / 8 / dims[i]) tooLarge = true;
            else elements *= dims[i];
        }
        if (dims.AsSpan().Contains(0)) { elements = 0; tooLarge = false; }

        ulong begin = offsets[0], end = offsets[1];
        string range = Invariant($"[{begin}, {end}]");
        if (begin > end)
            throw Malformed(source, $"tensor '{name}' has data_offsets {range} whose begin is after its end.");
        if (end > (ulong)dataLength)
            throw Malformed(source, Invariant($"tensor '{name}' has data_offsets {range} outside the data section ({dataLength} bytes)."));
        int size = SafeTensorsDTypes.SizeOf(dtype);
        ulong actual = end - begin;
        if (tooLarge || actual != (ulong)(elements * size))
        {
            string needed = tooLarge ? "more bytes than the file holds" : Invariant($"{elements * size} bytes");
            throw Malformed(source, Invariant($"tensor '{name}' has data_offsets {range} ({actual} bytes) but its shape {SafeTensorInfo.FormatShape(dims)} of {dtypeText} needs {needed}."));
        }
        return new SafeTensorInfo(name, dtype, dims, (long)begin, (long)end, elements);
    }

    private static List<ulong> ReadUInt64Array(ref Utf8JsonReader reader, string source, string name, string property)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed(source, Invariant($"tensor '{name}' has a '{property}' that is {reader.TokenType}, not an array."));
        var values = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong value))
                throw Malformed(source, $"tensor '{name}' has a '{property}' entry that is not a non-negative integer.");
            values.Add(value);
        }
        return values;
    }

    /// <summary>
    /// The tensors must tile the data section exactly, in offset order: no overlaps (two names for the same bytes
    /// would make writes through one alias the other), no gaps and no trailing bytes (the format forbids hidden
    /// content, which is how polyglot files are built).
    /// </summary>
    private static void CheckCoverage(string source, List<SafeTensorInfo> tensors, long dataLength)
    {
        tensors.Sort(static (a, b) =>
        {
            int c = a.DataBegin.CompareTo(b.DataBegin);
            if (c == 0) c = a.DataEnd.CompareTo(b.DataEnd);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        long cursor = 0;
        SafeTensorInfo? previous = null;
        foreach (SafeTensorInfo t in tensors)
        {
            if (t.DataBegin < cursor)
                throw Malformed(source, Invariant($"tensors '{previous!.Name}' [{previous.DataBegin}, {previous.DataEnd}] and '{t.Name}' [{t.DataBegin}, {t.DataEnd}] overlap."));
            if (t.DataBegin > cursor)
                throw Malformed(source, Invariant($"bytes [{cursor}, {t.DataBegin}) of the data section belong to no tensor."));
            cursor = t.DataEnd;
            previous = t;
        }
        if (cursor != dataLength)
            throw Malformed(source, Invariant($"the data section has {dataLength} bytes but the tensors end at byte {cursor}; the rest belongs to no tensor."));
    }

    private static InvalidDataException Malformed(string source, string message) => new($"{source}: {message}");
}
