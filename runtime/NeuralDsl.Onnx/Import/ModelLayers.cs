using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;

namespace NeuralDsl.Onnx.Import;

/// <summary>One tensor of one of our layers: its entry in the parameter or state layout.</summary>
/// <param name="Role">The Keras tensor name inside the layer (<c>kernel</c>, <c>moving_mean</c>, ...).</param>
/// <param name="Info">Name, offset and shape.</param>
/// <param name="IsState">Whether it lives in <see cref="IModel{T}.State"/> rather than <see cref="IModel{T}.Parameters"/>.</param>
internal sealed record ModelTensor(string Role, ParameterInfo Info, bool IsState);

/// <summary>One weighted layer of ours, found from the tensor names of the model's layouts.</summary>
internal sealed class ModelLayer(string name, WeightedKind kind, List<ModelTensor> tensors)
{
    /// <summary>The layer name (<c>conv2d_1</c>).</summary>
    public string Name { get; } = name;

    /// <summary>Conv2D, Conv1D, Dense or BatchNormalization.</summary>
    public WeightedKind Kind { get; } = kind;

    /// <summary>Its tensors.</summary>
    public List<ModelTensor> Tensors { get; } = tensors;

    /// <summary>The BatchNormalization epsilon declared on the model, when known.</summary>
    public double? Epsilon { get; set; }

    /// <summary>The tensor of <paramref name="role"/>, or null.</summary>
    public ModelTensor? Find(string role)
    {
        foreach (ModelTensor t in Tensors)
        {
            if (t.Role == role) return t;
        }
        return null;
    }
}

/// <summary>
/// A model's weighted layers in the order its data flows: the tensors of <see cref="IModel{T}.ParameterLayout"/> and
/// <see cref="IModel{T}.StateLayout"/> grouped by layer (the name before the last dot), the kind told by the tensor
/// names and the kernel's rank, the order taken from the model's summary (which lists the layers as declared).
/// </summary>
internal static class ModelLayers
{
    /// <summary>Reads the weighted layers of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">A layer has tensors that no ONNX node maps to (an Embedding, a recurrent layer, ...).</exception>
    public static List<ModelLayer> Read<T>(IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var groups = new Dictionary<string, List<ModelTensor>>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        void Add(ParameterInfo p, bool isState)
        {
            int dot = p.Name.LastIndexOf('.');
            string layer = dot < 0 ? p.Name : p.Name[..dot];
            string role = dot < 0 ? "" : p.Name[(dot + 1)..];
            if (!groups.TryGetValue(layer, out List<ModelTensor>? list))
            {
                groups.Add(layer, list = []);
                firstSeen.Add(layer);
            }
            list.Add(new ModelTensor(role, p, isState));
        }
        foreach (ParameterInfo p in model.ParameterLayout) Add(p, false);
        foreach (ParameterInfo p in model.StateLayout) Add(p, true);

        // The summary lists layers in declaration order, whether their tensors are trainable or state (a frozen layer).
        Dictionary<string, int> row = SummaryRows(model.Summary);
        var names = new List<string>(firstSeen);
        names.Sort((a, b) =>
        {
            int ra = row.TryGetValue(a, out int x) ? x : int.MaxValue, rb = row.TryGetValue(b, out int y) ? y : int.MaxValue;
            return ra != rb ? ra.CompareTo(rb) : firstSeen.IndexOf(a).CompareTo(firstSeen.IndexOf(b));
        });

        var layers = new List<ModelLayer>(names.Count);
        foreach (string name in names)
        {
            List<ModelTensor> tensors = groups[name];
            layers.Add(new ModelLayer(name, KindOf(model.Name, name, tensors), tensors));
        }
        return layers;
    }

    /// <summary>
    /// The BatchNormalization epsilons the model class declares, in declaration order: from its
    /// <c>[BatchNormalization]</c> attributes, the blocks it uses (recursively) and the ResNet blocks (1.001e-5).
    /// Empty for a model that is not declared with attributes.
    /// </summary>
    public static List<double> DeclaredEpsilons(Type modelType, out bool exact)
    {
        var found = new List<double>();
        exact = true;
        Collect(modelType, found, ref exact, depth: 0);
        return found;
    }

    private static void Collect(Type type, List<double> found, ref bool exact, int depth)
    {
        if (depth > 32) return; // a block cycle is a compile error; never loop here
        foreach (object a in type.GetCustomAttributes(inherit: false))
        {
            switch (a)
            {
                case BatchNormalizationAttribute bn:
                    found.Add(bn.Epsilon);
                    break;
                case BlockAttribute { Block: { } block }:
                    Collect(block, found, ref exact, depth + 1);
                    break;
                case ResidualAttribute residual:
                    Collect(residual.Block, found, ref exact, depth + 1);
                    break;
                case ResNetBasicBlockAttribute or ResNetBottleneckAttribute:
                    // Their BN layers (and whether the shortcut has one) depend on shapes: known value, unknown count.
                    found.Add(1.001e-5);
                    exact = false;
                    break;
            }
        }
    }

    private static WeightedKind KindOf(string model, string layer, List<ModelTensor> tensors)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (ModelTensor t in tensors) roles.Add(t.Role);
        ModelTensor? kernel = tensors.Find(t => t.Role == "kernel");
        if (kernel is not null && (roles.Count == 1 || (roles.Count == 2 && roles.Contains("bias"))))
        {
            switch (kernel.Info.Shape.Length)
            {
                case 4: return WeightedKind.Conv2D;
                case 3: return WeightedKind.Conv1D;
                case 2: return WeightedKind.Dense;
            }
        }
        if (roles.Contains("moving_mean") && roles.Contains("moving_variance") && roles.IsSubsetOf(["gamma", "beta", "moving_mean", "moving_variance"]))
            return WeightedKind.BatchNormalization;
        var listed = tensors.ConvertAll(t => $"'{t.Info.Name}' {OnnxGraph.FormatShape(t.Info.Shape)}");
        throw new NotSupportedException(
            $"Model '{model}': layer '{layer}' (tensors {string.Join(", ", listed)}) has no ONNX counterpart that LoadOnnxWeights maps; " +
            "it maps Conv2D, Conv1D, Dense and BatchNormalization layers. No weight was loaded.");
    }

    /// <summary>Row index of each layer name in a Keras-style summary (<c> name (Type)   ...</c> lines).</summary>
    private static Dictionary<string, int> SummaryRows(string summary)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(summary)) return rows;
        string[] lines = summary.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length < 2 || line[0] != ' ' || line[1] == ' ') continue;
            int space = line.IndexOf(' ', 1);
            if (space < 0 || space + 1 >= line.Length || line[space + 1] != '(') continue;
            rows.TryAdd(line[1..space], i);
        }
        return rows;
    }
}
