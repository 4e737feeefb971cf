using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Loading a PyTorch <c>state_dict</c> saved as safetensors (<c>safetensors.torch.save_file(model.state_dict(), ...)</c>)
/// into a declared model: each PyTorch module named in a map is converted from PyTorch's layout to the Keras layout
/// of the layer it is mapped to, every shape is checked, and nothing is written until the whole file has passed.
/// </summary>
/// <remarks>
/// Conversions, by the kind of the target layer (its Keras class in the model's layer description, <see cref="IModel{T}.Layers"/>;
/// for a hand-written model without one, what its parameter names and shapes say):
/// <list type="bullet">
/// <item>Dense ← <c>nn.Linear</c>: <c>weight</c> (out, in) → <c>kernel</c> (in, out), <c>bias</c>.</item>
/// <item>Conv1D ← <c>nn.Conv1d</c>: <c>weight</c> (out, in, k) → <c>kernel</c> (k, in, out); Conv2D ← <c>nn.Conv2d</c>:
/// <c>weight</c> (out, in, kh, kw) → <c>kernel</c> (kh, kw, in, out); <c>bias</c>.</item>
/// <item>BatchNormalization ← <c>nn.BatchNorm1d/2d</c>: <c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c> → <c>gamma</c>, <c>beta</c>, <c>moving_mean</c>, <c>moving_variance</c>; <c>num_batches_tracked</c>
/// is ignored. The epsilon is part of the declaration, not of the weights: PyTorch's default is 1e-5, Keras' 1e-3.</item>
/// <item>LayerNormalization ← <c>nn.LayerNorm</c>: <c>weight</c>, <c>bias</c> → <c>gamma</c>, <c>beta</c>.</item>
/// <item>Embedding ← <c>nn.Embedding</c>: <c>weight</c> → <c>embeddings</c>.</item>
/// <item>LSTM ← <c>nn.LSTM</c> (one layer, one direction): <c>weight_ih_l0</c> (4u, in) → <c>kernel</c> (in, 4u),
/// <c>weight_hh_l0</c> (4u, u) → <c>recurrent_kernel</c> (u, 4u), <c>bias</c> = <c>bias_ih_l0</c> + <c>bias_hh_l0</c>;
/// the gate order i, f, g, o is Keras' i, f, c, o.</item>
/// <item>GRU ← <c>nn.GRU</c> (one layer, one direction): the gate blocks r, z, n become Keras' z, r, h;
/// <c>weight_ih_l0</c> (3u, in) → <c>kernel</c> (in, 3u), <c>weight_hh_l0</c> (3u, u) → <c>recurrent_kernel</c>
/// (u, 3u), <c>bias</c> (2, 3u) = rows [<c>bias_ih_l0</c>; <c>bias_hh_l0</c>]. PyTorch's GRU is Keras'
/// <c>reset_after</c> GRU, so a layer declared with <c>ResetAfter = false</c> is refused.</item>
/// </list>
/// Values are read from F32 or F64 tensors into float or double models (F64 into float rounds to nearest).
/// Hyper-parameters that are not weights (padding, strides, activations, epsilon) must be declared to match.
/// </remarks>
public static class PyTorchWeights
{
    private const string Label = "PyTorch weight file";

    /// <summary>PyTorch's BatchNorm step counter: state, but no weight; ignored wherever it appears.</summary>
    private const string BatchCounter = "num_batches_tracked";

    /// <summary>
    /// Loads a PyTorch state dict saved as safetensors into <paramref name="model"/>. <paramref name="nameMap"/> maps
    /// each PyTorch module prefix (<c>fc1</c>, <c>features.0</c>, <c>lstm</c>) to the name of the layer it fills
    /// (<c>dense</c>, <c>conv2d</c>, <c>lstm</c>); a tensor belongs to the longest prefix followed by a dot.
    /// Every layer with parameters must be mapped, every mapped prefix must have tensors, and every tensor of the
    /// file (except <c>num_batches_tracked</c>) must be used. The whole file is checked before anything is copied,
    /// so a rejected file leaves the model bit-for-bit unchanged. See <see cref="PyTorchWeights"/> for the
    /// conversions.
    /// </summary>
    /// <example><code>
    /// model.LoadPyTorchWeights("net.safetensors", new Dictionary&lt;string, string&gt;
    /// {
    ///     ["features.0"] = "conv2d", ["features.1"] = "batch_normalization", ["fc"] = "dense",
    /// });
    /// </code></example>
    /// <exception cref="ArgumentException">The map is not usable for this model: an empty key or value, a value that
    /// names no layer with parameters, two keys for one layer, or a layer with parameters that no key maps to (the
    /// message names its parameters).</exception>
    /// <exception cref="InvalidDataException">The file does not fit the model: a tensor missing, left over or
    /// unmapped, a shape or dtype that does not match (the message names the tensor and gives the expected and found
    /// shapes in PyTorch's layout and the target's shape in ours), a mapped prefix with no tensors, a layer kind
    /// that cannot take PyTorch weights, or a malformed file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">The path is a directory, a FIFO, a socket or a device rather than a regular file.</exception>
    public static void LoadPyTorchWeights<T>(this IModel<T> model, string path, IReadOnlyDictionary<string, string> nameMap)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(nameMap);
        List<ParameterInfo> layout = WeightFiles.CheckedLayout(model, out int trainable);
        List<Module> modules = ReadMap(model, layout, nameMap);

        // The plan (which tensors fill which parameter, and how) is made from the header alone, before the data is read.
        var fills = new Fill[layout.Count];
        SafeTensorsFile file = SafeTensors.Read(path, Label, (source, found) => Plan(model, layout, modules, source, found, fills));

        // Convert everything into our layouts first; only then touch the model, where nothing can fail.
        var values = new T[layout.Count][];
        for (int i = 0; i < layout.Count; i++)
        {
            double[] converted = fills[i].Convert(file);
            var typed = new T[converted.Length];
            for (int j = 0; j < typed.Length; j++) typed[j] = T.CreateChecked(converted[j]);
            values[i] = typed;
        }
        for (int i = 0; i < layout.Count; i++)
            values[i].CopyTo(WeightFiles.Slot(model, layout, trainable, i));
    }

    /// <summary>One map entry: the PyTorch prefix, our layer and the indices of its tensors in the layout.</summary>
    private sealed record Module(string Prefix, string Layer, List<int> Indices);

    /// <summary>How one of our tensors is computed from the file, once its data is in memory.</summary>
    private sealed record Fill(Func<SafeTensorsFile, double[]> Convert);

    /// <summary>Checks the map against the model (not the file) and groups the model's tensors by layer.</summary>
    private static List<Module> ReadMap<T>(IModel<T> model, List<ParameterInfo> layout, IReadOnlyDictionary<string, string> nameMap)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Our tensor names are "<layer>.<tensor>"; a layer may itself contain dots (bidirectional.forward_lstm).
        var byLayer = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var layerOrder = new List<string>();
        for (int i = 0; i < layout.Count; i++)
        {
            string layer = LayerOf(layout[i].Name);
            if (!byLayer.TryGetValue(layer, out List<int>? indices))
            {
                byLayer.Add(layer, indices = []);
                layerOrder.Add(layer);
            }
            indices.Add(i);
        }

        var modules = new List<Module>();
        var mappedFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in nameMap)
        {
            if (string.IsNullOrEmpty(entry.Key) || entry.Key.StartsWith('.') || entry.Key.EndsWith('.'))
                throw new ArgumentException($"nameMap has the key '{entry.Key}', which is not a PyTorch module prefix (e.g. 'fc1' or 'features.0').", nameof(nameMap));
            if (string.IsNullOrEmpty(entry.Value))
                throw new ArgumentException($"nameMap maps '{entry.Key}' to an empty layer name.", nameof(nameMap));
            if (!byLayer.TryGetValue(entry.Value, out List<int>? indices))
                throw new ArgumentException($"nameMap maps '{entry.Key}' to '{entry.Value}', which is not a layer with parameters of model '{model.Name}' (those are {Quote(layerOrder)}).", nameof(nameMap));
            if (mappedFrom.TryGetValue(entry.Value, out string? other))
                throw new ArgumentException($"nameMap maps both '{other}' and '{entry.Key}' to layer '{entry.Value}'; each layer takes the tensors of one PyTorch module.", nameof(nameMap));
            mappedFrom.Add(entry.Value, entry.Key);
            modules.Add(new Module(entry.Key, entry.Value, indices));
        }
        foreach (string layer in layerOrder)
        {
            if (!mappedFrom.ContainsKey(layer))
                throw new ArgumentException($"nameMap maps no PyTorch module to layer '{layer}' of model '{model.Name}', so its tensors {Quote(byLayer[layer].ConvertAll(i => layout[i].Name))} would stay unfilled.", nameof(nameMap));
        }
        return modules;
    }

    /// <summary>
    /// Assigns every tensor of the file to a map entry and plans each entry's conversion, checking names, dtypes and
    /// shapes; fills every slot of <paramref name="fills"/> or throws.
    /// </summary>
    private static void Plan<T>(IModel<T> model, List<ParameterInfo> layout, List<Module> modules, string source,
        IReadOnlyList<SafeTensorInfo> found, Fill[] fills) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var tensors = new Dictionary<string, SafeTensorInfo>[modules.Count];
        for (int m = 0; m < modules.Count; m++) tensors[m] = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        foreach (SafeTensorInfo t in found)
        {
            if (t.Name == BatchCounter || t.Name.EndsWith("." + BatchCounter, StringComparison.Ordinal)) continue;
            int best = -1;
            for (int m = 0; m < modules.Count; m++)
            {
                string prefix = modules[m].Prefix;
                if (t.Name.Length > prefix.Length + 1 && t.Name.StartsWith(prefix, StringComparison.Ordinal) && t.Name[prefix.Length] == '.'
                    && (best < 0 || prefix.Length > modules[best].Prefix.Length))
                    best = m;
            }
            if (best < 0)
                throw new InvalidDataException($"{source}: tensor '{t.Name}' is not mapped: no nameMap key is a prefix of it (the keys are {Quote(modules.ConvertAll(x => x.Prefix))}).");
            tensors[best].Add(t.Name.Substring(modules[best].Prefix.Length + 1), t);
        }

        for (int m = 0; m < modules.Count; m++)
        {
            Module module = modules[m];
            if (tensors[m].Count == 0)
                throw new InvalidDataException($"{source}: nameMap maps '{module.Prefix}' to layer '{module.Layer}', but the file has no tensor '{module.Prefix}.*' (it has {Quote(SafeTensorInfo.Names(found))}).");
            var planner = new ModulePlanner(Described(model, module.Layer), source, module, layout, tensors[m], fills);
            planner.Run();
        }
    }

    /// <summary>The layer <paramref name="name"/> in the model's layer description, or null (a hand-written model).</summary>
    private static LayerInfo? Described<T>(IModel<T> model, string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (LayerInfo layer in model.Layers)
        {
            if (layer.Name == name) return layer;
        }
        return null;
    }

    /// <summary>Plans the conversion of one PyTorch module into one of our layers.</summary>
    private sealed class ModulePlanner(LayerInfo? described, string source, Module module, List<ParameterInfo> layout,
        Dictionary<string, SafeTensorInfo> torch, Fill[] fills)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _ours = OursBySuffix(module, layout);
        private string _kind = "";

        public void Run()
        {
            _kind = KindOf();
            switch (_kind)
            {
                case "Dense": PlanKernel("weight", "(out, in)", "(in, out)", 2); break;
                case "Conv1D": PlanKernel("weight", "(out, in, k)", "(k, in, out)", 3); break;
                case "Conv2D": PlanKernel("weight", "(out, in, kh, kw)", "(kh, kw, in, out)", 4); break;
                case "BatchNormalization":
                    PlanCopy("gamma", "weight", "(channels)");
                    PlanCopy("beta", "bias", "(channels)");
                    PlanCopy("moving_mean", "running_mean", "(channels)");
                    PlanCopy("moving_variance", "running_var", "(channels)");
                    break;
                case "LayerNormalization":
                    PlanCopy("gamma", "weight", "(features)");
                    PlanCopy("beta", "bias", "(features)");
                    break;
                case "Embedding": PlanCopy("embeddings", "weight", "(input_dim, output_dim)"); break;
                case "LSTM": PlanRecurrent(gates: 4); break;
                case "GRU": PlanRecurrent(gates: 3); break;
            }
            foreach (SafeTensorInfo t in torch.Values)
            {
                if (!_used.Contains(Remainder(t)))
                    throw new InvalidDataException($"{source}: tensor '{t.Name}' has no place in layer '{module.Layer}' ({_kind}): {Expected()}.");
            }
        }

        /// <summary>
        /// The kind of our layer: its Keras class from the model's layer description, or, for a model without one
        /// (hand-written), what its tensor names and shapes say.
        /// </summary>
        private string KindOf()
        {
            if (described is not null)
            {
                return described.KerasType switch
                {
                    "Dense" or "Conv1D" or "Conv2D" or "BatchNormalization" or "LayerNormalization" or "Embedding" or "LSTM" or "GRU" => described.KerasType,
                    _ => throw Unsupported("a " + described.KerasType + " layer"),
                };
            }
            bool Only(params string[] allowed)
            {
                foreach (string suffix in _ours.Keys)
                    if (Array.IndexOf(allowed, suffix) < 0) return false;
                return true;
            }

            if (_ours.TryGetValue("recurrent_kernel", out int r) && Only("kernel", "recurrent_kernel", "bias"))
            {
                int[] shape = layout[r].Shape;
                if (shape.Length == 2 && shape[1] == 4 * shape[0]) return "LSTM";
                if (shape.Length == 2 && shape[1] == 3 * shape[0]) return "GRU";
                throw Unsupported("a SimpleRNN-like recurrent layer (recurrent_kernel " + SafeTensorInfo.FormatShape(shape) + ")");
            }
            if (_ours.TryGetValue("kernel", out int k) && Only("kernel", "bias"))
            {
                switch (layout[k].Shape.Length)
                {
                    case 2: return "Dense";
                    case 3: return "Conv1D";
                    case 4: return "Conv2D";
                }
            }
            if (_ours.ContainsKey("moving_mean") && Only("gamma", "beta", "moving_mean", "moving_variance")) return "BatchNormalization";
            if (Only("gamma", "beta")) return "LayerNormalization";
            if (Only("embeddings")) return "Embedding";
            throw Unsupported("a layer kind PyTorch import does not know");
        }

        private InvalidDataException Unsupported(string what)
        {
            var names = new List<string>();
            foreach (int i in module.Indices) names.Add(layout[i].Name);
            return new InvalidDataException($"{source}: nameMap maps '{module.Prefix}' (tensors {Quote(TorchNames())}) to layer '{module.Layer}', {what} with tensors {Quote(names)}; PyTorch weights can be loaded into Dense, Conv1D, Conv2D, BatchNormalization, LayerNormalization, Embedding, LSTM and GRU layers.");
        }

        /// <summary>Dense and convolution kernels: PyTorch's output axis first becomes our output axis last.</summary>
        private void PlanKernel(string torchName, string torchAxes, string ourAxes, int rank)
        {
            int k = _ours["kernel"];
            int[] ours = layout[k].Shape;
            int outputs = ours[rank - 1];
            // Ours (..., in, out) with the spatial axes first; PyTorch's (out, in, ...spatial).
            int[] torchShape = new int[rank];
            torchShape[0] = outputs;
            torchShape[1] = ours[rank - 2];
            for (int d = 0; d < rank - 2; d++) torchShape[2 + d] = ours[d];
            SafeTensorInfo weight = Require(torchName, torchShape, torchAxes, k, ourAxes);
            int inner = layout[k].Length / outputs; // spatial × in, in our order
            int spatial = inner / ours[rank - 2];
            int inputs = ours[rank - 2];
            fills[k] = new Fill(file =>
            {
                double[] w = file.ToDoubleArray(weight.Name);
                var kernel = new double[w.Length];
                // PyTorch [o, i, s] (s the flattened spatial index) → ours [s, i, o].
                for (int o = 0; o < outputs; o++)
                    for (int i = 0; i < inputs; i++)
                        for (int s = 0; s < spatial; s++)
                            kernel[(s * inputs + i) * outputs + o] = w[(o * inputs + i) * spatial + s];
                return kernel;
            });
            PlanCopy("bias", "bias", "(out)");
        }

        /// <summary>A tensor whose layout is the same on both sides.</summary>
        private void PlanCopy(string ourSuffix, string torchName, string axes)
        {
            if (!_ours.TryGetValue(ourSuffix, out int index)) return;
            ParameterInfo p = layout[index];
            SafeTensorInfo t = Require(torchName, p.Shape, axes, index, axes);
            fills[index] = new Fill(file => file.ToDoubleArray(t.Name));
        }

        /// <summary>LSTM (gates i, f, g, o = Keras i, f, c, o) and GRU (gates r, z, n → Keras z, r, h).</summary>
        private void PlanRecurrent(int gates)
        {
            int k = _ours["kernel"], r = _ours["recurrent_kernel"];
            int units = layout[r].Shape[0], width = gates * units, features = layout[k].Shape[0];
            bool gru = gates == 3;
            string gateNames = gru ? "gates r, z, n" : "gates i, f, g, o";
            string ourGates = gru ? "gates z, r, h" : "gates i, f, c, o";
            if (layout[k].Shape.Length != 2 || layout[k].Shape[1] != width)
                throw Unsupported(Invariant($"whose kernel {SafeTensorInfo.FormatShape(layout[k].Shape)} does not fit its recurrent_kernel {SafeTensorInfo.FormatShape(layout[r].Shape)}"));

            bool hasBias = _ours.TryGetValue("bias", out int b);
            if (hasBias && layout[b].Length != (gru && layout[b].Shape.Length == 2 ? 2 * width : width))
                throw Unsupported(Invariant($"whose bias {SafeTensorInfo.FormatShape(layout[b].Shape)} does not fit its recurrent_kernel {SafeTensorInfo.FormatShape(layout[r].Shape)}"));
            if (gru)
            {
                bool resetAfter = hasBias ? layout[b].Shape.Length == 2 : DeclaredResetAfter();
                if (!resetAfter)
                    throw new InvalidDataException($"{source}: layer '{module.Layer}' is a GRU with ResetAfter = false, but PyTorch's GRU (tensors {Quote(TorchNames())}) applies the reset gate after the recurrent product (Keras reset_after = true). The two are different functions, so these weights cannot be imported; declare the layer with ResetAfter = true.");
            }

            SafeTensorInfo ih = Require("weight_ih_l0", [width, features], Invariant($"({gates}·units, features), {gateNames}"), k, Invariant($"(features, {gates}·units), {ourGates}"));
            SafeTensorInfo hh = Require("weight_hh_l0", [width, units], Invariant($"({gates}·units, units), {gateNames}"), r, Invariant($"(units, {gates}·units), {ourGates}"));
            fills[k] = new Fill(file => TransposeGates(file.ToDoubleArray(ih.Name), features, units, gru));
            fills[r] = new Fill(file => TransposeGates(file.ToDoubleArray(hh.Name), units, units, gru));
            if (!hasBias) return;

            string biasAxes = Invariant($"({gates}·units), {gateNames}");
            SafeTensorInfo bi = Require("bias_ih_l0", [width], biasAxes, b, gru ? "(2, 3·units): input and recurrent rows, gates z, r, h" : "(4·units), gates i, f, c, o");
            SafeTensorInfo bh = Require("bias_hh_l0", [width], biasAxes, b, gru ? "(2, 3·units): input and recurrent rows, gates z, r, h" : "(4·units), gates i, f, c, o");
            fills[b] = new Fill(file =>
            {
                double[] input = file.ToDoubleArray(bi.Name), recurrent = file.ToDoubleArray(bh.Name);
                var bias = new double[gru ? 2 * width : width];
                for (int row = 0; row < width; row++)
                {
                    int column = KerasColumn(row, units, gru);
                    if (gru)
                    {
                        bias[column] = input[row];
                        bias[width + column] = recurrent[row];
                    }
                    else
                    {
                        // Keras has one bias; PyTorch adds both of its biases to every gate.
                        bias[column] = input[row] + recurrent[row];
                    }
                }
                return bias;
            });
        }

        /// <summary>
        /// A bias-less GRU has the same tensors with either reset position, so the declaration decides: the layer's
        /// <c>reset_after</c> in the model's layer description.
        /// </summary>
        private bool DeclaredResetAfter() =>
            described?.Config.GetBool("reset_after")
            ?? throw new InvalidDataException($"{source}: layer '{module.Layer}' is a GRU without bias, whose tensors look the same with ResetAfter = true or false, and the model has no layer description (IModel<T>.Layers) that tells which it is.");

        /// <summary>PyTorch (G·u, rows) → ours (rows, G·u), gate blocks moved to Keras' order.</summary>
        private static double[] TransposeGates(double[] torchLayout, int rows, int units, bool gru)
        {
            int width = torchLayout.Length / rows;
            var keras = new double[torchLayout.Length];
            for (int r = 0; r < width; r++)
            {
                int c = KerasColumn(r, units, gru);
                for (int i = 0; i < rows; i++) keras[i * width + c] = torchLayout[r * rows + i];
            }
            return keras;
        }

        /// <summary>The Keras column of PyTorch gate row <paramref name="row"/>: GRU blocks r and z trade places.</summary>
        private static int KerasColumn(int row, int units, bool gru)
        {
            int block = row / units, within = row % units;
            if (gru && block < 2) block = 1 - block;
            return block * units + within;
        }

        /// <summary>The PyTorch tensor <paramref name="name"/> of this module, checked against the shape it must have.</summary>
        private SafeTensorInfo Require(string name, int[] torchShape, string torchAxes, int target, string ourAxes)
        {
            ParameterInfo p = layout[target];
            string full = module.Prefix + "." + name;
            if (!torch.TryGetValue(name, out SafeTensorInfo? t))
                throw new InvalidDataException($"{source}: tensor '{full}' is missing; layer '{module.Layer}' ({_kind}) needs it for '{p.Name}' {SafeTensorInfo.FormatShape(p.Shape)}; {Expected()}.");
            if (t.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F64))
                throw new InvalidDataException($"{source}: tensor '{full}' has dtype {SafeTensorsDTypes.ToHeaderString(t.DType)}, expected F32 or F64.");
            if (!t.HasShape(torchShape))
                throw new InvalidDataException($"{source}: tensor '{full}' has shape {SafeTensorInfo.FormatShape(t.ShapeSpan)}, expected {SafeTensorInfo.FormatShape(torchShape)} in PyTorch's layout {torchAxes}, to fill '{p.Name}' {SafeTensorInfo.FormatShape(p.Shape)} in ours {ourAxes}.");
            _used.Add(name);
            return t;
        }

        /// <summary>"the file has 'fc1.weight', ... under 'fc1'" for messages.</summary>
        private string Expected() => $"the file has {Quote(TorchNames())} under '{module.Prefix}'";

        private List<string> TorchNames()
        {
            var names = new List<string>();
            foreach (SafeTensorInfo t in torch.Values) names.Add(t.Name);
            names.Sort(StringComparer.Ordinal);
            return names;
        }

        private string Remainder(SafeTensorInfo t) => t.Name.Substring(module.Prefix.Length + 1);

        private static Dictionary<string, int> OursBySuffix(Module module, List<ParameterInfo> layout)
        {
            var ours = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (int i in module.Indices)
            {
                string name = layout[i].Name;
                ours.Add(name.Length > module.Layer.Length ? name.Substring(module.Layer.Length + 1) : "", i);
            }
            return ours;
        }
    }

    private static string LayerOf(string tensor)
    {
        int dot = tensor.LastIndexOf('.');
        return dot < 0 ? tensor : tensor.Substring(0, dot);
    }

    private static string Quote(IReadOnlyList<string> names) => WeightFiles.Quote(names, static n => n);
}
