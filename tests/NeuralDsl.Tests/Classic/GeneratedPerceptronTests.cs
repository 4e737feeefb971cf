using System;
using System.IO;
using NeuralDsl.Tests.IO;
using Xunit;

namespace NeuralDsl.Tests.Classic;

/// <summary>Generated <c>[Perceptron]</c> classes: the seed's example, scikit-learn's results, settings, save and load.</summary>
public sealed class GeneratedPerceptronTests
{
    private static readonly double[] SeedX = [0, 0, 1, 1];
    private static readonly int[] SeedY = [0, 1];

    [Fact]
    public void Seed_example_predicts_1_for_2_2()
    {
        // X = [[0, 0], [1, 1]], y = [0, 1], Perceptron(tol=1e-3, random_state=0): predict([[2, 2]]) == [1].
        var model = new SeedPerceptron(seed: 0);
        model.Fit(SeedX, SeedY);
        Assert.Equal(1, model.Predict([2.0, 2.0]));
        Assert.Equal(1.0, model.Score(SeedX, SeedY));
        Assert.Equal(1, SeedPerceptron.CoefRows);
        Assert.Equal(2, model.Coef.Length);
    }

    [Fact]
    public void Seed_example_without_shuffling_stops_by_the_rule_worked_by_hand()
    {
        // Rows in order. Epoch 1: row 0 has p = 0 (a mistake, loss 0): b = −1; row 1 has p = −1 (loss 1): w = [1, 1],
        // b = 0. Epoch 2: row 0 has p = 0 again: b = −1 (loss 0); row 1 is right. Summed losses 1, 0, then 0 for ever:
        // epoch 2 improves on 1 by more than tol·n = 0.002, epochs 3–7 do not, and the fifth of those stops the fit.
        var model = new PerceptronClassifier(2, 2, new PerceptronOptions { Shuffle = false, Tol = 1e-3 });
        model.Fit(SeedX, SeedY);
        Assert.Equal(7, model.NIter);
        Assert.Equal(1 + 7 * 2, model.T);
        Assert.Equal([1.0, 1.0], model.Coef.ToArray());
        Assert.Equal(-1.0, model.Intercept[0]);
        Assert.Null(model.ConvergenceWarning);
    }

    [Fact]
    public void Generated_iris_matches_scikit_learn()
    {
        SklearnFixtures.Case c = SklearnFixtures.Get("iris:tol");
        (double[] x, int[] y, _, _) = SklearnFixtures.Load("iris");
        var model = new IrisPerceptron();
        model.Fit(x, y);
        PerceptronConformanceTests.AssertMatches(c, model.Classifier, x, y);
        Assert.Equal(3, IrisPerceptron.CoefRows);
    }

    [Fact]
    public void Generated_settings_are_the_attribute_literals()
    {
        PerceptronOptions o = new TunedIrisPerceptron().Options;
        Assert.Equal(Penalty.ElasticNet, o.Penalty);
        Assert.Equal(0.001, o.Alpha);
        Assert.Equal(0.5, o.L1Ratio);
        Assert.False(o.FitIntercept);
        Assert.Equal(50, o.MaxIter);
        Assert.Null(o.Tol);
        Assert.Equal(3, o.NIterNoChange);
        Assert.False(o.Shuffle);
        Assert.Equal(0.5, o.Eta0);
        Assert.Equal([1.0, 2.0, 0.5], o.ClassWeights!);

        PerceptronOptions defaults = new SeedPerceptron().Options;
        Assert.Equal(new PerceptronOptions(), defaults with { ClassWeights = null });
    }

    [Fact]
    public void Save_and_load_round_trip_and_a_mismatched_file_changes_nothing()
    {
        using var dir = new TempDirectory();
        (double[] x, int[] y, _, _) = SklearnFixtures.Load("iris");
        var model = new IrisPerceptron();
        model.Fit(x, y);
        string path = Path.Combine(dir.Path, "iris.safetensors");
        model.SaveWeights(path);

        var loaded = new IrisPerceptron();
        loaded.LoadWeights(path);
        Assert.Equal(model.Coef.ToArray(), loaded.Coef.ToArray());
        Assert.Equal(model.Intercept.ToArray(), loaded.Intercept.ToArray());
        Assert.Equal(model.NIter, loaded.NIter);
        Assert.Equal(model.T, loaded.T);
        var a = new int[y.Length];
        var b = new int[y.Length];
        model.Predict(x, a);
        loaded.Predict(x, b);
        Assert.Equal(a, b);

        // A binary perceptron's file has coef [1, 2]: rejected by a three-class model, which keeps its weights.
        var seed = new SeedPerceptron();
        seed.Fit(SeedX, SeedY);
        string other = Path.Combine(dir.Path, "seed.safetensors");
        seed.SaveWeights(other);
        double[] before = loaded.Coef.ToArray();
        var ex = Assert.Throws<InvalidDataException>(() => loaded.LoadWeights(other));
        Assert.Contains("'coef' has shape [1, 2], expected [3, 4]", ex.Message);
        Assert.Equal(before, loaded.Coef.ToArray());
    }

    [Fact]
    public void Bad_input_names_expected_and_actual()
    {
        var model = new SeedPerceptron();
        var ex = Assert.Throws<ArgumentException>(() => model.Fit([0, 0, 1], SeedY));
        Assert.Contains("x has 3 values; expected 2 rows × 2 features = 4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.Fit(SeedX, [0, 2]));
        Assert.Contains("y[1] is 2; expected a class label in 0..1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.Fit([0, double.NaN, 1, 1], SeedY));
        Assert.Contains("x[1] (row 0, feature 1) is NaN", ex.Message);
        Assert.False(model.IsFitted);
        Assert.Throws<InvalidOperationException>(() => model.Predict([1.0, 1.0]));

        model.Fit(SeedX, SeedY);
        ex = Assert.Throws<ArgumentException>(() => model.Predict([1.0, 1.0, 1.0]));
        Assert.Contains("The sample has 3 values; expected 2 features", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.DecisionFunction(SeedX, new double[3]));
        Assert.Contains("scores has 3 values; expected 2 rows × 1 = 2", ex.Message);
    }
}
