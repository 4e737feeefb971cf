using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// Throughput of a square GEMM benchmark: 2·N³ floating-point operations divided by the mean time, in GFLOP/s, or
/// (with <see cref="OfPeak"/>) that figure as a share of the FMA peak of the cores the case runs on
/// (<see cref="Machine.PeakGflopsPerCore"/> × <c>Threads</c>). Benchmarks without an <c>N</c> parameter show "-".
/// </summary>
internal sealed class GflopsColumn(bool ofPeak) : IColumn
{
    public static readonly GflopsColumn Rate = new(ofPeak: false);
    public static readonly GflopsColumn OfPeak = new(ofPeak: true);

    public string Id => ofPeak ? "GflopsOfPeak" : "Gflops";
    public string ColumnName => ofPeak ? "% of peak" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => ofPeak ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => ofPeak
        ? $"GFLOP/s over the FMA peak of the threads used ({Machine.PeakGflopsPerCore} GFLOP/s per core × Threads)"
        : "2·N³ / mean time, in 10⁹ floating-point operations per second";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Parameter(c, "N") is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? gflops = Gflops(summary, benchmarkCase);
        if (gflops is null) return "-";
        if (!ofPeak) return gflops.Value.ToString("F1", CultureInfo.InvariantCulture);
        int threads = Parameter(benchmarkCase, "Threads") as int? ?? 1;
        return (100 * gflops.Value / (Machine.PeakGflopsPerCore * threads)).ToString("F0", CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>GFLOP/s of a case with an integer parameter N (square N×N·N×N product), or null.</summary>
    public static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (Parameter(benchmarkCase, "N") is not int n) return null;
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is null or <= 0) return null;
        return 2.0 * n * n * n / meanNs.Value; // flop per ns == GFLOP/s
    }

    public static object? Parameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;

    public override string ToString() => ColumnName;
}
