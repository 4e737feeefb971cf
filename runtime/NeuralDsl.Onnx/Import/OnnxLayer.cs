using System;
using System.Collections.Generic;
using System.IO;
using NeuralDsl.Onnx.Proto;

namespace NeuralDsl.Onnx.Import;

/// <summary>The kinds of weighted layer that LoadOnnxWeights maps between ONNX nodes and NeuralDsl layers.</summary>
internal enum WeightedKind
{
    /// <summary>ONNX <c>Conv</c> with a 4-D weight; our <c>Conv2D</c> (kernel (kh, kw, in, out)).</summary>
    Conv2D,

    /// <summary>ONNX <c>Conv</c> with a 3-D weight; our <c>Conv1D</c> (kernel (k, in, out)).</summary>
    Conv1D,

    /// <summary>ONNX <c>Gemm</c>, or <c>MatMul</c> (+ <c>Add</c>); our <c>Dense</c> (kernel (in, units)).</summary>
    Dense,

    /// <summary>ONNX <c>BatchNormalization</c>; ours (gamma, beta, moving_mean, moving_variance).</summary>
    BatchNormalization,
}

/// <summary>
/// One tensor of a weighted ONNX node: its role under our Keras name (<c>kernel</c>, <c>bias</c>, <c>gamma</c>, ...), the
/// initializer it comes from, and how its values become our layout.
/// </summary>
/// <param name="Role">The Keras tensor name inside the layer.</param>
/// <param name="Initializer">The ONNX initializer (or Constant output).</param>
/// <param name="OnnxShape">The initializer's dimensions as the file has them.</param>
/// <param name="Shape">The shape in our layout after <paramref name="Convert"/>.</param>
/// <param name="Convert">Our-layout values from the initializer's values (row-major), or null to take them as they are.</param>
internal sealed record OnnxTensor(string Role, TensorProto Initializer, long[] OnnxShape, int[] Shape, Func<double[], double[]>? Convert);

/// <summary>
/// A weighted ONNX node with its tensors in our layout, its place in the data flow (<see cref="Order"/>) and the
/// weighted nodes whose output reaches it with no weighted node between (<see cref="After"/>).
/// </summary>
internal sealed class OnnxLayer
{
    public OnnxLayer(NodeProto node, WeightedKind kind, int order)
    {
        Node = node;
        Kind = kind;
        Order = order;
    }

    /// <summary>The node (a <c>MatMul</c>'s absorbed <c>Add</c> is not kept here).</summary>
    public NodeProto Node { get; }

    /// <summary>What layer of ours it is.</summary>
    public WeightedKind Kind { get; }

    /// <summary>Its position among the weighted nodes in topological order.</summary>
    public int Order { get; }

    /// <summary>The tensors by role.</summary>
    public List<OnnxTensor> Tensors { get; } = [];

    /// <summary>The nearest weighted nodes upstream: this one is matched only after all of them.</summary>
    public HashSet<int> After { get; } = [];

    /// <summary>BatchNormalization's epsilon attribute (ONNX default 1e-5), else null.</summary>
    public float? Epsilon { get; set; }

    /// <summary><c>Conv 'Convolution249'</c>.</summary>
    public string Describe() => string.IsNullOrEmpty(Node.Name) ? $"{Node.OpType} node #{Order}" : $"{Node.OpType} '{Node.Name}'";

    /// <summary>The tensor of <paramref name="role"/>, or null.</summary>
    public OnnxTensor? Find(string role)
    {
        foreach (OnnxTensor t in Tensors)
        {
            if (t.Role == role) return t;
        }
        return null;
    }
}

/// <summary>
/// Turns an ordered ONNX graph into its weighted layers (Conv, BatchNormalization, Gemm, MatMul + Add) with their
/// tensors converted to our layouts, and rejects any floating-point initializer the graph reads that no such layer
/// takes (nothing of the file is left behind silently).
/// </summary>
internal static class OnnxLayers
{
    /// <summary>Inputs of these operators that are settings, not weights (shapes, axes, pads, clip bounds).</summary>
    private static readonly Dictionary<string, int> SettingInputsFrom = new(StringComparer.Ordinal)
    {
        ["Reshape"] = 1, ["Pad"] = 1, ["Clip"] = 1, ["Squeeze"] = 1, ["Unsqueeze"] = 1, ["Slice"] = 1, ["Resize"] = 1,
        ["Upsample"] = 1, ["Expand"] = 1, ["Tile"] = 1, ["ReduceMean"] = 1, ["ReduceSum"] = 1, ["Split"] = 1, ["Dropout"] = 1,
        ["ConstantOfShape"] = 0, ["Gather"] = 1, ["TopK"] = 1,
    };

    /// <summary>The weighted layers of <paramref name="graph"/> in data-flow order.</summary>
    /// <exception cref="InvalidDataException">A weight is malformed or a floating-point initializer is read by a node with no counterpart.</exception>
    /// <exception cref="NotSupportedException">A weighted node uses something our layers cannot express (grouped convolution, transposed A, ...).</exception>
    public static List<OnnxLayer> Read(OnnxGraph graph)
    {
        string source = graph.Source;
        var layers = new List<OnnxLayer>();
        // The nearest weighted nodes upstream of each tensor, and the channel count of NCHW tensors (for a Flatten
        // before a Gemm, whose rows are in (c, h, w) order while ours are in (h, w, c) order).
        var upstream = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var channels = new Dictionary<string, int>(StringComparer.Ordinal);
        var flattenedChannels = new Dictionary<string, int>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var absorbed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);

        foreach (NodeProto node in graph.Nodes)
        {
            if (absorbed.Contains(node)) continue;
            var reaching = new HashSet<int>();
            foreach (string input in node.Input)
            {
                if (upstream.TryGetValue(input, out HashSet<int>? u)) reaching.UnionWith(u);
            }

            OnnxLayer? layer = node.OpType switch
            {
                "Conv" when IsDefaultDomain(node) => Conv(graph, node, layers.Count),
                "BatchNormalization" when IsDefaultDomain(node) => BatchNormalization(graph, node, layers.Count),
                "Gemm" when IsDefaultDomain(node) => Gemm(graph, node, layers.Count, FlattenedChannels(node, flattenedChannels)),
                "MatMul" when IsDefaultDomain(node) && graph.IsConstant(node.Input[1]) =>
                    MatMul(graph, node, layers.Count, FlattenedChannels(node, flattenedChannels), absorbed),
                _ => null,
            };

            if (layer is not null)
            {
                layer.After.UnionWith(reaching);
                layers.Add(layer);
                foreach (OnnxTensor t in layer.Tensors) taken.Add(t.Initializer.Name);
                var self = new HashSet<int> { layer.Order };
                // A MatMul's absorbed Add writes the layer's output.
                foreach (string output in OutputsOf(layer, absorbed, node)) upstream[output] = self;
            }
            else
            {
                foreach (string output in node.Output) upstream[output] = reaching;
            }
            TrackChannels(node, layer, channels, flattenedChannels, absorbed);
        }

        // Every floating-point constant the graph reads must have gone into a layer, unless it is a setting.
        foreach (NodeProto node in graph.Nodes)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                TensorProto? t = graph.Constant(node.Input[i]);
                if (t is null || taken.Contains(t.Name) || !OnnxGraph.IsFloatingPoint(t)) continue;
                if (SettingInputsFrom.TryGetValue(node.OpType, out int from) && i >= from) continue;
                throw new InvalidDataException(
                    $"ONNX file '{source}': initializer '{t.Name}' {OnnxGraph.FormatShape(t.Dims)} is read by {node.OpType} '{node.Name}' (input {i}), " +
                    "which has no counterpart among the model's layers (LoadOnnxWeights maps Conv, BatchNormalization, Gemm and MatMul + Add); no weight was loaded.");
            }
        }
        return layers;
    }

    private static bool IsDefaultDomain(NodeProto node) => string.IsNullOrEmpty(node.Domain) || node.Domain == "ai.onnx";

    private static IEnumerable<string> OutputsOf(OnnxLayer layer, HashSet<NodeProto> absorbed, NodeProto node)
    {
        foreach (string o in node.Output) yield return o;
        foreach (NodeProto a in absorbed)
        {
            if (a.Input.Contains(node.Output[0]))
            {
                foreach (string o in a.Output) yield return o;
            }
        }
    }

    private static int FlattenedChannels(NodeProto node, Dictionary<string, int> flattenedChannels) =>
        flattenedChannels.TryGetValue(node.Input[0], out int c) ? c : 0;

    /// <summary>
    /// Follows the channel count of NCHW tensors from each Conv through shape-keeping nodes to a Flatten (or Reshape,
    /// Squeeze) so a Gemm reading the flattened tensor knows its rows are (c, h, w) ordered.
    /// </summary>
    private static void TrackChannels(NodeProto node, OnnxLayer? layer, Dictionary<string, int> channels,
        Dictionary<string, int> flattenedChannels, HashSet<NodeProto> absorbed)
    {
        if (node.Output.Count == 0 || node.Input.Count == 0) return;
        if (layer is { Kind: WeightedKind.Conv2D })
        {
            channels[node.Output[0]] = layer.Tensors[0].Shape[^1];
            return;
        }
        if (layer is not null) return; // Dense output: a flat vector again
        if (!channels.TryGetValue(node.Input[0], out int c)) return;
        switch (node.OpType)
        {
            case "Flatten" or "Reshape" or "Squeeze":
                flattenedChannels[node.Output[0]] = c;
                break;
            case "Relu" or "LeakyRelu" or "Sigmoid" or "Tanh" or "Clip" or "Elu" or "Selu" or "HardSigmoid" or "Softplus"
                or "BatchNormalization" or "MaxPool" or "AveragePool" or "GlobalAveragePool" or "GlobalMaxPool" or "Pad"
                or "Dropout" or "Identity" or "Add" or "Sub" or "Mul" or "Div" or "Max" or "Min" or "Sum" or "Mean":
                channels[node.Output[0]] = c;
                break;
        }
    }

    private static OnnxLayer Conv(OnnxGraph graph, NodeProto node, int order)
    {
        TensorProto w = RequireConstant(graph, node, 1, "weight W");
        long group = IntAttribute(node, "group", 1);
        if (group != 1)
            throw new NotSupportedException($"ONNX file '{graph.Source}': Conv '{node.Name}' has group = {group}; our Conv1D and Conv2D are ungrouped (group = 1).");
        long[] d = [.. w.Dims];
        OnnxLayer layer;
        if (d.Length == 4)
        {
            layer = new OnnxLayer(node, WeightedKind.Conv2D, order);
            int o = Dim(d[0]), i = Dim(d[1]), kh = Dim(d[2]), kw = Dim(d[3]);
            // OIHW -> (kh, kw, in, out)
            layer.Tensors.Add(new OnnxTensor("kernel", w, d, [kh, kw, i, o], v =>
            {
                var r = new double[v.Length];
                for (int oo = 0; oo < o; oo++)
                for (int ii = 0; ii < i; ii++)
                for (int y = 0; y < kh; y++)
                for (int x = 0; x < kw; x++)
                    r[((y * kw + x) * i + ii) * o + oo] = v[((oo * i + ii) * kh + y) * kw + x];
                return r;
            }));
        }
        else if (d.Length == 3)
        {
            layer = new OnnxLayer(node, WeightedKind.Conv1D, order);
            int o = Dim(d[0]), i = Dim(d[1]), k = Dim(d[2]);
            // OIW -> (k, in, out)
            layer.Tensors.Add(new OnnxTensor("kernel", w, d, [k, i, o], v =>
            {
                var r = new double[v.Length];
                for (int oo = 0; oo < o; oo++)
                for (int ii = 0; ii < i; ii++)
                for (int x = 0; x < k; x++)
                    r[(x * i + ii) * o + oo] = v[(oo * i + ii) * k + x];
                return r;
            }));
        }
        else
        {
            throw new NotSupportedException($"ONNX file '{graph.Source}': Conv '{node.Name}' has a {d.Length}-D weight '{w.Name}' {OnnxGraph.FormatShape(d)}; our convolutions are 1-D and 2-D.");
        }
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            TensorProto b = RequireConstant(graph, node, 2, "bias B");
            layer.Tensors.Add(Vector("bias", b));
        }
        return layer;
    }

    private static OnnxLayer BatchNormalization(OnnxGraph graph, NodeProto node, int order)
    {
        if (IntAttribute(node, "spatial", 1) != 1)
            throw new NotSupportedException($"ONNX file '{graph.Source}': BatchNormalization '{node.Name}' has spatial = 0 (statistics per element, opset < 9); ours are per channel.");
        var layer = new OnnxLayer(node, WeightedKind.BatchNormalization, order) { Epsilon = FloatAttribute(node, "epsilon", 1e-5f) };
        string[] roles = ["gamma", "beta", "moving_mean", "moving_variance"];
        string[] onnxNames = ["scale", "B", "input_mean", "input_var"];
        for (int k = 0; k < roles.Length; k++)
            layer.Tensors.Add(Vector(roles[k], RequireConstant(graph, node, k + 1, onnxNames[k])));
        return layer;
    }

    private static OnnxLayer Gemm(OnnxGraph graph, NodeProto node, int order, int flattenedChannels)
    {
        if (IntAttribute(node, "transA", 0) != 0)
            throw new NotSupportedException($"ONNX file '{graph.Source}': Gemm '{node.Name}' has transA = 1; a Dense layer reads its input untransposed.");
        double alpha = FloatAttribute(node, "alpha", 1f), beta = FloatAttribute(node, "beta", 1f);
        bool transB = IntAttribute(node, "transB", 0) != 0;
        TensorProto b = RequireConstant(graph, node, 1, "B");
        long[] d = [.. b.Dims];
        if (d.Length != 2)
            throw new InvalidDataException($"ONNX file '{graph.Source}': Gemm '{node.Name}' has a {d.Length}-D B '{b.Name}' {OnnxGraph.FormatShape(d)}; Gemm's B is 2-D.");
        int inputs = Dim(transB ? d[1] : d[0]), units = Dim(transB ? d[0] : d[1]);
        var layer = new OnnxLayer(node, WeightedKind.Dense, order);
        layer.Tensors.Add(new OnnxTensor("kernel", b, d, [inputs, units], v =>
        {
            var r = new double[v.Length];
            for (int i = 0; i < inputs; i++)
            for (int u = 0; u < units; u++)
                r[i * units + u] = alpha * (transB ? v[u * inputs + i] : v[i * units + u]);
            return FromChannelsFirst(r, inputs, units, flattenedChannels);
        }));
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            TensorProto c = RequireConstant(graph, node, 2, "C");
            OnnxTensor bias = Vector("bias", c);
            layer.Tensors.Add(bias with { Convert = beta == 1 ? null : v => Array.ConvertAll(v, x => beta * x) });
        }
        return layer;
    }

    private static OnnxLayer MatMul(OnnxGraph graph, NodeProto node, int order, int flattenedChannels, HashSet<NodeProto> absorbed)
    {
        TensorProto b = RequireConstant(graph, node, 1, "B");
        long[] d = [.. b.Dims];
        if (d.Length != 2)
            throw new NotSupportedException($"ONNX file '{graph.Source}': MatMul '{node.Name}' has a {d.Length}-D constant B '{b.Name}' {OnnxGraph.FormatShape(d)}; a Dense kernel is 2-D.");
        int inputs = Dim(d[0]), units = Dim(d[1]);
        var layer = new OnnxLayer(node, WeightedKind.Dense, order);
        layer.Tensors.Add(new OnnxTensor("kernel", b, d, [inputs, units], v => FromChannelsFirst(v, inputs, units, flattenedChannels)));
        // The bias: the one node reading the product is an Add of a constant.
        NodeProto? add = null;
        int readers = 0;
        foreach (NodeProto n in graph.Nodes)
        {
            if (!n.Input.Contains(node.Output[0])) continue;
            readers++;
            add = n;
        }
        if (readers == 1 && add is { OpType: "Add", Input.Count: 2 } && IsDefaultDomain(add))
        {
            string other = add.Input[0] == node.Output[0] ? add.Input[1] : add.Input[0];
            if (graph.Constant(other) is { } c && OnnxGraph.IsFloatingPoint(c))
            {
                layer.Tensors.Add(Vector("bias", c));
                absorbed.Add(add);
            }
        }
        return layer;
    }

    /// <summary>
    /// Reorders a Dense kernel's rows from a flattened NCHW tensor's (c, h, w) order to our flattened NHWC (h, w, c)
    /// order; <paramref name="channels"/> 0 means the input was not a flattened feature map.
    /// </summary>
    private static double[] FromChannelsFirst(double[] kernel, int inputs, int units, int channels)
    {
        if (channels <= 1 || inputs % channels != 0 || inputs == channels) return kernel;
        int positions = inputs / channels;
        var r = new double[kernel.Length];
        for (int c = 0; c < channels; c++)
        for (int p = 0; p < positions; p++)
            Array.Copy(kernel, (c * positions + p) * units, r, (p * channels + c) * units, units);
        return r;
    }

    /// <summary>A 1-D tensor of ours; ONNX may keep it as [1, n] or [n, 1, 1] (broadcast shapes).</summary>
    private static OnnxTensor Vector(string role, TensorProto t)
    {
        long n = 1;
        foreach (long d in t.Dims) n *= d;
        int ones = 0;
        foreach (long d in t.Dims) ones += d == 1 ? 1 : 0;
        // Only shapes with at most one non-1 dimension are a vector; others keep their rank and fail the shape check.
        int[] shape = t.Dims.Count - ones <= 1 ? [Dim(n)] : Array.ConvertAll([.. t.Dims], Dim);
        return new OnnxTensor(role, t, [.. t.Dims], shape, null);
    }

    private static TensorProto RequireConstant(OnnxGraph graph, NodeProto node, int input, string what)
    {
        if (node.Input.Count <= input || node.Input[input].Length == 0)
            throw new InvalidDataException($"ONNX file '{graph.Source}': {node.OpType} '{node.Name}' has no {what} (input {input}).");
        TensorProto? t = graph.Constant(node.Input[input]);
        if (t is null)
            throw new NotSupportedException($"ONNX file '{graph.Source}': {node.OpType} '{node.Name}' reads its {what} from '{node.Input[input]}', a computed tensor; LoadOnnxWeights takes weights from initializers and Constant nodes.");
        return t;
    }

    private static long IntAttribute(NodeProto node, string name, long fallback)
    {
        foreach (AttributeProto a in node.Attribute)
        {
            if (a.Name == name) return a.I;
        }
        return fallback;
    }

    private static float FloatAttribute(NodeProto node, string name, float fallback)
    {
        foreach (AttributeProto a in node.Attribute)
        {
            if (a.Name == name) return a.F;
        }
        return fallback;
    }

    private static int Dim(long d) => d is >= 0 and <= int.MaxValue ? (int)d : throw new InvalidDataException($"dimension {d} is out of range.");
}
