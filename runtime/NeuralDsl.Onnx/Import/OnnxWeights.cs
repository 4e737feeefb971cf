using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using NeuralDsl.Onnx.Import;

namespace NeuralDsl;

/// <summary>
/// Loading the weights of an ONNX file (PyTorch, CNTK, TensorFlow exports, ...) into a model declared with the DSL.
/// The file's weighted nodes (Conv, BatchNormalization, Gemm, MatMul + Add) are matched with the model's weighted
/// layers (Conv2D, Conv1D, Dense, BatchNormalization) by topology: both are walked in the order their data flows and
/// paired one to one, so names never need to agree. The architecture itself (strides, padding, activations, pooling)
/// is the declaration's: only the weights travel, and every one is checked.
/// </summary>
public static class OnnxWeights
{
    /// <summary>
    /// Reads the ONNX graph at <paramref name="path"/> and copies its weights into <paramref name="model"/>'s
    /// <see cref="IModel{T}.Parameters"/> and <see cref="IModel{T}.State"/>, converted to Keras layouts:
    /// <list type="bullet">
    /// <item>Conv weights OIHW → (kh, kw, in, out) (OIW → (k, in, out) for Conv1D), bias as is;</item>
    /// <item>BatchNormalization scale, B, input_mean, input_var → gamma, beta, moving_mean, moving_variance, with the
    /// node's epsilon checked against the one the model declares;</item>
    /// <item>Gemm's B ((out, in) with transB = 1, else (in, out)) → the Dense kernel (in, units), alpha and beta folded
    /// in, C → bias; MatMul with a constant (in, out) and the Add of a constant that follows it → kernel and bias. A
    /// Dense reading a flattened NCHW feature map gets its rows reordered to our flattened NHWC order.</item>
    /// </list>
    /// The graph is walked in topological order (the file's order where the data flow leaves a choice); each of the
    /// model's layers, in declaration order, takes the first weighted node whose upstream weighted nodes are all taken
    /// and whose kind and every shape fit, so parallel branches (a ResNet's shortcut) pair correctly whichever the
    /// exporter wrote first. Initializers are read from <c>raw_data</c> or the typed fields, and from <c>Constant</c>
    /// nodes. Everything is validated before anything is copied: a rejected file leaves the model bit-for-bit unchanged.
    /// </summary>
    /// <remarks>
    /// The model's input layout is its own: an image model is NHWC, so an ONNX model's NCHW input must be transposed
    /// before <c>Predict</c>. Each BatchNormalization's epsilon, from the model's layer description, must equal the
    /// node's.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or does not match the model: a shape differs (the
    /// message names the ONNX initializer and our parameter with both shapes), a layer has no counterpart, an
    /// initializer is left over, or an epsilon differs.</exception>
    /// <exception cref="NotSupportedException">The file or the model uses something this mapping does not cover
    /// (grouped convolutions, external data, a layer kind with no ONNX counterpart here).</exception>
    public static void LoadOnnxWeights<T>(this IModel<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);

        List<ModelLayer> ours = ModelLayers.Read(model);
        OnnxGraph graph = OnnxGraph.Read(path);
        List<OnnxLayer> theirs = OnnxLayers.Read(graph);

        OnnxLayer[] pairs = Pair(graph.Source, model.Name, ours, theirs);

        // Convert every tensor into a copy first; only when all are done do they go into the model.
        var pending = new List<(ModelTensor Target, double[] Values)>();
        for (int k = 0; k < ours.Count; k++)
        {
            foreach (ModelTensor target in ours[k].Tensors)
            {
                OnnxTensor source = pairs[k].Find(target.Role)!;
                double[] values = OnnxGraph.Values(graph.Source, source.Initializer);
                if (source.Convert is not null) values = source.Convert(values);
                if (values.Length != target.Info.Length)
                    throw new InvalidDataException(FormattableString.Invariant(
                        $"ONNX file '{graph.Source}': initializer '{source.Initializer.Name}' gives {values.Length} values for '{target.Info.Name}', which has {target.Info.Length}."));
                pending.Add((target, values));
            }
        }

        Span<T> parameters = model.Parameters;
        Span<T> state = model.State;
        foreach ((ModelTensor target, double[] values) in pending)
        {
            CheckRange(model.Name, target, target.IsState ? state.Length : parameters.Length);
        }
        foreach ((ModelTensor target, double[] values) in pending)
        {
            Span<T> destination = (target.IsState ? state : parameters).Slice(target.Info.Offset, target.Info.Length);
            for (int i = 0; i < values.Length; i++) destination[i] = T.CreateTruncating(values[i]);
        }
    }

    /// <summary>
    /// Pairs each of our layers (in order) with a weighted ONNX node: the first one, in data-flow order, whose upstream
    /// weighted nodes are all paired and whose kind, tensors and shapes fit. Every node must be paired.
    /// </summary>
    private static OnnxLayer[] Pair(string source, string model, List<ModelLayer> ours, List<OnnxLayer> theirs)
    {
        var pairs = new OnnxLayer[ours.Count];
        var taken = new bool[theirs.Count];
        for (int k = 0; k < ours.Count; k++)
        {
            ModelLayer layer = ours[k];
            OnnxLayer? chosen = null, sameKind = null;
            OnnxLayer? firstReady = null;
            foreach (OnnxLayer candidate in theirs)
            {
                if (taken[candidate.Order] || !Ready(candidate, taken)) continue;
                firstReady ??= candidate;
                if (candidate.Kind != layer.Kind) continue;
                if (Mismatch(candidate, layer) is null)
                {
                    chosen = candidate;
                    break;
                }
                // For the message: the ready node of the same kind that differs least (a wrong filter count, not a
                // parallel branch's 1×1 shortcut).
                if (sameKind is null || Distance(candidate, layer) < Distance(sameKind, layer)) sameKind = candidate;
            }
            if (chosen is null)
            {
                if (sameKind is not null)
                    throw Error(source, $"{Mismatch(sameKind, layer)} (the next {sameKind.Kind} in the file's data flow for layer '{layer.Name}' of model '{model}', its weighted layer {k + 1} of {ours.Count}). No weight was loaded.");
                if (firstReady is not null)
                    throw Error(source, $"layer '{layer.Name}' of model '{model}' ({layer.Kind}, weighted layer {k + 1} of {ours.Count}) has no counterpart: the next weighted node in the file's data flow is {firstReady.Describe()}, a {firstReady.Kind}. No weight was loaded.");
                throw Error(source, $"model '{model}' has {ours.Count} layers with weights but the file has {theirs.Count} weighted nodes: layer '{layer.Name}' ({layer.Kind}) and the ones after it have no counterpart. No weight was loaded.");
            }
            taken[chosen.Order] = true;
            pairs[k] = chosen;
            CheckEpsilon(source, layer, chosen);
        }
        foreach (OnnxLayer l in theirs)
        {
            if (!taken[l.Order])
                throw Error(source, $"{l.Describe()} with initializer '{l.Tensors[0].Initializer.Name}' {OnnxGraph.FormatShape(l.Tensors[0].OnnxShape)} has no counterpart in model '{model}' " +
                    $"(the file has {theirs.Count} weighted nodes, the model {ours.Count} layers with weights). No weight was loaded.");
        }
        return pairs;
    }

    private static bool Ready(OnnxLayer candidate, bool[] taken)
    {
        foreach (int before in candidate.After)
        {
            if (!taken[before]) return false;
        }
        return true;
    }

    /// <summary>Why <paramref name="theirs"/> does not fit <paramref name="ours"/> (same kind), or null when it does.</summary>
    private static string? Mismatch(OnnxLayer theirs, ModelLayer ours)
    {
        foreach (ModelTensor t in ours.Tensors)
        {
            OnnxTensor? s = theirs.Find(t.Role);
            if (s is null)
                return $"{theirs.Describe()} has no {t.Role} for '{t.Info.Name}' {OnnxGraph.FormatShape(t.Info.Shape)}";
            if (!Same(s.Shape, t.Info.Shape))
                return $"initializer '{s.Initializer.Name}' {OnnxGraph.FormatShape(s.OnnxShape)} ({theirs.Describe()}'s {t.Role}, {OnnxGraph.FormatShape(s.Shape)} in our layout) " +
                    $"does not fit '{t.Info.Name}' {OnnxGraph.FormatShape(t.Info.Shape)}";
        }
        foreach (OnnxTensor s in theirs.Tensors)
        {
            if (ours.Find(s.Role) is null)
                return $"initializer '{s.Initializer.Name}' {OnnxGraph.FormatShape(s.OnnxShape)} ({theirs.Describe()}'s {s.Role}) has no counterpart in layer '{ours.Name}', which has no {s.Role}";
        }
        return null;
    }

    /// <summary>How many dimensions (and missing or extra tensors, counted as 8) set <paramref name="theirs"/> apart from <paramref name="ours"/>.</summary>
    private static int Distance(OnnxLayer theirs, ModelLayer ours)
    {
        int d = 0;
        foreach (ModelTensor t in ours.Tensors)
        {
            OnnxTensor? s = theirs.Find(t.Role);
            if (s is null || s.Shape.Length != t.Info.Shape.Length)
            {
                d += 8;
                continue;
            }
            for (int i = 0; i < s.Shape.Length; i++) d += s.Shape[i] != t.Info.Shape[i] ? 1 : 0;
        }
        foreach (OnnxTensor s in theirs.Tensors) d += ours.Find(s.Role) is null ? 8 : 0;
        return d;
    }

    private static bool Same(int[] a, int[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i]) return false;
        }
        return true;
    }

    private static void CheckEpsilon(string source, ModelLayer ours, OnnxLayer theirs)
    {
        if (theirs.Epsilon is not float e || ours.Epsilon is not double declared) return;
        if (Math.Abs(e - declared) <= 1e-6 * Math.Abs(declared) || (float)declared == e) return;
        throw Error(source, FormattableString.Invariant(
            $"{theirs.Describe()} has epsilon {e:R}, but layer '{ours.Name}' is declared with Epsilon = {declared:R} (set [BatchNormalization(Epsilon = {e:R})] to match the file). No weight was loaded."));
    }

    private static void CheckRange(string model, ModelTensor t, int length)
    {
        if (t.Info.Offset < 0 || (long)t.Info.Offset + t.Info.Length > length)
            throw new InvalidOperationException(FormattableString.Invariant(
                $"Model '{model}': tensor '{t.Info.Name}' at offset {t.Info.Offset} with {t.Info.Length} elements does not fit in its {length} values."));
    }

    private static InvalidDataException Error(string source, string message) => new($"ONNX file '{source}': {message}");
}
