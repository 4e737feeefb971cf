using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NeuralDsl.Benchmarks.Infrastructure;

namespace NeuralDsl.Benchmarks;

/// <summary>
/// Entry point. Own options (the rest goes to BenchmarkDotNet, default <c>--filter *</c>):
/// <c>--quick</c> short job (minutes instead of the full statistical run), <c>--inprocess</c> run in this process
/// (no child build), <c>--sanity</c> only check that libtorch loads and both sides agree;
/// <c>write-pytorch-fixtures &lt;dir&gt;</c> writes the PyTorch import test fixtures instead of benchmarking.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool quick = args.Contains("--quick"), inProcess = args.Contains("--inprocess"), sanityOnly = args.Contains("--sanity");
        string[] rest = args.Where(a => a is not ("--quick" or "--inprocess" or "--sanity")).ToArray();

        // Before any torch call: the libLibTorchSharp.so beside this program must be loadable (see TorchNativeFix).
        Console.WriteLine("TorchSharp native library: " + TorchNativeFix.EnsureLoadable());
        // Not a benchmark: writes the PyTorch import fixtures of NeuralDsl.Tests (see PyTorchFixtures).
        if (args is ["write-pytorch-fixtures", string fixtureDirectory]) return PyTorchFixtures.Write(fixtureDirectory);
        Console.WriteLine("Sanity checks (torch loads and computes; both sides agree):");
        try
        {
            SanityCheck.Run(Console.Out);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (sanityOnly) return 0;

        if (!rest.Any(a => a.StartsWith("--filter", StringComparison.Ordinal) || a is "-f" or "--list" or "--help" or "-h" or "--info"))
            rest = [.. rest, "--filter", "*"];

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
            .Run(rest, BenchmarkConfig.Create(quick, inProcess)).ToList();
        PrintGemmTable(summaries);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }

    private static void PrintGemmTable(IEnumerable<Summary> summaries)
    {
        var rows = new List<string>();
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                double? gflops = GflopsColumn.Gflops(summary, report.BenchmarkCase);
                if (gflops is null) continue;
                int n = (int)GflopsColumn.Parameter(report.BenchmarkCase, "N")!;
                int threads = GflopsColumn.Parameter(report.BenchmarkCase, "Threads") as int? ?? 1;
                double meanUs = report.ResultStatistics!.Mean / 1000;
                double peak = 100 * gflops.Value / (Machine.PeakGflopsPerCore * threads);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {n,4} | {threads,7} | {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,-10} | {meanUs,10:F1} | {gflops,7:F1} | {peak,8:F0}% |"));
            }
        }

        if (rows.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine($"GEMM throughput (peak assumed {Machine.PeakGflopsPerCore} GFLOP/s per core):");
        Console.WriteLine("|    N | Threads | Method     |  Mean (µs) | GFLOP/s | % of peak |");
        Console.WriteLine("|-----:|--------:|------------|-----------:|--------:|----------:|");
        foreach (string row in rows) Console.WriteLine(row);
    }
}
