using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Suite d): C = A·B for square float matrices, our <see cref="Gemm.Multiply{T}"/> beside <c>torch.mm</c>, each on
/// <see cref="Threads"/> threads (<see cref="Gemm.MaxThreads"/> and <c>torch.set_num_threads</c>). The GFLOP/s and
/// "% of peak" columns turn the mean time into 2·N³ / time.
/// </summary>
public class GemmBenchmarks
{
    private float[] _a = null!;
    private float[] _b = null!;
    private float[] _c = null!;
    private Tensor _aTensor = null!;
    private Tensor _bTensor = null!;

    [Params(128, 256, 512)]
    public int N { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Threads);
        Gemm.MaxThreads = Threads;

        _a = SyntheticData.Uniform(N * N, seed: 3);
        _b = SyntheticData.Uniform(N * N, seed: 5);
        _c = new float[N * N];
        _aTensor = torch.tensor(_a, [N, N]);
        _bTensor = torch.tensor(_b, [N, N]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aTensor.Dispose();
        _bTensor.Dispose();
    }

    [BenchmarkCategory(Categories.Gemm), Benchmark(Baseline = true, Description = "TorchSharp")]
    public void TorchSharpMm()
    {
        using Tensor c = torch.mm(_aTensor, _bTensor);
    }

    [BenchmarkCategory(Categories.Gemm), Benchmark(Description = "NeuralDsl")]
    public void NeuralDslGemm() => Gemm.Multiply<float>(_a, _b, _c, N, N, N);
}
