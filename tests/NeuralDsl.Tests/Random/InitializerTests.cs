using System;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

public class InitializerTests
{
    private const int FanIn = 300, FanOut = 100, Count = 100_000;

    [Theory]
    [InlineData(Initializer.GlorotUniform, 6.0 / (FanIn + FanOut))]
    [InlineData(Initializer.HeUniform, 6.0 / FanIn)]
    [InlineData(Initializer.LecunUniform, 3.0 / FanIn)]
    [InlineData(Initializer.RandomUniform, 0.05 * 0.05)]
    public void UniformVariantsStayInBoundsWithTheRightVariance(Initializer kind, double limitSquared)
    {
        double limit = Math.Sqrt(limitSquared);
        double[] w = Draw<double>(kind, seed: 1);
        foreach (double v in w)
            Assert.InRange(v, -limit, limit);
        (double mean, double variance) = Moments(w);
        // Uniform(±limit) has variance limit²/3; 100k draws pin it to about ±1%.
        Assert.InRange(mean, -0.01 * limit, 0.01 * limit);
        Assert.InRange(variance, limitSquared / 3 * 0.97, limitSquared / 3 * 1.03);
        Assert.True(Max(w) > 0.99 * limit, "the draw should reach close to the bounds");
    }

    [Theory]
    [InlineData(Initializer.GlorotNormal, 2.0 / (FanIn + FanOut))]
    [InlineData(Initializer.HeNormal, 2.0 / FanIn)]
    [InlineData(Initializer.LecunNormal, 1.0 / FanIn)]
    public void TruncatedNormalVariantsHaveKerasVarianceAndBounds(Initializer kind, double targetVariance)
    {
        float[] w = Draw<float>(kind, seed: 2);
        double[] values = Array.ConvertAll(w, v => (double)v);
        (double mean, double variance) = Moments(values);
        double stddev = Math.Sqrt(targetVariance);
        // Keras draws with stddev / 0.8796 and redraws beyond 2 of those, which leaves exactly the target variance.
        double bound = 2 * stddev / 0.87962566103423978;
        Assert.InRange(Max(values), 0.95 * bound, bound * (1 + 1e-6));
        Assert.InRange(mean, -0.01 * stddev, 0.01 * stddev);
        Assert.InRange(variance, targetVariance * 0.97, targetVariance * 1.03);
    }

    [Theory]
    [InlineData(5, 20, 1)] // an LSTM(5) recurrent kernel (u, 4u): orthonormal rows, W·Wᵀ = I
    [InlineData(7, 7, 2)] // a SimpleRNN(7) recurrent kernel: orthogonal both ways
    [InlineData(12, 3, 3)] // more rows than columns: orthonormal columns, Wᵀ·W = I
    public void OrthogonalHasOrthonormalRowsOrColumns(int rows, int columns, int seed)
    {
        double[] w = new double[rows * columns];
        var rng = new Rng((ulong)seed);
        Initializers.Fill<double>(w, Initializer.Orthogonal, rows, columns, ref rng);
        int n = Math.Min(rows, columns);
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int k = 0; k < Math.Max(rows, columns); k++)
                    dot += rows <= columns ? w[a * columns + k] * w[b * columns + k] : w[k * columns + a] * w[k * columns + b];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-12);
            }
        }
        // Not a permutation or a constant: a random rotation has many non-zero entries of both signs.
        Assert.Contains(w, v => v > 0.05);
        Assert.Contains(w, v => v < -0.05);
    }

    [Fact]
    public void OrthogonalRejectsALengthThatIsNotWholeRows()
    {
        double[] w = new double[10];
        var rng = new Rng(1);
        var e = Assert.Throws<ArgumentException>(() => Initializers.Fill<double>(w, Initializer.Orthogonal, 3, 4, ref rng));
        Assert.Contains("3", e.Message);
        Assert.Contains("10", e.Message);
    }

    [Fact]
    public void RandomNormalIsUntruncatedWithStddevFivePercent()
    {
        double[] w = Draw<double>(Initializer.RandomNormal, seed: 3);
        (double mean, double variance) = Moments(w);
        Assert.InRange(mean, -0.0005, 0.0005);
        Assert.InRange(Math.Sqrt(variance), 0.05 * 0.985, 0.05 * 1.015);
        // About 4.5k of 100k normal draws lie beyond two deviations; a truncated draw would have none.
        Assert.True(Max(w) > 2.5 * 0.05);
    }

    [Fact]
    public void ConstantsFillExactly()
    {
        var rng = new Rng(1);
        var w = new float[33];
        Initializers.Fill<float>(w, Initializer.Ones, 3, 11, ref rng);
        Assert.All(w, v => Assert.Equal(1f, v));
        Initializers.Fill<float>(w, Initializer.Zeros, 3, 11, ref rng);
        Assert.All(w, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(Initializer.GlorotUniform)]
    [InlineData(Initializer.GlorotNormal)]
    [InlineData(Initializer.HeUniform)]
    [InlineData(Initializer.HeNormal)]
    [InlineData(Initializer.LecunUniform)]
    [InlineData(Initializer.LecunNormal)]
    [InlineData(Initializer.RandomNormal)]
    [InlineData(Initializer.RandomUniform)]
    public void SameSeedGivesTheSameWeights(Initializer kind)
    {
        var a = new double[257];
        var b = new double[257];
        var c = new double[257];
        var r1 = new Rng(99);
        var r2 = new Rng(99);
        var r3 = new Rng(100);
        Initializers.Fill<double>(a, kind, 16, 16, ref r1);
        Initializers.Fill<double>(b, kind, 16, 16, ref r2);
        Initializers.Fill<double>(c, kind, 16, 16, ref r3);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void FloatAndDoubleDrawTheSameStream()
    {
        var f = new float[64];
        var d = new double[64];
        var r1 = new Rng(5);
        var r2 = new Rng(5);
        Initializers.Fill<float>(f, Initializer.GlorotUniform, 8, 8, ref r1);
        Initializers.Fill<double>(d, Initializer.GlorotUniform, 8, 8, ref r2);
        for (int i = 0; i < 64; i++)
            Assert.Equal((float)d[i], f[i]);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var r = new Rng(1);
            Initializers.Fill<float>(new float[4], Initializer.HeNormal, -1, 4, ref r);
        });
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var r = new Rng(1);
            Initializers.Fill<float>(new float[4], (Initializer)42, 1, 4, ref r);
        });
    }

    private static T[] Draw<T>(Initializer kind, ulong seed)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var w = new T[Count];
        var rng = new Rng(seed);
        Initializers.Fill<T>(w, kind, FanIn, FanOut, ref rng);
        return w;
    }

    private static (double Mean, double Variance) Moments(double[] w)
    {
        double mean = 0;
        foreach (double v in w)
            mean += v;
        mean /= w.Length;
        double variance = 0;
        foreach (double v in w)
            variance += (v - mean) * (v - mean);
        return (mean, variance / w.Length);
    }

    private static double Max(double[] w)
    {
        double max = 0;
        foreach (double v in w)
            max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
