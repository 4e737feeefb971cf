using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;

namespace NeuralDsl;

/// <summary>
/// One layer of a model as data, like an entry of Keras' <c>model.get_config()["layers"]</c>: what it is, how it is
/// configured, which tensors it reads and which entries of the parameter and state layouts are its own. Generated
/// models list every layer (<see cref="IModel{T}.Layers"/>) so that tools can walk the graph at run time: ONNX export,
/// weight import by topology.
/// </summary>
/// <remarks>
/// The first entry of a generated model's list is its <c>InputLayer</c> (no inputs, <see cref="OutputShape"/> = the
/// <c>[Input]</c> shape), as in a Keras functional model; every other layer names the tensors it reads by the name of
/// the layer that wrote them. Shapes are per sample, without the batch axis, in Keras layout (NHWC images).
/// </remarks>
/// <param name="Name">The Keras layer name (<c>dense_1</c>, or the <c>Name</c> given in the attribute).</param>
/// <param name="KerasType">The Keras class name: <c>Dense</c>, <c>Conv2D</c>, <c>Add</c>, <c>InputLayer</c>, ...</param>
/// <param name="Inputs">The layers whose outputs it reads, by name, in operand order (empty for the input layer).</param>
/// <param name="OutputShape">Its per-sample output shape.</param>
/// <param name="Config">Its arguments under Keras' <c>get_config()</c> keys (<c>units</c>, <c>kernel_size</c>, ...).</param>
/// <param name="Parameters">Names of its trainable tensors in <see cref="IModel{T}.ParameterLayout"/>, in file order.</param>
/// <param name="State">Names of its non-trainable tensors in <see cref="IModel{T}.StateLayout"/> (moving statistics).</param>
public sealed record LayerInfo(string Name, string KerasType, IReadOnlyList<string> Inputs, IReadOnlyList<int> OutputShape, LayerConfig Config,
    IReadOnlyList<string> Parameters, IReadOnlyList<string> State)
{
    /// <summary>The name of the model input an <c>InputLayer</c> entry stands for when <c>[Input]</c> has no name.</summary>
    public const string DefaultInputName = "input_layer";

    /// <inheritdoc/>
    public override string ToString() =>
        Name + " (" + KerasType + ") <- [" + string.Join(", ", Inputs) + "] -> (" + string.Join(", ", OutputShape) + ")" +
        (Config.Count > 0 ? " {" + Config + "}" : "");
}

/// <summary>
/// A layer's configuration: an immutable map from Keras <c>get_config()</c> keys to values, each an <see cref="int"/>,
/// <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, an enum of this library (<see cref="Activation"/>,
/// <see cref="Padding"/>, <see cref="MergeMode"/>) or a list of ints (<see cref="IReadOnlyList{T}"/> of <see cref="int"/>:
/// kernel sizes, strides). The typed getters name the key and the kind they expected when a value is missing or of
/// another kind.
/// </summary>
public sealed class LayerConfig : IReadOnlyDictionary<string, object>
{
    private readonly KeyValuePair<string, object>[] _entries;

    /// <summary>A configuration without entries (a Flatten, a merge).</summary>
    public static LayerConfig Empty { get; } = new();

    /// <summary>Creates a configuration from key-value pairs, kept in the order given.</summary>
    /// <exception cref="ArgumentException">A key appears twice, or a value is of no supported kind.</exception>
    public LayerConfig(params (string Key, object Value)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = new KeyValuePair<string, object>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            (string key, object value) = entries[i];
            ArgumentNullException.ThrowIfNull(key);
            for (int j = 0; j < i; j++)
            {
                if (_entries[j].Key == key)
                    throw new ArgumentException($"The layer config has the key '{key}' twice.", nameof(entries));
            }
            _entries[i] = new(key, value switch
            {
                int or double or bool or string or Enum => value,
                int[] ints => Array.AsReadOnly((int[])ints.Clone()),
                IReadOnlyList<int> list => Array.AsReadOnly(list.ToArray()),
                _ => throw new ArgumentException(
                    $"The layer config value of '{key}' is a {value?.GetType().Name ?? "null"}; expected an int, double, bool, string, enum or int list.",
                    nameof(entries)),
            });
        }
    }

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Length;

    /// <summary>The keys, in the order the generator wrote them.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <summary>The values, in key order.</summary>
    public IEnumerable<object> Values => _entries.Select(e => e.Value);

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such key; the message lists the keys there are.</exception>
    public object this[string key] => TryGetValue(key, out object? value) ? value : throw Missing(key);

    /// <summary>True when the configuration has <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>The value of <paramref name="key"/>, if there is one.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object value)
    {
        foreach (KeyValuePair<string, object> e in _entries)
        {
            if (e.Key == key)
            {
                value = e.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>An <see cref="int"/> entry (<c>units</c>, <c>filters</c>).</summary>
    public int GetInt(string key) => Get<int>(key, "an int");

    /// <summary>A <see cref="double"/> entry (<c>epsilon</c>, <c>rate</c>).</summary>
    public double GetDouble(string key) => Get<double>(key, "a double");

    /// <summary>A <see cref="bool"/> entry (<c>use_bias</c>, <c>return_sequences</c>).</summary>
    public bool GetBool(string key) => Get<bool>(key, "a bool");

    /// <summary>A <see cref="string"/> entry.</summary>
    public string GetString(string key) => Get<string>(key, "a string");

    /// <summary>An enum entry (<c>activation</c>: <see cref="Activation"/>, <c>padding</c>: <see cref="Padding"/>).</summary>
    public TEnum GetEnum<TEnum>(string key) where TEnum : struct, Enum => Get<TEnum>(key, "a " + typeof(TEnum).Name);

    /// <summary>An int-list entry (<c>kernel_size</c>, <c>strides</c>, <c>pool_size</c>).</summary>
    public IReadOnlyList<int> GetInts(string key) => Get<IReadOnlyList<int>>(key, "an int list");

    private TValue Get<TValue>(string key, string kind) => this[key] is TValue value
        ? value
        : throw new InvalidCastException($"The layer config entry '{key}' is {Format(this[key])} ({this[key].GetType().Name}), not {kind}.");

    private KeyNotFoundException Missing(string key) =>
        new($"The layer config has no entry '{key}'; it has: {(Count == 0 ? "none" : string.Join(", ", Keys))}.");

    /// <summary>The entries as <c>key=value</c>, comma-separated: <c>units=8, activation=ReLU</c>.</summary>
    public override string ToString() => string.Join(", ", _entries.Select(e => e.Key + "=" + Format(e.Value)));

    private static string Format(object value) => value switch
    {
        IReadOnlyList<int> list => "(" + string.Join(", ", list) + ")",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
