using System.Globalization;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// Every number written into generated code goes through here: invariant culture (no locale-specific separators or
/// U+2212 minus signs), round-trippable digits, and the right suffix for the element type.
/// </summary>
internal static class Literals
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Int(int)"/>
    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A named argument, <c>height: 28</c>: generated calls name every number so a reader sees what it is.</summary>
    public static string Named(string parameter, int value) => parameter + ": " + Int(value);

    /// <inheritdoc cref="Named(string, int)"/>
    public static string Named(string parameter, double value) => parameter + ": " + Double(value);

    /// <inheritdoc cref="Named(string, int)"/>
    public static string Named(string parameter, bool value) => parameter + ": " + (value ? "true" : "false");

    /// <summary>
    /// A <c>double</c> literal that round-trips exactly. NaN and infinities have no literal form (<c>Infinity.0</c>
    /// would not compile): the shape rules reject them on their attribute, so reaching here with one is a generator bug.
    /// </summary>
    public static string Double(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            throw new System.ArgumentOutOfRangeException(nameof(value), value, "A non-finite value reached the emitter; its attribute must be reported instead.");
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains(".") || text.Contains("E") ? text : text + ".0";
    }

    /// <summary>A string literal with C# escapes for quotes, backslashes and line breaks.</summary>
    public static string String(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    /// <summary>Thousands-grouped count for comments: <c>100,480</c>.</summary>
    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
