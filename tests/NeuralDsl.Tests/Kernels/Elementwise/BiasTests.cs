using System;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

public class BiasTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 16)]
    [InlineData(5, 33)]
    [InlineData(2, 257)]
    public void AddRowsAddsTheBiasToEveryRow(int rows, int units)
    {
        double[] z = KernelTestData.Uniform(rows * units, -1, 1, seed: 1);
        double[] bias = KernelTestData.Uniform(units, -1, 1, seed: 2);
        double[] expected = (double[])z.Clone();
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < units; j++)
                expected[r * units + j] += bias[j];
        Bias.AddRows<double>(z, bias);
        Assert.Equal(expected, z);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(6, 16)]
    [InlineData(5, 33)]
    public void AccumulateGradientAddsColumnSums(int rows, int units)
    {
        float[] dz = KernelTestData.ToSingle(KernelTestData.Uniform(rows * units, -1, 1, seed: 3));
        float[] dBias = KernelTestData.ToSingle(KernelTestData.Uniform(units, -1, 1, seed: 4));
        var expected = new double[units];
        for (int j = 0; j < units; j++)
        {
            expected[j] = dBias[j];
            for (int r = 0; r < rows; r++)
                expected[j] += dz[r * units + j];
        }
        Bias.AccumulateGradient<float>(dz, dBias);
        KernelTestData.AssertClose(expected, KernelTestData.ToDouble(dBias), 1e-6, 1e-6, "dBias");
    }

    /// <summary>
    /// Row lengths around the vector widths (16 floats / 8 doubles with AVX-512, 8 / 4 with AVX2): whole vectors (one
    /// register block or several, a feed-forward layer's 64 rows of 128; with AVX2 alone, blocks of eight vectors and
    /// single vectors, the columns past them one at a time),
    /// a repeating pattern on the stack (10, 17, 33), a pattern too long for the stack (129 → per-row adds), and
    /// buffers shorter than a vector. Both kernels must equal the per-row definition bit for bit, summing each
    /// column in row order.
    /// </summary>
    [Theory]
    [InlineData(1, 10)]
    [InlineData(32, 10)]
    [InlineData(1, 32)]
    [InlineData(3, 32)]
    [InlineData(7, 64)]
    [InlineData(5, 80)]
    [InlineData(3, 17)]
    [InlineData(6, 33)]
    [InlineData(4, 129)]
    [InlineData(1, 3)]
    [InlineData(9, 5)]
    [InlineData(64, 128)]
    [InlineData(5, 12)]
    [InlineData(1024, 64)] // a transformer step's attention output rows: one block of eight AVX2 vectors
    [InlineData(3, 75)] // AVX2: a block of eight, one vector, three single columns
    public void StreamedKernelsMatchThePerRowDefinitionExactly(int rows, int units)
    {
        Check<double>(rows, units);
        Check<float>(rows, units);

        static void Check<T>(int rows, int units)
            where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            T[] z = Array.ConvertAll(KernelTestData.Uniform(rows * units, -1, 1, seed: (ulong)(rows * 7 + units)), T.CreateTruncating);
            T[] bias = Array.ConvertAll(KernelTestData.Uniform(units, -1, 1, seed: 9), T.CreateTruncating);
            T[] expected = (T[])z.Clone();
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < units; j++)
                    expected[r * units + j] += bias[j];
            Bias.AddRows<T>(z, bias);
            Assert.Equal(expected, z);

            T[] dBias = Array.ConvertAll(KernelTestData.Uniform(units, -1, 1, seed: 10), T.CreateTruncating);
            T[] sums = (T[])dBias.Clone();
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < units; j++)
                    sums[j] += z[r * units + j];
            Bias.AccumulateGradient<T>(z, dBias);
            Assert.Equal(sums, dBias);
        }
    }

    [Fact]
    public void AccumulateGradientReadsOnlyItsOwnRows()
    {
        // The partial-vector loads run into the next row: a slice that ends mid-array must not see what follows it.
        float[] buffer = new float[3 * 10 + 16];
        buffer.AsSpan().Fill(1f);
        buffer.AsSpan(30).Fill(float.NaN);
        var dBias = new float[10];
        Bias.AccumulateGradient<float>(buffer.AsSpan(0, 30), dBias);
        Assert.All(dBias, v => Assert.Equal(3f, v));
        Bias.AddRows<float>(buffer.AsSpan(0, 30), dBias);
        Assert.All(buffer.AsSpan(0, 30).ToArray(), v => Assert.Equal(4f, v));
        Assert.All(buffer.AsSpan(30).ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void KernelsAllocateNothingAfterWarmUp()
    {
        var z = new float[32 * 10];
        var zd = new double[7 * 17];
        var bias = new float[10];
        var biasD = new double[17];
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Run()
        {
            Bias.AddRows<float>(z, bias);
            Bias.AccumulateGradient<float>(z, bias);
            Bias.AddRows<double>(zd, biasD);
            Bias.AccumulateGradient<double>(zd, biasD);
        }
    }

    [Fact]
    public void MismatchedLengthsThrowNamingBothSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bias.AddRows<float>(new float[10], new float[4]));
        Assert.Contains("10", ex.Message);
        Assert.Contains("4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Bias.AccumulateGradient<double>(new double[9], new double[2]));
        Assert.Contains("9", ex.Message);
        Assert.Contains("2", ex.Message);
        Assert.Throws<ArgumentException>(() => Bias.AddRows<float>(new float[3], ReadOnlySpan<float>.Empty));
        ex = Assert.Throws<ArgumentException>(() => Bias.AccumulateGradient<float>(new float[325], new float[10]));
        Assert.Contains("325", ex.Message);
        Assert.Contains("10", ex.Message);
    }
}
