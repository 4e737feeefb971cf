using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>What a layer's shape rule may use: the model being planned and a sink for diagnostics.</summary>
internal sealed class ShapeContext(ModelSpec model)
{
    private readonly List<DiagnosticInfo> _diagnostics = [];

    public ModelSpec Model { get; } = model;

    public IReadOnlyList<DiagnosticInfo> Diagnostics => _diagnostics;

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location ?? Model.Location, arguments));
}
