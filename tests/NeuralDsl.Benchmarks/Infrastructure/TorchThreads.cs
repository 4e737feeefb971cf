using System;
using TorchSharp;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>Thread settings for libtorch, applied per process before the first torch operation that runs in parallel.</summary>
internal static class TorchThreads
{
    private static bool _interopSet;

    /// <summary>
    /// Uses <paramref name="intraOp"/> threads for torch's kernels and one inter-op thread. libtorch accepts the
    /// inter-op setting only once per process, before any parallel work, so later calls (in-process runs) keep it.
    /// </summary>
    public static void Configure(int intraOp)
    {
        TorchNativeFix.EnsureLoadable();
        if (!_interopSet)
        {
            _interopSet = true;
            try
            {
                torch.set_num_interop_threads(1);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"torch.set_num_interop_threads(1) refused ({e.Message.Split('\n')[0]}); keeping {torch.get_num_interop_threads()}.");
            }
        }

        torch.set_num_threads(intraOp);
        if (torch.get_num_threads() != intraOp)
            throw new InvalidOperationException($"torch.set_num_threads({intraOp}) left {torch.get_num_threads()} threads.");
    }
}
