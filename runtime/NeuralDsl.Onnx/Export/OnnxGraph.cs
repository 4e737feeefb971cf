using System;
using System.Collections.Generic;
using Google.Protobuf;
using NeuralDsl.Onnx.Proto;

namespace NeuralDsl.Onnx.Export;

/// <summary>
/// The ONNX graph being written: nodes in topological order, initializers in the model's element type (or int64 for
/// shapes, axes and pads), and unique tensor names.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraph(string name, bool isDouble)
    {
        Proto = new GraphProto { Name = name };
        IsDouble = isDouble;
    }

    public GraphProto Proto { get; }

    /// <summary>True when tensors are double (the model's element type), else float.</summary>
    public bool IsDouble { get; }

    /// <summary>The ONNX element type of the model's tensors.</summary>
    public int ElementType => (int)(IsDouble ? TensorProto.Types.DataType.Double : TensorProto.Types.DataType.Float);

    /// <summary><paramref name="stem"/> if no tensor has that name yet, else the stem with the first free <c>_2</c>, <c>_3</c>, ...</summary>
    public string Fresh(string stem)
    {
        if (_names.Add(stem))
            return stem;
        for (int k = 2; ; k++)
        {
            string name = stem + "_" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (_names.Add(name))
                return name;
        }
    }

    /// <summary>Declares a graph input or output [N, ...shape] with the symbolic batch <c>N</c>.</summary>
    public ValueInfoProto Value(string name, IReadOnlyList<int> shape)
    {
        var dims = new TensorShapeProto();
        dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (int d in shape)
            dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = ElementType, Shape = dims } } };
    }

    /// <summary>Adds a node with one output named <paramref name="output"/> (made unique) and returns that name.</summary>
    public string Node(string op, string output, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Nodes(op, [output], inputs, attributes)[0];

    /// <summary>Adds a node with several outputs (an empty stem leaves that output unused) and returns their names.</summary>
    public string[] Nodes(string op, string[] outputs, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op };
        node.Input.AddRange(inputs);
        var names = new string[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            names[i] = outputs[i].Length == 0 ? "" : Fresh(outputs[i]);
            node.Output.Add(names[i]);
        }
        node.Name = names[0].Length > 0 ? names[0] : Fresh(op);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return names;
    }

    /// <summary>An initializer of the model's element type; values are exact in float for a float model (they came from floats).</summary>
    public string Constant(string name, double[] values, params long[] dims)
    {
        long count = 1;
        foreach (long d in dims)
            count *= d;
        if (count != values.Length)
            throw new InvalidOperationException($"The ONNX initializer '{name}' has {values.Length} values for dimensions ({string.Join(", ", dims)}).");
        var t = new TensorProto { Name = Fresh(name), DataType = ElementType };
        t.Dims.AddRange(dims);
        if (IsDouble)
        {
            t.DoubleData.AddRange(values);
        }
        else
        {
            var floats = new float[values.Length];
            for (int i = 0; i < values.Length; i++)
                floats[i] = (float)values[i];
            t.FloatData.AddRange(floats);
        }
        Proto.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A scalar initializer of the model's element type.</summary>
    public string Scalar(string name, double value) => Constant(name, [value]);

    /// <summary>A one-dimensional int64 initializer (shapes, axes, pads, slice bounds).</summary>
    public string Int64s(string name, params long[] values)
    {
        var t = new TensorProto { Name = Fresh(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        Proto.Initializer.Add(t);
        return t.Name;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        foreach (string v in values)
            a.Strings.Add(ByteString.CopyFromUtf8(v));
        return a;
    }
}
