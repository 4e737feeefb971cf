using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;

namespace NeuralDsl;

/// <summary>One tensor entry of a safetensors header, already validated against the file.</summary>
public sealed class SafeTensorInfo
{
    private readonly int[] _shape;

    internal SafeTensorInfo(string name, SafeTensorsDType dtype, int[] shape, long dataBegin, long dataEnd, long elementCount)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        Shape = Array.AsReadOnly(shape);
        DataBegin = dataBegin;
        DataEnd = dataEnd;
        ElementCount = elementCount;
    }

    /// <summary>The tensor's name (the header key).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The dimensions, row-major; empty for a scalar.</summary>
    public ReadOnlyCollection<int> Shape { get; }

    /// <summary>First byte of the tensor, counted from the start of the data section.</summary>
    public long DataBegin { get; }

    /// <summary>One past the last byte of the tensor, counted from the start of the data section.</summary>
    public long DataEnd { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount { get; }

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    /// <summary>Whether the shape equals <paramref name="shape"/> element by element.</summary>
    public bool HasShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    /// <summary>A shape written the way error messages show it, e.g. <c>[12, 8]</c> (<c>[]</c> for a scalar).</summary>
    internal static string FormatShape(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return "[" + string.Join(", ", parts) + "]";
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant(
        $"{Name}: {SafeTensorsDTypes.ToHeaderString(DType)} {FormatShape(_shape)} at [{DataBegin}, {DataEnd})");

    internal static IReadOnlyList<string> Names(IEnumerable<SafeTensorInfo> tensors)
    {
        var names = new List<string>();
        foreach (SafeTensorInfo t in tensors) names.Add(t.Name);
        return names;
    }
}
