using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Reflection;
using NeuralDsl.Onnx.Proto;
using static NeuralDsl.Onnx.Export.OnnxGraph;

namespace NeuralDsl.Onnx.Export;

/// <summary>
/// Turns a model's layer description (<see cref="IModel{T}.Layers"/>) and weights into an ONNX graph, one layer at a time
/// in the list's (topological) order. Each layer's output is an <see cref="OnnxValue"/> available in Keras layout
/// (NHWC) and/or channels-first (NCHW): convolutions, poolings and batch normalization read and write channels-first,
/// element-wise layers keep whichever layout they receive, and the layers whose axes are Keras' (Dense, Flatten,
/// softmax, Concatenate, ...) read Keras layout; a Transpose is written the first time a value is needed in the layout
/// it lacks.
/// </summary>
internal sealed class OnnxModelWriter<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IModel<T> _model;
    private readonly OnnxGraph _g;
    private readonly Dictionary<string, (double[] Data, int[] Shape)> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxValue> _values = new(StringComparer.Ordinal);

    public OnnxModelWriter(IModel<T> model)
    {
        _model = model;
        _g = new OnnxGraph(model.Name, typeof(T) == typeof(double));
        Collect(model.Parameters, model.ParameterLayout);
        Collect(model.State, model.StateLayout);
    }

    private void Collect(Span<T> vector, IReadOnlyList<ParameterInfo> layout)
    {
        foreach (ParameterInfo p in layout)
        {
            var data = new double[p.Length];
            Span<T> slice = vector.Slice(p.Offset, p.Length);
            for (int i = 0; i < data.Length; i++)
                data[i] = double.CreateTruncating(slice[i]);
            _tensors[p.Name] = (data, p.Shape);
        }
    }

    public ModelProto Build()
    {
        IReadOnlyList<LayerInfo> layers = _model.Layers;
        if (layers.Count == 0 || layers[0].KerasType != "InputLayer")
            throw new NotSupportedException(
                $"Model '{_model.Name}' ({_model.GetType().Name}) cannot be exported to ONNX: it has no layer description (IModel.Layers is empty); " +
                "models declared with [Sequential] have one.");
        CheckMasks(layers);

        LayerInfo input = layers[0];
        _g.Proto.Input.Add(_g.Value(_g.Fresh(input.Name), input.OutputShape));
        _values[input.Name] = OnnxValue.InKeras(input.Name, input.OutputShape, input.Name);
        for (int i = 1; i < layers.Count; i++)
        {
            LayerInfo layer = layers[i];
            var operands = layer.Inputs.Select(name => _values.TryGetValue(name, out OnnxValue? v) ? v
                : throw Unsupported(layer, $"it reads '{name}', which no earlier layer writes")).ToList();
            _values[layer.Name] = Export(layer, operands);
        }

        LayerInfo last = layers[^1];
        string output = _g.Node("Identity", last.Name == input.Name ? "output" : last.Name, [Keras(_values[last.Name])]);
        _g.Proto.Output.Add(_g.Value(output, last.OutputShape));

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "NeuralDsl",
            ProducerVersion = typeof(IModel<>).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = _model.Summary,
            Graph = _g.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExport.Opset });
        return model;
    }

    // ---- Checks ----

    /// <summary>The kinds whose result a Keras mask does not change: a mask may pass through them and nothing else.</summary>
    private static readonly HashSet<string> MaskNeutral = new(StringComparer.Ordinal)
    {
        "Dense", "Activation", "Dropout", "LayerNormalization", "PositionEmbedding", "SinePositionEncoding",
        "Add", "Subtract", "Multiply", "Average", "Maximum",
    };

    /// <summary>
    /// A Keras mask (<c>mask_zero</c>) changes what the layers that read it compute (recurrent layers keep their state
    /// at masked steps, poolings and attention skip them); ONNX has no such input here, so a mask may only pass through
    /// layers it does not affect.
    /// </summary>
    private void CheckMasks(IReadOnlyList<LayerInfo> layers)
    {
        var masked = new Dictionary<string, string>(StringComparer.Ordinal); // tensor -> the layer whose mask it carries
        foreach (LayerInfo layer in layers)
        {
            if (layer.Config.TryGetValue("mask_zero", out object? maskZero) && maskZero is true)
            {
                masked[layer.Name] = layer.Name;
                continue;
            }
            string? source = layer.Inputs.Select(i => masked.TryGetValue(i, out string? s) ? s : null).FirstOrDefault(s => s is not null);
            if (source is null)
                continue;
            if (!MaskNeutral.Contains(layer.KerasType))
                throw Unsupported(layer, $"it reads the Keras mask of '{source}' (MaskZero = true), which ONNX export does not carry; " +
                    "export a model without MaskZero");
            masked[layer.Name] = source;
        }
    }

    private NotSupportedException Unsupported(LayerInfo layer, string why) =>
        new($"Layer '{layer.Name}' ({layer.KerasType}) of model '{_model.Name}' cannot be exported to ONNX: {why}.");

    // ---- Layers ----

    private OnnxValue Export(LayerInfo layer, List<OnnxValue> x) => layer.KerasType switch
    {
        "Dense" => Dense(layer, x[0]),
        "Activation" => Activate(layer, x[0], layer.Config.GetEnum<Activation>("activation")),
        "Dropout" => x[0], // inference: the identity
        "Flatten" => x[0].Shape.Count <= 1 ? x[0] : OnnxValue.InKeras(layer.Name, layer.OutputShape,
            _g.Node("Flatten", layer.Name + "/Flatten", [Keras(x[0])], Int("axis", 1))),
        "Conv2D" or "Conv1D" => Convolution(layer, x[0]),
        "MaxPooling2D" or "AveragePooling2D" or "MaxPooling1D" => Pooling(layer, x[0]),
        "GlobalAveragePooling2D" or "GlobalMaxPooling2D" or "GlobalAveragePooling1D" or "GlobalMaxPooling1D" => GlobalPooling(layer, x[0]),
        "ZeroPadding2D" => ZeroPadding(layer, x[0]),
        "BatchNormalization" => BatchNormalization(layer, x[0]),
        "LayerNormalization" => LayerNormalization(layer, x[0]),
        "Embedding" => Embedding(layer, x[0], "embeddings", null),
        "TokenAndPositionEmbedding" => Embedding(layer, x[0], "token_embedding.embeddings", "position_embedding.embeddings"),
        "PositionEmbedding" => AddPositions(layer, x[0], Parameter(layer, "embeddings").Data),
        "SinePositionEncoding" => AddPositions(layer, x[0],
            PositionEncoding.Sine<double>(x[0].Shape[0], x[0].Shape[1], layer.Config.GetDouble("max_wavelength"))),
        "Add" or "Subtract" or "Multiply" or "Average" or "Maximum" => ElementwiseMerge(layer, x),
        "Concatenate" => OnnxValue.InKeras(layer.Name, layer.OutputShape,
            _g.Node("Concat", layer.Name + "/Concat", x.Select(Keras), Int("axis", layer.Config.GetInt("axis")))),
        "SimpleRNN" or "LSTM" or "GRU" => Recurrent(layer, x[0], bidirectional: false),
        "Bidirectional" => Recurrent(layer, x[0], bidirectional: true),
        "MultiHeadAttention" => Attention(layer, x),
        _ => throw Unsupported(layer, "ONNX export has no conversion for this kind of layer"),
    };

    private OnnxValue Dense(LayerInfo layer, OnnxValue x)
    {
        (double[] kernel, int[] shape) = Parameter(layer, "kernel");
        string w = _g.Constant(layer.Name + ".kernel", kernel, shape[0], shape[1]);
        string? b = OptionalConstant(layer, "bias");
        string y;
        if (x.Shape.Count == 1)
        {
            // [N, in] · [in, units] + [units]
            y = _g.Node("Gemm", layer.Name + "/Gemm", b is null ? [Keras(x), w] : [Keras(x), w, b]);
        }
        else
        {
            // [N, ..., in] · [in, units] on the last axis, + [units] broadcast
            y = _g.Node("MatMul", layer.Name + "/MatMul", [Keras(x), w]);
            if (b is not null)
                y = _g.Node("Add", layer.Name + "/BiasAdd", [y, b]);
        }
        return Activate(layer, OnnxValue.InKeras(layer.Name, layer.OutputShape, y), layer.Config.GetEnum<Activation>("activation"));
    }

    private OnnxValue Convolution(LayerInfo layer, OnnxValue x)
    {
        LayerConfig c = layer.Config;
        IReadOnlyList<int> kernelSize = c.GetInts("kernel_size"), strides = c.GetInts("strides"), dilation = c.GetInts("dilation_rate");
        Padding padding = c.GetEnum<Padding>("padding");
        int spatial = kernelSize.Count;
        (double[] kernel, int[] shape) = Parameter(layer, "kernel");
        // Keras (k..., in, filters) -> ONNX (filters, in, k...)
        int[] perm = spatial == 2 ? [3, 2, 0, 1] : [2, 1, 0];
        string w = _g.Constant(layer.Name + ".kernel", Permute(kernel, shape, perm), perm.Select(a => (long)shape[a]).ToArray());
        string? b = OptionalConstant(layer, "bias");
        long[] pads = Pads(x.Shape, kernelSize, strides, dilation, padding);
        string input = ChannelsFirst(x);
        string y = _g.Node("Conv", layer.Name + "/Conv", b is null ? [input, w] : [input, w, b],
            Ints("kernel_shape", kernelSize.Select(k => (long)k).ToArray()), Ints("strides", strides.Select(s => (long)s).ToArray()),
            Ints("dilations", dilation.Select(d => (long)d).ToArray()), Ints("pads", pads));
        return Activate(layer, OnnxValue.InChannelsFirst(layer.Name, layer.OutputShape, y), c.GetEnum<Activation>("activation"));
    }

    /// <summary>
    /// ONNX pads (all begins, then all ends) for Keras padding: none for valid; for same, the output is ceil(in / stride)
    /// and the extra cell of an odd total goes to the end (bottom, right), as in Keras.
    /// </summary>
    private static long[] Pads(IReadOnlyList<int> input, IReadOnlyList<int> window, IReadOnlyList<int> strides, IReadOnlyList<int>? dilation, Padding padding)
    {
        int n = window.Count;
        var pads = new long[2 * n];
        if (padding == Padding.Valid)
            return pads;
        for (int a = 0; a < n; a++)
        {
            long output = (input[a] + (long)strides[a] - 1) / strides[a];
            long span = (long)(window[a] - 1) * (dilation?[a] ?? 1) + 1;
            long total = Math.Max((output - 1) * strides[a] + span - input[a], 0);
            pads[a] = total / 2;
            pads[n + a] = total - total / 2;
        }
        return pads;
    }

    private OnnxValue Pooling(LayerInfo layer, OnnxValue x)
    {
        LayerConfig c = layer.Config;
        IReadOnlyList<int> pool = c.GetInts("pool_size"), strides = c.GetInts("strides");
        long[] pads = Pads(x.Shape, pool, strides, null, c.GetEnum<Padding>("padding"));
        bool max = layer.KerasType.StartsWith("Max", StringComparison.Ordinal);
        var attributes = new List<AttributeProto>
        {
            Ints("kernel_shape", pool.Select(k => (long)k).ToArray()), Ints("strides", strides.Select(s => (long)s).ToArray()), Ints("pads", pads),
        };
        if (!max)
            attributes.Add(Int("count_include_pad", 0)); // the average over the real cells of a window, as Keras
        string y = _g.Node(max ? "MaxPool" : "AveragePool", layer.Name + (max ? "/MaxPool" : "/AveragePool"), [ChannelsFirst(x)], [.. attributes]);
        return OnnxValue.InChannelsFirst(layer.Name, layer.OutputShape, y);
    }

    private OnnxValue GlobalPooling(LayerInfo layer, OnnxValue x)
    {
        bool max = layer.KerasType.StartsWith("GlobalMax", StringComparison.Ordinal);
        string y;
        if (x.ChannelsFirstName is not null)
        {
            // [N, C, spatial...] -> [N, C, 1...] -> [N, C]
            string pooled = _g.Node(max ? "GlobalMaxPool" : "GlobalAveragePool", layer.Name + (max ? "/GlobalMaxPool" : "/GlobalAveragePool"), [x.ChannelsFirstName]);
            y = _g.Node("Flatten", layer.Name + "/Flatten", [pooled], Int("axis", 1));
        }
        else
        {
            long[] axes = Enumerable.Range(1, x.Shape.Count - 1).Select(a => (long)a).ToArray();
            y = _g.Node(max ? "ReduceMax" : "ReduceMean", layer.Name + (max ? "/ReduceMax" : "/ReduceMean"), [Keras(x)], Ints("axes", axes), Int("keepdims", 0));
        }
        return OnnxValue.InKeras(layer.Name, layer.OutputShape, y);
    }

    private OnnxValue ZeroPadding(LayerInfo layer, OnnxValue x)
    {
        IReadOnlyList<int> p = layer.Config.GetInts("padding"); // top, bottom, left, right
        if (x.ChannelsFirstName is not null)
        {
            string pads = _g.Int64s(layer.Name + "/pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]);
            return OnnxValue.InChannelsFirst(layer.Name, layer.OutputShape, _g.Node("Pad", layer.Name + "/Pad", [x.ChannelsFirstName, pads]));
        }
        string nhwc = _g.Int64s(layer.Name + "/pads", 0, p[0], p[2], 0, 0, p[1], p[3], 0);
        return OnnxValue.InKeras(layer.Name, layer.OutputShape, _g.Node("Pad", layer.Name + "/Pad", [Keras(x), nhwc]));
    }

    private OnnxValue BatchNormalization(LayerInfo layer, OnnxValue x)
    {
        string[] inputs =
        [
            ChannelsFirst(x), VectorConstant(layer, "gamma"), VectorConstant(layer, "beta"), VectorConstant(layer, "moving_mean"),
            VectorConstant(layer, "moving_variance"),
        ];
        string y = _g.Node("BatchNormalization", layer.Name + "/BatchNormalization", inputs, Float("epsilon", layer.Config.GetDouble("epsilon")));
        return OnnxValue.InChannelsFirst(layer.Name, layer.OutputShape, y);
    }

    private OnnxValue LayerNormalization(LayerInfo layer, OnnxValue x)
    {
        LayerConfig c = layer.Config;
        double epsilon = c.GetDouble("epsilon");
        int features = x.Shape[^1];
        string? gamma = OptionalConstant(layer, "gamma");
        string? beta = OptionalConstant(layer, "beta");
        string input = Keras(x);
        string y;
        if (c.GetBool("rms_scaling"))
        {
            // RMSNorm (no ONNX operator before opset 23): x / sqrt(mean(x²) + ε) · γ
            string square = _g.Node("Mul", layer.Name + "/Square", [input, input]);
            string meanSquare = _g.Node("ReduceMean", layer.Name + "/MeanSquare", [square], Ints("axes", -1), Int("keepdims", 1));
            string root = _g.Node("Sqrt", layer.Name + "/Rms", [_g.Node("Add", layer.Name + "/AddEpsilon", [meanSquare, _g.Scalar(layer.Name + "/epsilon", epsilon)])]);
            y = _g.Node("Div", layer.Name + "/Normalize", [input, root]);
            if (gamma is not null)
                y = _g.Node("Mul", layer.Name + "/Scale", [y, gamma]);
        }
        else
        {
            gamma ??= _g.Constant(layer.Name + "/ones", Enumerable.Repeat(1.0, features).ToArray(), features);
            y = _g.Node("LayerNormalization", layer.Name + "/LayerNormalization", beta is null ? [input, gamma] : [input, gamma, beta],
                Int("axis", -1), Float("epsilon", epsilon));
        }
        return OnnxValue.InKeras(layer.Name, layer.OutputShape, y);
    }

    private OnnxValue Embedding(LayerInfo layer, OnnxValue ids, string table, string? positions)
    {
        (double[] embeddings, int[] shape) = Parameter(layer, table);
        string e = _g.Constant(layer.Name + "." + table, embeddings, shape[0], shape[1]);
        // Token ids travel in the model's element type; Gather wants integers.
        string index = _g.Node("Cast", layer.Name + "/Ids", [Keras(ids)], Int("to", (long)TensorProto.Types.DataType.Int64));
        var y = OnnxValue.InKeras(layer.Name, layer.OutputShape, _g.Node("Gather", layer.Name + "/Gather", [e, index], Int("axis", 0)));
        return positions is null ? y : AddPositions(layer, y, Parameter(layer, positions).Data);
    }

    /// <summary>Adds the first steps·features values of a position table, as [steps, features], to a [N, steps, features] tensor.</summary>
    private OnnxValue AddPositions(LayerInfo layer, OnnxValue x, double[] table)
    {
        int steps = layer.OutputShape[0], features = layer.OutputShape[1];
        string rows = _g.Constant(layer.Name + ".positions", table[..(steps * features)], steps, features);
        return OnnxValue.InKeras(layer.Name, layer.OutputShape, _g.Node("Add", layer.Name + "/AddPositions", [Keras(x), rows]));
    }

    private OnnxValue ElementwiseMerge(LayerInfo layer, List<OnnxValue> x)
    {
        // Channels-first when every operand already is (a ResNet's shortcut), else Keras layout.
        bool channelsFirst = x.All(v => v.ChannelsFirstName is not null && v.Shape.Count > 1);
        var inputs = x.Select(v => channelsFirst ? v.ChannelsFirstName! : Keras(v)).ToList();
        string op = layer.KerasType switch
        {
            "Add" => inputs.Count == 2 ? "Add" : "Sum",
            "Subtract" => "Sub",
            "Multiply" => "Mul",
            "Average" => "Mean",
            _ => "Max",
        };
        string y;
        if (op == "Mul")
        {
            y = inputs[0];
            for (int k = 1; k < inputs.Count; k++)
                y = _g.Node("Mul", layer.Name + "/Mul", [y, inputs[k]]);
        }
        else
        {
            y = _g.Node(op, layer.Name + "/" + op, inputs);
        }
        return channelsFirst ? OnnxValue.InChannelsFirst(layer.Name, layer.OutputShape, y) : OnnxValue.InKeras(layer.Name, layer.OutputShape, y);
    }

    /// <summary>
    /// SimpleRNN, LSTM and GRU as ONNX RNN, LSTM and GRU on time-major input, with Keras' gate blocks reordered (LSTM
    /// i, f, c, o -> ONNX i, o, f, c; GRU z, r, h is ONNX's order), kernels transposed to (gates·units, features), and the
    /// GRU's reset_after as linear_before_reset. Bidirectional runs both directions in one node.
    /// </summary>
    private OnnxValue Recurrent(LayerInfo layer, OnnxValue x, bool bidirectional)
    {
        LayerConfig c = layer.Config;
        string kind = bidirectional ? c.GetString("layer") : layer.KerasType;
        int units = c.GetInt("units");
        int gates = kind switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        int[] order = kind == "LSTM" ? [0, 3, 1, 2] : Enumerable.Range(0, gates).ToArray();
        bool resetAfter = kind == "GRU" && c.GetBool("reset_after");
        bool goBackwards = c.GetBool("go_backwards");
        bool sequences = c.GetBool("return_sequences");
        bool useBias = c.GetBool("use_bias");
        int features = x.Shape[1], width = gates * units;

        string activation = RecurrentActivation(layer, c.GetEnum<Activation>("activation"));
        string[] activations = kind switch
        {
            "LSTM" => [RecurrentActivation(layer, c.GetEnum<Activation>("recurrent_activation")), activation, activation],
            "GRU" => [RecurrentActivation(layer, c.GetEnum<Activation>("recurrent_activation")), activation],
            _ => [activation],
        };

        string[] prefixes = bidirectional ? ["forward_", "backward_"] : [""];
        int directions = prefixes.Length;
        var w = new List<double>(directions * width * features);
        var r = new List<double>(directions * width * units);
        var b = new List<double>(directions * 2 * width);
        foreach (string prefix in prefixes)
        {
            (double[] kernel, _) = Parameter(layer, "kernel", prefix);
            (double[] recurrent, _) = Parameter(layer, "recurrent_kernel", prefix);
            w.AddRange(Gates(Permute(kernel, [features, width], [1, 0]), order, units, features));
            r.AddRange(Gates(Permute(recurrent, [units, width], [1, 0]), order, units, units));
            if (!useBias)
                continue;
            (double[] bias, _) = Parameter(layer, "bias", prefix);
            if (resetAfter)
            {
                // (2, 3u): the input row is ONNX's Wb, the recurrent row its Rb
                b.AddRange(Gates(bias[..width], order, units, 1));
                b.AddRange(Gates(bias[width..], order, units, 1));
            }
            else
            {
                b.AddRange(Gates(bias, order, units, 1));
                b.AddRange(new double[width]);
            }
        }
        string wName = _g.Constant(layer.Name + ".W", [.. w], directions, width, features);
        string rName = _g.Constant(layer.Name + ".R", [.. r], directions, width, units);
        var inputs = new List<string> { Transpose(Keras(x), layer.Name + "/TimeMajor", 1, 0, 2), wName, rName };
        if (useBias)
            inputs.Add(_g.Constant(layer.Name + ".B", [.. b], directions, 2 * width));

        var attributes = new List<AttributeProto>
        {
            Int("hidden_size", units),
            String("direction", bidirectional ? "bidirectional" : goBackwards ? "reverse" : "forward"),
            Strings("activations", Enumerable.Repeat(activations, directions).SelectMany(a => a).ToArray()),
        };
        if (kind == "GRU")
            attributes.Add(Int("linear_before_reset", resetAfter ? 1 : 0));
        string op = kind == "SimpleRNN" ? "RNN" : kind;
        string[] outputs = _g.Nodes(op, sequences ? [layer.Name + "/Y", ""] : ["", layer.Name + "/Y_h"], inputs, [.. attributes]);

        string y;
        if (sequences)
        {
            // Y: [steps, directions, N, units]
            if (bidirectional)
            {
                string batchMajor = Transpose(outputs[0], layer.Name + "/BatchMajor", 2, 0, 1, 3); // [N, steps, 2, units]
                y = MergeDirections(layer, c.GetEnum<MergeMode>("merge_mode"), batchMajor, 2, [0, 0, -1]);
            }
            else
            {
                string squeezed = _g.Node("Squeeze", layer.Name + "/Squeeze", [outputs[0], _g.Int64s(layer.Name + "/axis", 1)]);
                y = Transpose(squeezed, layer.Name + "/BatchMajor", 1, 0, 2);
                if (goBackwards) // Keras returns the sequence in processing order: last step first
                    y = _g.Node("Slice", layer.Name + "/Reverse", [y, _g.Int64s(layer.Name + "/starts", -1), _g.Int64s(layer.Name + "/ends", long.MinValue),
                        _g.Int64s(layer.Name + "/axes", 1), _g.Int64s(layer.Name + "/steps", -1)]);
            }
        }
        else
        {
            // Y_h: [directions, N, units]
            if (bidirectional)
                y = MergeDirections(layer, c.GetEnum<MergeMode>("merge_mode"), Transpose(outputs[1], layer.Name + "/BatchMajor", 1, 0, 2), 1, [0, -1]);
            else
                y = _g.Node("Squeeze", layer.Name + "/Squeeze", [outputs[1], _g.Int64s(layer.Name + "/axis", 0)]);
        }
        return OnnxValue.InKeras(layer.Name, layer.OutputShape, y);
    }

    /// <summary>Combines the forward and backward outputs along <paramref name="axis"/> as Keras' merge_mode does.</summary>
    private string MergeDirections(LayerInfo layer, MergeMode mode, string y, long axis, long[] concatShape) => mode switch
    {
        MergeMode.Concat => _g.Node("Reshape", layer.Name + "/Concat", [y, _g.Int64s(layer.Name + "/shape", concatShape)]),
        MergeMode.Sum => _g.Node("ReduceSum", layer.Name + "/Sum", [y, _g.Int64s(layer.Name + "/axis", axis)], Int("keepdims", 0)),
        MergeMode.Average => _g.Node("ReduceMean", layer.Name + "/Average", [y], Ints("axes", axis), Int("keepdims", 0)),
        MergeMode.Multiply => _g.Node("ReduceProd", layer.Name + "/Multiply", [y], Ints("axes", axis), Int("keepdims", 0)),
        _ => throw Unsupported(layer, $"merge mode {mode} has no conversion"),
    };

    private string RecurrentActivation(LayerInfo layer, Activation activation) => activation switch
    {
        Activation.Tanh => "Tanh",
        Activation.Sigmoid => "Sigmoid",
        Activation.ReLU => "Relu",
        _ => throw Unsupported(layer, $"its {activation} activation has no ONNX recurrent form (ONNX recurrent operators take Tanh, Sigmoid and Relu here)"),
    };

    /// <summary>Rows of a (gates·units, columns) matrix with the gate blocks put in <paramref name="order"/>.</summary>
    private static double[] Gates(double[] matrix, int[] order, int units, int columns)
    {
        var result = new double[matrix.Length];
        int block = units * columns;
        for (int g = 0; g < order.Length; g++)
            Array.Copy(matrix, order[g] * block, result, g * block, block);
        return result;
    }

    /// <summary>
    /// Keras MultiHeadAttention decomposed: the three projections (MatMul on the (features, heads·depth) view of each
    /// kernel, bias add), heads split to [N, H, T, d], scores Q·Kᵀ/√d (the causal mask adds −1e9 above the diagonal),
    /// softmax, P·V, heads merged, the output projection.
    /// </summary>
    private OnnxValue Attention(LayerInfo layer, List<OnnxValue> x)
    {
        LayerConfig c = layer.Config;
        int heads = c.GetInt("num_heads"), keyDim = c.GetInt("key_dim"), valueDim = c.GetInt("value_dim");
        OnnxValue query = x[0], value = x.Count > 1 ? x[1] : x[0], key = x.Count > 2 ? x[2] : value;
        int queries = query.Shape[0], keys = key.Shape[0];

        string q = Project(layer, query, "query", keyDim, [0, 2, 1, 3]); // [N, H, Tq, dk]
        string k = Project(layer, key, "key", keyDim, [0, 2, 3, 1]); // [N, H, dk, Tk]
        string v = Project(layer, value, "value", valueDim, [0, 2, 1, 3]); // [N, H, Tk, dv]
        string scores = _g.Node("MatMul", layer.Name + "/Scores", [q, k]);
        scores = _g.Node("Mul", layer.Name + "/Scale", [scores, _g.Scalar(layer.Name + "/scale", 1.0 / Math.Sqrt(keyDim))]);
        if (c.GetBool("use_causal_mask"))
        {
            var mask = new double[queries * keys];
            for (int i = 0; i < queries; i++)
                for (int j = i + 1; j < keys; j++)
                    mask[i * keys + j] = -1e9;
            scores = _g.Node("Add", layer.Name + "/CausalMask", [scores, _g.Constant(layer.Name + "/causal_mask", mask, queries, keys)]);
        }
        string p = _g.Node("Softmax", layer.Name + "/Softmax", [scores], Int("axis", -1));
        string context = _g.Node("MatMul", layer.Name + "/Context", [p, v]); // [N, H, Tq, dv]
        context = Transpose(context, layer.Name + "/MergeHeads", 0, 2, 1, 3);
        context = _g.Node("Reshape", layer.Name + "/Merged", [context, _g.Int64s(layer.Name + "/merged_shape", 0, queries, heads * valueDim)]);
        (double[] wo, int[] woShape) = Parameter(layer, "attention_output.kernel");
        string y = _g.Node("MatMul", layer.Name + "/Output", [context, _g.Constant(layer.Name + ".attention_output.kernel", wo, woShape[0] * woShape[1], woShape[2])]);
        if (OptionalConstant(layer, "attention_output.bias") is { } bo)
            y = _g.Node("Add", layer.Name + "/OutputBias", [y, bo]);
        return OnnxValue.InKeras(layer.Name, layer.OutputShape, y);
    }

    private string Project(LayerInfo layer, OnnxValue x, string part, int depth, long[] perm)
    {
        (double[] kernel, int[] shape) = Parameter(layer, part + ".kernel"); // (features, H, depth)
        int heads = shape[1];
        string y = _g.Node("MatMul", layer.Name + "/" + part, [Keras(x), _g.Constant(layer.Name + "." + part + ".kernel", kernel, shape[0], heads * depth)]);
        if (TryParameter(layer, part + ".bias") is { } bias)
            y = _g.Node("Add", layer.Name + "/" + part + "_bias", [y, _g.Constant(layer.Name + "." + part + ".bias", bias.Data, heads * depth)]);
        y = _g.Node("Reshape", layer.Name + "/" + part + "_heads", [y, _g.Int64s(layer.Name + "/" + part + "_shape", 0, x.Shape[0], heads, depth)]);
        return Transpose(y, layer.Name + "/" + part + "_split", perm);
    }

    // ---- Activations ----

    /// <summary>
    /// Applies a Keras activation. Element-wise ones keep the layout they get; softmax runs on the last Keras axis.
    /// GELU is the exact one, 0.5·x·(1 + erf(x/√2)) (ONNX's Gelu operator needs opset 20).
    /// </summary>
    private OnnxValue Activate(LayerInfo layer, OnnxValue x, Activation activation)
    {
        if (activation == Activation.Linear)
            return x;
        if (activation == Activation.Softmax)
            return OnnxValue.InKeras(layer.Name, layer.OutputShape, _g.Node("Softmax", layer.Name + "/Softmax", [Keras(x)], Int("axis", -1)));
        bool channelsFirst = x.KerasName is null;
        string input = channelsFirst ? x.ChannelsFirstName! : x.KerasName!;
        string stem = layer.Name + "/" + activation;
        string y = activation switch
        {
            Activation.ReLU => _g.Node("Relu", stem, [input]),
            Activation.Sigmoid => _g.Node("Sigmoid", stem, [input]),
            Activation.Tanh => _g.Node("Tanh", stem, [input]),
            Activation.LeakyReLU => _g.Node("LeakyRelu", stem, [input], Float("alpha", 0.2)),
            Activation.ELU => _g.Node("Elu", stem, [input], Float("alpha", 1.0)),
            Activation.SELU => _g.Node("Selu", stem, [input], Float("alpha", 1.6732632423543772), Float("gamma", 1.0507009873554805)),
            Activation.Softplus => _g.Node("Softplus", stem, [input]),
            Activation.Swish => _g.Node("Mul", stem, [input, _g.Node("Sigmoid", layer.Name + "/Sigmoid", [input])]),
            Activation.GELU => Gelu(layer, input, stem),
            _ => throw Unsupported(layer, $"activation {activation} has no conversion"),
        };
        return channelsFirst ? OnnxValue.InChannelsFirst(layer.Name, layer.OutputShape, y) : OnnxValue.InKeras(layer.Name, layer.OutputShape, y);
    }

    private string Gelu(LayerInfo layer, string x, string stem)
    {
        string scaled = _g.Node("Div", layer.Name + "/GeluScaled", [x, _g.Scalar(layer.Name + "/sqrt2", Math.Sqrt(2))]);
        string erf = _g.Node("Erf", layer.Name + "/GeluErf", [scaled]);
        string onePlus = _g.Node("Add", layer.Name + "/GeluOnePlus", [erf, _g.Scalar(layer.Name + "/one", 1)]);
        string product = _g.Node("Mul", layer.Name + "/GeluProduct", [x, onePlus]);
        return _g.Node("Mul", stem, [product, _g.Scalar(layer.Name + "/half", 0.5)]);
    }

    // ---- Layouts ----

    /// <summary>The value in Keras layout ([N, ..., channels]), transposing it back from channels-first the first time.</summary>
    private string Keras(OnnxValue v) =>
        v.KerasName ??= Transpose(v.ChannelsFirstName!, v.Layer + "/ToKeras", [0, .. Enumerable.Range(2, v.Shape.Count - 1).Select(a => (long)a), 1]);

    /// <summary>The value channels-first ([N, channels, ...]), transposing it from Keras layout the first time.</summary>
    private string ChannelsFirst(OnnxValue v) =>
        v.ChannelsFirstName ??= Transpose(v.KerasName!, v.Layer + "/ToChannelsFirst", [0, v.Shape.Count, .. Enumerable.Range(1, v.Shape.Count - 1).Select(a => (long)a)]);

    private string Transpose(string x, string stem, params long[] perm) => _g.Node("Transpose", stem, [x], Ints("perm", perm));

    // ---- Weights ----

    /// <summary>A tensor of the layer: <c>layer.suffix</c>, or for a Bidirectional direction <c>layer.forward_lstm.suffix</c>.</summary>
    private (double[] Data, int[] Shape) Parameter(LayerInfo layer, string suffix, string direction = "") =>
        TryParameter(layer, suffix, direction) ?? throw Unsupported(layer, $"its tensor '{suffix}' is not in the model's parameter or state layout");

    private (double[] Data, int[] Shape)? TryParameter(LayerInfo layer, string suffix, string direction = "")
    {
        foreach (string name in layer.Parameters.Concat(layer.State))
        {
            bool match = direction.Length == 0
                ? name == layer.Name + "." + suffix
                : name.StartsWith(layer.Name + "." + direction, StringComparison.Ordinal) && name.EndsWith("." + suffix, StringComparison.Ordinal) &&
                  name.IndexOf('.', layer.Name.Length + 1) == name.Length - suffix.Length - 1;
            if (match && _tensors.TryGetValue(name, out var tensor))
                return tensor;
        }
        return null;
    }

    private string? OptionalConstant(LayerInfo layer, string suffix) =>
        TryParameter(layer, suffix) is { } t ? _g.Constant(layer.Name + "." + suffix, t.Data, t.Shape.Select(d => (long)d).ToArray()) : null;

    private string VectorConstant(LayerInfo layer, string suffix)
    {
        (double[] data, _) = Parameter(layer, suffix);
        return _g.Constant(layer.Name + "." + suffix, data, data.Length);
    }

    /// <summary>Permutes the axes of a row-major tensor.</summary>
    private static double[] Permute(double[] data, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var outShape = perm.Select(a => shape[a]).ToArray();
        var inStrides = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; s *= shape[a], a--)
            inStrides[a] = s;
        var result = new double[data.Length];
        var index = new int[rank];
        for (int o = 0; o < result.Length; o++)
        {
            int source = 0;
            for (int a = 0; a < rank; a++)
                source += index[a] * inStrides[perm[a]];
            result[o] = data[source];
            for (int a = rank - 1; a >= 0; a--)
            {
                if (++index[a] < outShape[a])
                    break;
                index[a] = 0;
            }
        }
        return result;
    }
}

/// <summary>
/// A layer's output in the graph: its per-sample Keras shape and the tensor names holding it in Keras layout and/or
/// channels-first; at least one is set, the other is written on demand. For one axis per sample both are the same.
/// </summary>
internal sealed class OnnxValue
{
    private OnnxValue(string layer, IReadOnlyList<int> shape)
    {
        Layer = layer;
        Shape = shape;
    }

    public string Layer { get; }

    public IReadOnlyList<int> Shape { get; }

    public string? KerasName { get; set; }

    public string? ChannelsFirstName { get; set; }

    public static OnnxValue InKeras(string layer, IReadOnlyList<int> shape, string name) =>
        new(layer, shape) { KerasName = name, ChannelsFirstName = shape.Count <= 1 ? name : null };

    public static OnnxValue InChannelsFirst(string layer, IReadOnlyList<int> shape, string name) =>
        new(layer, shape) { ChannelsFirstName = name, KerasName = shape.Count <= 1 ? name : null };
}
