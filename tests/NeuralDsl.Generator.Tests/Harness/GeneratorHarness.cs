using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NeuralDsl.Generator.Tests.Harness;

/// <summary>One source file of a test compilation.</summary>
public sealed record SourceFile(string Path, string Text);

/// <summary>Everything one generator run produced.</summary>
public sealed class GeneratorRun
{
    private readonly Lazy<ImmutableArray<Diagnostic>> _outputDiagnostics;

    internal GeneratorRun(CSharpCompilation input, Compilation output, GeneratorDriver driver, ImmutableArray<Diagnostic> driverDiagnostics)
    {
        InputCompilation = input;
        OutputCompilation = output;
        Driver = driver;
        Result = driver.GetRunResult().Results.Single();
        GeneratorDiagnostics = driverDiagnostics;
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (GeneratedSourceResult source in Result.GeneratedSources)
        {
            sources.Add(source.HintName, source.SourceText.ToString());
        }

        Sources = sources;
        _outputDiagnostics = new Lazy<ImmutableArray<Diagnostic>>(() => OutputCompilation.GetDiagnostics());
    }

    /// <summary>The compilation the generator ran on.</summary>
    public CSharpCompilation InputCompilation { get; }

    /// <summary>The input plus the generated trees.</summary>
    public Compilation OutputCompilation { get; }

    /// <summary>The driver after the run (run it again for incremental tests).</summary>
    public GeneratorDriver Driver { get; }

    /// <summary>The single generator's result (tracked steps, generated sources, exception).</summary>
    public GeneratorRunResult Result { get; }

    /// <summary>Generated files: hint name → text, in ordinal hint order.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>What the generator reported, plus driver diagnostics such as CS8785 (a generator exception).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>The output compilation's diagnostics (computed on first use).</summary>
    public ImmutableArray<Diagnostic> OutputDiagnostics => _outputDiagnostics.Value;

    /// <summary>The generated syntax trees.</summary>
    public IEnumerable<SyntaxTree> GeneratedTrees => Result.GeneratedSources.Select(s => s.SyntaxTree);
}

/// <summary>
/// Builds test compilations (Basic.Reference.Assemblies net10.0 + the NeuralDsl runtime + System.Numerics.Tensors),
/// drives incremental generators with step tracking, and checks their output: compiles warning-free, caches across
/// equivalent compilations, and holds no compilation objects in its pipeline.
/// </summary>
public static partial class GeneratorHarness
{
    /// <summary>C# preview (14 on this SDK), documentation comments parsed and diagnosed like a documented library.</summary>
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Preview, DocumentationMode.Diagnose, SourceCodeKind.Regular);

    /// <summary>A library with nullable reference types on and every warning wave enabled.</summary>
    public static readonly CSharpCompilationOptions CompilationOptions =
        new(OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: 9999,
            deterministic: true,
            concurrentBuild: false);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The metadata references every test compilation gets.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var references = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        var names = new HashSet<string>(
            references.OfType<PortableExecutableReference>().Select(r => System.IO.Path.GetFileNameWithoutExtension(r.FilePath ?? r.Display ?? string.Empty)),
            StringComparer.OrdinalIgnoreCase);

        // The runtime carries the attributes and the kernels the generated code calls; TensorPrimitives/Tensor<T>
        // come from the System.Numerics.Tensors package (not part of the reference pack).
        foreach (System.Reflection.Assembly assembly in new[] { typeof(SequentialAttribute).Assembly, typeof(System.Numerics.Tensors.TensorPrimitives).Assembly })
        {
            if (names.Add(assembly.GetName().Name!))
            {
                references.Add(MetadataReference.CreateFromFile(assembly.Location));
            }
        }

        return [.. references];
    }

    /// <summary>Source files named <c>Model0.cs</c>, <c>Model1.cs</c>, ...</summary>
    public static SourceFile[] Files(params string[] sources) =>
        [.. sources.Select((text, i) => new SourceFile($"Model{i}.cs", text))];

    /// <summary>Parses one file with <see cref="ParseOptions"/>.</summary>
    public static SyntaxTree Parse(SourceFile file) =>
        CSharpSyntaxTree.ParseText(SourceText.From(file.Text, Encoding.UTF8), ParseOptions, file.Path);

    /// <summary>A compilation of <paramref name="files"/> with the shared references.</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<SourceFile> files, string assemblyName = "NeuralDslTestModels") =>
        CSharpCompilation.Create(assemblyName, files.Select(Parse), References, CompilationOptions);

    /// <summary>A driver with step tracking on and no outputs disabled.</summary>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator) =>
        CSharpGeneratorDriver.Create(
            [generator.AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs <paramref name="generator"/> once over <paramref name="files"/>.</summary>
    public static GeneratorRun Run(IIncrementalGenerator generator, IEnumerable<SourceFile> files) =>
        Run(CreateDriver(generator), CreateCompilation(files));

    /// <summary>Runs <paramref name="driver"/> (fresh or from an earlier run) over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        GeneratorDriver after = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(compilation, output, after, diagnostics);
    }

    /// <summary>
    /// The generator did not throw (no CS8785, no exception), emitted at least one file, and the output compiles and
    /// emits with no error anywhere and no warning inside a generated file. Failures list each diagnostic with the
    /// generated line it points at.
    /// </summary>
    public static void AssertCompilesWithoutErrorsOrWarnings(GeneratorRun run)
    {
        AssertGeneratorDidNotThrow(run);
        Assert.True(run.Sources.Count > 0, "The generator emitted no files.\n" + Describe(run.GeneratorDiagnostics));

        var generated = new HashSet<SyntaxTree>(run.GeneratedTrees);
        EmitResult emit;
        using (var pe = new MemoryStream())
        {
            emit = run.OutputCompilation.Emit(pe);
        }

        var problems = emit.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generated.Contains(tree)))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToList();
        Assert.True(problems.Count == 0 && emit.Success, "The generated code does not compile cleanly:\n" + Describe(problems));
    }

    /// <summary>
    /// Whatever the generator emitted compiles: no error or warning inside a generated file (the user's own files may
    /// be broken on purpose). Vacuously true when nothing was emitted.
    /// </summary>
    public static void AssertGeneratedFilesClean(GeneratorRun run)
    {
        var generated = new HashSet<SyntaxTree>(run.GeneratedTrees);
        var problems = run.OutputDiagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generated.Contains(tree))
            .ToList();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + Describe(problems));
    }

    /// <summary>True for the file a model with errors gets instead of its code: its public members, each throwing.</summary>
    public static bool IsPlaceholder(string generatedText) =>
        generatedText.Contains("Every member throws until they are fixed.", StringComparison.Ordinal);

    /// <summary>
    /// Nothing but placeholders was emitted (a model with errors gets no code), and they compile without an error or a
    /// warning of their own.
    /// </summary>
    public static void AssertOnlyPlaceholders(GeneratorRun run)
    {
        Assert.All(run.Sources, source => Assert.True(IsPlaceholder(source.Value), "Generated code for a model with errors: " + source.Key));
        AssertGeneratedFilesClean(run);
    }

    /// <summary>No generator exception and no CS8785 (generator failed) / CS8784 (initialization failed).</summary>
    public static void AssertGeneratorDidNotThrow(GeneratorRun run)
    {
        Assert.True(run.Result.Exception is null, "The generator threw: " + run.Result.Exception);
        var crashes = run.GeneratorDiagnostics.Where(d => d.Id is "CS8784" or "CS8785").ToList();
        Assert.True(crashes.Count == 0, "The generator failed:\n" + Describe(crashes));
    }

    /// <summary>Emits the output compilation to an assembly image (asserting success).</summary>
    public static byte[] EmitAssembly(GeneratorRun run)
    {
        using var pe = new MemoryStream();
        EmitResult emit = run.OutputCompilation.Emit(pe);
        Assert.True(emit.Success, "Emit failed:\n" + Describe(emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return pe.ToArray();
    }

    /// <summary>
    /// Runs once, then again on an equivalent compilation (<c>Clone()</c>) and on one with an unrelated file added:
    /// every tracked output of <paramref name="trackedSteps"/> must be Cached or Unchanged, every source-output step
    /// Cached, and the generated text identical. Each run's step outputs are also walked for forbidden objects.
    /// </summary>
    public static void AssertIncrementalCached(Func<IIncrementalGenerator> generator, IReadOnlyList<string> trackedSteps, IEnumerable<SourceFile> files)
    {
        CSharpCompilation compilation = CreateCompilation(files);
        GeneratorRun first = Run(CreateDriver(generator()), compilation);
        AssertGeneratorDidNotThrow(first);
        AssertStepsPresent(first.Result, trackedSteps);
        AssertNoForbiddenObjects(first.Result, trackedSteps);

        var unrelated = Parse(new SourceFile("Unrelated.cs", "namespace Elsewhere;\n\ninternal static class Unrelated\n{\n    public static int Answer => 42;\n}\n"));
        var variants = new (string Name, CSharpCompilation Compilation)[]
        {
            ("compilation.Clone()", (CSharpCompilation)compilation.Clone()),
            ("an unrelated file added", compilation.AddSyntaxTrees(unrelated)),
        };

        foreach ((string name, CSharpCompilation next) in variants)
        {
            GeneratorRun second = Run(first.Driver, next);
            AssertGeneratorDidNotThrow(second);
            AssertStepsPresent(second.Result, trackedSteps);
            AssertNoForbiddenObjects(second.Result, trackedSteps);

            var problems = new List<string>();
            foreach (string step in trackedSteps)
            {
                problems.AddRange(
                    StepOutputs(second.Result, step)
                        .Where(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                        .Select(o => $"{step}: {o.Reason} ({o.Value})"));
            }

            foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> output in second.Result.TrackedOutputSteps)
            {
                problems.AddRange(
                    output.Value.SelectMany(s => s.Outputs)
                        .Where(o => o.Reason != IncrementalStepRunReason.Cached)
                        .Select(o => $"{output.Key}: {o.Reason}"));
            }

            Assert.True(problems.Count == 0, $"After {name} the pipeline re-ran:\n  " + string.Join("\n  ", problems));
            Assert.Equal(first.Sources, second.Sources);
        }
    }

    /// <summary>The outputs (value, reason) of every run of step <paramref name="name"/>; empty if it did not run.</summary>
    public static IEnumerable<(object Value, IncrementalStepRunReason Reason)> StepOutputs(GeneratorRunResult result, string name) =>
        result.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps)
            ? steps.SelectMany(s => s.Outputs)
            : [];

    /// <summary>Each named step ran and produced at least one output (a test over a missing step would pass vacuously).</summary>
    public static void AssertStepsPresent(GeneratorRunResult result, IReadOnlyList<string> trackedSteps)
    {
        foreach (string step in trackedSteps)
        {
            Assert.True(
                StepOutputs(result, step).Any(),
                $"Tracked step '{step}' did not run or produced nothing; tracked steps: {string.Join(", ", result.TrackedSteps.Keys.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>
    /// No output of the named steps reaches a Compilation, ISymbol, SyntaxNode, SemanticModel, Location, SyntaxTree
    /// (or AttributeData/SyntaxReference/token/trivia). Source-output steps are not walked: their tracked values are
    /// Roslyn's own (generated texts and reported <see cref="Diagnostic"/>s, which rightly hold locations).
    /// </summary>
    public static void AssertNoForbiddenObjects(GeneratorRunResult result, IReadOnlyList<string> trackedSteps)
    {
        var findings = new List<string>();
        foreach (string step in trackedSteps)
        {
            int index = 0;
            foreach ((object value, _) in StepOutputs(result, step))
            {
                findings.AddRange(ObjectGraph.FindForbidden(value, $"{step}[{index++}]"));
            }
        }

        Assert.True(findings.Count == 0, "Pipeline values hold compilation objects:\n  " + string.Join("\n  ", findings));
    }

    /// <summary>One line per diagnostic: id, severity, file(line,col), message, and the source line it points at.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        foreach (Diagnostic d in diagnostics)
        {
            FileLinePositionSpan span = d.Location.GetLineSpan();
            text.Append("  ").Append(d.Id).Append(' ').Append(d.Severity).Append(' ')
                .Append(span.Path).Append('(').Append(span.StartLinePosition.Line + 1).Append(',').Append(span.StartLinePosition.Character + 1)
                .Append("): ").Append(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            if (d.Location.SourceTree is { } tree && span.StartLinePosition.Line < tree.GetText().Lines.Count)
            {
                text.Append("      | ").Append(tree.GetText().Lines[span.StartLinePosition.Line].ToString().Trim()).Append('\n');
            }
        }

        return text.Length == 0 ? "  (none)\n" : text.ToString();
    }
}
