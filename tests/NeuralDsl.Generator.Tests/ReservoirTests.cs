using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Echo state networks (<c>[Reservoir]</c> + <c>[Input]</c> + <c>[Readout]</c>): the generated file as a snapshot
/// (compiled warning-free, cached on an unrelated edit, no compilation objects in the reservoir steps), and the throwing placeholder of a network with
/// errors. The diagnostics' tests are in DiagnosticTests.Reservoir.cs.
/// </summary>
public sealed class ReservoirTests
{
    private static readonly string[] ReservoirSteps = [TrackingNames.ReservoirParse, TrackingNames.ReservoirOutput];

    /// <summary>The sample's network (samples/EchoState): 500 units on the Mackey–Glass series.</summary>
    public const string MackeyGlassSource = """
        using NeuralDsl;

        namespace Samples.EchoState;

        [Reservoir(500, SpectralRadius = 1.25, LeakRate = 0.3, Connectivity = 0.1, InputConnectivity = 0.1, Seed = 42)]
        [Input(1)]
        [Readout(1, Ridge = 1e-7, Warmup = 100)]
        public partial class MackeyGlassEsn;
        """;

    /// <summary>ReservoirPy's defaults everywhere, two features in and three outputs (no closed loop).</summary>
    public const string DefaultsSource = """
        using NeuralDsl;

        [Reservoir(20)]
        [Input(2)]
        [Readout(3)]
        public partial class DefaultEsn;
        """;

    private static void Verify(string source, string test)
    {
        GeneratorRun run = GeneratorHarness.RunModel(source);
        DiagnosticAssert.Exactly(run, GeneratorHarness.Files(source));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertNoForbiddenObjects(run.Result, ReservoirSteps);
        GeneratorHarness.AssertIncrementalCached(() => new ModelGenerator(), ReservoirSteps, GeneratorHarness.Files(source));
        Snapshot.MatchAll(run.Sources, nameof(ReservoirTests) + "." + test);
    }

    [Fact]
    public void MackeyGlass_network_snapshot() => Verify(MackeyGlassSource, "MackeyGlass");

    [Fact]
    public void Defaults_network_snapshot() => Verify(DefaultsSource, "Defaults");

    [Fact]
    public void A_network_with_errors_gets_throwing_members_so_calls_compile()
    {
        const string source = """
            using NeuralDsl;

            [Reservoir(10, LeakRate = 2)]
            [Input(1)]
            [Readout(1)]
            public partial class Broken;

            public static class User
            {
                public static float[] Use()
                {
                    var esn = new Broken(seed: 3);
                    esn.Fit(new float[10], new float[10]);
                    return esn.Run(new float[4]);
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.RunModel(source);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NDSL1021");
        // The placeholder members take the user's calls: the NDSL error is the only one.
        Assert.DoesNotContain(run.OutputDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }
}
