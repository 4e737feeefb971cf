using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Emit;

namespace NeuralDsl.Generator.Model;

/// <summary>
/// One entry of a layer's run-time configuration (<c>global::NeuralDsl.LayerConfig</c>): a Keras <c>get_config()</c>
/// key and the C# expression of its value, written by the layer's own record (<see cref="LayerSpec.Config"/>).
/// </summary>
/// <param name="Key">The Keras key: <c>units</c>, <c>kernel_size</c>, ...</param>
/// <param name="Value">A C# expression: <c>8</c>, <c>global::NeuralDsl.Activation.ReLU</c>, <c>new int[] { 3, 3 }</c>.</param>
internal sealed record ConfigEntry(string Key, string Value)
{
    public static ConfigEntry Int(string key, int value) => new(key, Literals.Int(value));

    public static ConfigEntry Double(string key, double value) => new(key, Literals.Double(value));

    public static ConfigEntry Bool(string key, bool value) => new(key, value ? "true" : "false");

    public static ConfigEntry String(string key, string value) => new(key, Literals.String(value));

    public static ConfigEntry Ints(string key, params int[] values) => new(key, "new[] { " + string.Join(", ", values.Select(Literals.Int)) + " }");

    public static ConfigEntry Activation(string key, NeuralDsl.Activation value) => new(key, "global::NeuralDsl.Activation." + value);

    public static ConfigEntry Padding(NeuralDsl.Padding value) => new("padding", "global::NeuralDsl.Padding." + value);

    public static ConfigEntry MergeMode(NeuralDsl.MergeMode value) => new("merge_mode", "global::NeuralDsl.MergeMode." + value);

    /// <summary>The entry as a constructor argument of <c>LayerConfig</c>: <c>("units", 8)</c>.</summary>
    public string Argument => "(" + Literals.String(Key) + ", " + Value + ")";

    /// <summary>
    /// The arguments of a <c>LayerConfig</c> constructor, packed greedily into lines of at most
    /// <paramref name="width"/> characters (one entry per line when an entry alone is longer).
    /// </summary>
    public static List<string> Lines(IEnumerable<ConfigEntry> entries, int width) => Pack(entries.Select(e => e.Argument), width);

    /// <summary>Comma-separated <paramref name="items"/> packed greedily into lines of at most <paramref name="width"/> characters.</summary>
    public static List<string> Pack(IEnumerable<string> items, int width)
    {
        var lines = new List<string>();
        string line = "";
        foreach (string argument in items)
        {
            if (line.Length > 0 && line.Length + 2 + argument.Length + 1 > width)
            {
                lines.Add(line + ",");
                line = "";
            }
            line = line.Length == 0 ? argument : line + ", " + argument;
        }
        if (line.Length > 0)
            lines.Add(line);
        return lines;
    }
}
