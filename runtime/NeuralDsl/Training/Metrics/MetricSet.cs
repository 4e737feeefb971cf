using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// The running state of a list of resolved metrics over an epoch or an evaluation: Keras' metric variables.
/// Row-mean metrics keep a weighted sum and the total weight; <see cref="Metric.Precision"/>,
/// <see cref="Metric.Recall"/>, <see cref="Metric.F1Score"/> and <see cref="Metric.Auc"/> keep confusion counts,
/// so their result is computed over everything seen, not averaged over batches. Allocated once per call;
/// <see cref="Update{T}"/> allocates nothing.
/// </summary>
internal sealed class MetricSet
{
    /// <summary>Keras' <c>AUC(num_thresholds=200)</c>.</summary>
    public const int AucThresholds = 200;

    /// <summary>Keras' <c>backend.epsilon()</c>, used by its thresholds and by <c>F1Score</c>'s divisions.</summary>
    private const double Epsilon = 1e-7;

    private static readonly double[] Thresholds = MakeThresholds();

    private readonly ResolvedMetric[] _metrics;
    private readonly double[][] _state;
    private readonly int _lastAxis;

    public MetricSet(ResolvedMetric[] metrics, int lastAxis)
    {
        _metrics = metrics;
        _lastAxis = lastAxis;
        _state = new double[metrics.Length][];
        for (int m = 0; m < metrics.Length; m++)
        {
            _state[m] = new double[metrics[m].Kind switch
            {
                MetricKind.Precision or MetricKind.Recall => 3,           // tp, fp, fn
                MetricKind.F1Score => 3 * lastAxis,                        // tp, fp, fn per class
                MetricKind.Auc => 4 * AucThresholds,                       // tp, fp, tn, fn per threshold
                _ => 2,                                                    // weighted sum, total weight
            }];
        }
    }

    public int Count => _metrics.Length;

    public string Name(int m) => _metrics[m].Name;

    public void Reset()
    {
        foreach (double[] state in _state)
            Array.Clear(state);
    }

    /// <summary>
    /// Adds a batch: <paramref name="predictions"/> and <paramref name="targets"/> of its samples,
    /// <paramref name="weights"/> one per sample (all 1 when empty), <paramref name="rowsPerSample"/> rows of the
    /// last axis per sample.
    /// </summary>
    public void Update<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, ReadOnlySpan<double> weights, int rowsPerSample)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = predictions.Length / _lastAxis;
        for (int m = 0; m < _metrics.Length; m++)
        {
            MetricKind kind = _metrics[m].Kind;
            double[] s = _state[m];
            if (_metrics[m].IsRowMean)
            {
                s[0] += Metrics.Sum(kind, predictions, targets, _lastAxis, weights, rowsPerSample);
                s[1] += weights.IsEmpty ? rows : Sum(weights) * rowsPerSample;
                continue;
            }
            for (int r = 0; r < rows; r++)
            {
                double w = weights.IsEmpty ? 1 : weights[r / rowsPerSample];
                ReadOnlySpan<T> p = predictions.Slice(r * _lastAxis, _lastAxis);
                ReadOnlySpan<T> y = targets.Slice(r * _lastAxis, _lastAxis);
                switch (kind)
                {
                    case MetricKind.Precision:
                    case MetricKind.Recall:
                        for (int j = 0; j < p.Length; j++)
                            CountOutcome(s, 0, double.CreateTruncating(p[j]) > 0.5, y[j] != T.Zero, w);
                        break;
                    case MetricKind.Auc:
                        for (int j = 0; j < p.Length; j++)
                            CountAtThresholds(s, double.CreateTruncating(p[j]), y[j] != T.Zero, w);
                        break;
                    case MetricKind.F1Score:
                        AddF1Row(s, p, y, w);
                        break;
                }
            }
        }
    }

    /// <summary>The metric's value over everything added since the last <see cref="Reset"/>.</summary>
    public double Result(int m)
    {
        double[] s = _state[m];
        switch (_metrics[m].Kind)
        {
            case MetricKind.Precision:
                return DivideNoNan(s[0], s[0] + s[1]);
            case MetricKind.Recall:
                return DivideNoNan(s[0], s[0] + s[2]);
            case MetricKind.F1Score:
            {
                int classes = s.Length / 3;
                double total = 0;
                for (int c = 0; c < classes; c++)
                {
                    double tp = s[3 * c], fp = s[3 * c + 1], fn = s[3 * c + 2];
                    // Keras FBetaScore, beta = 1: P and R with ε in the denominators, then 2PR / (P + R + ε).
                    double precision = tp / (tp + fp + Epsilon), recall = tp / (tp + fn + Epsilon);
                    total += 2 * precision * recall / (precision + recall + Epsilon);
                }
                return total / classes;
            }
            case MetricKind.Auc:
            {
                // Keras' ROC with summation_method="interpolation": trapezoids between consecutive thresholds.
                double area = 0;
                for (int i = 0; i < AucThresholds - 1; i++)
                {
                    area += (FalsePositiveRate(s, i) - FalsePositiveRate(s, i + 1)) * (TruePositiveRate(s, i) + TruePositiveRate(s, i + 1)) / 2;
                }
                return area;
            }
            default:
                // Unweighted: the same division as before weights existed (NaN when no row was seen).
                return s[0] / s[1];
        }
    }

    /// <summary>Keras' thresholds: −ε, then i / (n − 1) for i = 1 … n − 2, then 1 + ε.</summary>
    private static double[] MakeThresholds()
    {
        var thresholds = new double[AucThresholds];
        thresholds[0] = -Epsilon;
        for (int i = 1; i < AucThresholds - 1; i++)
            thresholds[i] = (double)i / (AucThresholds - 1);
        thresholds[^1] = 1 + Epsilon;
        return thresholds;
    }

    private static void CountOutcome(double[] s, int offset, bool predicted, bool actual, double w)
    {
        if (predicted && actual)
            s[offset] += w;
        else if (predicted)
            s[offset + 1] += w;
        else if (actual)
            s[offset + 2] += w;
    }

    private static void CountAtThresholds(double[] s, double p, bool actual, double w)
    {
        const int n = AucThresholds;
        for (int i = 0; i < n; i++)
        {
            bool predicted = p > Thresholds[i];
            // Layout: tp[0..n), fp[n..2n), tn[2n..3n), fn[3n..4n).
            int slot = predicted ? (actual ? 0 : 1) : (actual ? 3 : 2);
            s[slot * n + i] += w;
        }
    }

    private static double TruePositiveRate(double[] s, int i) =>
        DivideNoNan(s[i], s[i] + s[3 * AucThresholds + i]);

    private static double FalsePositiveRate(double[] s, int i) =>
        DivideNoNan(s[AucThresholds + i], s[AucThresholds + i] + s[2 * AucThresholds + i]);

    /// <summary>
    /// One row of <see cref="Metric.F1Score"/>: a single output is positive above 0.5; several predict every class
    /// equal to the row's maximum (Keras' <c>threshold=None</c>). Targets count by value, as Keras multiplies them.
    /// </summary>
    private static void AddF1Row<T>(double[] s, ReadOnlySpan<T> p, ReadOnlySpan<T> y, double w)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T max = p[Metrics.ArgMax(p)];
        for (int c = 0; c < p.Length; c++)
        {
            double predicted = (p.Length == 1 ? double.CreateTruncating(p[c]) > 0.5 : p[c] >= max) ? 1 : 0;
            double actual = double.CreateTruncating(y[c]);
            s[3 * c] += w * predicted * actual;
            s[3 * c + 1] += w * predicted * (1 - actual);
            s[3 * c + 2] += w * (1 - predicted) * actual;
        }
    }

    private static double DivideNoNan(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;

    private static double Sum(ReadOnlySpan<double> values)
    {
        double total = 0;
        foreach (double v in values)
            total += v;
        return total;
    }
}
