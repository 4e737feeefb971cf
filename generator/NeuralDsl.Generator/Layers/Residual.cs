using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>What <c>Projection</c> asks of a residual's shortcut.</summary>
internal enum ProjectionMode
{
    /// <summary>Not set: a projection where the block changes the shape, the identity where it does not.</summary>
    WhereShapesDiffer,

    /// <summary><c>Projection = true</c>: always a projection.</summary>
    Always,

    /// <summary><c>Projection = false</c>: always the identity; a block that changes the shape is NDSL1018.</summary>
    Never,
}

/// <summary>The layers a projection shortcut is made of.</summary>
internal enum ShortcutStyle
{
    /// <summary><c>[Residual]</c>: a 1×1 Conv2D (or a Dense for vectors) named <c>{use}_shortcut</c>.</summary>
    Plain,

    /// <summary>The ResNet blocks: a 1×1 Conv2D <c>{use}_0_conv</c> then BatchNormalization <c>{use}_0_bn</c> (ε 1.001e-5).</summary>
    ConvBatchNorm,
}

/// <summary>
/// A residual use: <c>[Residual(typeof(X))]</c> (the block's layers read from its class) or a ready-made ResNet block
/// (<c>[ResNetBasicBlock]</c>, <c>[ResNetBottleneck]</c>: the same record with layers written here, fed through the same
/// expansion). <see cref="BlockExpansion"/> replaces it by its layers, the shortcut and an <c>Add</c> of the block's
/// output and the shortcut, then <see cref="After"/> (the ResNet blocks' final ReLU). Whether the shortcut projects
/// needs shapes, so the shape walk decides it (<see cref="ResidualJoinSpec"/>).
/// </summary>
/// <param name="ClassName">The block class, or the ready-made block's attribute name.</param>
/// <param name="Layers">The block's layers (the residual branch).</param>
/// <param name="Projection">What <c>Projection</c> asked.</param>
/// <param name="Shortcut">The layers of a projection.</param>
/// <param name="After">Layers after the add, named within the use (<c>out</c>).</param>
/// <param name="ExplicitName">The use's <c>Name</c>.</param>
/// <param name="Location">The use's attribute.</param>
internal sealed record ResidualSpec(string ClassName, EquatableArray<LayerSpec> Layers, ProjectionMode Projection, ShortcutStyle Shortcut,
    EquatableArray<LayerSpec> After, string? ExplicitName, LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    /// <summary>Keras ResNet's BatchNormalization epsilon (<c>epsilon=1.001e-5</c> in <c>resnet.py</c>).</summary>
    public const double ResNetEpsilon = 1.001e-5;

    /// <summary>
    /// Keras ResNet50's <c>block1</c>: 1×1 conv (stride) → BN → ReLU → 3×3 conv (same) → BN → ReLU → 1×1 conv (4f) → BN,
    /// the shortcut (1×1 conv 4f with the stride → BN where the shapes differ), add, ReLU.
    /// </summary>
    public static LayerSpec ParseBottleneck(AttributeArguments a, LocationInfo? location)
    {
        // 4 · filters is sized without wrapping: a huge count stays huge and is reported as too large, never negative.
        int filters = a.Int(0), strides = a.NamedInt("Strides", 1);
        return new ResidualSpec("ResNetBottleneck", List(
                Conv(filters, 1, strides, Padding.Valid, "1_conv", location), Bn("1_bn", location), Relu("1_relu", location),
                Conv(filters, 3, 1, Padding.Same, "2_conv", location), Bn("2_bn", location), Relu("2_relu", location),
                Conv(filters > int.MaxValue / 4 ? int.MaxValue : 4 * filters, 1, 1, Padding.Valid, "3_conv", location), Bn("3_bn", location)),
            ProjectionMode.WhereShapesDiffer, ShortcutStyle.ConvBatchNorm, List(Relu("out", location)), a.NamedString("Name"), location);
    }

    /// <summary>The basic block: 3×3 conv (stride, same) → BN → ReLU → 3×3 conv (same) → BN, the shortcut, add, ReLU.</summary>
    public static LayerSpec ParseBasicBlock(AttributeArguments a, LocationInfo? location)
    {
        int filters = a.Int(0), strides = a.NamedInt("Strides", 1);
        return new ResidualSpec("ResNetBasicBlock", List(
                Conv(filters, 3, strides, Padding.Same, "1_conv", location), Bn("1_bn", location), Relu("1_relu", location),
                Conv(filters, 3, 1, Padding.Same, "2_conv", location), Bn("2_bn", location)),
            ProjectionMode.WhereShapesDiffer, ShortcutStyle.ConvBatchNorm, List(Relu("out", location)), a.NamedString("Name"), location);
    }

    private static EquatableArray<LayerSpec> List(params LayerSpec[] layers) => new(layers);

    /// <summary>A Keras-default Conv2D (bias, Glorot uniform) as the ResNet blocks write them.</summary>
    public static Conv2DSpec Conv(int filters, int kernel, int strides, Padding padding, string name, LocationInfo? location) =>
        new(filters, kernel, kernel, Activation.Linear, strides, strides, 1, padding, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros, name, location);

    private static LayerSpec Bn(string name, LocationInfo? location) => new BatchNormalizationSpec(0.99, ResNetEpsilon, name, location);

    private static LayerSpec Relu(string name, LocationInfo? location) => new ActivationSpec(Activation.ReLU, name, location);

    public override string KerasType => ClassName;

    public override string NamePrefix => Naming.SnakeCase(ClassName);

    public override string Describe() => ClassName.StartsWith("ResNet", StringComparison.Ordinal) ? ClassName : "Residual(" + ClassName + ")";

    public override LayerSpec WithoutLocations() => this with
    {
        Location = null,
        Layers = Layers.Select(l => l.WithoutLocations()).ToEquatableArray(),
        After = After.Select(l => l.WithoutLocations()).ToEquatableArray(),
    };

    /// <summary>
    /// The shortcut's layers, before the decision fills in their sizes: the
    /// names they reserve in the use (<c>shortcut</c>, or <c>0_conv</c> and <c>0_bn</c>).
    /// </summary>
    public IReadOnlyList<LayerSpec> ShortcutTemplates() => Shortcut == ShortcutStyle.ConvBatchNorm
        ? [Conv(1, 1, 1, Padding.Valid, "0_conv", Location), Bn("0_bn", Location)]
        : [Conv(1, 1, 1, Padding.Valid, "shortcut", Location)];

    public override Shape? InferShape(Shape input, ShapeContext context) => throw Unexpanded();

    public override void EmitForward(Emit.LayerEmitContext context) => throw Unexpanded();

    public override void EmitBackward(Emit.LayerEmitContext context) => throw Unexpanded();

    private InvalidOperationException Unexpanded() =>
        new("Residual use '" + ClassName + "' reached planning unexpanded; BlockExpansion.Expand replaces it by its layers.");
}

/// <summary>
/// How a residual's shortcut maps x to the block's output: the identity, or a projection (a 1×1 Conv2D with
/// <see cref="Size"/> filters and the strides, or a Dense of <see cref="Size"/> units on the last axis).
/// </summary>
internal sealed record ResidualDecision(bool Project, bool Convolution, int Size, int StrideHeight, int StrideWidth)
{
    public static ResidualDecision Identity { get; } = new(false, false, 0, 1, 1);

    /// <summary>
    /// The shortcut for input <paramref name="x"/> and block output <paramref name="y"/>, or null after reporting NDSL1017
    /// (no projection maps one to the other) or NDSL1018 (the shapes differ and <c>Projection = false</c>).
    /// </summary>
    public static ResidualDecision? Decide(Shape x, Shape y, ProjectionMode mode, string describe, LocationInfo? location, ShapeContext context)
    {
        if (x.Equals(y) && mode != ProjectionMode.Always)
            return Identity;
        if (mode == ProjectionMode.Never)
        {
            context.Report(DiagnosticDescriptors.ResidualShapesDiffer, location, describe, x.ToString(), y.ToString());
            return null;
        }
        if (x.Rank == 3 && y.Rank == 3)
        {
            // A 1×1 convolution with stride s gives ⌈H/s⌉ rows: the smallest s that could give H' is ⌈H/H'⌉ (exactly
            // H/H' when H' divides H, and also a 'same' convolution's ⌈H/s⌉ on an odd size).
            int sh = StrideFor(x.Dimensions[0], y.Dimensions[0]), sw = StrideFor(x.Dimensions[1], y.Dimensions[1]);
            if (sh > 0 && sw > 0)
                return new ResidualDecision(true, true, y.Dimensions[2], sh, sw);
            context.Report(DiagnosticDescriptors.ProjectionImpossible, location, describe, x.ToString(), y.ToString(),
                "a 1×1 convolution with stride s turns a size n into ⌈n/s⌉, and no stride turns " + x.Dimensions[0].ToString(CultureInfo.InvariantCulture) + "×" +
                x.Dimensions[1].ToString(CultureInfo.InvariantCulture) + " into " + y.Dimensions[0].ToString(CultureInfo.InvariantCulture) + "×" +
                y.Dimensions[1].ToString(CultureInfo.InvariantCulture) + " (the block's spatial size must divide the input's)");
            return null;
        }
        if (x.Rank == y.Rank && Enumerable.Range(0, x.Rank - 1).All(d => x.Dimensions[d] == y.Dimensions[d]))
            return new ResidualDecision(true, false, y.Last, 1, 1);
        context.Report(DiagnosticDescriptors.ProjectionImpossible, location, describe, x.ToString(), y.ToString(),
            "a projection is a 1×1 Conv2D between (height, width, channels) shapes or a Dense on the last axis, which keeps every other axis");
        return null;
    }

    /// <summary>The stride s with ⌈n/s⌉ = m (the smallest), or 0 when there is none.</summary>
    private static int StrideFor(int n, int m)
    {
        if (m <= 0 || m > n)
            return 0;
        int s = (n + m - 1) / m;
        return (n + s - 1) / s == m ? s : 0;
    }
}

/// <summary>
/// The add of a residual whose shortcut is not decided yet: it reads the block's output and x, decides the shortcut
/// from their shapes (<see cref="ResidualDecision.Decide"/>) and records it in <see cref="ShapeContext.Residuals"/>.
/// It only lives in the probe walk that <see cref="ShapeInference"/> runs for models with residuals (and in the final
/// walk when a decision failed, to report it again); the model that is emitted has the decided layers instead.
/// </summary>
internal sealed record ResidualJoinSpec(string UseName, ProjectionMode Projection, string Use, TensorRef BlockOutput, TensorRef X, LocationInfo? Location)
    : LayerSpec(null, Location)
{
    public override string KerasType => "Add";

    public override string NamePrefix => "add";

    public override string Describe() => "Add";

    public override IReadOnlyList<TensorRef?> Operands => [BlockOutput, X];

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        Shape y = context.OperandShapes[0], x = context.OperandShapes[1];
        ResidualDecision? decision = ResidualDecision.Decide(x, y, Projection, Use, Location, context);
        if (decision is null)
            return null;
        if (!context.ProbingResiduals)
        {
            context.Report(DiagnosticDescriptors.InternalError, Location, context.Model.ClassName, "the shortcut of '" + UseName + "' was not decided before the final walk");
            return null;
        }
        context.Residuals[UseName] = decision;
        return y;
    }

    public override void EmitForward(Emit.LayerEmitContext context) => throw new InvalidOperationException("A residual join is never emitted.");

    public override void EmitBackward(Emit.LayerEmitContext context) => throw new InvalidOperationException("A residual join is never emitted.");
}
