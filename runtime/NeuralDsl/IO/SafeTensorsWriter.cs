using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Builds a safetensors file: tensors are laid out in the order they are added, without gaps, after a JSON
/// header padded with spaces to a multiple of 8 bytes (so every tensor of 8-byte elements starts 8-byte aligned,
/// as the format requires). <see cref="Save"/> replaces the target file atomically.
/// </summary>
/// <example>
/// <code>
/// var writer = new SafeTensorsWriter();
/// writer.SetMetadata("epochs", "10");
/// writer.Add("dense.kernel", kernel, 784, 128);
/// writer.Save("weights.safetensors");
/// </code>
/// </example>
public sealed class SafeTensorsWriter
{
    private readonly List<Entry> _entries = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _metadata = [];

    private sealed record Entry(string Name, SafeTensorsDType DType, int[] Shape, byte[] Bytes);

    /// <summary>Sets a <c>__metadata__</c> entry (replacing an earlier value for the same key).</summary>
    public void SetMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        for (int i = 0; i < _metadata.Count; i++)
        {
            if (_metadata[i].Key == key)
            {
                _metadata[i] = new(key, value);
                return;
            }
        }
        _metadata.Add(new(key, value));
    }

    /// <summary>Adds an F32 tensor; the values are copied now.</summary>
    /// <param name="name">Unique tensor name.</param>
    /// <param name="values">Row-major values; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions; none for a scalar.</param>
    public void Add(string name, ReadOnlySpan<float> values, params ReadOnlySpan<int> shape) => AddCore(name, SafeTensorsDType.F32, values, shape);

    /// <summary>Adds an F64 tensor; the values are copied now.</summary>
    /// <param name="name">Unique tensor name.</param>
    /// <param name="values">Row-major values; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions; none for a scalar.</param>
    public void Add(string name, ReadOnlySpan<double> values, params ReadOnlySpan<int> shape) => AddCore(name, SafeTensorsDType.F64, values, shape);

    /// <summary>Adds an I64 tensor (e.g. class labels); the values are copied now.</summary>
    /// <param name="name">Unique tensor name.</param>
    /// <param name="values">Row-major values; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions; none for a scalar.</param>
    public void Add(string name, ReadOnlySpan<long> values, params ReadOnlySpan<int> shape) => AddCore(name, SafeTensorsDType.I64, values, shape);

    /// <summary>Adds a float or double tensor with the dtype of <typeparamref name="T"/>.</summary>
    internal void Add<T>(string name, ReadOnlySpan<T> values, ReadOnlySpan<int> shape) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        AddCore(name, SafeTensorsDTypes.For<T>(), values, shape);

    private void AddCore<TElement>(string name, SafeTensorsDType dtype, ReadOnlySpan<TElement> values, ReadOnlySpan<int> shape) where TElement : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == "__metadata__")
            throw new ArgumentException("'__metadata__' is reserved for the metadata map and cannot name a tensor.", nameof(name));
        long elements = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException(Invariant($"Tensor '{name}': shape {SafeTensorInfo.FormatShape(shape)} has a negative dimension."), nameof(shape));
            // Saturate past int.MaxValue: a span cannot hold that many values, so the count check below fails anyway.
            elements = Math.Min(elements * d, int.MaxValue + 1L);
        }
        if (elements != values.Length)
            throw new ArgumentException(Invariant($"Tensor '{name}': {values.Length} values do not match shape {SafeTensorInfo.FormatShape(shape)} ({elements} values)."), nameof(values));
        if (!_names.Add(name))
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));

        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            int size = Unsafe.SizeOf<TElement>();
            for (int i = 0; i < bytes.Length; i += size) bytes.AsSpan(i, size).Reverse();
        }
        _entries.Add(new Entry(name, dtype, shape.ToArray(), bytes));
    }

    /// <summary>Writes the file to <paramref name="stream"/> (not atomically: prefer <see cref="Save"/> for files).</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] header = BuildHeader();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (Entry e in _entries) stream.Write(e.Bytes);
    }

    /// <summary>
    /// Writes the file to <paramref name="path"/> atomically: a temporary file in the same directory is written,
    /// flushed to disk and renamed over the target, so an existing file is either kept intact or fully replaced,
    /// and a failed save leaves no partial file behind.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>The whole file as bytes (for tests and in-memory use).</summary>
    public byte[] ToArray()
    {
        using var memory = new MemoryStream();
        WriteTo(memory);
        return memory.ToArray();
    }

    private byte[] BuildHeader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (KeyValuePair<string, string> kv in _metadata) json.WriteString(kv.Key, kv.Value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (Entry e in _entries)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", SafeTensorsDTypes.ToHeaderString(e.DType));
                json.WriteStartArray("shape");
                foreach (int d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + e.Bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += e.Bytes.Length;
            }
            json.WriteEndObject();
        }
        int length = buffer.WrittenCount;
        int padded = (length + 7) & ~7;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }
}
