using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;
using NeuralDsl.Onnx.Proto;

namespace NeuralDsl.Onnx.Import;

/// <summary>
/// An ONNX file read for weight import: the graph's nodes in topological order (the file's order where the data flow
/// leaves a choice) and its constant tensors by name (initializers and the outputs of <c>Constant</c> nodes).
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> _constants;

    private OnnxGraph(string source, List<NodeProto> nodes, Dictionary<string, TensorProto> constants, HashSet<string> initializers)
    {
        Source = source;
        Nodes = nodes;
        _constants = constants;
        Initializers = initializers;
    }

    /// <summary>How messages name the file (its path).</summary>
    public string Source { get; }

    /// <summary>Every computing node (no <c>Constant</c> nodes), each after the nodes that produce its inputs.</summary>
    public IReadOnlyList<NodeProto> Nodes { get; }

    /// <summary>Names of the graph's initializers and <c>Constant</c> outputs that some node reads.</summary>
    public HashSet<string> Initializers { get; }

    /// <summary>Reads and orders the graph of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is no ONNX model, or its graph has a cycle or reads a tensor nobody writes.</exception>
    public static OnnxGraph Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        ModelProto model;
        try
        {
            using FileStream stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"ONNX file '{path}' is not a valid ONNX model: {e.Message}", e);
        }
        GraphProto graph = model.Graph
            ?? throw new InvalidDataException($"ONNX file '{path}' has no graph.");

        var constants = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (TensorProto t in graph.Initializer)
        {
            if (!constants.TryAdd(t.Name, t))
                throw new InvalidDataException($"ONNX file '{path}' has two initializers named '{t.Name}'.");
        }
        var computing = new List<NodeProto>(graph.Node.Count);
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType == "Constant" && string.IsNullOrEmpty(node.Domain))
            {
                if (node.Output.Count != 1 || !constants.TryAdd(node.Output[0], ConstantValue(path, node)))
                    throw new InvalidDataException($"ONNX file '{path}': Constant node '{node.Name}' must have one output whose name no other tensor has.");
            }
            else
            {
                computing.Add(node);
            }
        }

        List<NodeProto> ordered = Order(path, graph, computing, constants);
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (NodeProto node in ordered)
        {
            foreach (string input in node.Input)
            {
                if (constants.ContainsKey(input)) read.Add(input);
            }
        }
        return new OnnxGraph(path, ordered, constants, read);
    }

    /// <summary>Whether <paramref name="name"/> is a constant tensor (initializer or <c>Constant</c> output).</summary>
    public bool IsConstant(string name) => _constants.ContainsKey(name);

    /// <summary>The constant tensor <paramref name="name"/>, or null when it is computed by a node or a graph input.</summary>
    public TensorProto? Constant(string name) => _constants.TryGetValue(name, out TensorProto? t) ? t : null;

    /// <summary>Whether the constant is of a floating-point type (a weight rather than a shape or an index).</summary>
    public static bool IsFloatingPoint(TensorProto t) =>
        t.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double
            or (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16;

    /// <summary>
    /// The values of a float or double tensor as doubles, from <c>raw_data</c> (little-endian) or from the typed field,
    /// after checking that their count is the product of the dimensions.
    /// </summary>
    /// <exception cref="NotSupportedException">The tensor's type is not float or double, or its data lives in an external file.</exception>
    /// <exception cref="InvalidDataException">The tensor holds another number of values than its dimensions say.</exception>
    public static double[] Values(string source, TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"ONNX file '{source}': initializer '{t.Name}' keeps its data in an external file, which LoadOnnxWeights does not read.");
        long count = 1;
        foreach (long d in t.Dims)
        {
            if (d < 0) throw new InvalidDataException($"ONNX file '{source}': initializer '{t.Name}' has a negative dimension ({FormatShape(t.Dims)}).");
            count *= d;
            if (count > Array.MaxLength) throw new InvalidDataException($"ONNX file '{source}': initializer '{t.Name}' of shape {FormatShape(t.Dims)} is too large.");
        }
        var values = new double[count];
        ReadOnlySpan<byte> raw = t.RawData.Span;
        switch (t.DataType)
        {
            case (int)TensorProto.Types.DataType.Float:
                if (!raw.IsEmpty)
                {
                    CheckCount(source, t, raw.Length / 4, count, raw.Length % 4 != 0);
                    for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * i));
                }
                else
                {
                    CheckCount(source, t, t.FloatData.Count, count, false);
                    for (int i = 0; i < values.Length; i++) values[i] = t.FloatData[i];
                }
                break;
            case (int)TensorProto.Types.DataType.Double:
                if (!raw.IsEmpty)
                {
                    CheckCount(source, t, raw.Length / 8, count, raw.Length % 8 != 0);
                    for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(8 * i));
                }
                else
                {
                    CheckCount(source, t, t.DoubleData.Count, count, false);
                    for (int i = 0; i < values.Length; i++) values[i] = t.DoubleData[i];
                }
                break;
            default:
                throw new NotSupportedException(
                    $"ONNX file '{source}': initializer '{t.Name}' has data type {(TensorProto.Types.DataType)t.DataType}; LoadOnnxWeights reads FLOAT and DOUBLE weights.");
        }
        return values;
    }

    /// <summary><c>[64, 3, 7, 7]</c>.</summary>
    public static string FormatShape(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";

    /// <summary><c>[64, 3, 7, 7]</c>.</summary>
    public static string FormatShape(IEnumerable<int> dims) => "[" + string.Join(", ", dims) + "]";

    private static void CheckCount(string source, TensorProto t, long found, long expected, bool ragged)
    {
        if (ragged || found != expected)
            throw new InvalidDataException(FormattableString.Invariant(
                $"ONNX file '{source}': initializer '{t.Name}' of shape {FormatShape(t.Dims)} should hold {expected} values but holds {found}{(ragged ? " and a partial one" : "")}."));
    }

    private static TensorProto ConstantValue(string path, NodeProto node)
    {
        foreach (AttributeProto a in node.Attribute)
        {
            switch (a.Name)
            {
                case "value" when a.T is not null:
                    var t = a.T.Clone();
                    t.Name = node.Output.Count == 1 ? node.Output[0] : t.Name;
                    return t;
                case "value_float":
                    return new TensorProto { Name = node.Output[0], DataType = (int)TensorProto.Types.DataType.Float, FloatData = { a.F } };
                case "value_floats":
                    var floats = new TensorProto { Name = node.Output[0], DataType = (int)TensorProto.Types.DataType.Float, Dims = { a.Floats.Count } };
                    floats.FloatData.AddRange(a.Floats);
                    return floats;
                case "value_int":
                    return new TensorProto { Name = node.Output[0], DataType = (int)TensorProto.Types.DataType.Int64, Int64Data = { a.I } };
                case "value_ints":
                    var ints = new TensorProto { Name = node.Output[0], DataType = (int)TensorProto.Types.DataType.Int64, Dims = { a.Ints.Count } };
                    ints.Int64Data.AddRange(a.Ints);
                    return ints;
            }
        }
        // A string or sparse constant: no weight, and nothing LoadOnnxWeights reads.
        return new TensorProto { Name = node.Output.Count == 1 ? node.Output[0] : "", DataType = (int)TensorProto.Types.DataType.String };
    }

    /// <summary>Kahn's algorithm, taking the ready node that comes first in the file.</summary>
    private static List<NodeProto> Order(string path, GraphProto graph, List<NodeProto> nodes, Dictionary<string, TensorProto> constants)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (string output in nodes[i].Output)
            {
                if (output.Length == 0) continue;
                if (constants.ContainsKey(output) || !producer.TryAdd(output, i))
                    throw new InvalidDataException($"ONNX file '{path}': tensor '{output}' is written twice (node '{nodes[i].Name}').");
            }
        }
        var graphInputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input) graphInputs.Add(input.Name);

        var waiting = new int[nodes.Count];
        var readers = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) readers[i] = [];
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (string input in nodes[i].Input)
            {
                if (input.Length == 0 || constants.ContainsKey(input)) continue; // an omitted optional input, or a constant
                if (producer.TryGetValue(input, out int from))
                {
                    waiting[i]++;
                    readers[from].Add(i);
                }
                else if (!graphInputs.Contains(input))
                {
                    throw new InvalidDataException($"ONNX file '{path}': node '{nodes[i].Name}' ({nodes[i].OpType}) reads tensor '{input}', which no node, initializer or graph input provides.");
                }
            }
        }
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (waiting[i] == 0) ready.Enqueue(i, i);
        }
        var ordered = new List<NodeProto>(nodes.Count);
        while (ready.TryDequeue(out int i, out _))
        {
            ordered.Add(nodes[i]);
            foreach (int r in readers[i])
            {
                if (--waiting[r] == 0) ready.Enqueue(r, r);
            }
        }
        if (ordered.Count != nodes.Count)
            throw new InvalidDataException($"ONNX file '{path}': the graph has a cycle ({nodes.Count - ordered.Count} nodes never become ready).");
        return ordered;
    }
}
