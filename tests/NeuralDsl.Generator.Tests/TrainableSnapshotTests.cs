using System.Runtime.CompilerServices;
using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// Snapshots of frozen layers (<c>Trainable = false</c>) and a model frozen whole, checked like the other snapshots:
/// compiled warning-free, re-run for caching, pipeline walked for compilation objects. A frozen layer's tensors are state
/// views (no gradient view) and its backward method computes only dx.
/// </summary>
public sealed class TrainableSnapshotTests
{
    private static void Verify(string source, [CallerMemberName] string test = "")
    {
        GeneratorRun run = GeneratorHarness.RunModel(source);
        DiagnosticAssert.Exactly(run, GeneratorHarness.Files(source));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
        GeneratorHarness.AssertNoForbiddenObjects(run);
        GeneratorHarness.AssertIncrementalCached(source);
        Snapshot.MatchAll(run.Sources, nameof(TrainableSnapshotTests) + "." + test);
    }

    /// <summary>The seed GAN's discriminator with its hidden layer frozen (GEMM-sized) and a frozen register-sized head.</summary>
    [Fact]
    public void FrozenDense() => Verify("""
        using NeuralDsl;

        namespace Trainable;

        [Sequential(Loss = Loss.BinaryCrossEntropy)]
        [Input(16)]
        [Dense(32, Activation.ReLU, Trainable = false)]
        [Dense(4, Activation.ReLU)]
        [Dense(1, Activation.Sigmoid, Trainable = false)]
        public partial class FrozenDenseNet;
        """);

    /// <summary>Every other layer kind with parameters, frozen: Conv2D (ReLU and not), BatchNormalization, LSTM, Embedding.</summary>
    [Fact]
    public void FrozenKinds() => Verify("""
        using NeuralDsl;

        namespace Trainable;

        [Sequential(Loss = Loss.MeanSquaredError)]
        [Input(5, 5, 1)]
        [Conv2D(2, 3, Activation.ReLU, Trainable = false)]
        [Conv2D(2, 2, Activation.Tanh, Trainable = false)]
        [BatchNormalization(Trainable = false)]
        [Flatten]
        [Dense(2)]
        public partial class FrozenConvNet;

        [Sequential(Loss = Loss.MeanSquaredError)]
        [Input(4)]
        [Embedding(5, 3, Trainable = false)]
        [LSTM(2, Trainable = false)]
        [Dense(1)]
        public partial class FrozenSequenceNet;
        """);

    [Fact]
    public void FrozenModel() => Verify("""
        using NeuralDsl;

        namespace Trainable;

        [Sequential(Loss = Loss.MeanSquaredError, Trainable = false)]
        [Input(3)]
        [Dense(2)]
        public partial class FrozenModelNet;
        """);
}
