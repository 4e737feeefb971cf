using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Snapshots of generated <c>[Perceptron]</c> classes (<c>Snapshots/PerceptronSnapshotTests.{Test}#{Hint}.verified.cs</c>),
/// each compiled warning-free and re-run for caching; and the member list the collision check uses, held to the
/// members a compiled perceptron really has.
/// </summary>
public sealed class PerceptronSnapshotTests
{
    private static readonly IReadOnlyList<string> PerceptronSteps = [TrackingNames.PerceptronParse, TrackingNames.PerceptronOutput];

    /// <summary>The seed's example: a binary perceptron with scikit-learn's defaults.</summary>
    public const string SeedSource = """
        using NeuralDsl;

        namespace Samples.Perceptron;

        [Perceptron(2, Tol = 1e-3)]
        [Input(2)]
        public partial class SeedPerceptron;
        """;

    /// <summary>Ten classes (one-vs-rest) with every setting away from its default, and a user summary.</summary>
    public const string TunedSource = """
        using NeuralDsl;

        /// <summary>Digits, one-vs-rest.</summary>
        [Perceptron(10, Penalty = Penalty.ElasticNet, Alpha = 0.001, L1Ratio = 0.5, FitIntercept = false, MaxIter = 50,
            Tol = double.NaN, NIterNoChange = 3, Shuffle = false, Eta0 = 0.5, EarlyStopping = true, ValidationFraction = 0.2,
            ClassWeights = new[] { 1.0, 2.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5 })]
        [Input(64)]
        internal partial class DigitsPerceptron;
        """;

    private static void Verify(string source, [CallerMemberName] string test = "")
    {
        GeneratorRun run = GeneratorHarness.RunModel(source);
        DiagnosticAssert.Exactly(run, GeneratorHarness.Files(source));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertNoForbiddenObjects(run.Result, PerceptronSteps);
        GeneratorHarness.AssertIncrementalCached(() => new ModelGenerator(), PerceptronSteps, GeneratorHarness.Files(source));
        Snapshot.MatchAll(run.Sources, nameof(PerceptronSnapshotTests) + "." + test);
    }

    [Fact]
    public void Seed() => Verify(SeedSource);

    [Fact]
    public void TunedDigits() => Verify(TunedSource);

    [Fact]
    public void Placeholder_for_a_perceptron_with_errors()
    {
        const string source = """
            using NeuralDsl;

            [Perceptron(1)]
            [Input(4)]
            public partial class Broken;

            public static class Use
            {
                public static int Call()
                {
                    var model = new Broken(seed: 1);
                    model.Fit(new double[4], new int[1]);
                    return model.Predict(new double[4]) + Broken.Features;
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.RunModel(source);
        Assert.Equal(["NDSL0018"], run.GeneratorDiagnostics.Select(d => d.Id));
        GeneratorHarness.AssertOnlyPlaceholders(run);
        // The user's calls compile against the placeholder: the NDSL0018 error is the only one.
        Assert.DoesNotContain(run.OutputDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Snapshot.MatchAll(run.Sources, nameof(PerceptronSnapshotTests) + ".Placeholder");
    }

    [Fact]
    public void A_user_member_named_like_a_generated_one_is_NDSL0011_and_nothing_is_emitted()
    {
        const string source = """
            using NeuralDsl;

            [Perceptron(2)]
            [Input(4)]
            public partial class Clash
            {
                public int NIter => 3;
            }
            """;
        GeneratorRun run = GeneratorHarness.RunModel(source);
        Assert.Equal(["NDSL0011"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void The_collision_list_is_the_public_members_a_perceptron_has()
    {
        GeneratorRun run = GeneratorHarness.RunModel(SeedSource);
        GeneratorHarness.WithLoadedType(run, "Samples.Perceptron.SeedPerceptron", type =>
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            string[] declared = [.. type.GetMembers(all)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Select(m => m.MemberType == MemberTypes.Constructor ? ".ctor" : m.Name)
                .Distinct()
                .Order(StringComparer.Ordinal)];
            string[] listed = [.. PerceptronMembers.Public.Select(m => m.Name).Distinct().Order(StringComparer.Ordinal)];
            Assert.Equal(listed, declared);
        });
    }
}
