using System;
using Xunit;

namespace NeuralDsl.Tests.Training;

public class LossTests
{
    private const int Rows = 4;
    private const int Classes = 5;

    public static TheoryData<Loss> AllLosses => new()
    {
        Loss.BinaryCrossEntropy, Loss.CategoricalCrossEntropy, Loss.SparseCategoricalCrossEntropy,
        Loss.MeanSquaredError, Loss.MeanAbsoluteError, Loss.Huber,
    };

    /// <summary>
    /// Inputs away from every kink: probabilities in [0.05, 0.95] (no clip), rows that do not sum to one (so
    /// the cross-entropy normalisation shows), and errors whose magnitude avoids 0 and 1 (MAE, Huber).
    /// </summary>
    private static (double[] Pred, double[] True) Inputs(Loss loss, ulong seed)
    {
        var rng = new Rng(seed);
        var pred = new double[Rows * Classes];
        double[] target;
        switch (loss)
        {
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < pred.Length; i++) pred[i] = 0.05 + 0.9 * rng.NextDouble();
                target = new double[pred.Length];
                // Soft and hard targets both occur in practice.
                for (int i = 0; i < target.Length; i++) target[i] = i % 3 == 0 ? rng.NextDouble() : i % 2;
                break;
            case Loss.CategoricalCrossEntropy:
                for (int i = 0; i < pred.Length; i++) pred[i] = 0.05 + 0.3 * rng.NextDouble();
                target = new double[pred.Length];
                for (int r = 0; r < Rows; r++)
                {
                    if (r == 1)
                    {
                        // A soft target row.
                        for (int j = 0; j < Classes; j++) target[r * Classes + j] = 0.2;
                    }
                    else
                    {
                        target[r * Classes + rng.NextInt(Classes)] = 1;
                    }
                }
                break;
            case Loss.SparseCategoricalCrossEntropy:
                for (int i = 0; i < pred.Length; i++) pred[i] = 0.05 + 0.3 * rng.NextDouble();
                target = new double[Rows];
                for (int r = 0; r < Rows; r++) target[r] = rng.NextInt(Classes);
                break;
            default:
                target = new double[pred.Length];
                for (int i = 0; i < pred.Length; i++)
                {
                    target[i] = rng.NextNormal();
                    // |e| in [0.1, 0.8] or [1.2, 2.5], random sign.
                    double magnitude = i % 2 == 0 ? 0.1 + 0.7 * rng.NextDouble() : 1.2 + 1.3 * rng.NextDouble();
                    pred[i] = target[i] + (rng.NextDouble() < 0.5 ? -magnitude : magnitude);
                }
                break;
        }
        return (pred, target);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Gradient_matches_central_differences(Loss loss)
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            (double[] pred, double[] target) = Inputs(loss, seed);
            var analytic = new double[pred.Length];
            Losses.Gradient<double>(loss, pred, target, analytic, Classes);

            var numeric = new double[pred.Length];
            const double h = 1e-6;
            for (int i = 0; i < pred.Length; i++)
            {
                double saved = pred[i];
                pred[i] = saved + h;
                double plus = Losses.Compute<double>(loss, pred, target, Classes);
                pred[i] = saved - h;
                double minus = Losses.Compute<double>(loss, pred, target, Classes);
                pred[i] = saved;
                numeric[i] = (plus - minus) / (2 * h);
            }
            Assert.True(TestMath.RelativeError(analytic, numeric) < 1e-6,
                $"{loss} seed {seed}: relative error {TestMath.RelativeError(analytic, numeric)}");
        }
    }

    [Fact]
    public void Values_match_hand_computed_keras_formulas()
    {
        double[] p = [0.2, 0.7, 0.9, 0.4];
        double[] y = [0, 1, 1, 0];
        // BCE: mean over the last axis (2), then over the rows (2).
        double bce = (-(Math.Log(0.8) + Math.Log(0.7)) / 2 - (Math.Log(0.9) + Math.Log(0.6)) / 2) / 2;
        Assert.Equal(bce, Losses.Compute<double>(Loss.BinaryCrossEntropy, p, y, 2), 14);

        // CCE divides each row by its sum first: row 0 sums to 0.9, row 1 to 1.3.
        double cce = (-Math.Log(0.7 / 0.9) - Math.Log(0.9 / 1.3)) / 2;
        Assert.Equal(cce, Losses.Compute<double>(Loss.CategoricalCrossEntropy, p, y, 2), 14);
        Assert.Equal(cce, Losses.Compute<double>(Loss.SparseCategoricalCrossEntropy, p, [1.0, 0.0], 2), 14);

        double[] t = [0.5, 0.5, -1.5, 0.4];
        // errors -0.3, 0.2, 2.4, 0
        Assert.Equal(((0.09 + 0.04) / 2 + 5.76 / 2) / 2, Losses.Compute<double>(Loss.MeanSquaredError, p, t, 2), 14);
        Assert.Equal(((0.3 + 0.2) / 2 + 2.4 / 2) / 2, Losses.Compute<double>(Loss.MeanAbsoluteError, p, t, 2), 14);
        Assert.Equal(((0.045 + 0.02) / 2 + 1.9 / 2) / 2, Losses.Compute<double>(Loss.Huber, p, t, 2), 14);
    }

    [Fact]
    public void Binary_cross_entropy_clips_and_clipped_entries_have_zero_gradient()
    {
        // The conformance case's clipped entries: 1e-9 with y = 1, 2e-8 with y = 0, 0.99999994 with y = 1.
        double[] p = [1e-9, 2e-8, 0.99999994, 0.3];
        double[] y = [1, 0, 1, 1];
        double expected = (-Math.Log(1e-7) - Math.Log(1 - 1e-7) - Math.Log(1 - 1e-7) - Math.Log(0.3)) / 4;
        Assert.Equal(expected, Losses.Compute<double>(Loss.BinaryCrossEntropy, p, y, 4), 12);

        var d = new double[4];
        Losses.Gradient<double>(Loss.BinaryCrossEntropy, p, y, d, 4);
        Assert.Equal(0.0, d[0]);
        Assert.Equal(0.0, d[1]);
        Assert.Equal(0.0, d[2]);
        Assert.Equal(-1 / 0.3 / 4, d[3], 14);
    }

    [Fact]
    public void Categorical_cross_entropy_clip_zeroes_the_row_and_the_division_shows_in_the_gradient()
    {
        // Row 0: the true class has 1e-9, clipped to 1e-7: loss −log(1e-7), gradient zero for the whole row.
        // Row 1: sums to one, so dL/dp_j = (−[j = k] / p_k + 1) / batch.
        double[] p = [1e-9, 0.6, 0.4 - 1e-9, 0.2, 0.5, 0.3];
        double[] y = [1, 0, 0, 0, 1, 0];
        double expected = (-Math.Log(1e-7) - Math.Log(0.5)) / 2;
        Assert.Equal(expected, Losses.Compute<double>(Loss.CategoricalCrossEntropy, p, y, 3), 12);

        var d = new double[6];
        Losses.Gradient<double>(Loss.CategoricalCrossEntropy, p, y, d, 3);
        Assert.Equal([0.0, 0.0, 0.0], d[..3]);
        Assert.Equal(1.0 / 2, d[3], 12);
        Assert.Equal((-1 / 0.5 + 1) / 2, d[4], 12);
        Assert.Equal(1.0 / 2, d[5], 12);
    }

    [Fact]
    public void Float_clip_bound_is_the_float32_one_like_keras()
    {
        // 1 − 1e-7 rounds to 0.99999988f; 0.99999994f is above it, so it is clipped and has zero gradient.
        float[] p = [0.99999994f];
        float[] y = [0f];
        var d = new float[1];
        Losses.Gradient<float>(Loss.BinaryCrossEntropy, p, y, d, 1);
        Assert.Equal(0f, d[0]);
        Assert.Equal(-Math.Log(1 - (double)0.99999988f), Losses.Compute<float>(Loss.BinaryCrossEntropy, p, y, 1), 3);
    }

    [Fact]
    public void Sparse_equals_categorical_with_one_hot_targets()
    {
        (double[] pred, double[] labels) = Inputs(Loss.SparseCategoricalCrossEntropy, 7);
        var oneHot = new double[pred.Length];
        for (int r = 0; r < Rows; r++) oneHot[r * Classes + (int)labels[r]] = 1;

        Assert.Equal(Losses.Compute<double>(Loss.CategoricalCrossEntropy, pred, oneHot, Classes),
            Losses.Compute<double>(Loss.SparseCategoricalCrossEntropy, pred, labels, Classes), 14);
        var dDense = new double[pred.Length];
        var dSparse = new double[pred.Length];
        Losses.Gradient<double>(Loss.CategoricalCrossEntropy, pred, oneHot, dDense, Classes);
        Losses.Gradient<double>(Loss.SparseCategoricalCrossEntropy, pred, labels, dSparse, Classes);
        Assert.Equal(dDense, dSparse);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(5.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Sparse_labels_outside_the_classes_or_not_integers_throw(double badLabel)
    {
        var p = new double[2 * Classes];
        p.AsSpan().Fill(0.2);
        double[] labels = [1, badLabel];
        var d = new double[p.Length];
        Assert.Throws<ArgumentException>(() => Losses.Compute<double>(Loss.SparseCategoricalCrossEntropy, p, labels, Classes));
        Assert.Throws<ArgumentException>(() => Losses.Gradient<double>(Loss.SparseCategoricalCrossEntropy, p, labels, d, Classes));
        var ex = Assert.Throws<ArgumentException>(
            () => Losses.SoftmaxSparseCategoricalCrossEntropyGradient<double>(p, labels, p, Classes));
        Assert.Contains("row 1", ex.Message);
        // Validation happens before any write, so the aliased predictions are untouched.
        Assert.All(p, v => Assert.Equal(0.2, v));
    }

    [Fact]
    public void Sigmoid_fused_gradient_equals_the_chained_gradient()
    {
        var rng = new Rng(11);
        var z = new double[Rows * Classes];
        var y = new double[z.Length];
        for (int i = 0; i < z.Length; i++) { z[i] = 3 * rng.NextNormal(); y[i] = i % 4 == 0 ? rng.NextDouble() : i % 2; }
        var p = new double[z.Length];
        for (int i = 0; i < z.Length; i++) p[i] = 1 / (1 + Math.Exp(-z[i]));

        var dp = new double[z.Length];
        Losses.Gradient<double>(Loss.BinaryCrossEntropy, p, y, dp, Classes);
        var chained = new double[z.Length];
        for (int i = 0; i < z.Length; i++) chained[i] = dp[i] * p[i] * (1 - p[i]);

        var fused = new double[z.Length];
        Losses.SigmoidBinaryCrossEntropyGradient<double>(p, y, fused, Classes);
        Assert.True(TestMath.RelativeError(chained, fused) < 1e-12);
        for (int i = 0; i < z.Length; i++) Assert.Equal((p[i] - y[i]) / z.Length, fused[i], 15);
    }

    [Fact]
    public void Softmax_fused_gradients_equal_the_chained_gradient()
    {
        var rng = new Rng(12);
        var z = new double[Rows * Classes];
        for (int i = 0; i < z.Length; i++) z[i] = 2 * rng.NextNormal();
        var p = TestMath.Softmax(z, Classes);
        var labels = new double[Rows];
        var oneHot = new double[z.Length];
        for (int r = 0; r < Rows; r++) { labels[r] = rng.NextInt(Classes); oneHot[r * Classes + (int)labels[r]] = 1; }

        var dp = new double[z.Length];
        Losses.Gradient<double>(Loss.CategoricalCrossEntropy, p, oneHot, dp, Classes);
        var chained = TestMath.SoftmaxBackward(p, dp, Classes);

        var fused = new double[z.Length];
        Losses.SoftmaxCategoricalCrossEntropyGradient<double>(p, oneHot, fused, Classes);
        Assert.True(TestMath.RelativeError(chained, fused) < 1e-12, $"{TestMath.RelativeError(chained, fused)}");

        var fusedSparse = new double[z.Length];
        Losses.SoftmaxSparseCategoricalCrossEntropyGradient<double>(p, labels, fusedSparse, Classes);
        Assert.True(TestMath.RelativeError(chained, fusedSparse) < 1e-12);

        // In place (dz aliasing p), as generated code may do.
        var inPlace = (double[])p.Clone();
        Losses.SoftmaxSparseCategoricalCrossEntropyGradient<double>(inPlace, labels, inPlace, Classes);
        Assert.Equal(fusedSparse, inPlace);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Float_agrees_with_double(Loss loss)
    {
        (double[] pred, double[] target) = Inputs(loss, 5);
        float[] pf = Array.ConvertAll(pred, v => (float)v);
        float[] tf = Array.ConvertAll(target, v => (float)v);
        double[] pd = Array.ConvertAll(pf, v => (double)v);
        double[] td = Array.ConvertAll(tf, v => (double)v);

        double expected = Losses.Compute<double>(loss, pd, td, Classes);
        Assert.Equal(expected, Losses.Compute<float>(loss, pf, tf, Classes), 5);

        var gd = new double[pd.Length];
        var gf = new float[pf.Length];
        Losses.Gradient<double>(loss, pd, td, gd, Classes);
        Losses.Gradient<float>(loss, pf, tf, gf, Classes);
        Assert.True(TestMath.RelativeError(gd, Array.ConvertAll(gf, v => (double)v)) < 1e-5);
    }

    [Fact]
    public void Gradient_may_overwrite_the_predictions()
    {
        foreach (Loss loss in new[] { Loss.BinaryCrossEntropy, Loss.CategoricalCrossEntropy, Loss.MeanSquaredError, Loss.Huber })
        {
            (double[] pred, double[] target) = Inputs(loss, 3);
            var separate = new double[pred.Length];
            Losses.Gradient<double>(loss, pred, target, separate, Classes);
            Losses.Gradient<double>(loss, pred, target, pred, Classes);
            Assert.Equal(separate, pred);
        }
    }

    [Fact]
    public void Bad_shapes_name_expected_and_actual_sizes()
    {
        var p = new double[10];
        var ex = Assert.Throws<ArgumentException>(() => Losses.Compute<double>(Loss.MeanSquaredError, p, new double[10], 3));
        Assert.Contains("10", ex.Message);
        Assert.Contains("3", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Losses.Compute<double>(Loss.MeanSquaredError, p, new double[8], 5));
        Assert.Contains("8", ex.Message);
        Assert.Contains("10", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Losses.Compute<double>(Loss.SparseCategoricalCrossEntropy, p, new double[3], 5));
        Assert.Contains("3", ex.Message);
        Assert.Contains("2", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Losses.Gradient<double>(Loss.MeanSquaredError, p, new double[10], new double[9], 5));
        Assert.Contains("9", ex.Message);

        Assert.Throws<ArgumentException>(() => Losses.Compute<double>(Loss.None, p, p, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Compute<double>(Loss.MeanSquaredError, p, p, 0));
        Assert.Throws<NotSupportedException>(() => Losses.Compute<Half>(Loss.MeanSquaredError, new Half[2], new Half[2], 1));
    }

    [Fact]
    public void Empty_batch_has_zero_loss()
    {
        Assert.Equal(0.0, Losses.Compute<double>(Loss.CategoricalCrossEntropy, [], [], 3));
        Losses.Gradient<double>(Loss.CategoricalCrossEntropy, [], [], [], 3);
    }

    private static readonly Loss[] DenseLosses =
        [Loss.BinaryCrossEntropy, Loss.CategoricalCrossEntropy, Loss.MeanSquaredError, Loss.MeanAbsoluteError, Loss.Huber];

    [Fact]
    public void Losses_do_not_allocate()
    {
        (double[] p, double[] t) = Inputs(Loss.CategoricalCrossEntropy, 2);
        (double[] ps, double[] labels) = Inputs(Loss.SparseCategoricalCrossEntropy, 2);
        var d = new double[p.Length];
        double sink = 0;
        void Run()
        {
            foreach (Loss loss in DenseLosses)
            {
                sink += Losses.Compute<double>(loss, p, t, Classes);
                Losses.Gradient<double>(loss, p, t, d, Classes);
            }
            sink += Losses.Compute<double>(Loss.SparseCategoricalCrossEntropy, ps, labels, Classes);
            Losses.Gradient<double>(Loss.SparseCategoricalCrossEntropy, ps, labels, d, Classes);
            Losses.SigmoidBinaryCrossEntropyGradient<double>(p, t, d, Classes);
            Losses.SoftmaxCategoricalCrossEntropyGradient<double>(p, t, d, Classes);
            Losses.SoftmaxSparseCategoricalCrossEntropyGradient<double>(ps, labels, d, Classes);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
        Assert.True(double.IsFinite(sink));
    }
}
