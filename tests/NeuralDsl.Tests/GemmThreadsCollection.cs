using Xunit;

namespace NeuralDsl.Tests;

/// <summary>Tests that change the process-wide <see cref="Gemm.MaxThreads"/> run one at a time, never beside each other.</summary>
[CollectionDefinition(nameof(GemmThreadsCollection), DisableParallelization = true)]
public sealed class GemmThreadsCollection;
