using Microsoft.CodeAnalysis;

namespace NeuralDsl.Generator.Model;

/// <summary>A diagnostic to report, held by value: descriptor (a static instance), location and message arguments.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<DiagnosticDescriptor, DiagnosticDescriptor> WithContexts = new();

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor, location, new EquatableArray<string>(arguments));

    /// <summary>
    /// Where the located attribute was expanded, appended to the message in parentheses: a layer inside a
    /// <c>[Block]</c> class is one attribute for every place the block is used, so its diagnostics say which use
    /// (<c>layer 'basic_block32_conv2d', in block use 'basic_block32' (BasicBlock32) of model 'Net'</c>). Null for
    /// everything else.
    /// </summary>
    public string? Context { get; init; }

    /// <summary>The diagnostic, located in <paramref name="compilation"/>'s syntax tree for the file when there is one.</summary>
    public Diagnostic ToDiagnostic(Compilation? compilation)
    {
        Location location = Location?.ToLocation(compilation) ?? Microsoft.CodeAnalysis.Location.None;
        if (Context is null)
            return Diagnostic.Create(Descriptor, location, [.. Arguments]);
        // The same id, severity and help link; the format gains one argument at the end for the context.
        DiagnosticDescriptor descriptor = WithContexts.GetOrAdd(Descriptor, static d => new DiagnosticDescriptor(
            d.Id, d.Title, d.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ({" + CountArguments(d) + "})",
            d.Category, d.DefaultSeverity, d.IsEnabledByDefault, d.Description, d.HelpLinkUri, [.. d.CustomTags]));
        return Diagnostic.Create(descriptor, location, [.. Arguments, Context]);
    }

    /// <summary>The number of format arguments <paramref name="descriptor"/>'s message takes (its highest <c>{n}</c> + 1).</summary>
    private static int CountArguments(DiagnosticDescriptor descriptor)
    {
        string format = descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int count = 0;
        for (int i = 0; i + 2 < format.Length; i++)
        {
            if (format[i] == '{' && char.IsDigit(format[i + 1]))
            {
                int end = format.IndexOf('}', i);
                if (end > i && int.TryParse(format.Substring(i + 1, end - i - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
                    count = System.Math.Max(count, n + 1);
            }
        }
        return count;
    }
}

/// <summary>
/// A pipeline value together with the diagnostics found while producing it, and what stands in for the model when it
/// cannot be generated (<see cref="ModelPlaceholder"/>).
/// </summary>
internal sealed record Result<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics, ModelPlaceholder? Placeholder = null)
    where T : class
{
    public bool HasErrors
    {
        get
        {
            foreach (DiagnosticInfo d in Diagnostics)
            {
                if (d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                    return true;
            }
            return false;
        }
    }
}
