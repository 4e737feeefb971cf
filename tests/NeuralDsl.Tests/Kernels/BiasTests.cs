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
    }
}
