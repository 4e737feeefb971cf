extern alias generator;

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

// Inside the namespace, so they win over the two NeuralDsl.Activation types (the runtime's and the generator's copy).
using Activation = generator::NeuralDsl.Activation;
using Initializer = generator::NeuralDsl.Initializer;
using Loss = generator::NeuralDsl.Loss;
using Padding = generator::NeuralDsl.Padding;

/// <summary>
/// Emitter-level snapshots (<c>Snapshots/EmitterSnapshotTests.{Test}.verified.cs</c>): plans written out by hand — every
/// shape, name and offset literal, no source parsing and no shape inference — go straight to
/// <see cref="ModelEmitter"/>, so a change in what the emitter writes shows up here as a readable diff whatever the
/// parser and the planner do. Each emitted file must also compile warning-free against the runtime.
/// </summary>
public sealed class EmitterSnapshotTests
{
    private const string Version = "1.0.0";

    /// <summary>
    /// Input(6) → Dense(40, ReLU) "hidden" (too large for registers: GEMM calls) → Dense(1, Sigmoid) "score" (a 40-wide
    /// dot product in registers), binary cross-entropy fused with the sigmoid.
    /// </summary>
    [Fact]
    public void Dense_plan()
    {
        var hidden = new DenseSpec(40, Activation.ReLU, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros, "hidden", null);
        var score = new DenseSpec(1, Activation.Sigmoid, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros, "score", null);
        ModelSpec spec = Spec("DensePlan", Loss.BinaryCrossEntropy, new Shape(6), hidden, score);
        ModelPlan plan = new(spec,
            Layers(
                new PlannedLayer(0, "hidden", hidden, new Shape(6), new Shape(40), Parameters(
                    new PlannedParameter("hidden.kernel", new ParameterSpec("kernel", Dimensions(6, 40), Initializer.GlorotUniform, 6, 40), 0),
                    new PlannedParameter("hidden.bias", new ParameterSpec("bias", Dimensions(40), Initializer.Zeros, 6, 40), 240))),
                new PlannedLayer(1, "score", score, new Shape(40), new Shape(1), Parameters(
                    new PlannedParameter("score.kernel", new ParameterSpec("kernel", Dimensions(40, 1), Initializer.GlorotUniform, 40, 1), 280),
                    new PlannedParameter("score.bias", new ParameterSpec("bias", Dimensions(1), Initializer.Zeros, 40, 1), 320)))),
            new Shape(1), parameterCount: 321, stateCount: 0);

        VerifyEmitted(plan, nameof(EmitterSnapshotTests) + "." + nameof(Dense_plan));
    }

    /// <summary>
    /// Input(6, 6, 2) → Conv2D(4, 3×3, ReLU) "conv" (a 18-value patch: direct loops, fused bias and ReLU) → Flatten
    /// (a view) → Dense(1) "out", mean squared error.
    /// </summary>
    [Fact]
    public void Conv_plan()
    {
        var conv = new Conv2DSpec(4, 3, 3, Activation.ReLU, 1, 1, 1, Padding.Valid, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros,
            "conv", null);
        var flatten = new FlattenSpec("flatten", null);
        var output = new DenseSpec(1, Activation.Linear, UseBias: true, Initializer.GlorotUniform, Initializer.Zeros, "out", null);
        ModelSpec spec = Spec("ConvPlan", Loss.MeanSquaredError, new Shape(6, 6, 2), conv, flatten, output);
        ModelPlan plan = new(spec,
            Layers(
                new PlannedLayer(0, "conv", conv, new Shape(6, 6, 2), new Shape(4, 4, 4), Parameters(
                    new PlannedParameter("conv.kernel", new ParameterSpec("kernel", Dimensions(3, 3, 2, 4), Initializer.GlorotUniform, 18, 36), 0),
                    new PlannedParameter("conv.bias", new ParameterSpec("bias", Dimensions(4), Initializer.Zeros, 18, 36), 72))),
                new PlannedLayer(1, "flatten", flatten, new Shape(4, 4, 4), new Shape(64), Parameters()),
                new PlannedLayer(2, "out", output, new Shape(64), new Shape(1), Parameters(
                    new PlannedParameter("out.kernel", new ParameterSpec("kernel", Dimensions(64, 1), Initializer.GlorotUniform, 64, 1), 76),
                    new PlannedParameter("out.bias", new ParameterSpec("bias", Dimensions(1), Initializer.Zeros, 64, 1), 140)))),
            new Shape(1), parameterCount: 141, stateCount: 0);

        VerifyEmitted(plan, nameof(EmitterSnapshotTests) + "." + nameof(Conv_plan));
    }

    private static ModelSpec Spec(string className, Loss loss, Shape input, params LayerSpec[] layers) =>
        new("Samples.Plans", className, "Samples.Plans." + className, className, ElementKind.Float, loss, input, new EquatableArray<LayerSpec>(layers),
            Location: null, InputLocation: null, IdentifierLocation: null, Members: default);

    private static EquatableArray<PlannedLayer> Layers(params PlannedLayer[] layers) => new(layers);

    private static EquatableArray<PlannedParameter> Parameters(params PlannedParameter[] parameters) => new(parameters);

    private static EquatableArray<int> Dimensions(params int[] dimensions) => new(dimensions);

    private static void VerifyEmitted(ModelPlan plan, string name)
    {
        string text = ModelEmitter.Emit(plan, Version);

        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([new SourceFile(ModelEmitter.HintName(plan), text)]);
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "The emitted file does not compile cleanly:\n" + GeneratorHarness.Describe(problems));

        Snapshot.Match(text, name);
    }
}
