using System;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Training;

public class MetricTests
{
    /// <summary>The results of <paramref name="metrics"/> over one batch of rows of <paramref name="lastAxis"/>.</summary>
    private static double[] Results(Metric[] metrics, double[] p, double[] y, int lastAxis, double[]? weights = null)
    {
        bool sparse = y.Length != p.Length;
        ResolvedMetric[] resolved = Metrics.Resolve(metrics, lastAxis, sparse ? 1 : lastAxis, lastAxis);
        var set = new MetricSet(resolved, lastAxis);
        set.Update<double>(p, y, weights ?? default(ReadOnlySpan<double>), 1);
        return Enumerable.Range(0, set.Count).Select(set.Result).ToArray();
    }

    private static readonly double[] BinaryP = [0.9, 0.6, 0.4, 0.2, 0.7];
    private static readonly double[] BinaryY = [1, 0, 1, 0, 1];

    [Fact]
    public void Precision_recall_and_f1_count_keras_confusions()
    {
        // Positive above 0.5: TP rows 0 and 4, FP row 1, FN row 2.
        double[] r = Results([Metric.Precision, Metric.Recall, Metric.F1Score], BinaryP, BinaryY, 1);
        Assert.Equal(2.0 / 3, r[0], 15);
        Assert.Equal(2.0 / 3, r[1], 15);
        Assert.Equal(2.0 / 3, r[2], 6);
        // Weights multiply the counts: TP 1 + 3, FP 2, FN 1.
        r = Results([Metric.Precision, Metric.Recall, Metric.F1Score], BinaryP, BinaryY, 1, [1, 2, 1, 1, 3]);
        Assert.Equal(4.0 / 6, r[0], 15);
        Assert.Equal(4.0 / 5, r[1], 15);
        Assert.Equal(2 * (4.0 / 6) * (4.0 / 5) / (4.0 / 6 + 4.0 / 5), r[2], 6);
        // Nothing predicted positive: precision is 0, not NaN (Keras' divide_no_nan).
        Assert.Equal([0.0, 0.0], Results([Metric.Precision, Metric.Recall], [0.1, 0.2], [1, 0], 1));
    }

    [Fact]
    public void F1_score_is_the_macro_mean_over_argmax_classes()
    {
        // Rows predict classes 0, 1, 2, 2 for true classes 0, 0, 2, 1: per-class F1 2/3, 0, 2/3 (scikit-learn's
        // f1_score(average="macro") gives the same 4/9).
        double[] p = [0.8, 0.1, 0.1, 0.3, 0.6, 0.1, 0.1, 0.2, 0.7, 0.2, 0.3, 0.5];
        double[] y = [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0];
        Assert.Equal(4.0 / 9, Results([Metric.F1Score], p, y, 3)[0], 6);
    }

    [Fact]
    public void Auc_of_distinct_scores_is_the_probability_a_positive_outranks_a_negative()
    {
        // Positives 0.9, 0.4, 0.7 against negatives 0.6, 0.2: five of six pairs in order.
        Assert.Equal(5.0 / 6, Results([Metric.Auc], BinaryP, BinaryY, 1)[0], 14);
        Assert.Equal(1.0, Results([Metric.Auc], [0.1, 0.9], [0, 1], 1)[0], 14);
        Assert.Equal(0.0, Results([Metric.Auc], [0.9, 0.1], [0, 1], 1)[0], 14);
    }

    [Fact]
    public void Auc_over_200_thresholds_equals_the_rank_statistic_of_the_scores_bucketed_by_those_thresholds()
    {
        // scikit-learn's roc_auc_score from first principles: the Mann–Whitney statistic with ties worth one half.
        // Keras' 200 thresholds cannot tell scores apart between two thresholds, so the reference compares the
        // buckets (how many thresholds lie below each score); the trapezoids give exactly that.
        var rng = new Rng(42);
        int n = 500;
        var p = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.NextDouble() < 0.4 ? 1 : 0;
            p[i] = Math.Clamp(0.5 + 0.25 * (y[i] - 0.5) + 0.2 * rng.NextNormal(), 0, 1);
        }
        static int Bucket(double score)
        {
            int below = score > -1e-7 ? 1 : 0;
            for (int i = 1; i < 199; i++)
                below += score > (double)i / 199 ? 1 : 0;
            return below + (score > 1 + 1e-7 ? 1 : 0);
        }
        double pairs = 0, wins = 0;
        for (int i = 0; i < n; i++)
        {
            if (y[i] != 1) continue;
            for (int j = 0; j < n; j++)
            {
                if (y[j] != 0) continue;
                pairs++;
                int bi = Bucket(p[i]), bj = Bucket(p[j]);
                wins += bi > bj ? 1 : bi == bj ? 0.5 : 0;
            }
        }
        double auc = Results([Metric.Auc], p, y, 1)[0];
        Assert.Equal(wins / pairs, auc, 12);
        Assert.InRange(auc, 0.75, 0.95);
    }

    [Fact]
    public void Top_k_accuracy_counts_the_true_class_among_the_five_largest_ties_included()
    {
        double[] p =
        [
            0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7,   // class 2 is 5th: in
            0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7,   // class 1 is 6th: out
            0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.1,   // class 5 ties the 5th: in
        ];
        double[] labels = [2, 1, 5];
        double[] oneHot = new double[21];
        for (int r = 0; r < 3; r++) oneHot[r * 7 + (int)labels[r]] = 1;
        Assert.Equal(2.0 / 3, Results([Metric.TopKCategoricalAccuracy], p, oneHot, 7)[0], 15);
        Assert.Equal(2.0 / 3, Results([Metric.SparseTopKCategoricalAccuracy], p, labels, 7)[0], 15);
        // Plain accuracy takes only the argmax, which none of the three rows hits.
        Assert.Equal(0.0, Results([Metric.CategoricalAccuracy], p, oneHot, 7)[0]);
        Assert.Throws<ArgumentException>(() => Metrics.Resolve([Metric.TopKCategoricalAccuracy], 7, 1, 7));
    }

    [Fact]
    public void Confusion_metrics_count_over_the_whole_set_not_per_batch()
    {
        var rng = new Rng(3);
        var x = new double[2 * 60];
        var y = new double[60];
        for (int i = 0; i < 60; i++)
        {
            x[2 * i] = rng.NextNormal();
            x[2 * i + 1] = rng.NextNormal();
            y[i] = x[2 * i] + 0.5 * rng.NextNormal() > 0 ? 1 : 0;
        }
        var model = new LinearTestModel(2, 1, Loss.BinaryCrossEntropy, seed: 4);
        Metric[] metrics = [Metric.Precision, Metric.Recall, Metric.Auc, Metric.F1Score];
        Evaluation whole = model.Evaluate(x, y, batchSize: 60, metrics: metrics);
        Evaluation batched = model.Evaluate(x, y, batchSize: 7, metrics: metrics);
        foreach (string name in new[] { "precision", "recall", "auc", "f1_score" })
            Assert.Equal(whole[name], batched[name], 14);
        Assert.Equal(["auc", "f1_score", "loss", "precision", "recall"], whole.Metrics.Keys);

        var predictions = new double[60];
        model.Predict(x, predictions);
        Assert.Equal(Results(metrics, predictions, y, 1), new[] { whole["precision"], whole["recall"], whole["auc"], whole["f1_score"] });
    }
}
