using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// One conformance case from <c>Fixtures/conformance/{name}.safetensors</c> (see Fixtures/README.md), read with
/// the runtime's own safetensors reader: tensors as double[] with their shapes, plus the metadata.
/// </summary>
internal sealed class Fixture
{
    private readonly SafeTensorsFile _file;

    private Fixture(string name, SafeTensorsFile file)
    {
        Name = name;
        _file = file;
    }

    /// <summary>The case name, e.g. <c>loss_huber</c>.</summary>
    public string Name { get; }

    /// <summary>The case's configuration (<c>type</c>, <c>learning_rate</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _file.Metadata;

    /// <summary>Loads a case by name.</summary>
    public static Fixture Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "conformance", name + ".safetensors");
        return new Fixture(name, SafeTensors.Read(path));
    }

    /// <summary>A metadata value; throws naming the case when the key is absent.</summary>
    public string Meta(string key) =>
        Metadata.TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"Case '{Name}' has no metadata '{key}'.");

    /// <summary>A tensor's values (F64 as stored; I64 labels converted exactly).</summary>
    public double[] Get(string tensor) => _file.ToDoubleArray(tensor);

    /// <summary>A tensor's shape.</summary>
    public int[] Shape(string tensor)
    {
        var shape = new int[_file.GetTensor(tensor).Shape.Count];
        _file.GetTensor(tensor).Shape.CopyTo(shape, 0);
        return shape;
    }

    /// <summary>
    /// An input tensor as <typeparamref name="T"/>. Inputs are float32 values stored as float64, so the conversion
    /// to float must be exact; a fixture for which it is not would test rounding rather than the kernel.
    /// </summary>
    public T[] Input<T>(string tensor) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double[] values = Get(tensor);
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = T.CreateChecked(values[i]);
            if (double.CreateChecked(result[i]) != values[i])
                throw new InvalidDataException($"Case '{Name}': input '{tensor}'[{i}] = {values[i]:R} is not exactly representable as {typeof(T).Name}.");
        }
        return result;
    }
}
