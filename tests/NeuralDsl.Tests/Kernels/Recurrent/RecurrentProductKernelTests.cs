using System;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The per-step kernels of a generated LSTM forward, bit for bit against plain paths:
/// <see cref="Recurrent.AddRecurrentProduct"/> (at batch 1 its column passes run backward on odd steps) against
/// <see cref="Gemm.Multiply"/> with <c>accumulate</c>, and <see cref="Recurrent.LstmForward"/>'s float register path
/// against the same operators applied one element at a time.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class RecurrentProductKernelTests
{
    /// <summary>(units, width): LSTM(50) and GRU(50), and widths whose last columns take each kind of rest pass (a ninth
    /// chain, eight, four or one masked vector, nothing), widths below one pass, and depths past one depth block.</summary>
    public static TheoryData<int, int> Shapes() => new()
    {
        { 50, 200 }, { 50, 150 }, { 8, 32 }, { 4, 16 }, { 13, 52 }, { 17, 72 }, { 20, 136 }, { 16, 160 }, { 9, 100 },
        { 64, 256 }, { 3, 12 }, { 300, 70 }, { 129, 257 }, { 513, 129 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatProductEqualsGemmAtEveryStep(int units, int width) => AssertProductEqualsGemm<float>(units, width);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleProductEqualsGemmAtEveryStep(int units, int width) => AssertProductEqualsGemm<double>(units, width);

    private static void AssertProductEqualsGemm<T>(int units, int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ulong seed = (ulong)(units * 7919 + width);
        foreach (int batch in new[] { 1, 3 })
        {
            T[] h = KernelTestData.Convert<T>(KernelTestData.Uniform(batch * units, -1, 1, seed));
            T[] r = KernelTestData.Convert<T>(KernelTestData.Uniform(units * width, -1, 1, seed + 1));
            T[] g0 = KernelTestData.Convert<T>(KernelTestData.Uniform(batch * width, -1, 1, seed + 2));
            var expected = (T[])g0.Clone();
            Gemm.Multiply<T>(h, r, expected, batch, units, width, accumulate: true);
            for (int step = 0; step < 4; step++)
            {
                var g = (T[])g0.Clone();
                Recurrent.AddRecurrentProduct<T>(h, r, g, batch, units, width, step);
                for (int j = 0; j < g.Length; j++)
                {
                    if (!KernelTestData.BitEquals(g[j], expected[j]))
                        Assert.Fail($"{typeof(T).Name} batch {batch} units {units} width {width} step {step}: gates[{j}] = {g[j]:R}, Gemm.Multiply gives {expected[j]:R}.");
                }
            }
        }
    }

    [Fact]
    public void ProductRejectsMismatchedSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Recurrent.AddRecurrentProduct<float>(new float[5], new float[40], new float[8], 1, 4, 8, 0));
        Assert.Equal("hPrev", e.ParamName);
        Assert.Contains("4", e.Message);
        Assert.Contains("5", e.Message);
        e = Assert.Throws<ArgumentException>(() => Recurrent.AddRecurrentProduct<float>(new float[4], new float[31], new float[8], 1, 4, 8, 1));
        Assert.Equal("recurrentKernel", e.ParamName);
        Assert.Contains("32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Recurrent.AddRecurrentProduct<float>(new float[4], new float[32], new float[9], 1, 4, 8, 1));
        Assert.Equal("gates", e.ParamName);
        var shared = new float[12];
        e = Assert.Throws<ArgumentException>(() => Recurrent.AddRecurrentProduct<float>(shared.AsSpan(0, 4), new float[32], shared.AsSpan(2, 8), 1, 4, 8, 1));
        Assert.Equal("gates", e.ParamName);
        Assert.Contains("overlap", e.Message);
    }

    /// <summary>
    /// The float cell's register loops (one per gate block, then the cell, ragged last registers overlapping) give
    /// every element the bits of the same operators applied one element at a time (the float sigmoid and tanh compute
    /// the same operations in scalar and vector form), at batch 3.
    /// </summary>
    [Theory]
    [InlineData(50, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(8, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(13, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(16, Activation.ReLU, Activation.Tanh)]
    [InlineData(21, Activation.Sigmoid, Activation.Linear)]
    public void FloatCellEqualsTheElementwiseOperators(int units, Activation activation, Activation recurrentActivation)
    {
        const int batch = 3;
        float[] z = Array.ConvertAll(KernelTestData.Uniform(batch * 4 * units, -4, 4, (ulong)units), v => (float)v);
        float[] cPrev = Array.ConvertAll(KernelTestData.Uniform(batch * units, -2, 2, (ulong)units + 1), v => (float)v);
        float[] gates = (float[])z.Clone(), c = new float[batch * units], tc = new float[batch * units], h = new float[batch * units];
        Recurrent.LstmForward<float>(gates, cPrev, c, tc, h, units, activation, recurrentActivation);
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < units; j++)
            {
                int g0 = b * 4 * units, s = b * units + j;
                float i = Apply(recurrentActivation, z[g0 + j]), f = Apply(recurrentActivation, z[g0 + units + j]);
                float g = Apply(activation, z[g0 + 2 * units + j]), o = Apply(recurrentActivation, z[g0 + 3 * units + j]);
                float cs = f * cPrev[s] + i * g, t = Apply(activation, cs);
                AssertBits(i, gates[g0 + j], "i", b, j);
                AssertBits(f, gates[g0 + units + j], "f", b, j);
                AssertBits(g, gates[g0 + 2 * units + j], "g", b, j);
                AssertBits(o, gates[g0 + 3 * units + j], "o", b, j);
                AssertBits(cs, c[s], "c", b, j);
                AssertBits(t, tc[s], "act(c)", b, j);
                AssertBits(o * t, h[s], "h", b, j);
            }
        }
    }

    private static float Apply(Activation activation, float x) => activation switch
    {
        Activation.Sigmoid => SingleLogistic.Sigmoid(x),
        Activation.Tanh => SingleLogistic.Tanh(x),
        Activation.ReLU => MathF.Max(x, 0),
        _ => x,
    };

    private static void AssertBits(float expected, float actual, string what, int row, int unit)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
            Assert.Fail($"{what}[{row}, {unit}] = {actual:R}, the scalar operators give {expected:R}.");
    }
}
