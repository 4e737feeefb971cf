using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// A validated safetensors file held in memory: its tensors (in data order), their bytes and the
/// <c>__metadata__</c> map. Obtain one from <see cref="SafeTensors.Read(string)"/> or <see cref="SafeTensors.Parse"/>.
/// </summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, SafeTensorInfo> _byName;
    private readonly byte[] _data;

    internal SafeTensorsFile(string source, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata, byte[] data)
    {
        Source = source;
        Tensors = tensors.AsReadOnly();
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
        _byName = new Dictionary<string, SafeTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (SafeTensorInfo t in tensors) _byName.Add(t.Name, t);
        _data = data;
    }

    /// <summary>How messages name this file, e.g. <c>Safetensors file 'model.safetensors'</c>.</summary>
    public string Source { get; }

    /// <summary>Every tensor in the order of its data.</summary>
    public ReadOnlyCollection<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, [NotNullWhen(true)] out SafeTensorInfo? tensor) => _byName.TryGetValue(name, out tensor);

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor; the message lists the ones there are.</exception>
    public SafeTensorInfo GetTensor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out SafeTensorInfo? tensor)) return tensor;
        throw new KeyNotFoundException($"{Source}: there is no tensor '{name}' (the file has {ListNames()}).");
    }

    /// <summary>The raw little-endian bytes of a tensor.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        return _data.AsSpan((int)t.DataBegin, (int)(t.DataEnd - t.DataBegin));
    }

    /// <summary>A tensor's values as doubles: F64 as stored, F32 and I64 converted (I64 exactly up to 2^53).</summary>
    /// <exception cref="InvalidDataException">The tensor has another dtype.</exception>
    public double[] ToDoubleArray(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        var result = new double[t.ElementCount];
        switch (t.DType)
        {
            case SafeTensorsDType.F64:
                ReadLittleEndian(Bytes(t), result.AsSpan());
                break;
            case SafeTensorsDType.F32:
                float[] singles = new float[t.ElementCount];
                ReadLittleEndian(Bytes(t), singles.AsSpan());
                for (int i = 0; i < singles.Length; i++) result[i] = singles[i];
                break;
            case SafeTensorsDType.I64:
                long[] integers = new long[t.ElementCount];
                ReadLittleEndian(Bytes(t), integers.AsSpan());
                for (int i = 0; i < integers.Length; i++) result[i] = integers[i];
                break;
            default:
                throw WrongDType(t, "F64, F32 or I64");
        }
        return result;
    }

    /// <summary>An F32 tensor's values.</summary>
    /// <exception cref="InvalidDataException">The tensor is not F32 (narrowing F64 silently would hide precision loss).</exception>
    public float[] ToSingleArray(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        if (t.DType != SafeTensorsDType.F32) throw WrongDType(t, "F32");
        var result = new float[t.ElementCount];
        ReadLittleEndian(Bytes(t), result.AsSpan());
        return result;
    }

    /// <summary>An I64 tensor's values.</summary>
    /// <exception cref="InvalidDataException">The tensor is not I64.</exception>
    public long[] ToInt64Array(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        if (t.DType != SafeTensorsDType.I64) throw WrongDType(t, "I64");
        var result = new long[t.ElementCount];
        ReadLittleEndian(Bytes(t), result.AsSpan());
        return result;
    }

    /// <summary>
    /// Copies a tensor whose dtype is exactly the one of <typeparamref name="T"/> into <paramref name="destination"/>,
    /// whose length must equal the element count. Callers check dtype and shape first to phrase their own messages.
    /// </summary>
    internal void CopyTo<T>(SafeTensorInfo tensor, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (tensor.DType != SafeTensorsDTypes.For<T>()) throw WrongDType(tensor, SafeTensorsDTypes.ToHeaderString(SafeTensorsDTypes.For<T>()));
        if (destination.Length != tensor.ElementCount)
            throw new ArgumentException(Invariant($"Destination length {destination.Length} does not match the {tensor.ElementCount} elements of tensor '{tensor.Name}'."), nameof(destination));
        ReadLittleEndian(Bytes(tensor), destination);
    }

    private ReadOnlySpan<byte> Bytes(SafeTensorInfo t) => _data.AsSpan((int)t.DataBegin, (int)(t.DataEnd - t.DataBegin));

    /// <summary>Copies little-endian elements into <paramref name="destination"/>, swapping bytes on big-endian hosts.</summary>
    internal static void ReadLittleEndian<TElement>(ReadOnlySpan<byte> source, Span<TElement> destination) where TElement : unmanaged
    {
        Span<byte> target = MemoryMarshal.AsBytes(destination);
        source.CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            int size = Unsafe.SizeOf<TElement>();
            for (int i = 0; i < target.Length; i += size) target.Slice(i, size).Reverse();
        }
    }

    private InvalidDataException WrongDType(SafeTensorInfo t, string wanted) =>
        new($"{Source}: tensor '{t.Name}' has dtype {SafeTensorsDTypes.ToHeaderString(t.DType)}, expected {wanted}.");

    /// <summary>The tensor names, quoted and comma-separated, for messages.</summary>
    internal string ListNames()
    {
        if (Tensors.Count == 0) return "no tensors";
        var quoted = new string[Tensors.Count];
        for (int i = 0; i < quoted.Length; i++) quoted[i] = "'" + Tensors[i].Name + "'";
        return string.Join(", ", quoted);
    }
}
