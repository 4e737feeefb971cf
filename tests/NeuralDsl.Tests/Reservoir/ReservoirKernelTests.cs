using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace NeuralDsl.Tests.Reservoir;

/// <summary>
/// The echo state network's runtime parts against independent references in double: eigenvalues against
/// Math.NET's dense eigen-decomposition, the sparse product against a dense loop, the ridge fit against a direct
/// Gauss–Jordan solve of the normal equations, the initializers' densities and distributions.
/// </summary>
public sealed class ReservoirKernelTests
{
    private static double MathNetSpectralRadius(double[] rowMajor, int n)
    {
        Matrix<double> m = Matrix<double>.Build.Dense(n, n, (i, j) => rowMajor[i * n + j]);
        return m.Evd().EigenValues.Max(v => v.Magnitude);
    }

    [Fact]
    public void A_rotation_has_a_complex_pair_and_its_radius_is_found()
    {
        // Eigenvalues ±2i: the moduli are equal, a power iteration never settles on one of them.
        double[] m = [0, -2, 2, 0];
        var re = new double[2];
        var im = new double[2];
        NeuralDsl.Eigenvalues.Compute(m, 2, re, im);
        Assert.Equal([0.0, 0.0], re.Select(Math.Abs));
        Assert.Equal([2.0, 2.0], im.Select(Math.Abs).Order());
        Assert.Equal(2.0, NeuralDsl.Eigenvalues.SpectralRadius(m, 2), 12);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(37, 2)]
    [InlineData(200, 3)]
    public void Spectral_radius_of_a_random_matrix_equals_MathNet(int n, int seed)
    {
        var rng = new Rng((ulong)seed);
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++)
            m[i] = rng.NextDouble() < (n < 10 ? 1.0 : 0.3) ? rng.NextNormal() : 0; // a sparse small matrix is often nilpotent
        double expected = MathNetSpectralRadius(m, n);
        double actual = NeuralDsl.Eigenvalues.SpectralRadius(m, n);
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * expected, $"radius {actual:R}, Math.NET {expected:R}");
    }

    [Theory]
    [InlineData(300, 0.1, 1.25, 42)]
    [InlineData(101, 0.2, 0.9, 7)]
    [InlineData(64, 1.0, 0.5, 3)]
    public void The_built_W_has_the_requested_spectral_radius(int units, double connectivity, double radius, int seed)
    {
        ReservoirMatrix w = ReservoirInitializer.Recurrent(units, connectivity, radius, seed);
        var dense = new float[units * units];
        w.ToDense(dense);
        // ReservoirPy's scipy.sparse.random: round(density · units²) non-zeros.
        Assert.Equal((int)Math.Round(connectivity * units * units, MidpointRounding.ToEven), w.NonZeroCount);
        double actual = MathNetSpectralRadius(dense.Select(v => (double)v).ToArray(), units);
        Assert.True(Math.Abs(actual - radius) <= 1e-6, $"spectral radius of the float W {actual:R}, requested {radius}");
    }

    [Fact]
    public void Weights_are_deterministic_per_seed_and_differ_between_seeds()
    {
        float[] Dense(int seed)
        {
            var d = new float[50 * 50];
            ReservoirInitializer.Recurrent(50, 0.1, 0.9, seed).ToDense(d);
            return d;
        }
        Assert.Equal(Dense(5), Dense(5));
        Assert.NotEqual(Dense(5), Dense(6));
    }

    [Fact]
    public void Input_weights_and_bias_are_sparse_plus_or_minus_their_scaling()
    {
        ReservoirMatrix win = ReservoirInitializer.Input(500, 3, 0.1, 0.5, seed: 9);
        var dense = new float[500 * 3];
        win.ToDense(dense);
        Assert.Equal(150, win.NonZeroCount);
        Assert.All(dense, v => Assert.Contains(v, new[] { 0f, 0.5f, -0.5f }));
        int positive = dense.Count(v => v > 0);
        Assert.InRange(positive, 50, 100); // Bernoulli(½) signs: 75 expected, ± 3.5σ
        float[] bias = ReservoirInitializer.Bias(500, 0.1, 2.0, seed: 9);
        Assert.Equal(50, bias.Count(v => v != 0));
        Assert.All(bias, v => Assert.Contains(v, new[] { 0f, 2f, -2f }));
        Assert.All(ReservoirInitializer.Bias(500, 0.1, 0, seed: 9), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 7)]
    [InlineData(64, 64)]
    [InlineData(203, 150)]
    public void Sparse_product_equals_a_dense_loop(int rows, int columns)
    {
        var rng = new Rng((ulong)(rows * 1000 + columns));
        var a = new float[rows * columns];
        for (int i = 0; i < a.Length; i++)
            a[i] = rng.NextDouble() < 0.2 ? (float)rng.NextNormal() : 0;
        var x = new float[columns];
        var init = new float[rows];
        for (int i = 0; i < columns; i++) x[i] = (float)rng.NextNormal();
        for (int i = 0; i < rows; i++) init[i] = (float)rng.NextNormal();
        ReservoirMatrix m = ReservoirMatrix.FromDense(a, rows, columns);
        var y = new float[rows];
        m.Multiply(x, init, y);
        var back = new float[a.Length];
        m.ToDense(back);
        Assert.Equal(a, back);
        for (int r = 0; r < rows; r++)
        {
            double expected = init[r];
            double magnitude = Math.Abs(init[r]);
            for (int c = 0; c < columns; c++)
            {
                expected += (double)a[r * columns + c] * x[c];
                magnitude += Math.Abs((double)a[r * columns + c] * x[c]);
            }
            Assert.True(Math.Abs(y[r] - expected) <= 1e-6 * (magnitude + 1), $"row {r}: {y[r]} vs {expected}");
        }
        Assert.Throws<ArgumentException>(() => m.Multiply(new float[columns + 1], init, y));
    }

    /// <summary>The normal equations (XᵀX + λI)β = XᵀY with X = [1, x], solved by Gauss–Jordan with partial pivoting.</summary>
    private static double[,] DirectRidge(float[][] x, float[][] y, double ridge)
    {
        int d = x[0].Length + 1, outputs = y[0].Length;
        var a = new double[d, d + outputs];
        foreach ((float[] xi, float[] yi) in x.Zip(y))
        {
            double[] row = [1, .. xi.Select(v => (double)v)];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++) a[i, j] += row[i] * row[j];
                for (int o = 0; o < outputs; o++) a[i, d + o] += row[i] * yi[o];
            }
        }
        for (int i = 0; i < d; i++) a[i, i] += ridge;
        for (int c = 0; c < d; c++)
        {
            int p = Enumerable.Range(c, d - c).MaxBy(r => Math.Abs(a[r, c]));
            for (int j = 0; j < d + outputs; j++) (a[c, j], a[p, j]) = (a[p, j], a[c, j]);
            for (int r = 0; r < d; r++)
            {
                if (r == c) continue;
                double f = a[r, c] / a[c, c];
                for (int j = c; j < d + outputs; j++) a[r, j] -= f * a[c, j];
            }
        }
        var beta = new double[d, outputs];
        for (int i = 0; i < d; i++)
            for (int o = 0; o < outputs; o++) beta[i, o] = a[i, d + o] / a[i, i];
        return beta;
    }

    [Theory]
    [InlineData(700, 40, 2, 1e-3)]
    [InlineData(256, 10, 1, 0.0)]
    [InlineData(37, 60, 3, 0.5)]
    public void Ridge_equals_a_direct_normal_equation_solve(int rows, int features, int outputs, double ridge)
    {
        var rng = new Rng(11);
        float[][] x = [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, features).Select(_ => (float)rng.NextNormal()).ToArray())];
        float[][] y = [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, outputs).Select(_ => (float)rng.NextNormal()).ToArray())];
        var fit = new RidgeRegression(features, outputs);
        foreach ((float[] xi, float[] yi) in x.Zip(y))
            fit.Add(xi, yi);
        Assert.Equal(rows, fit.Count);
        var w = new double[outputs * features];
        var b = new double[outputs];
        fit.Solve(ridge, w, b);
        double[,] expected = DirectRidge(x, y, ridge);
        for (int o = 0; o < outputs; o++)
        {
            Assert.True(Math.Abs(b[o] - expected[0, o]) <= 1e-9 * (1 + Math.Abs(expected[0, o])), $"bias {o}: {b[o]:R} vs {expected[0, o]:R}");
            for (int f = 0; f < features; f++)
            {
                double e = expected[f + 1, o];
                Assert.True(Math.Abs(w[o * features + f] - e) <= 1e-9 * (1 + Math.Abs(e)), $"weight ({o}, {f}): {w[o * features + f]:R} vs {e:R}");
            }
        }
    }

    [Fact]
    public void Ridge_without_regularization_on_too_few_rows_asks_for_a_ridge()
    {
        var fit = new RidgeRegression(5, 1);
        fit.Add([1, 2, 3, 4, 5], [1]);
        var e = Assert.Throws<InvalidOperationException>(() => fit.Solve(0, new double[5], new double[1]));
        Assert.Contains("Ridge", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => fit.Solve(-1, new double[5], new double[1]));
    }
}
