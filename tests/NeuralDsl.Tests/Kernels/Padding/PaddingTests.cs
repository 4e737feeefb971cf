using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary><see cref="Padding2D"/> (ZeroPadding2D) against an index-by-index reference; the backward pass is its adjoint.</summary>
public sealed class PaddingTests
{
    [Theory]
    [InlineData(1, 3, 4, 2, 1, 1, 1, 1)]
    [InlineData(3, 5, 2, 1, 0, 2, 3, 0)]
    [InlineData(3, 1, 1, 17, 2, 0, 0, 1)]
    [InlineData(1, 4, 4, 3, 0, 0, 0, 0)]
    public void ForwardPadsAndBackwardCrops(int batch, int h, int w, int c, int top, int bottom, int left, int right)
    {
        int ph = top + h + bottom, pw = left + w + right;
        double[] x = KernelTestData.Uniform(batch * h * w * c, -1, 1, 5);
        var expected = new double[batch * ph * pw * c];
        for (int b = 0; b < batch; b++)
        for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
        for (int k = 0; k < c; k++)
            expected[((b * ph + i + top) * pw + j + left) * c + k] = x[((b * h + i) * w + j) * c + k];

        var y = new double[expected.Length];
        y.AsSpan().Fill(double.NaN);
        Padding2D.Forward<double>(x, y, batch, h, w, c, top, bottom, left, right);
        Assert.Equal(expected, y);

        // Backward is the adjoint: <Forward(x), G> = <x, Backward(G)> for every x, G.
        double[] g = KernelTestData.Uniform(y.Length, -1, 1, 6);
        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        Padding2D.Backward<double>(g, dx, batch, h, w, c, top, bottom, left, right);
        for (int b = 0; b < batch; b++)
        for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
        for (int k = 0; k < c; k++)
            Assert.Equal(g[((b * ph + i + top) * pw + j + left) * c + k], dx[((b * h + i) * w + j) * c + k]);
        Assert.Equal(PoolingReference.Dot(y, g), PoolingReference.Dot(x, dx), 1e-12);

        float[] xf = KernelTestData.ToSingle(x);
        var yf = new float[y.Length];
        Padding2D.Forward<float>(xf, yf, batch, h, w, c, top, bottom, left, right);
        Assert.Equal(KernelTestData.ToSingle(expected), yf);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var e = Assert.Throws<ArgumentException>(() => Padding2D.Forward<double>(new double[12], new double[29], 1, 2, 3, 2, 1, 0, 1, 0));
        Assert.Contains("Output length 29 does not match the expected length 24", e.Message);
        e = Assert.Throws<ArgumentException>(() => Padding2D.Backward<float>(new float[24], new float[13], 1, 2, 3, 2, 1, 0, 1, 0));
        Assert.Contains("Input gradient length 13 does not match the expected length 12", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Padding2D.Forward<double>(new double[12], new double[12], 1, 2, 3, 2, -1, 1, 0, 0));
        double[] buffer = new double[24];
        e = Assert.Throws<ArgumentException>(() => Padding2D.Forward<double>(buffer.AsSpan(0, 12), buffer, 1, 2, 3, 2, 1, 0, 1, 0));
        Assert.Contains("overlaps", e.Message);
    }

    [Fact]
    public void AllocatesNothingAfterWarmUp()
    {
        var x = new float[2 * 8 * 8 * 4];
        var y = new float[2 * 10 * 11 * 4];
        Padding2D.Forward<float>(x, y, 2, 8, 8, 4, 1, 1, 2, 1);
        Padding2D.Backward<float>(y, x, 2, 8, 8, 4, 1, 1, 2, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Padding2D.Forward<float>(x, y, 2, 8, 8, 4, 1, 1, 2, 1);
        Padding2D.Backward<float>(y, x, 2, 8, 8, 4, 1, 1, 2, 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
