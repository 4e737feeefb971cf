using System.Runtime.CompilerServices;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// End-to-end snapshots of every emitted file (<c>Snapshots/SnapshotTests.{Test}#{Hint}.verified.cs</c>). Each model
/// is also compiled warning-free, re-run for caching, and its pipeline walked for compilation objects.
/// Refresh with <c>DSL_ACCEPT_SNAPSHOTS=1</c>, then review the diff.
/// </summary>
public sealed class SnapshotTests
{
    /// <summary>The design example (design.md §1), in the global namespace.</summary>
    public const string CreditModelSource = """
        using NeuralDsl;

        [Sequential(Loss = Loss.BinaryCrossEntropy)]
        [Input(8)]
        [Dense(12, Activation.ReLU)]
        [Dense(8, Activation.ReLU)]
        [Dense(1, Activation.Sigmoid)]
        public partial class CreditModel;
        """;

    /// <summary>The MNIST CNN: two convolutions with max pooling, Flatten, Dropout and a softmax head.</summary>
    public const string MnistCnnSource = """
        using NeuralDsl;

        namespace Samples.MnistCnn;

        [Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
        [Input(28, 28, 1)]
        [Conv2D(32, 3, Activation.ReLU)]
        [MaxPooling2D]
        [Conv2D(64, 3, Activation.ReLU)]
        [MaxPooling2D]
        [Flatten]
        [Dropout(0.5)]
        [Dense(10, Activation.Softmax)]
        public partial class MnistCnn;
        """;

    /// <summary>The MNIST MLP: image input flattened, dropout, softmax with sparse labels.</summary>
    public const string MnistMlpSource = """
        using NeuralDsl;

        namespace Samples.Mnist;

        [Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
        [Input(28, 28)]
        [Flatten]
        [Dense(128, Activation.ReLU)]
        [Dropout(0.2)]
        [Dense(10, Activation.Softmax)]
        public partial class MnistMlp;
        """;

    /// <summary>A double-precision regression model: no bias, a separate activation layer, linear output.</summary>
    public const string RegressionSource = """
        using NeuralDsl;

        namespace Samples.Regression;

        [Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
        [Input(3)]
        [Dense(16, Activation.Tanh, UseBias = false)]
        [Activation(Activation.ELU)]
        [Dense(1)]
        public partial class HousePrice;
        """;

    /// <summary>A namespaced model with explicit model and layer names and a non-default initializer.</summary>
    public const string NamedSource = """
        using NeuralDsl;

        namespace Acme.Risk.Models;

        [Sequential(Name = "credit_risk_v2", Loss = Loss.CategoricalCrossEntropy)]
        [Input(5)]
        [Dense(4, Activation.GELU, Name = "encoder", KernelInitializer = Initializer.HeNormal)]
        [Dense(3, Activation.Softmax, Name = "head")]
        internal sealed partial class RiskClassifier
        {
            public override string ToString() => "risk";
        }
        """;

    internal static void Verify(string source, [CallerMemberName] string test = "")
    {
        GeneratorRun run = GeneratorHarness.RunModel(source);

        DiagnosticAssert.Exactly(run, GeneratorHarness.Files(source));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertNoForbiddenObjects(run);
        GeneratorHarness.AssertIncrementalCached(source);
        Snapshot.MatchAll(run.Sources, nameof(SnapshotTests) + "." + test);
    }

    [Fact]
    public void CreditModel() => Verify(CreditModelSource);

    [Fact]
    public void MnistMlp() => Verify(MnistMlpSource);

    [Fact]
    public void DoubleRegression() => Verify(RegressionSource);

    [Fact]
    public void NamedModelInNamespace() => Verify(NamedSource);

    [Fact]
    public void MnistCnn() => Verify(MnistCnnSource);
}
