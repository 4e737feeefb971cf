using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>What a layer's shape rule may use: the model being planned and a sink for diagnostics.</summary>
internal sealed class ShapeContext(ModelSpec model)
{
    /// <summary>
    /// The largest tensor, padded axis or parameter vector a model may have: batch buffers of a few samples must still
    /// fit one array, and the runtime indexes them in <c>int</c>, so sizes stay well below <see cref="int.MaxValue"/>.
    /// </summary>
    public const long MaxElements = int.MaxValue / 8;

    private readonly List<DiagnosticInfo> _diagnostics = [];

    public ModelSpec Model { get; } = model;

    /// <summary>The layer whose output the one being inferred reads (its first operand; null for the model input), for rules about pairs.</summary>
    public LayerSpec? PreviousLayer { get; set; }

    /// <summary>The Keras name of <see cref="PreviousLayer"/>.</summary>
    public string? PreviousName { get; set; }

    /// <summary>The Keras name of the layer whose shape is being inferred.</summary>
    public string CurrentName { get; set; } = "";

    /// <summary>The per-sample shapes of every output the layer reads, in operand order (one for ordinary layers).</summary>
    public IReadOnlyList<Shape> OperandShapes { get; set; } = [];

    /// <summary>How messages name those outputs: <c>'stem'</c>, or <c>the model input</c>.</summary>
    public IReadOnlyList<string> OperandNames { get; set; } = [];

    public IReadOnlyList<DiagnosticInfo> Diagnostics => _diagnostics;

    /// <summary>
    /// The shortcut of each residual use, by use name: recorded by the probe walk (<see cref="ProbingResiduals"/>),
    /// read by the expansion of the final one.
    /// </summary>
    public Dictionary<string, Layers.ResidualDecision> Residuals { get; set; } = new(System.StringComparer.Ordinal);

    /// <summary>True in the walk that only decides residual shortcuts (its plan and diagnostics are discarded).</summary>
    public bool ProbingResiduals { get; set; }

    /// <summary>
    /// Reports an enum argument outside the declared members (C# accepts casts like <c>(Activation)99</c>); true when
    /// the value is defined.
    /// </summary>
    public bool IsDefined<TEnum>(TEnum value, LocationInfo? location) where TEnum : struct, System.Enum
    {
        if (System.Enum.IsDefined(typeof(TEnum), value))
            return true;
        Report(DiagnosticDescriptors.UndefinedEnumValue, location, typeof(TEnum).Name, System.Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return false;
    }

    /// <summary>
    /// Reports NDSL2001 on <paramref name="location"/> when <paramref name="elements"/> (computed in 64 bits by the
    /// caller, never wrapped) exceeds <see cref="MaxElements"/>; true when it fits.
    /// </summary>
    public bool FitsIndex(long elements, LocationInfo? location)
    {
        if (elements <= MaxElements)
            return true;
        Report(DiagnosticDescriptors.ModelTooLarge, location, Model.ClassName, elements.ToString(System.Globalization.CultureInfo.InvariantCulture),
            MaxElements.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return false;
    }

    /// <summary>
    /// The block use the layer being planned was expanded from (<see cref="LayerSpec.Origin"/>), appended to every
    /// diagnostic reported while it is set; null for the model's own layers.
    /// </summary>
    public string? CurrentOrigin { get; set; }

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        ReportIn(CurrentOrigin, descriptor, location, arguments);

    /// <summary>A diagnostic on <paramref name="layer"/>'s attribute, saying which block use it came from if any.</summary>
    public void ReportOn(LayerSpec layer, DiagnosticDescriptor descriptor, params string[] arguments) =>
        ReportIn(layer.Origin, descriptor, layer.Location, arguments);

    /// <summary>A diagnostic whose message ends with <paramref name="origin"/> (where a block's layer was expanded) when given.</summary>
    public void ReportIn(string? origin, DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location ?? Model.Location, arguments) with { Context = origin });
}
