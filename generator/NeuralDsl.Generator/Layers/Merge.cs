using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>The Keras merge layers.</summary>
internal enum MergeKind
{
    Add,
    Subtract,
    Multiply,
    Average,
    Maximum,
    Concatenate,
}

/// <summary>
/// Keras <c>Add</c>, <c>Subtract</c>, <c>Multiply</c>, <c>Average</c>, <c>Maximum</c> and <c>Concatenate(axis)</c>:
/// combine two or more earlier outputs, named as operands (<c>[Add("a", "b")]</c>) or as the current tensor plus
/// <c>From</c> (<c>[Add(From = "stem")]</c>; the current tensor is the layer's own input, the previous output unless
/// <c>Input</c> names another). Element-wise kinds need equal shapes (no broadcasting); Concatenate needs every axis
/// but the joined one equal.
/// </summary>
/// <param name="Kind">Which merge.</param>
/// <param name="Named">The operands named in the constructor, in order; empty when <paramref name="From"/> is used.</param>
/// <param name="From">The earlier output combined with the current tensor, or null.</param>
/// <param name="Axis">Concatenate's axis as Keras counts it (batch = 0, -1 the last); unused by the other kinds.</param>
/// <param name="ExplicitName">The <c>Name</c> given, or null.</param>
/// <param name="Location">The attribute.</param>
internal sealed partial record MergeSpec(MergeKind Kind, EquatableArray<TensorRef> Named, TensorRef? From, int Axis, string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec ParseAdd(AttributeArguments a, LocationInfo? location) => Parse(MergeKind.Add, a, location);

    public static LayerSpec ParseSubtract(AttributeArguments a, LocationInfo? location) => Parse(MergeKind.Subtract, a, location);

    public static LayerSpec ParseMultiply(AttributeArguments a, LocationInfo? location) => Parse(MergeKind.Multiply, a, location);

    public static LayerSpec ParseAverage(AttributeArguments a, LocationInfo? location) => Parse(MergeKind.Average, a, location);

    public static LayerSpec ParseMaximum(AttributeArguments a, LocationInfo? location) => Parse(MergeKind.Maximum, a, location);

    public static LayerSpec ParseConcatenate(AttributeArguments a, LocationInfo? location) => Parse(MergeKind.Concatenate, a, location);

    private static LayerSpec Parse(MergeKind kind, AttributeArguments a, LocationInfo? location) =>
        new MergeSpec(kind,
            // A null name becomes the empty name, which no tensor has: reported as unknown (NDSL1013).
            a.StringArray(0).Select(n => TensorRef.Named(n ?? "")).ToEquatableArray(),
            a.NamedString("From") is { } from ? TensorRef.Named(from) : null,
            a.NamedInt("Axis", -1),
            a.NamedString("Name"),
            location);

    public override string KerasType => Kind.ToString();

    public override string NamePrefix => Kind.ToString().ToLowerInvariant();

    /// <summary>Concatenate's <c>axis</c> (Keras counts the batch as axis 0); the element-wise merges have no argument.</summary>
    public override IEnumerable<ConfigEntry> Config => Kind == MergeKind.Concatenate ? [ConfigEntry.Int("axis", Axis)] : [];

    public override string Describe() =>
        Kind == MergeKind.Concatenate ? "Concatenate(axis " + Axis.ToString(CultureInfo.InvariantCulture) + ")" : Kind.ToString();

    /// <summary>The named operands; else the current tensor (own input) and <see cref="From"/>.</summary>
    public override IReadOnlyList<TensorRef?> Operands =>
        Named.Count > 0 ? Named.Select(r => (TensorRef?)r).ToList() : From is null ? [InputReference] : [InputReference, From];

    /// <summary>
    /// Element-wise merges keep every step, so a Keras mask goes on (its one source means operands carry the same mask
    /// or none); Concatenate too, unless it joins the steps axis.
    /// </summary>
    public override MaskHandling MaskHandling =>
        Kind == MergeKind.Concatenate && Axis is 1 or -2 ? MaskHandling.CannotHonour : MaskHandling.PassesOn;

    /// <summary>The joined axis among the per-sample axes (0 = the first after the batch), for a per-sample rank.</summary>
    public int SampleAxis(int rank) => Axis < 0 ? rank + Axis : Axis - 1;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        IReadOnlyList<Shape> shapes = context.OperandShapes;
        IReadOnlyList<string> names = context.OperandNames;
        string describe = "[" + KerasType + "] '" + context.CurrentName + "'";
        if (Named.Count > 0 && (From is not null || InputReference is not null))
        {
            context.Report(DiagnosticDescriptors.InvalidMerge, Location, describe,
                "it names its operands and also " + (From is not null ? "From" : "Input") + "; give either the operands ([" + KerasType +
                "(\"a\", \"b\")]) or From (the current tensor + From), not both");
            return null;
        }
        if (Kind == MergeKind.Subtract ? shapes.Count != 2 : shapes.Count < 2)
        {
            context.Report(DiagnosticDescriptors.InvalidMerge, Location, describe,
                "it combines " + shapes.Count.ToString(CultureInfo.InvariantCulture) + " tensor" + (shapes.Count == 1 ? "" : "s") +
                " (" + string.Join(", ", names) + ") but needs " + (Kind == MergeKind.Subtract ? "exactly 2" : "at least 2") +
                ": name them ([" + KerasType + "(\"a\", \"b\")]) or combine the current tensor with one (From = \"a\")");
            return null;
        }

        if (Kind != MergeKind.Concatenate)
        {
            for (int k = 1; k < shapes.Count; k++)
            {
                if (!shapes[k].Equals(shapes[0]))
                {
                    context.Report(DiagnosticDescriptors.ShapesCannotMerge, Location, describe, names[0], shapes[0].ToString(), names[k],
                        shapes[k].ToString(), KerasType + " needs operands of one shape");
                    return null;
                }
            }
            return shapes[0];
        }

        int rank = shapes[0].Rank;
        int axis = SampleAxis(rank);
        if (Axis == 0 || axis < 0 || axis >= rank)
        {
            context.Report(DiagnosticDescriptors.InvalidMerge, Location, describe,
                "Axis = " + Axis.ToString(CultureInfo.InvariantCulture) + " is " + (Axis == 0 ? "the batch axis, which cannot be joined" :
                "not an axis of its operands' shape " + shapes[0]) + "; with the batch as axis 0, it may be 1 to " +
                rank.ToString(CultureInfo.InvariantCulture) + ", or -" + rank.ToString(CultureInfo.InvariantCulture) + " to -1");
            return null;
        }
        long joined = 0;
        for (int k = 0; k < shapes.Count; k++)
        {
            bool fits = shapes[k].Rank == rank;
            for (int d = 0; fits && d < rank; d++)
                fits = d == axis || shapes[k].Dimensions[d] == shapes[0].Dimensions[d];
            if (!fits)
            {
                context.Report(DiagnosticDescriptors.ShapesCannotMerge, Location, describe, names[0], shapes[0].ToString(), names[k],
                    shapes[k].ToString(), "Concatenate on axis " + Axis.ToString(CultureInfo.InvariantCulture) +
                    " needs operands of one rank whose other axes match");
                return null;
            }
            joined += shapes[k].Dimensions[axis];
        }
        if (!context.FitsIndex(joined, Location))
            return null;
        int[] dims = shapes[0].Dimensions.ToArray();
        dims[axis] = (int)joined;
        return new Shape(dims);
    }
}
