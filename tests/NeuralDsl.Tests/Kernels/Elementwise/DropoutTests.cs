using System;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

public class DropoutTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void MaskDropsAboutRateAndScalesSurvivors(double rate)
    {
        const int n = 100_001;
        var x = new float[n];
        x.AsSpan().Fill(2f);
        var y = new float[n];
        var mask = new float[n];
        var rng = new Rng(42);
        Dropout.Forward<float>(x, y, mask, rate, ref rng);

        int dropped = 0;
        float keep = (float)(1 / (1 - rate));
        for (int i = 0; i < n; i++)
        {
            if (mask[i] == 0)
            {
                dropped++;
                Assert.Equal(0f, y[i]);
            }
            else
            {
                Assert.Equal(keep, mask[i]);
                Assert.Equal(2f * keep, y[i]);
            }
        }
        // Binomial standard deviation is at most 0.0016 of n here; five of them bound a fair draw.
        double fraction = dropped / (double)n;
        double sigma = Math.Sqrt(rate * (1 - rate) / n);
        Assert.InRange(fraction, rate - 5 * sigma, rate + 5 * sigma);
    }

    [Fact]
    public void RateZeroIsTheIdentityAndDrawsNothing()
    {
        double[] x = KernelTestData.Uniform(37, -1, 1, seed: 5);
        var y = new double[37];
        var mask = new double[37];
        var rng = new Rng(7);
        Dropout.Forward<double>(x, y, mask, 0, ref rng);
        Assert.Equal(x, y);
        Assert.All(mask, m => Assert.Equal(1.0, m));
        Assert.Equal(new Rng(7).NextUInt64(), rng.NextUInt64());
    }

    [Fact]
    public void SameSeedGivesTheSameMaskAndInPlaceMatches()
    {
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(1001, -1, 1, seed: 9));
        var y1 = new float[x.Length];
        var m1 = new float[x.Length];
        var rng1 = new Rng(123);
        Dropout.Forward<float>(x, y1, m1, 0.3, ref rng1);

        float[] inPlace = (float[])x.Clone();
        var m2 = new float[x.Length];
        var rng2 = new Rng(123);
        Dropout.Forward<float>(inPlace, inPlace, m2, 0.3, ref rng2);
        Assert.Equal(m1, m2);
        Assert.Equal(y1, inPlace);

        var rng3 = new Rng(124);
        Dropout.Forward<float>(x, y1, m2, 0.3, ref rng3);
        Assert.NotEqual(m1, m2);
    }

    [Fact]
    public void BackwardMultipliesByTheMask()
    {
        double[] dy = KernelTestData.Uniform(65, -1, 1, seed: 1);
        double[] x = KernelTestData.Uniform(65, -1, 1, seed: 2);
        var mask = new double[65];
        var y = new double[65];
        var rng = new Rng(3);
        Dropout.Forward<double>(x, y, mask, 0.5, ref rng);
        var dx = new double[65];
        Dropout.Backward<double>(dy, mask, dx);
        for (int i = 0; i < 65; i++)
            Assert.Equal(dy[i] * mask[i], dx[i]);
        Dropout.Backward<double>(dy, mask, dy);
        Assert.Equal(dx, dy);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        var rng = new Rng(1);
        var ex = Assert.Throws<ArgumentException>(() =>
        {
            var r = new Rng(1);
            Dropout.Forward<float>(new float[8], new float[8], new float[7], 0.5, ref r);
        });
        Assert.Contains("7", ex.Message);
        Assert.Contains("8", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var r = new Rng(1);
            Dropout.Forward<float>(new float[8], new float[8], new float[8], 1.0, ref r);
        });
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var r = new Rng(1);
            Dropout.Forward<float>(new float[8], new float[8], new float[8], double.NaN, ref r);
        });
        ex = Assert.Throws<ArgumentException>(() => Dropout.Backward<float>(new float[4], new float[4], new float[5]));
        Assert.Contains("5", ex.Message);
        Assert.Contains("4", ex.Message);
        _ = rng;
    }

    /// <summary>
    /// The vector mask (16 floats / 8 doubles per step) must be the scalar definition element for element — low half
    /// of draw k for element 2k, high half for 2k + 1, the odd last element from the low half of one more draw — and
    /// leave the generator where the scalar loop would. Lengths straddle the vector widths; 1 − 1e-12 rounds the
    /// threshold to 2^32 (every element dropped); in-place must match.
    /// </summary>
    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(7, 0.5)]
    [InlineData(15, 0.3)]
    [InlineData(16, 0.5)]
    [InlineData(17, 0.7)]
    [InlineData(33, 0.1)]
    [InlineData(1601, 0.5)]
    [InlineData(40, 1 - 1e-12)]
    [InlineData(40, 1e-12)]
    public void VectorMaskMatchesTheScalarDefinition(int n, double rate)
    {
        Check<float>(n, rate);
        Check<double>(n, rate);

        static void Check<T>(int n, double rate)
            where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            T[] x = Array.ConvertAll(KernelTestData.Uniform(n, -2, 2, seed: (ulong)n), T.CreateTruncating);
            var expectedRng = new Rng(42);
            T keep = T.CreateTruncating(1.0 / (1.0 - rate));
            ulong threshold = (ulong)Math.Round(rate * 4294967296.0);
            var expectedMask = new T[n];
            for (int i = 0; i < n; i += 2)
            {
                ulong bits = expectedRng.NextUInt64();
                expectedMask[i] = (bits & 0xFFFF_FFFFUL) < threshold ? T.Zero : keep;
                if (i + 1 < n)
                    expectedMask[i + 1] = (bits >> 32) < threshold ? T.Zero : keep;
            }
            var expectedY = new T[n];
            for (int i = 0; i < n; i++)
                expectedY[i] = x[i] * expectedMask[i];

            var rng = new Rng(42);
            var y = new T[n];
            var mask = new T[n];
            Dropout.Forward<T>(x, y, mask, rate, ref rng);
            Assert.Equal(expectedMask, mask);
            Assert.Equal(expectedY, y);
            Assert.Equal(expectedRng.NextUInt64(), rng.NextUInt64());

            var inPlaceRng = new Rng(42);
            T[] inPlace = (T[])x.Clone();
            Dropout.Forward<T>(inPlace, inPlace, mask, rate, ref inPlaceRng);
            Assert.Equal(expectedY, inPlace);
        }
    }

    [Fact]
    public void AllocatesNothingAfterWarmUp()
    {
        var x = new float[4097];
        var y = new float[4097];
        var mask = new float[4097];
        var rng = new Rng(1);
        Dropout.Forward<float>(x, y, mask, 0.2, ref rng);
        Dropout.Backward<float>(y, mask, x);
        var xd = new double[1001];
        var yd = new double[1001];
        var maskD = new double[1001];
        Dropout.Forward<double>(xd, yd, maskD, 0.5, ref rng);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Dropout.Forward<float>(x, y, mask, 0.2, ref rng);
        Dropout.Backward<float>(y, mask, x);
        Dropout.Forward<double>(xd, yd, maskD, 0.5, ref rng);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
