using Microsoft.CodeAnalysis;

namespace NeuralDsl.Generator.Model;

/// <summary>A diagnostic to report, held by value: descriptor (a static instance), location and message arguments.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor, location, new EquatableArray<string>(arguments));

    /// <summary>The diagnostic, located in <paramref name="compilation"/>'s syntax tree for the file when there is one.</summary>
    public Diagnostic ToDiagnostic(Compilation? compilation) =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(compilation) ?? Microsoft.CodeAnalysis.Location.None, [.. Arguments]);
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
