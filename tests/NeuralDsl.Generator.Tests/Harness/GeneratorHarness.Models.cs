using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace NeuralDsl.Generator.Tests.Harness;

/// <summary>The NeuralDsl <see cref="ModelGenerator"/> through the generic harness.</summary>
public static partial class GeneratorHarness
{
    /// <summary>The tracked steps every model test checks (the Diagnostics branch is checked through what it reports).</summary>
    public static readonly IReadOnlyList<string> ModelSteps = [TrackingNames.Parse, TrackingNames.Plan, TrackingNames.Output];

    /// <summary>Runs the model generator over sources named <c>Model0.cs</c>, <c>Model1.cs</c>, ...</summary>
    public static GeneratorRun RunModel(params string[] sources) => Run(new ModelGenerator(), Files(sources));

    /// <summary>Runs the model generator over <paramref name="files"/>.</summary>
    public static GeneratorRun RunModel(IEnumerable<SourceFile> files) => Run(new ModelGenerator(), files);

    /// <summary>
    /// Every Parse/Plan/Output output is Cached or Unchanged after <c>Clone()</c> and after adding an unrelated file,
    /// the source outputs are Cached, and no step output holds compilation objects.
    /// </summary>
    public static void AssertIncrementalCached(string source) =>
        AssertIncrementalCached(() => new ModelGenerator(), ModelSteps, Files(source));

    /// <summary><see cref="AssertNoForbiddenObjects(Microsoft.CodeAnalysis.GeneratorRunResult, IReadOnlyList{string})"/> over the model steps.</summary>
    public static void AssertNoForbiddenObjects(GeneratorRun run) => AssertNoForbiddenObjects(run.Result, ModelSteps);

    /// <summary>
    /// Emits the output compilation, loads it into a collectible context (the NeuralDsl runtime resolves to the copy
    /// the tests already loaded) and passes the named type to <paramref name="use"/>.
    /// </summary>
    public static void WithLoadedType(GeneratorRun run, string typeName, Action<Type> use)
    {
        byte[] image = EmitAssembly(run);
        var context = new AssemblyLoadContext("ndsl-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(new MemoryStream(image));
            Type type = assembly.GetType(typeName) ?? throw new InvalidOperationException($"'{typeName}' is not in the emitted assembly: "
                + string.Join(", ", assembly.GetTypes().Select(t => t.FullName)));
            use(type);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The value of a public constant of a generated type.</summary>
    public static object? Constant(Type type, string name)
    {
        FieldInfo? field = type.GetField(name, BindingFlags.Public | BindingFlags.Static);
        Assert.True(field is { IsLiteral: true }, $"{type.Name}.{name} is not a public constant.");
        return field!.GetRawConstantValue();
    }
}
