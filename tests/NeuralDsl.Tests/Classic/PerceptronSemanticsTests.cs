using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Classic;

/// <summary>
/// What perceptron.json does not cover (it has no penalty, no shuffling, no class weights): the penalties against a
/// plain reference written without scikit-learn's scale-factor trick, the shuffling semantics (a permutation per
/// epoch, deterministic per seed; the draws are not numpy's), the stopping rule and its warning, class weights,
/// early stopping and PartialFit.
/// </summary>
public sealed class PerceptronSemanticsTests
{
    /// <summary>Relative tolerance (to the largest coefficient) between the fitted and the reference weights.</summary>
    private const double Tolerance = 1e-9;

    [Theory]
    [InlineData(Penalty.L2, 0.01, 0.15)]
    [InlineData(Penalty.L1, 0.01, 0.15)]
    [InlineData(Penalty.ElasticNet, 0.01, 0.5)]
    [InlineData(Penalty.L2, 0.9, 0.15)] // η·α near 1: the scale factor falls below 1e-9 and is folded into the weights
    public void Penalties_match_a_plain_reference(Penalty penalty, double alpha, double l1Ratio)
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var options = new PerceptronOptions { Penalty = penalty, Alpha = alpha, L1Ratio = l1Ratio, Shuffle = false, Tol = null, MaxIter = 20, ClassWeights = [1.0, 2.0, 0.5] };
        var model = new PerceptronClassifier(features, classes, options);
        model.Fit(x, y);

        double scale = 1e-300;
        for (int c = 0; c < classes; c++)
        {
            (double[] w, double b) = Reference(x, y, features, positive: c, options, options.ClassWeights![c], 1.0);
            foreach (double v in w) scale = Math.Max(scale, Math.Abs(v));
            for (int j = 0; j < features; j++)
                Assert.True(Math.Abs(model.Coef[c * features + j] - w[j]) <= Tolerance * Math.Max(scale, 1),
                    $"{penalty}: coef[{c}, {j}] = {model.Coef[c * features + j]:R}, reference {w[j]:R}");
            Assert.True(Math.Abs(model.Intercept[c] - b) <= Tolerance * Math.Max(scale, 1), $"{penalty}: intercept[{c}] = {model.Intercept[c]:R}, reference {b:R}");
        }
        if (penalty != Penalty.L2)
            Assert.Contains(0.0, model.Coef.ToArray()); // the truncated gradient sets weights to exactly zero
    }

    [Theory]
    [InlineData("digits", Penalty.None)]
    [InlineData("digits", Penalty.ElasticNet)]
    [InlineData("iris", Penalty.L2)]
    public void One_vs_rest_rows_equal_binary_fits_bit_for_bit(string data, Penalty penalty)
    {
        // The one-vs-rest fit takes the dots of two running problems in one pass over a row; each row of its weights
        // must still be exactly the binary fit of its class (same seed, so the same epoch orders), whatever problems
        // stopped earlier and re-paired the rest. Shuffled, with the stopping rule.
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load(data);
        var options = new PerceptronOptions { Penalty = penalty, Alpha = 1e-3, L1Ratio = 0.3, MaxIter = 40 };
        var model = new PerceptronClassifier(features, classes, options, seed: 5);
        model.Fit(x, y);
        for (int c = 0; c < classes; c++)
        {
            var binary = new PerceptronClassifier(features, 2, options, seed: 5);
            binary.Fit(x, y.Select(label => label == c ? 1 : 0).ToArray());
            Assert.Equal(binary.Coef.ToArray(), model.Coef.Slice(c * features, features).ToArray());
            Assert.Equal(binary.Intercept[0], model.Intercept[c]);
        }
    }

    [Fact]
    public void One_vs_rest_fit_follows_the_thread_limit_and_gives_the_same_bits_for_any_count()
    {
        // The ten digit problems are fitted in two halves on two threads when the work is large enough, unless
        // NeuralDslThreads says one thread: then every problem's epochs run on the calling thread.
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("digits");
        var options = new PerceptronOptions { MaxIter = 20 };
        int caller = Environment.CurrentManagedThreadId;
        var threads = new HashSet<int>();
        var single = new PerceptronClassifier(features, classes, options, seed: 7);
        single.ObserveEpochOrder = (_, _, _, _) => { lock (threads) threads.Add(Environment.CurrentManagedThreadId); };
        using (NeuralDslThreads.Limit(1))
            single.Fit(x, y);
        Assert.Equal([caller], threads);

        foreach (int count in new[] { 2, 4 })
        {
            var shared = new PerceptronClassifier(features, classes, options, seed: 7);
            using (NeuralDslThreads.Limit(count))
                shared.Fit(x, y);
            Assert.Equal(single.Coef.ToArray(), shared.Coef.ToArray());
            Assert.Equal(single.Intercept.ToArray(), shared.Intercept.ToArray());
            Assert.Equal(single.NIter, shared.NIter);
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Plain_loop_equals_the_general_loop_bit_for_bit(bool fitIntercept, bool classWeights)
    {
        // Without a penalty and early stopping the fit takes its own loop (no scale factor, pointers, the loss touched
        // only on mistakes). L2 with alpha 0 keeps the scale factor at exactly 1 in the general loop, so both must give
        // the same bits. Shuffled, with the stopping rule, so problems stop at different epochs and re-pair.
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("digits");
        double[]? weights = classWeights ? Enumerable.Range(0, classes).Select(c => 0.5 + (0.25 * c)).ToArray() : null;
        var plainOptions = new PerceptronOptions { Penalty = Penalty.None, FitIntercept = fitIntercept, ClassWeights = weights, MaxIter = 40 };
        var plain = new PerceptronClassifier(features, classes, plainOptions, seed: 3);
        plain.Fit(x, y);
        var general = new PerceptronClassifier(features, classes, plainOptions with { Penalty = Penalty.L2, Alpha = 0.0 }, seed: 3);
        general.Fit(x, y);
        Assert.Equal(general.Coef.ToArray(), plain.Coef.ToArray());
        Assert.Equal(general.Intercept.ToArray(), plain.Intercept.ToArray());
        Assert.Equal(general.NIter, plain.NIter);
        Assert.True(plain.NIter < 40, $"the stopping rule should stop the fit before MaxIter (NIter {plain.NIter})");
    }

    /// <summary>
    /// One binary problem of scikit-learn's perceptron, written plainly: the weights are scaled in place every step and
    /// the L1 truncation uses them directly (no separate scale factor), rows in order, no stopping rule.
    /// </summary>
    private static (double[] W, double B) Reference(double[] x, int[] y, int f, int positive, PerceptronOptions o, double weightPositive, double weightNegative)
    {
        var w = new double[f];
        var q = new double[f];
        double b = 0, u = 0;
        double l1Ratio = o.Penalty switch { Penalty.L2 => 0, Penalty.L1 => 1, _ => o.L1Ratio };
        bool l2 = o.Penalty is Penalty.L2 or Penalty.ElasticNet, l1 = o.Penalty is Penalty.L1 or Penalty.ElasticNet;
        for (int epoch = 0; epoch < o.MaxIter; epoch++)
        {
            for (int s = 0; s < y.Length; s++)
            {
                double target = y[s] == positive ? 1 : -1;
                double p = b;
                for (int j = 0; j < f; j++) p += w[j] * x[s * f + j];
                double update = p * target <= 0 ? o.Eta0 * target * (target > 0 ? weightPositive : weightNegative) : 0;
                if (l2)
                {
                    double factor = Math.Max(0, 1 - (1 - l1Ratio) * o.Eta0 * o.Alpha);
                    for (int j = 0; j < f; j++) w[j] *= factor;
                }
                for (int j = 0; j < f; j++) w[j] += update * x[s * f + j];
                b += update;
                if (l1)
                {
                    u += l1Ratio * o.Eta0 * o.Alpha;
                    for (int j = 0; j < f; j++)
                    {
                        double z = w[j];
                        if (z > 0) w[j] = Math.Max(0, w[j] - (u + q[j]));
                        else if (z < 0) w[j] = Math.Min(0, w[j] + (u - q[j]));
                        q[j] += w[j] - z;
                    }
                }
            }
        }
        return (w, b);
    }

    private static List<(int Problem, int Epoch, int[] Order)> Orders(PerceptronClassifier model, double[] x, int[] y)
    {
        var orders = new List<(int, int, int[])>();
        model.ObserveEpochOrder = (problem, epoch, order, _) => { lock (orders) orders.Add((problem, epoch, order.ToArray())); };
        model.Fit(x, y);
        model.ObserveEpochOrder = null;
        return [.. orders.OrderBy(o => o.Item1).ThenBy(o => o.Item2)];
    }

    [Fact]
    public void Shuffling_draws_a_new_permutation_every_epoch_deterministic_per_seed()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var options = new PerceptronOptions { Tol = null, MaxIter = 4 };
        var first = Orders(new PerceptronClassifier(features, classes, options, seed: 7), x, y);
        var again = Orders(new PerceptronClassifier(features, classes, options, seed: 7), x, y);
        var other = Orders(new PerceptronClassifier(features, classes, options, seed: 8), x, y);

        Assert.Equal(classes * 4, first.Count);
        int[] identity = [.. Enumerable.Range(0, y.Length)];
        foreach ((int problem, int epoch, int[] order) in first)
        {
            Assert.Equal(identity, order.Order()); // every row once per epoch
            Assert.NotEqual(identity, order);
            if (epoch > 0)
                Assert.NotEqual(first.Single(o => o.Problem == problem && o.Epoch == epoch - 1).Order, order);
        }
        // The one-vs-rest problems share each epoch's order (on both threads); the same seed repeats everything,
        // another seed does not.
        for (int problem = 1; problem < classes; problem++)
            Assert.Equal(first.Where(o => o.Problem == 0).Select(o => o.Order), first.Where(o => o.Problem == problem).Select(o => o.Order));
        Assert.Equal(first.Select(o => o.Order), again.Select(o => o.Order));
        Assert.NotEqual(first[0].Order, other[0].Order);
    }

    [Fact]
    public void Same_seed_same_fit_and_without_shuffling_the_rows_stay_in_order()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var a = new PerceptronClassifier(features, classes, seed: 3);
        var b = new PerceptronClassifier(features, classes, seed: 3);
        a.Fit(x, y);
        b.Fit(x, y);
        Assert.Equal(a.Coef.ToArray(), b.Coef.ToArray());
        double[] firstFit = a.Coef.ToArray();
        a.Fit(x, y); // Fit starts over from the seed
        Assert.Equal(firstFit, a.Coef.ToArray());

        var ordered = new PerceptronClassifier(features, classes, new PerceptronOptions { Shuffle = false, MaxIter = 3, Tol = null });
        Assert.All(Orders(ordered, x, y), o => Assert.Equal(Enumerable.Range(0, y.Length), o.Order));
    }

    [Fact]
    public void Convergence_warning_when_all_epochs_ran_with_a_tolerance()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var capped = new PerceptronClassifier(features, classes, new PerceptronOptions { MaxIter = 2 });
        capped.Fit(x, y);
        Assert.Equal(2, capped.NIter);
        Assert.Equal(PerceptronClassifier.ConvergenceWarningMessage, capped.ConvergenceWarning);

        var noTolerance = new PerceptronClassifier(features, classes, new PerceptronOptions { MaxIter = 2, Tol = double.NaN });
        noTolerance.Fit(x, y);
        Assert.Equal(2, noTolerance.NIter);
        Assert.Null(noTolerance.ConvergenceWarning);

        var converged = new PerceptronClassifier(features, classes);
        converged.Fit(x, y);
        Assert.True(converged.NIter < 1000);
        Assert.Null(converged.ConvergenceWarning);
    }

    [Fact]
    public void Balanced_class_weights_are_n_over_classes_times_count()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("breast_cancer");
        int malignant = y.Count(v => v == 0), benign = y.Length - malignant; // 212 and 357
        var balanced = new PerceptronClassifier(features, classes, new PerceptronOptions { Shuffle = false, ClassWeight = ClassWeight.Balanced, MaxIter = 5 });
        var explicitWeights = new PerceptronClassifier(features, classes, new PerceptronOptions
        {
            Shuffle = false, MaxIter = 5, ClassWeights = [y.Length / (2.0 * malignant), y.Length / (2.0 * benign)],
        });
        var unweighted = new PerceptronClassifier(features, classes, new PerceptronOptions { Shuffle = false, MaxIter = 5 });
        balanced.Fit(x, y);
        explicitWeights.Fit(x, y);
        unweighted.Fit(x, y);
        Assert.Equal(explicitWeights.Coef.ToArray(), balanced.Coef.ToArray());
        Assert.NotEqual(unweighted.Coef.ToArray(), balanced.Coef.ToArray());

        var ex = Assert.Throws<ArgumentException>(() => balanced.Fit(x, [.. y.Select(_ => 1)]));
        Assert.Contains("class 0 has no row", ex.Message);
        Assert.Throws<InvalidOperationException>(() => balanced.PartialFit(x, y));
    }

    [Fact]
    public void Early_stopping_holds_out_a_stratified_tenth_and_stops_on_its_score()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var model = new PerceptronClassifier(features, classes, new PerceptronOptions { EarlyStopping = true }, seed: 1);
        byte[]? mask = null;
        model.ObserveEpochOrder = (_, _, _, validation) => mask ??= validation.ToArray();
        model.Fit(x, y);
        Assert.NotNull(mask);
        // ceil(0.1 · 150) = 15 rows held out, 5 of each class (scikit-learn's StratifiedShuffleSplit sizes).
        Assert.Equal(15, mask!.Count(v => v == 1));
        for (int c = 0; c < classes; c++)
            Assert.Equal(5, Enumerable.Range(0, y.Length).Count(i => mask[i] == 1 && y[i] == c));
        Assert.InRange(model.NIter, 6, 999); // the first epoch always improves on −∞, then 5 without improvement stop
        Assert.Equal(1 + model.NIter * 150.0, model.T); // t_ counts the held-out rows too, as scikit-learn does

        var tiny = new PerceptronClassifier(2, 2, new PerceptronOptions { EarlyStopping = true });
        Assert.Throws<InvalidOperationException>(() => tiny.Fit([0, 0, 1, 1, 0, 1, 1, 0], [0, 1, 0, 1]));
        Assert.Throws<InvalidOperationException>(() => model.PartialFit(x, y));
    }

    [Fact]
    public void PartialFit_runs_one_epoch_from_the_current_weights_and_keeps_counting()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var options = new PerceptronOptions { Shuffle = false, Tol = null };
        var twice = new PerceptronClassifier(features, classes, options);
        twice.PartialFit(x, y);
        Assert.Equal(1, twice.NIter);
        Assert.Equal(1 + 150.0, twice.T);
        twice.PartialFit(x, y);
        Assert.Equal(1 + 300.0, twice.T);

        var fit = new PerceptronClassifier(features, classes, options with { MaxIter = 2 });
        fit.Fit(x, y);
        Assert.Equal(fit.Coef.ToArray(), twice.Coef.ToArray());
        Assert.Equal(fit.Intercept.ToArray(), twice.Intercept.ToArray());
        Assert.Equal(fit.T, twice.T);
    }

    [Fact]
    public void A_rejected_fit_leaves_the_model_unchanged()
    {
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load("iris");
        var model = new PerceptronClassifier(features, classes);
        model.Fit(x, y);
        double[] coef = model.Coef.ToArray();
        double t = model.T;
        int[] bad = [.. y];
        bad[^1] = 3;
        Assert.Throws<ArgumentException>(() => model.Fit(x, bad));
        Assert.Throws<ArgumentException>(() => model.PartialFit(x.AsSpan(0, 10), y));
        Assert.Equal(coef, model.Coef.ToArray());
        Assert.Equal(t, model.T);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)] // one-vs-rest on both threads: the same exception, not an AggregateException
    public void An_overflowing_fit_throws_and_leaves_the_model_unchanged(int classes)
    {
        // Rows near double's limit: the first update already makes the weights infinite.
        int n = 40, features = 3;
        var x = new double[n * features];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % classes;
            for (int j = 0; j < features; j++) x[i * features + j] = (i + j) % 2 == 0 ? 1e308 : -1e308;
        }
        // Large enough for the parallel path when there are ten classes.
        double[] wide = [.. Enumerable.Repeat(x, 500).SelectMany(r => r)];
        int[] wideY = [.. Enumerable.Repeat(y, 500).SelectMany(r => r)];
        var model = new PerceptronClassifier(features, classes, new PerceptronOptions { Eta0 = 1e10 });
        var ex = Assert.Throws<InvalidOperationException>(() => model.Fit(wide, wideY));
        Assert.Contains("Floating-point under-/overflow occurred at epoch #1", ex.Message);
        Assert.False(model.IsFitted);
        Assert.All(model.Coef.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Theory]
    [InlineData(nameof(PerceptronOptions.Alpha))]
    [InlineData(nameof(PerceptronOptions.L1Ratio))]
    [InlineData(nameof(PerceptronOptions.MaxIter))]
    [InlineData(nameof(PerceptronOptions.Tol))]
    [InlineData(nameof(PerceptronOptions.NIterNoChange))]
    [InlineData(nameof(PerceptronOptions.Eta0))]
    [InlineData(nameof(PerceptronOptions.ValidationFraction))]
    [InlineData(nameof(PerceptronOptions.ClassWeights))]
    public void Settings_out_of_range_are_rejected_at_construction(string setting)
    {
        PerceptronOptions bad = setting switch
        {
            nameof(PerceptronOptions.Alpha) => new() { Alpha = -1 },
            nameof(PerceptronOptions.L1Ratio) => new() { L1Ratio = 2 },
            nameof(PerceptronOptions.MaxIter) => new() { MaxIter = 0 },
            nameof(PerceptronOptions.Tol) => new() { Tol = -1 },
            nameof(PerceptronOptions.NIterNoChange) => new() { NIterNoChange = 0 },
            nameof(PerceptronOptions.Eta0) => new() { Eta0 = 0 },
            nameof(PerceptronOptions.ValidationFraction) => new() { ValidationFraction = 1 },
            _ => new() { ClassWeights = [1.0] },
        };
        var ex = Assert.Throws<ArgumentException>(() => new PerceptronClassifier(4, 2, bad));
        Assert.Equal(setting, ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerceptronClassifier(4, 1));
    }
}
