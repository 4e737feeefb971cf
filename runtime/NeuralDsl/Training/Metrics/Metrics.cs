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
    /// <summary>
    /// Keras <c>Precision()</c>: TP / (TP + FP) over every output element, an element predicted positive when
    /// p &gt; 0.5 and truly positive when its target is not 0 (0 when nothing was predicted positive). Logged as
    /// <c>precision</c>.
    /// </summary>
    Precision,
    /// <summary>Keras <c>Recall()</c>: TP / (TP + FN) with <see cref="Precision"/>'s counting. Logged as <c>recall</c>.</summary>
    Recall,
    /// <summary>
    /// Keras <c>AUC()</c>: the area under the ROC curve over every output element, from the confusion counts at
    /// Keras' 200 thresholds (−ε, 1/199, ..., 198/199, 1 + ε; p &gt; threshold is positive), summed by the
    /// trapezoidal rule. Logged as <c>auc</c>.
    /// </summary>
    Auc,
    /// <summary>
    /// Keras <c>F1Score(average="macro")</c>: the mean over classes of 2PR / (P + R) (Keras' ε = 1e-7 in each
    /// division). A row predicts its argmax class (Keras' <c>threshold=None</c>); a single sigmoid output predicts
    /// positive when p &gt; 0.5. Logged as <c>f1_score</c>.
    /// </summary>
    F1Score,
    /// <summary>
    /// Keras <c>TopKCategoricalAccuracy(k=5)</c>: fraction of rows whose true class (argmax of the one-hot target)
    /// is among the 5 highest predictions, ties at the boundary counted in. Logged as <c>top_k_categorical_accuracy</c>.
    /// </summary>
    TopKCategoricalAccuracy,
    /// <summary>
    /// Keras <c>SparseTopKCategoricalAccuracy(k=5)</c>: <see cref="TopKCategoricalAccuracy"/> for class-index
    /// targets. Logged as <c>sparse_top_k_categorical_accuracy</c>.
    /// </summary>
    SparseTopKCategoricalAccuracy,
}

/// <summary>How a requested <see cref="Metric"/> is computed once <see cref="Metric.Accuracy"/> is resolved.</summary>
internal enum MetricKind
{
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    MeanAbsoluteError,
    MeanSquaredError,
    Precision,
    Recall,
    Auc,
    F1Score,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
}

/// <summary>A metric ready to compute: its log name, its computation and which way is better.</summary>
internal readonly record struct ResolvedMetric(string Name, MetricKind Kind)
{
    /// <summary>Accuracies and scores improve upwards, errors downwards (Keras' metric <c>_direction</c>).</summary>
    public bool HigherIsBetter => Kind is not (MetricKind.MeanAbsoluteError or MetricKind.MeanSquaredError);

    /// <summary>Whether it takes class-index targets (one per row) rather than targets of the output's shape.</summary>
    public bool TakesSparseTargets => Kind is MetricKind.SparseCategoricalAccuracy or MetricKind.SparseTopKCategoricalAccuracy;

    /// <summary>Whether it is a weighted mean of per-row values (else it is computed from confusion counts).</summary>
    public bool IsRowMean => Kind is not (MetricKind.Precision or MetricKind.Recall or MetricKind.Auc or MetricKind.F1Score);
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
                Metric.Precision => new ResolvedMetric("precision", MetricKind.Precision),
                Metric.Recall => new ResolvedMetric("recall", MetricKind.Recall),
                Metric.Auc => new ResolvedMetric("auc", MetricKind.Auc),
                Metric.F1Score => new ResolvedMetric("f1_score", MetricKind.F1Score),
                Metric.TopKCategoricalAccuracy => new ResolvedMetric("top_k_categorical_accuracy", MetricKind.TopKCategoricalAccuracy),
                Metric.SparseTopKCategoricalAccuracy => new ResolvedMetric("sparse_top_k_categorical_accuracy", MetricKind.SparseTopKCategoricalAccuracy),
                _ => throw new ArgumentOutOfRangeException(nameof(metrics), metric, "Unknown metric."),
            };
            if (sparse != r.TakesSparseTargets)
            {
                throw new ArgumentException(sparse
                    ? $"Metric.{metric} compares targets of the output's shape ({outputSize} values per sample), but this model's targets are class indices ({targetSize} per sample); use Metric.Accuracy, Metric.SparseCategoricalAccuracy or Metric.SparseTopKCategoricalAccuracy."
                    : $"Metric.{metric} needs one class index per row, but this model's targets have the output's shape ({targetSize} values per sample); use Metric.Accuracy, Metric.CategoricalAccuracy or Metric.TopKCategoricalAccuracy.",
                    nameof(metrics));
            }
            if (!names.Add(r.Name))
                throw new ArgumentException($"Metric '{r.Name}' is requested twice.", nameof(metrics));
            resolved[i] = r;
        }
        return resolved;
    }

    /// <summary>
    /// The sum over rows of one row-mean metric's per-row value, each times its sample's weight
    /// (<paramref name="weights"/>, one per sample of <paramref name="rowsPerSample"/> rows; all 1 when empty).
    /// </summary>
    public static double Sum<T>(MetricKind kind, ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, int lastAxis,
        ReadOnlySpan<double> weights = default, int rowsPerSample = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = predictions.Length / lastAxis;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            double value = RowValue(kind, predictions.Slice(r * lastAxis, lastAxis), targets, r, lastAxis);
            // Unweighted, every term is added as it is: the sums match the ones before weights existed bit for bit.
            total += weights.IsEmpty ? value : weights[r / rowsPerSample] * value;
        }
        return total;
    }

    /// <summary>One row's value of a row-mean metric; <paramref name="targets"/> holds every row's target.</summary>
    private static double RowValue<T>(MetricKind kind, ReadOnlySpan<T> p, ReadOnlySpan<T> targets, int r, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case MetricKind.BinaryAccuracy:
            {
                // Keras: cast(p > 0.5) == y exactly, mean over the last axis.
                ReadOnlySpan<T> y = targets.Slice(r * lastAxis, lastAxis);
                T threshold = T.CreateTruncating(0.5);
                int hits = 0;
                for (int j = 0; j < lastAxis; j++)
                {
                    T predicted = p[j] > threshold ? T.One : T.Zero;
                    if (predicted == y[j])
                        hits++;
                }
                return (double)hits / lastAxis;
            }
            case MetricKind.CategoricalAccuracy:
                return ArgMax(p) == ArgMax(targets.Slice(r * lastAxis, lastAxis)) ? 1 : 0;
            case MetricKind.SparseCategoricalAccuracy:
                return T.CreateTruncating(ArgMax(p)) == targets[r] ? 1 : 0;
            case MetricKind.TopKCategoricalAccuracy:
                return InTopK(p, ArgMax(targets.Slice(r * lastAxis, lastAxis))) ? 1 : 0;
            case MetricKind.SparseTopKCategoricalAccuracy:
                return InTopK(p, int.CreateTruncating(targets[r])) ? 1 : 0;
            case MetricKind.MeanAbsoluteError:
            case MetricKind.MeanSquaredError:
            {
                ReadOnlySpan<T> y = targets.Slice(r * lastAxis, lastAxis);
                double rowSum = 0;
                for (int j = 0; j < lastAxis; j++)
                {
                    double e = double.CreateTruncating(p[j]) - double.CreateTruncating(y[j]);
                    rowSum += kind == MetricKind.MeanAbsoluteError ? Math.Abs(e) : e * e;
                }
                return rowSum / lastAxis;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a row-mean metric.");
        }
    }

    /// <summary>The k of the top-k accuracies (Keras' default).</summary>
    public const int TopK = 5;

    /// <summary>
    /// Whether <paramref name="label"/>'s prediction is among the <see cref="TopK"/> largest: fewer than k values
    /// are strictly larger, so ties at the boundary count in (TensorFlow's <c>in_top_k</c>).
    /// </summary>
    private static bool InTopK<T>(ReadOnlySpan<T> row, int label)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T value = row[label];
        int larger = 0;
        foreach (T v in row)
        {
            if (v > value)
                larger++;
        }
        return larger < TopK;
    }

    /// <summary>Index of the first largest value (numpy's tie rule).</summary>
    internal static int ArgMax<T>(ReadOnlySpan<T> row)
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
