using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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

    /// <summary>The BatchNormalization epsilon from the model's layer description (null for other kinds).</summary>
    public double? Epsilon { get; init; }

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
/// A model's weighted layers in declaration order, read from its layer description (<see cref="IModel{T}.Layers"/>):
/// each layer's kind is its Keras class, its tensors are the layout entries it names (trainable ones from
/// <see cref="IModel{T}.ParameterLayout"/>, frozen ones and moving statistics from <see cref="IModel{T}.StateLayout"/>),
/// and a BatchNormalization's epsilon is its configuration's.
/// </summary>
internal static class ModelLayers
{
    /// <summary>Reads the weighted layers of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">The model has no layer description (a hand-written model), or a layer
    /// has tensors that no ONNX node maps to (an Embedding, a recurrent layer, ...).</exception>
    /// <exception cref="InvalidOperationException">A layer names a tensor that neither layout has.</exception>
    public static List<ModelLayer> Read<T>(IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        IReadOnlyList<LayerInfo> described = model.Layers;
        if (described.Count == 0)
        {
            throw new NotSupportedException(
                $"Model '{model.Name}' has no layer description (IModel<T>.Layers is empty, as for a hand-written model); " +
                "LoadOnnxWeights pairs the file's nodes with a generated model's layers. No weight was loaded.");
        }

        var layout = new Dictionary<string, (ParameterInfo Info, bool IsState)>(StringComparer.Ordinal);
        foreach (ParameterInfo p in model.ParameterLayout) layout[p.Name] = (p, false);
        foreach (ParameterInfo p in model.StateLayout) layout[p.Name] = (p, true);

        var layers = new List<ModelLayer>();
        foreach (LayerInfo layer in described)
        {
            if (layer.Parameters.Count == 0 && layer.State.Count == 0) continue;
            var tensors = new List<ModelTensor>(layer.Parameters.Count + layer.State.Count);
            foreach (string name in layer.Parameters.Concat(layer.State))
            {
                if (!layout.TryGetValue(name, out (ParameterInfo Info, bool IsState) entry))
                {
                    throw new InvalidOperationException(
                        $"Model '{model.Name}': layer '{layer.Name}' names tensor '{name}', which is in neither its ParameterLayout nor " +
                        "its StateLayout (a layer description that does not match the layouts). No weight was loaded.");
                }
                (ParameterInfo info, bool isState) = entry;
                int dot = name.LastIndexOf('.');
                tensors.Add(new ModelTensor(dot < 0 ? "" : name[(dot + 1)..], info, isState));
            }
            WeightedKind kind = layer.KerasType switch
            {
                "Conv2D" => WeightedKind.Conv2D,
                "Conv1D" => WeightedKind.Conv1D,
                "Dense" => WeightedKind.Dense,
                "BatchNormalization" => WeightedKind.BatchNormalization,
                _ => throw Unmapped(model.Name, layer, tensors),
            };
            layers.Add(new ModelLayer(layer.Name, kind, tensors)
            {
                Epsilon = kind == WeightedKind.BatchNormalization ? layer.Config.GetDouble("epsilon") : null,
            });
        }
        return layers;
    }

    private static NotSupportedException Unmapped(string model, LayerInfo layer, List<ModelTensor> tensors)
    {
        var listed = tensors.ConvertAll(t => $"'{t.Info.Name}' {OnnxGraph.FormatShape(t.Info.Shape)}");
        return new NotSupportedException(
            $"Model '{model}': layer '{layer.Name}' ({layer.KerasType}; tensors {string.Join(", ", listed)}) has no ONNX counterpart that " +
            "LoadOnnxWeights maps; it maps Conv2D, Conv1D, Dense and BatchNormalization layers. No weight was loaded.");
    }
}
