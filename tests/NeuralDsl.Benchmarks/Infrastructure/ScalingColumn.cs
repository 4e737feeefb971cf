using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// Scaling with the thread count: the speed-up of a case over the same benchmark method at <c>Threads = 1</c> (its mean
/// divided by this case's mean), or (with <see cref="Efficiency"/>) that speed-up divided by <c>Threads</c>. Cases
/// without a <c>Threads</c> parameter, or whose one-thread case did not run, show "-".
/// </summary>
internal sealed class ScalingColumn(bool efficiency) : IColumn
{
    public static readonly ScalingColumn SpeedUp = new(efficiency: false);
    public static readonly ScalingColumn Efficiency = new(efficiency: true);

    public string Id => efficiency ? "ScalingEfficiency" : "ScalingSpeedUp";
    public string ColumnName => efficiency ? "Efficiency" : "Speed-up";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => efficiency ? 3 : 2;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => efficiency
        ? "Speed-up / Threads: 100 % is perfect scaling"
        : "Mean of the same benchmark at Threads = 1 / this mean";

    // Only the scaling suite has a Threads parameter without N (the GEMM suite's Threads compares libraries).
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c =>
        GflopsColumn.Parameter(c, "Threads") is not null && GflopsColumn.Parameter(c, "N") is null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? speedUp = SpeedUpOf(summary, benchmarkCase);
        if (speedUp is null) return "-";
        int threads = (int)GflopsColumn.Parameter(benchmarkCase, "Threads")!;
        return efficiency
            ? (100 * speedUp.Value / threads).ToString("F0", CultureInfo.InvariantCulture) + "%"
            : speedUp.Value.ToString("F2", CultureInfo.InvariantCulture) + "x";
    }

    /// <summary>One-thread mean / this mean for the same method, or null.</summary>
    public static double? SpeedUpOf(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (GflopsColumn.Parameter(benchmarkCase, "Threads") is not int || GflopsColumn.Parameter(benchmarkCase, "N") is not null)
            return null;
        BenchmarkCase? single = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod == benchmarkCase.Descriptor.WorkloadMethod && GflopsColumn.Parameter(c, "Threads") is 1);
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        double? singleMean = single is null ? null : summary[single]?.ResultStatistics?.Mean;
        if (mean is null or <= 0 || singleMean is null or <= 0) return null;
        return singleMean.Value / mean.Value;
    }

    public override string ToString() => ColumnName;
}
