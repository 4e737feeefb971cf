using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Saving and loading a model's weights as a safetensors file: one tensor per entry of
/// <see cref="IModel{T}.ParameterLayout"/>, under its Keras-style name and shape, dtype F32 for float models and
/// F64 for double models. Works for every generated model.
/// </summary>
public static class WeightFiles
{
    /// <summary>
    /// Saves every parameter tensor of <paramref name="model"/> to <paramref name="path"/> (safetensors, model
    /// order). The file is replaced atomically: a failed save leaves any existing file intact and no partial file,
    /// and the temporary files that earlier saves of the same path left when they were killed are removed.
    /// </summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="InvalidOperationException">The model's parameter layout does not fit its parameters.</exception>
    /// <exception cref="IOException">The path is a directory, its directory is missing, or writing failed; the message names <paramref name="path"/>.</exception>
    public static void SaveWeights<T>(this IModel<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CreateWriter(model).Save(path);
    }

    /// <summary>
    /// A writer holding every parameter and state tensor of <paramref name="model"/> and the model's metadata, ready
    /// to <see cref="SafeTensorsWriter.Save"/>; callers may add metadata first (e.g. a text vectorizer).
    /// </summary>
    internal static SafeTensorsWriter CreateWriter<T>(IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        IReadOnlyList<ParameterInfo> layout = model.ParameterLayout;
        IReadOnlyList<ParameterInfo> stateLayout = model.StateLayout;
        CheckLayout(model, layout, stateLayout);
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("model", model.Name);
        writer.SetMetadata("library", "NeuralDsl");
        ReadOnlySpan<T> parameters = model.Parameters;
        foreach (ParameterInfo p in layout)
            writer.Add(p.Name, parameters.Slice(p.Offset, p.Length), p.Shape);
        ReadOnlySpan<T> state = model.State;
        foreach (ParameterInfo p in stateLayout)
            writer.Add(p.Name, state.Slice(p.Offset, p.Length), p.Shape);
        return writer;
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights{T}"/> (or any safetensors file with the same tensor names,
    /// shapes and dtype) into <paramref name="model"/>. The whole file is validated first: every expected tensor
    /// present, no extra tensor, shapes and dtype equal, offsets in range. Only then are the values copied, so a
    /// rejected file leaves the model bit-for-bit unchanged. The file's metadata is not checked (renaming a model
    /// class must not orphan its weights).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not match the model; the message names the tensor and the expected and found values.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">The path is a directory, a FIFO, a socket or a device rather than a regular file.</exception>
    public static void LoadWeights<T>(this IModel<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Load(model, path, beforeCopy: null);

    /// <summary>
    /// <see cref="LoadWeights{T}(IModel{T}, string)"/>, reading the file once: <paramref name="beforeCopy"/> sees the
    /// validated file before anything is copied into the model, so what it reads from the same file (a text
    /// vectorizer in the metadata) is checked under the same no-partial-load guarantee; if it throws, the model is
    /// unchanged.
    /// </summary>
    internal static void Load<T>(IModel<T> model, string path, Action<SafeTensorsFile>? beforeCopy) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        List<ParameterInfo> layout = CheckedLayout(model, out int trainable);
        SafeTensorsDType dtype = SafeTensorsDTypes.For<T>();
        var tensors = new SafeTensorInfo[layout.Count];
        // The names, shapes and dtype are checked against the header before the data section is read.
        SafeTensorsFile file = SafeTensors.Read(path, "Weight file", (source, found) => Match(model, layout, dtype, source, found, tensors));
        beforeCopy?.Invoke(file);

        // Everything is validated and in memory: nothing below can fail half-way through the model.
        for (int i = 0; i < layout.Count; i++)
            file.CopyTo(tensors[i], Slot(model, layout, trainable, i));
    }

    /// <summary>
    /// Every tensor a weight file fills, checked against the model's vectors: the trainable parameters first (the
    /// first <paramref name="trainable"/> entries), then the non-trainable state. Shared by every loader so that
    /// they agree on what "the whole model" is.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model lists a name twice or a tensor outside its vector.</exception>
    internal static List<ParameterInfo> CheckedLayout<T>(IModel<T> model, out int trainable) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        IReadOnlyList<ParameterInfo> stateLayout = model.StateLayout;
        CheckLayout(model, model.ParameterLayout, stateLayout);
        var layout = new List<ParameterInfo>(model.ParameterLayout);
        layout.AddRange(stateLayout);
        trainable = model.ParameterLayout.Count;
        return layout;
    }

    /// <summary>Where entry <paramref name="index"/> of a <see cref="CheckedLayout{T}"/> lives in the model.</summary>
    internal static Span<T> Slot<T>(IModel<T> model, List<ParameterInfo> layout, int trainable, int index)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> vector = index < trainable ? model.Parameters : model.State;
        return vector.Slice(layout[index].Offset, layout[index].Length);
    }

    /// <summary>
    /// Finds each layout entry's tensor in <paramref name="found"/> (into <paramref name="matched"/>), checking dtype
    /// and shape, and rejects tensors the model does not have.
    /// </summary>
    private static void Match<T>(IModel<T> model, IReadOnlyList<ParameterInfo> layout, SafeTensorsDType dtype, string source,
        IReadOnlyList<SafeTensorInfo> found, SafeTensorInfo[] matched) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var byName = new Dictionary<string, SafeTensorInfo>(found.Count, StringComparer.Ordinal);
        foreach (SafeTensorInfo t in found) byName.Add(t.Name, t);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < layout.Count; i++)
        {
            ParameterInfo p = layout[i];
            expected.Add(p.Name);
            if (!byName.TryGetValue(p.Name, out SafeTensorInfo? t))
                throw new InvalidDataException($"{source}: tensor '{p.Name}' of model '{model.Name}' is missing (the file has {Quote(found, static t => t.Name)}).");
            if (t.DType != dtype)
                throw new InvalidDataException($"{source}: tensor '{p.Name}' has dtype {SafeTensorsDTypes.ToHeaderString(t.DType)}, expected {SafeTensorsDTypes.ToHeaderString(dtype)} (the model's element type is {typeof(T).Name}).");
            if (!t.HasShape(p.Shape))
                throw new InvalidDataException($"{source}: tensor '{p.Name}' has shape {SafeTensorInfo.FormatShape(t.ShapeSpan)}, expected {SafeTensorInfo.FormatShape(p.Shape)}.");
            matched[i] = t;
        }
        foreach (SafeTensorInfo t in found)
        {
            if (!expected.Contains(t.Name))
                throw new InvalidDataException($"{source}: tensor '{t.Name}' is not a parameter of model '{model.Name}' (its parameters are {Quote(layout, static p => p.Name)}).");
        }
    }

    private static void CheckLayout<T>(IModel<T> model, IReadOnlyList<ParameterInfo> layout, IReadOnlyList<ParameterInfo> stateLayout)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        CheckLayout(model, layout, model.Parameters.Length, names);
        CheckLayout(model, stateLayout, model.State.Length, names);
    }

    private static void CheckLayout<T>(IModel<T> model, IReadOnlyList<ParameterInfo> layout, int length, HashSet<string> names)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (ParameterInfo p in layout)
        {
            if (!names.Add(p.Name))
                throw new InvalidOperationException($"Model '{model.Name}' lists the parameter '{p.Name}' twice.");
            if (p.Offset < 0 || (long)p.Offset + p.Length > length)
                throw new InvalidOperationException(FormattableString.Invariant(
                    $"Model '{model.Name}': parameter '{p.Name}' at offset {p.Offset} with {p.Length} elements does not fit in its {length} parameters."));
        }
    }

    internal static string Quote<TItem>(IReadOnlyList<TItem> items, Func<TItem, string> name)
    {
        if (items.Count == 0) return "none";
        var quoted = new string[items.Count];
        for (int i = 0; i < quoted.Length; i++) quoted[i] = "'" + name(items[i]) + "'";
        return string.Join(", ", quoted);
    }
}
