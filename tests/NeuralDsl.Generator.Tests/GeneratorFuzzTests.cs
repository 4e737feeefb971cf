using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// The generator accepts nothing it cannot compile (issue #9 item 5), as a property: random attribute stacks — every
/// layer kind of the generator's registry, random constructors and named arguments, edge values (0, −1,
/// int.MaxValue, NaN, ±∞, null) — on random declarations (names of generated members, keywords, records, non-partial
/// classes, colliding members, a base class with <c>Predict</c>). Each model is either rejected with an NDSL error on
/// one of its attributes or identifiers (and nothing is emitted for it), or its generated code compiles with no error
/// and no warning; the small ones are then loaded and run once (Predict, one TrainStep, SaveWeights/LoadWeights into a
/// second instance that must predict the same). CsCheck shrinks a failing batch to the smallest model that fails.
/// </summary>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    /// <summary>Models per compilation: one generator run, one compilation and one load serve a whole batch.</summary>
    private const int ModelsPerBatch = 16;

    /// <summary>
    /// Batches per run: 250 batches of 1–16 models, about 2,100 models of which about a quarter compile and run.
    /// Measured at 80–85 s of CPU time (2.4–3.5 min wall on a 2-core machine shared at load average 20+); compiling
    /// the accepted models is about three quarters of it.
    /// </summary>
    private const int Batches = 250;

    /// <summary>Models larger than this are compiled but not run, to keep the run-once part cheap.</summary>
    private const int RunLimit = 20_000;

    private static readonly Type[] LayerAttributes = RegisteredLayerAttributes();

    private static Type[] RegisteredLayerAttributes()
    {
        Type registry = typeof(ModelGenerator).Assembly.GetType("NeuralDsl.Generator.Layers.LayerRegistry", throwOnError: true)!;
        var names = (IEnumerable<string>)registry.GetProperty("AttributeNames", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        return [.. names.Select(n => typeof(SequentialAttribute).Assembly.GetType(n, throwOnError: true)!).OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    // ---- Values: mostly valid, with the edges that broke the generator before ----

    private static readonly Gen<string> IntValue = Gen.Frequency<string>(
        (12, Gen.Int[1, 4].Select(Int)),
        (4, Gen.Int[5, 16].Select(Int)),
        (2, Gen.Const("0")),
        (1, Gen.Const("-1")),
        (1, Gen.Const("int.MaxValue")));

    /// <summary>For guided stacks: sizes that mostly fit, the edges rarely.</summary>
    private static readonly Gen<string> SmallIntValue = Gen.Frequency<string>(
        (30, Gen.Int[1, 3].Select(Int)),
        (4, Gen.Int[4, 8].Select(Int)),
        (1, Gen.OneOf("0", "-1", "int.MaxValue")));

    private static readonly Gen<string> DoubleValue = Gen.Frequency<string>(
        (3, Gen.OneOf("0.0", "0.25", "0.5", "0.99", "1e-3", "1.0")),
        (2, Gen.OneOf("-0.1", "2.0", "double.Epsilon", "double.NaN", "double.PositiveInfinity", "double.NegativeInfinity")));

    private static readonly Gen<string> NameValue = Gen.OneOf("null", "\"a\"", "\"head\"", "\"dense\"", "\"dense_1\"", "\"\"", "\"x y\"", "\"Dense1\"");

    /// <summary>Merge operands: none (From or a lone operand), names that exist in most stacks, and ones that do not.</summary>
    private static readonly Gen<string> OperandNames = Gen.Frequency<string>(
        (3, Gen.Const("")),
        (3, Gen.OneOf("\"dense\", \"dense\"", "\"dense\", \"dense_1\"", "\"head\", \"a\"", "\"a\"")),
        (1, Gen.OneOf("null", "\"\"", "\"x y\", \"dense\"")));

    private static readonly Gen<string> TypeValue = Gen.Frequency<string>((6, Gen.Const("typeof(float)")), (3, Gen.Const("typeof(double)")), (1, Gen.Const("typeof(int)")));

    private static readonly Gen<string> Dimensions = Gen.Frequency<string>(
        (20, IntValue.Array[1, 3].Select(items => string.Join(", ", items))),
        (1, Gen.Const("")),
        (1, Gen.Const("null")));

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Gen<string> ValueOf(Type type, bool guided = false)
    {
        if (type == typeof(int))
            return guided ? SmallIntValue : IntValue;
        if (type == typeof(double) || type == typeof(float))
            return DoubleValue;
        if (type == typeof(bool))
            return Gen.OneOf("true", "false");
        if (type == typeof(string))
            return NameValue;
        if (type == typeof(Type))
            return TypeValue;
        if (type == typeof(int[]))
            return Dimensions;
        if (type == typeof(string[]))
            return OperandNames;
        if (type.IsEnum)
        {
            string[] members = [.. Enum.GetNames(type).Select(n => type.Name + "." + n)];
            return Gen.Frequency<string>((12, Gen.OneOf(members)), (1, Gen.OneOf("(" + type.Name + ")99", "(" + type.Name + ")(-1)")));
        }
        throw new NotSupportedException("The fuzzer has no values for " + type + "; add them here.");
    }

    /// <summary><c>Name(args, Named = value, ...)</c> for one of the attribute's constructors and a random subset of its settable properties.</summary>
    private static Gen<string> AttributeOf(Type attribute, bool guided = false)
    {
        string name = attribute.Name[..^"Attribute".Length];
        ConstructorInfo[] constructors = [.. attribute.GetConstructors().OrderBy(c => c.ToString(), StringComparer.Ordinal)];
        PropertyInfo[] settable = [.. attribute.GetProperties().Where(p => p.CanWrite).OrderBy(p => p.Name, StringComparer.Ordinal)];
        // Guided stacks set more properties: their edge values are what a valid-looking model can still get wrong.
        Gen<string> named = Sequence(settable.Select(p => Gen.Frequency<string>(
            (guided ? 1 : 3, Gen.Const("")),
            (1, ValueOf(p.PropertyType, guided).Select(v => p.Name + " = " + v)))));
        Gen<string> positional = Gen.Int[0, constructors.Length - 1]
            .SelectMany(i => Sequence(constructors[i].GetParameters().Select(p => ValueOf(p.ParameterType, guided))));
        return Gen.Select(positional, named, (positional, named) =>
        {
            string arguments = string.Join(", ", new[] { positional, named }.Where(s => s.Length > 0));
            return arguments.Length == 0 ? name : name + "(" + arguments + ")";
        });
    }

    /// <summary>The generated parts joined by ", ", empty parts dropped.</summary>
    private static Gen<string> Sequence(IEnumerable<Gen<string>> parts) =>
        parts.Aggregate(Gen.Const(""), (all, part) => Gen.Select(all, part, (a, b) => a.Length == 0 ? b : b.Length == 0 ? a : a + ", " + b));

    private static readonly Gen<string> Layer = Gen.OneOf<string>([.. LayerAttributes.Select(a => (IGen<string>)AttributeOf(a))]);

    /// <summary>Always with a loss (most models should train), sometimes with an element type and a name.</summary>
    private static readonly Gen<string> Sequential = Gen.Select(
        ValueOf(typeof(SequentialAttribute).Assembly.GetType("NeuralDsl.Loss", throwOnError: true)!),
        Gen.Frequency<string>((3, Gen.Const("")), (1, TypeValue.Select(v => ", ElementType = " + v))),
        Gen.Frequency<string>((5, Gen.Const("")), (1, NameValue.Select(v => ", Name = " + v))),
        (loss, element, name) => "Sequential(Loss = " + loss + element + name + ")");

    private static readonly Gen<string> Declaration = Gen.Select(
        Gen.Frequency<string>((24, Gen.Const("Net")), (1, Gen.OneOf("Predict", "Summary", "Parameters", "DenseKernel", "@class", "@int"))),
        Gen.Frequency<string>((24, Gen.Const("public partial class")), (1, Gen.OneOf("public partial record", "public class", "internal sealed partial class", "public abstract partial class"))),
        Gen.Frequency<string>((24, Gen.Const("")), (1, Gen.Const(" : FuzzBase"))),
        Gen.Frequency<string>((24, Gen.Const(";")), (1, Gen.OneOf(
            "\n{\n    public int InputSize => 1;\n}",
            "\n{\n    public void Predict(int sample) { }\n}",
            "\n{\n    public static int Helper() => 1;\n}",
            "\n{\n    public float[] Predict(System.ReadOnlySpan<float> data) => [];\n}"))),
        // Only valid C#: a record cannot derive from a class, and only Net's members can be named like generated ones
        // without also being named like their class (CS0542 in the user's own code).
        (name, kind, baseClass, body) => kind + " " + name + (kind.Contains("record", StringComparison.Ordinal) ? "" : baseClass) + (name == "Net" ? body : ";"));

    /// <summary>
    /// Guided stacks, so that a good share of models compiles and runs: an input of rank 1–3, layers that take that
    /// rank, then a layer that reduces it to a vector and an optional Dense head. Arguments still include the edges.
    /// </summary>
    private static readonly Dictionary<string, int[]> RanksTaken = new(StringComparer.Ordinal)
    {
        ["Dense"] = [1, 2], ["Activation"] = [1, 2, 3], ["Dropout"] = [1, 2, 3], ["BatchNormalization"] = [1, 2, 3],
        ["LayerNormalization"] = [1, 2, 3],
        ["Conv2D"] = [3], ["MaxPooling2D"] = [3], ["AveragePooling2D"] = [3], ["ZeroPadding2D"] = [3],
        ["Conv1D"] = [2], ["MaxPooling1D"] = [2], ["SimpleRNN"] = [2], ["LSTM"] = [2], ["GRU"] = [2],
        // Reduce to a vector: the stack's tail.
        ["Flatten"] = [], ["GlobalAveragePooling2D"] = [], ["GlobalMaxPooling2D"] = [], ["GlobalAveragePooling1D"] = [], ["GlobalMaxPooling1D"] = [],
        // First layer only (NDSL1010 elsewhere), so never in the middle of a guided stack; wild stacks place it anywhere.
        ["Embedding"] = [],
        // Wraps the recurrent layer written after it (NDSL1012 otherwise): wild stacks place it anywhere.
        ["Bidirectional"] = [],
        // Merges keep the shape (Concatenate widens an axis) and mostly name outputs a stack lacks (NDSL1013).
        ["Add"] = [1, 2, 3], ["Subtract"] = [1, 2, 3], ["Multiply"] = [1, 2, 3], ["Average"] = [1, 2, 3], ["Maximum"] = [1, 2, 3],
        ["Concatenate"] = [1, 2, 3],
        // Blocks name a [Block] class, which a generated stack has none of (NDSL0016): wild stacks only. The ResNet
        // blocks are convolutions on (height, width, channels).
        ["Block"] = [], ["Residual"] = [], ["ResNetBasicBlock"] = [3], ["ResNetBottleneck"] = [3],
        // Sequence layers that keep (steps, features); Key/Value mostly name outputs a stack lacks (NDSL1013).
        ["MultiHeadAttention"] = [2], ["PositionEmbedding"] = [2], ["SinePositionEncoding"] = [2],
        // Takes token ids, first layer only, like Embedding.
        ["TokenAndPositionEmbedding"] = [],
        // One feature vector per node (NDSL1024 otherwise); the driver gives graph models a graph of two nodes.
        ["GraphConv"] = [1],
        // A ready-made block on (steps, model dim) that keeps the shape; a head count not dividing the model dim is NDSL1029.
        ["TransformerEncoder"] = [2],
    };

    private static readonly Dictionary<int, string[]> Reducers = new()
    {
        [1] = ["Flatten"], [2] = ["Flatten", "GlobalAveragePooling1D", "GlobalMaxPooling1D"], [3] = ["Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D"],
    };

    private static Gen<string> GuidedLayer(string name) =>
        AttributeOf(LayerAttributes.Single(t => t.Name == name + "Attribute"), guided: true);

    private static readonly Gen<string> GuidedStack = Gen.Int[1, 3].SelectMany(rank =>
    {
        string[] kinds = [.. RanksTaken.Where(k => k.Value.Contains(rank)).Select(k => k.Key).Order(StringComparer.Ordinal)];
        Gen<string> layer = Gen.OneOf<string>([.. kinds.Select(k => (IGen<string>)GuidedLayer(k))]);
        Gen<string> reducer = Gen.OneOf<string>([.. Reducers[rank].Select(k => (IGen<string>)GuidedLayer(k))]);
        Gen<string> head = Gen.Frequency<string>((1, Gen.Const("")), (3, GuidedLayer("Dense")));
        Gen<string> input = Gen.Select(Gen.Int[2, 9].Array[rank - 1, rank - 1], Gen.Int[1, 4], (spatial, channels) =>
            rank == 1 ? Int(channels * 3) : string.Join(", ", spatial.Select(Int)) + ", " + Int(channels));
        return Gen.Select(input, layer.Array[0, 3], reducer, head, (input, layers, reducer, head) =>
            "[Input(" + input + ")]\n" + string.Concat(layers.Append(reducer).Append(head).Where(l => l.Length > 0).Select(l => "[" + l + "]\n")));
    });

    private static readonly Gen<string> WildStack = Gen.Select(Dimensions, Layer.Array[0, 5], (input, layers) =>
        "[Input(" + input + ")]\n" + string.Concat(layers.Select(l => "[" + l + "]\n")));

    private static readonly Gen<FuzzModel> Model = Gen.Select(
        Gen.Frequency<bool>((30, Gen.Const(true)), (1, Gen.Const(false))),
        Sequential,
        Gen.Frequency<string>((1, WildStack), (1, GuidedStack)),
        Declaration,
        (sequential, sequentialAttribute, stack, declaration) => new FuzzModel(
            (sequential ? "[" + sequentialAttribute + "]\n" : "") + stack, declaration));

    /// <summary>One model: its attribute lines and its class declaration.</summary>
    public sealed record FuzzModel(string Attributes, string Declaration)
    {
        public string Source(int index) =>
            "using NeuralDsl;\n\nnamespace Fuzz" + Int(index) + ";\n\n" + Attributes + Declaration + "\n\n" +
            "public class FuzzBase\n{\n    public void Predict(System.ReadOnlySpan<float> input) { }\n}\n";

        /// <summary>The class identifier as written (<c>@class</c>).</summary>
        public string ClassName => Declaration.Split(' ', ';', '\n', ':').Where(w => w.Length > 0).SkipWhile(w => w is "public" or "internal" or "sealed" or "abstract" or "partial" or "class" or "record").First();

        /// <summary>An Embedding or TokenAndPositionEmbedding model reads token ids: 0 is valid for every vocabulary size.</summary>
        public bool TakesTokenIds => Attributes.Contains("[Embedding(", StringComparison.Ordinal) ||
            Attributes.Contains("[TokenAndPositionEmbedding(", StringComparison.Ordinal);

        public string ElementType => Attributes.Contains("ElementType = typeof(double)", StringComparison.Ordinal) ? "double" : "float";

        public bool HasLoss => Attributes.Contains("Loss = Loss.", StringComparison.Ordinal) && !Attributes.Contains("Loss = Loss.None", StringComparison.Ordinal);

        public override string ToString() => Attributes + Declaration;
    }

    /// <summary>How many models the property saw end in each way (a fuzzer that rejects everything tests little).</summary>
    private sealed class Tally
    {
        public int Models, Rejected, Compiled, Ran;
        public long GenerateTicks, CompileTicks, RunTicks;
    }

    [Fact]
    public void Every_registered_layer_kind_is_fuzzed_in_guided_stacks()
    {
        Assert.Equal(LayerAttributes.Select(t => t.Name[..^"Attribute".Length]).Order(StringComparer.Ordinal), RanksTaken.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Random_attribute_stacks_are_rejected_on_an_attribute_or_compile_warning_free_and_run()
    {
        var tally = new Tally();
        Model.Array[1, ModelsPerBatch].Sample(batch => CheckBatch(batch, tally), iter: Batches, threads: 1,
            print: batch => "\n" + string.Join("\n---\n", batch.Select(m => m.ToString())));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{tally.Models} models: {tally.Rejected} rejected, {tally.Compiled} compiled, {tally.Ran} run; generator {tally.GenerateTicks / 10_000} ms, compile {tally.CompileTicks / 10_000} ms, run {tally.RunTicks / 10_000} ms"));
    }

    private static void CheckBatch(FuzzModel[] batch, Tally tally)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        SourceFile[] files = [.. batch.Select((m, i) => new SourceFile("Model" + Int(i) + ".cs", m.Source(i)))];
        GeneratorRun run = GeneratorHarness.RunModel(files);
        GeneratorHarness.AssertGeneratorDidNotThrow(run);
        long generated = System.Diagnostics.Stopwatch.GetTimestamp();

        var emitted = new List<int>();
        for (int i = 0; i < batch.Length; i++)
        {
            string path = files[i].Path;
            List<Diagnostic> reported = [.. run.GeneratorDiagnostics.Where(d => d.Location.GetLineSpan().Path == path)];
            foreach (Diagnostic d in reported)
            {
                Assert.True(d.Id.StartsWith("NDSL", StringComparison.Ordinal) && d.Id != "NDSL2000",
                    "Unexpected generator diagnostic:\n" + GeneratorHarness.Describe([d]) + "in\n" + batch[i]);
                Assert.True(IsOnAttributeOrIdentifier(d), "Not on an attribute or identifier:\n" + GeneratorHarness.Describe([d]) + "in\n" + batch[i]);
            }
            string[] sources = [.. run.Sources.Where(s => s.Key.StartsWith("Fuzz" + Int(i) + ".", StringComparison.Ordinal)).Select(s => s.Value)];
            bool hasSource = sources.Length > 0;
            if (reported.Any(d => d.Severity == DiagnosticSeverity.Error))
                Assert.True(sources.All(GeneratorHarness.IsPlaceholder), "Emitted code for a model reported with an error:\n" + batch[i]);
            else if (hasSource)
                emitted.Add(i);
        }
        Assert.True(run.GeneratorDiagnostics.All(d => d.Location.IsInSource), "A diagnostic outside the sources:\n" + GeneratorHarness.Describe(run.GeneratorDiagnostics));
        AssertUnrejectedModelsWereEmitted(batch, files, run, emitted);

        // Generated code and the driver must compile with no error anywhere and no warning in generated or driver code.
        SyntaxTree driver = CSharpSyntaxTree.ParseText(Driver(batch, emitted), GeneratorHarness.ParseOptions, "Driver.cs");
        Compilation output = run.OutputCompilation.AddSyntaxTrees(driver).WithOptions(run.OutputCompilation.Options.WithConcurrentBuild(true));
        var checkedTrees = new HashSet<SyntaxTree>(run.GeneratedTrees) { driver };
        using var image = new MemoryStream();
        EmitResult result = output.Emit(image);
        var problems = result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } t && checkedTrees.Contains(t)))
            .ToList();
        Assert.True(problems.Count == 0 && result.Success, "Accepted models do not compile cleanly:\n" + GeneratorHarness.Describe(problems)
            + "in\n" + string.Join("\n---\n", problems.Select(p => p.Location.SourceTree?.FilePath).Distinct().Select(f => f is not null && f.StartsWith("Model", StringComparison.Ordinal)
                ? batch[int.Parse(f["Model".Length..^3], CultureInfo.InvariantCulture)].ToString() : f)));

        long compiled = System.Diagnostics.Stopwatch.GetTimestamp();
        int ran = RunOnce(batch, emitted, image.ToArray());

        lock (tally)
        {
            tally.Models += batch.Length;
            tally.Compiled += emitted.Count;
            tally.Rejected += batch.Length - emitted.Count;
            tally.Ran += ran;
            tally.GenerateTicks += System.Diagnostics.Stopwatch.GetElapsedTime(start, generated).Ticks;
            tally.CompileTicks += System.Diagnostics.Stopwatch.GetElapsedTime(generated, compiled).Ticks;
            tally.RunTicks += System.Diagnostics.Stopwatch.GetElapsedTime(compiled).Ticks;
        }
    }

    /// <summary>A model without an error and with [Sequential] on a partial class is emitted; one without [Sequential] is not.</summary>
    private static void AssertUnrejectedModelsWereEmitted(FuzzModel[] batch, SourceFile[] files, GeneratorRun run, List<int> emitted)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            bool rejected = run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Location.GetLineSpan().Path == files[i].Path);
            bool declaredAsModel = batch[i].Attributes.StartsWith("[Sequential", StringComparison.Ordinal) && batch[i].Declaration.Contains("partial class", StringComparison.Ordinal);
            if (!rejected && declaredAsModel)
                Assert.True(emitted.Contains(i), "Neither emitted nor reported:\n" + batch[i]);
            // Without [Sequential], NDSL0012, unless a [Block] mark (no typeof) makes the class a block definition.
            if (!batch[i].Attributes.StartsWith("[Sequential", StringComparison.Ordinal)
                && !System.Text.RegularExpressions.Regex.IsMatch(batch[i].Attributes, @"\[Block(\]|\((?!typeof))"))
            {
                Assert.DoesNotContain(i, emitted);
                Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NDSL0012" && d.Location.GetLineSpan().Path == files[i].Path);
            }
        }
    }

    /// <summary>Inside an attribute, or exactly a declaration's identifier (class or member).</summary>
    private static bool IsOnAttributeOrIdentifier(Diagnostic d)
    {
        SyntaxNode root = d.Location.SourceTree!.GetRoot();
        SyntaxNode node = root.FindNode(d.Location.SourceSpan);
        if (node.AncestorsAndSelf().Any(n => n is AttributeSyntax))
            return true;
        SyntaxToken token = root.FindToken(d.Location.SourceSpan.Start);
        return token.IsKind(SyntaxKind.IdentifierToken) && token.Span == d.Location.SourceSpan
            && token.Parent is BaseTypeDeclarationSyntax or MemberDeclarationSyntax or VariableDeclaratorSyntax;
    }

    /// <summary>
    /// One <c>DriverN.Run(path)</c> per emitted model: Predict on a batch of two, one TrainStep (when there is a loss),
    /// SaveWeights, LoadWeights into a second instance with another seed, and the same Predict from both.
    /// </summary>
    private static string Driver(FuzzModel[] batch, List<int> emitted)
    {
        // The size guard folds to a constant (CS0162), and the test assembly needs no XML docs (CS1591).
        var text = new StringBuilder("#nullable enable\n#pragma warning disable CS0162, CS1591\nusing NeuralDsl;\n\n");
        foreach (int i in emitted)
        {
            FuzzModel m = batch[i];
            if (m.Declaration.Contains("abstract", StringComparison.Ordinal))
                continue; // compiled, but there is nothing to instantiate
            string type = "global::Fuzz" + Int(i) + "." + m.ClassName;
            string t = m.ElementType;
            text.Append("public static class Driver").Append(Int(i)).Append("\n{\n")
                .Append("    public static bool Run(string path)\n    {\n")
                .Append("        if (").Append(type).Append(".ParameterCount > ").Append(Int(RunLimit)).Append(" || ").Append(type).Append(".InputSize > ").Append(Int(RunLimit))
                .Append(" || ").Append(type).Append(".OutputSize > ").Append(Int(RunLimit)).Append(")\n            return false;\n")
                .Append("        var model = new ").Append(type).Append("(seed: 1);\n")
                // A GraphConv model runs on its graph, one row per node: the batch of two is a graph of two nodes.
                .Append("        if ((object)model is global::NeuralDsl.IGraphModel graph)\n            graph.SetGraph(global::NeuralDsl.GraphAdjacency.FromEdges(2, [(0, 1)]));\n")
                .Append("        var x = new ").Append(t).Append("[2 * ").Append(type).Append(".InputSize];\n")
                .Append("        for (int k = 0; k < x.Length; k++)\n            x[k] = (").Append(t).Append(m.TakesTokenIds ? ")0;\n" : ")((k % 7) * 0.25 - 0.75);\n")
                .Append("        ").Append(t).Append("[] first = model.Predict(x);\n");
            if (m.HasLoss)
            {
                text.Append("        model.TrainStep(x, new ").Append(t).Append("[2 * ").Append(type).Append(".TargetSize], new Sgd(0.01));\n");
            }
            text.Append("        model.SaveWeights(path);\n")
                .Append("        var copy = new ").Append(type).Append("(seed: 2);\n")
                .Append("        copy.LoadWeights(path);\n")
                .Append("        if ((object)copy is global::NeuralDsl.IGraphModel copyGraph)\n            copyGraph.SetGraph(((global::NeuralDsl.IGraphModel)(object)model).Graph!);\n")
                .Append("        ").Append(t).Append("[] trained = model.Predict(x), loaded = copy.Predict(x);\n")
                .Append("        if (first.Length != 2 * ").Append(type).Append(".OutputSize || !global::System.MemoryExtensions.SequenceEqual<").Append(t).Append(">(trained, loaded))\n")
                .Append("            throw new global::System.InvalidOperationException(\"The loaded copy predicts differently.\");\n")
                .Append("        return true;\n    }\n}\n\n");
        }
        return text.ToString();
    }

    /// <summary>Runs each emitted model's driver; returns how many were small enough to run.</summary>
    private static int RunOnce(FuzzModel[] batch, List<int> emitted, byte[] image)
    {
        if (emitted.Count == 0)
            return 0;
        int ran = 0;
        var context = new AssemblyLoadContext("ndsl-fuzz-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        string directory = Path.Combine(Path.GetTempPath(), "ndsl-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            Assembly assembly = context.LoadFromStream(new MemoryStream(image));
            foreach (int i in emitted)
            {
                if (assembly.GetType("Driver" + Int(i))?.GetMethod("Run") is not { } run)
                    continue; // abstract
                try
                {
                    if ((bool)run.Invoke(null, [Path.Combine(directory, "model" + Int(i) + ".safetensors")])!)
                        ran++;
                }
                catch (TargetInvocationException ex)
                {
                    Assert.Fail("Running an accepted model failed: " + ex.InnerException + "\nin\n" + batch[i]);
                }
            }
        }
        finally
        {
            context.Unload();
            Directory.Delete(directory, recursive: true);
        }
        return ran;
    }
}
