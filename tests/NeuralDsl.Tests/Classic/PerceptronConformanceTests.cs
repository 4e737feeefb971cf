using System;
using NeuralDsl.Tests.Classic;
using Xunit;

namespace NeuralDsl.Tests.Classic;

/// <summary>
/// Every case of scikit-learn 1.9.1's perceptron.json (shuffle=False, so no random stream is involved): predictions
/// exactly, and coef_, intercept_, n_iter_ and t_ to 1e-9 relative in double.
/// </summary>
public sealed class PerceptronConformanceTests
{
    /// <summary>Relative tolerance on coefficients and intercepts (scaled by the largest magnitude of the case).</summary>
    private const double Tolerance = 1e-9;

    public static TheoryData<string> Cases => [.. SklearnFixtures.CaseNames];

    [Fact]
    public void The_fixture_has_its_four_cases()
    {
        Assert.Equal(["iris:fixed5", "iris:tol", "breast_cancer:fixed3", "digits:fixed4"], SklearnFixtures.CaseNames);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_scikit_learn(string name)
    {
        SklearnFixtures.Case c = SklearnFixtures.Get(name);
        (double[] x, int[] y, int features, int classes) = SklearnFixtures.Load(c.Data);
        var model = new PerceptronClassifier(features, classes, new PerceptronOptions { Shuffle = c.Shuffle, Tol = c.Tol, MaxIter = c.MaxIter });
        model.Fit(x, y);
        AssertMatches(c, model, x, y);
    }

    internal static void AssertMatches(SklearnFixtures.Case c, PerceptronClassifier model, double[] x, int[] y)
    {
        int features = model.Features;
        Assert.Equal(c.Coef.Length, model.CoefRows);
        Assert.Equal(c.NIter, model.NIter);
        Assert.Equal(c.T, model.T, 1e-9 * c.T);

        double scale = 0;
        foreach (double[] row in c.Coef) foreach (double v in row) scale = Math.Max(scale, Math.Abs(v));
        foreach (double v in c.Intercept) scale = Math.Max(scale, Math.Abs(v));
        for (int r = 0; r < c.Coef.Length; r++)
        {
            for (int j = 0; j < features; j++)
                Assert.True(Math.Abs(model.Coef[r * features + j] - c.Coef[r][j]) <= Tolerance * scale,
                    $"{c.Name}: coef[{r}, {j}] = {model.Coef[r * features + j]:R}, scikit-learn {c.Coef[r][j]:R}");
            Assert.True(Math.Abs(model.Intercept[r] - c.Intercept[r]) <= Tolerance * scale,
                $"{c.Name}: intercept[{r}] = {model.Intercept[r]:R}, scikit-learn {c.Intercept[r]:R}");
        }

        var predicted = new int[y.Length];
        model.Predict(x, predicted);
        Assert.Equal(c.Predictions, predicted);
        Assert.Equal(c.TrainAccuracy, model.Score(x, y), 1e-12);
    }
}
