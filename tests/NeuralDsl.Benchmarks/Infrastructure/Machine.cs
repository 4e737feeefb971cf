namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>Facts about the reference machine that the results are read against.</summary>
internal static class Machine
{
    /// <summary>
    /// Single-precision FMA peak of one core of the reference machine (AMD EPYC Zen 4, KVM guest): two 256-bit FMA
    /// pipes (AVX-512 is executed as two 256-bit halves) = 16 FMAs = 32 FLOP per cycle, × ~3.6 GHz ≈ 116 GFLOP/s.
    /// </summary>
    public const double PeakGflopsPerCore = 116.0;

    /// <summary>Threads both sides use in the model suites (the machine has two cores).</summary>
    public const int ModelThreads = 2;
}
