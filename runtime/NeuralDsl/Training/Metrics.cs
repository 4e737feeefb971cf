using System;
using System.Collections.Generic;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Metrics reported by <c>Fit</c> and <c>Evaluate</c>, with Keras 3 semantics and log names. Each metric is
/// computed per row of the output's last axis and averaged over every row seen (sample-weighted over batches).
/// </summary>
public enum Metric
{
    /// <summary>
    /// Keras <c>"accuracy"</c>: resolved from the shapes as Keras 3 does: binary accuracy when the output's last
    /// axis has length 1, sparse categorical accuracy when the targets are class indices, categorical accuracy
    /// otherwise. Logged as <c>accuracy</c>.
    /// </summary>
    Accuracy,
    /// <summary>Fraction of elements where <c>(p &gt; 0.5)</c> equals the target. Logged as <c>binary_accuracy</c>.</summary>
    BinaryAccuracy,
    /// <summary>Fraction of rows where argmax(p) equals argmax(target). Logged as <c>categorical_accuracy</c>.</summary>
    CategoricalAccuracy,
    /// <summary>Fraction of rows where argmax(p) equals the class index. Logged as <c>sparse_categorical_accuracy</c>.</summary>
    SparseCategoricalAccuracy,
    /// <summary>Mean of |p − y|. Logged as <c>mae</c>.</summary>
    MeanAbsoluteError,
    /// <summary>Mean of (p − y)². Logged as <c>mse</c>.</summary>
    MeanSquaredError,
}

/// <summary>How a requested <see cref="Metric"/> is computed once <see cref="Metric.Accuracy"/> is resolved.</summary>
internal enum MetricKind
{
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    MeanAbsoluteError,
    MeanSquaredError,
}

/// <summary>A metric ready to compute: its log name, its computation and which way is better.</summary>
internal readonly record struct ResolvedMetric(string Name, MetricKind Kind)
{
    /// <summary>Accuracies improve upwards, errors downwards (Keras' metric <c>_direction</c>).</summary>
    public bool HigherIsBetter => Kind is MetricKind.BinaryAccuracy or MetricKind.CategoricalAccuracy or MetricKind.SparseCategoricalAccuracy;
}

/// <summary>Resolution and row-wise sums of the metrics.</summary>
internal static class Metrics
{
    /// <summary>
    /// Resolves the requested metrics for a model's shapes, in the order given. Sparse targets (one class index
    /// per row) admit only the sparse accuracy; every other metric needs targets of the output's shape.
    /// </summary>
    public static ResolvedMetric[] Resolve(Metric[]? metrics, int outputSize, int targetSize, int lastAxis)
    {
        if (metrics is null || metrics.Length == 0)
            return [];
        bool sparse = targetSize != outputSize;
        var resolved = new ResolvedMetric[metrics.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < metrics.Length; i++)
        {
            Metric metric = metrics[i];
            ResolvedMetric r = metric switch
            {
                // Keras 3 compile_utils: is_binary = last dim 1; is_sparse = targets of lower rank.
                Metric.Accuracy => new ResolvedMetric("accuracy",
                    lastAxis == 1 ? MetricKind.BinaryAccuracy
                    : sparse ? MetricKind.SparseCategoricalAccuracy
                    : MetricKind.CategoricalAccuracy),
                Metric.BinaryAccuracy => new ResolvedMetric("binary_accuracy", MetricKind.BinaryAccuracy),
                Metric.CategoricalAccuracy => new ResolvedMetric("categorical_accuracy", MetricKind.CategoricalAccuracy),
                Metric.SparseCategoricalAccuracy => new ResolvedMetric("sparse_categorical_accuracy", MetricKind.SparseCategoricalAccuracy),
                Metric.MeanAbsoluteError => new ResolvedMetric("mae", MetricKind.MeanAbsoluteError),
                Metric.MeanSquaredError => new ResolvedMetric("mse", MetricKind.MeanSquaredError),
                _ => throw new ArgumentOutOfRangeException(nameof(metrics), metric, "Unknown metric."),
            };
            if (sparse != (r.Kind == MetricKind.SparseCategoricalAccuracy))
            {
                throw new ArgumentException(sparse
                    ? $"Metric.{metric} compares targets of the output's shape ({outputSize} values per sample), but this model's targets are class indices ({targetSize} per sample); use Metric.Accuracy or Metric.SparseCategoricalAccuracy."
                    : $"Metric.{metric} needs one class index per row, but this model's targets have the output's shape ({targetSize} values per sample); use Metric.Accuracy or Metric.CategoricalAccuracy.",
                    nameof(metrics));
            }
            if (!names.Add(r.Name))
                throw new ArgumentException($"Metric '{r.Name}' is requested twice.", nameof(metrics));
            resolved[i] = r;
        }
        return resolved;
    }

    /// <summary>
    /// Adds each metric's per-row values over a batch to <paramref name="sums"/> (one entry per metric). The
    /// caller divides by the number of rows seen.
    /// </summary>
    public static void Accumulate<T>(ReadOnlySpan<ResolvedMetric> metrics, ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, int lastAxis, Span<double> sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int m = 0; m < metrics.Length; m++)
            sums[m] += Sum(metrics[m].Kind, predictions, targets, lastAxis);
    }

    /// <summary>The sum over rows of one metric's per-row value.</summary>
    public static double Sum<T>(MetricKind kind, ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = predictions.Length / lastAxis;
        double total = 0;
        switch (kind)
        {
            case MetricKind.BinaryAccuracy:
            {
                // Keras: cast(p > 0.5) == y exactly, mean over the last axis.
                T threshold = T.CreateTruncating(0.5);
                for (int r = 0; r < rows; r++)
                {
                    int hits = 0;
                    for (int j = r * lastAxis; j < (r + 1) * lastAxis; j++)
                    {
                        T predicted = predictions[j] > threshold ? T.One : T.Zero;
                        if (predicted == targets[j])
                            hits++;
                    }
                    total += (double)hits / lastAxis;
                }
                break;
            }
            case MetricKind.CategoricalAccuracy:
                for (int r = 0; r < rows; r++)
                {
                    if (ArgMax(predictions.Slice(r * lastAxis, lastAxis)) == ArgMax(targets.Slice(r * lastAxis, lastAxis)))
                        total += 1;
                }
                break;
            case MetricKind.SparseCategoricalAccuracy:
                for (int r = 0; r < rows; r++)
                {
                    if (T.CreateTruncating(ArgMax(predictions.Slice(r * lastAxis, lastAxis))) == targets[r])
                        total += 1;
                }
                break;
            case MetricKind.MeanAbsoluteError:
            case MetricKind.MeanSquaredError:
                for (int r = 0; r < rows; r++)
                {
                    double rowSum = 0;
                    for (int j = r * lastAxis; j < (r + 1) * lastAxis; j++)
                    {
                        double e = double.CreateTruncating(predictions[j]) - double.CreateTruncating(targets[j]);
                        rowSum += kind == MetricKind.MeanAbsoluteError ? Math.Abs(e) : e * e;
                    }
                    total += rowSum / lastAxis;
                }
                break;
        }
        return total;
    }

    /// <summary>Index of the first largest value (numpy's tie rule).</summary>
    private static int ArgMax<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
                best = j;
        }
        return best;
    }
}
