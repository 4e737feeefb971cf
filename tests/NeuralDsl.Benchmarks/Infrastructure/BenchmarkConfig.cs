using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>The run configuration: full (BenchmarkDotNet defaults) or quick, out-of-process (default) or in-process.</summary>
internal static class BenchmarkConfig
{
    public static IConfig Create(bool quick, bool inProcess)
    {
        Job job = quick
            // A few minutes for every suite on two cores: one launch, short iterations, few of them.
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(7)
                .WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("Quick")
            : Job.Default.WithId("Full");

        // Out of process (default): every case gets a fresh process, so torch's OpenMP workers of one case never
        // spin on the cores while the next case runs. In process: no child build (handy when iterating).
        if (inProcess) job = job.WithToolchain(InProcessEmitToolchain.Instance).WithId(job.Id + "-InProcess");

        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job.AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(CategoriesColumn.Default, GflopsColumn.Rate, GflopsColumn.OfPeak, ScalingColumn.SpeedUp, ScalingColumn.Efficiency)
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
    }
}
