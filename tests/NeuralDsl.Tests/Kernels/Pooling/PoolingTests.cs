using System;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="Pool2DGeometry"/> and <see cref="Pooling"/> against the plain-loop <see cref="PoolingReference"/>:
/// valid and same padding, stride different from the pool (smaller: overlapping windows; larger: skipped cells),
/// one channel and channel counts with vector tails, batch 1 and 3; gradients against central differences.
/// </summary>
public sealed class PoolingTests
{
    /// <summary>batch, height, width, channels, poolH, poolW, strideH, strideW, same.</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, bool> Shapes => new()
    {
        { 1, 5, 4, 3, 2, 2, 2, 2, false },
        { 3, 5, 5, 1, 2, 2, 2, 2, true },
        { 3, 6, 7, 2, 3, 3, 1, 1, false },
        { 1, 7, 6, 3, 3, 2, 2, 1, true },
        { 3, 4, 9, 2, 2, 3, 3, 2, true },
        { 3, 8, 7, 2, 2, 2, 3, 3, false },
        { 1, 1, 9, 4, 1, 3, 1, 2, true },
        { 3, 5, 5, 17, 3, 3, 2, 2, true },
    };

    [Theory]
    [InlineData(5, 2, 2, false, 2, 0)]
    [InlineData(4, 2, 2, false, 2, 0)]
    [InlineData(5, 2, 2, true, 3, 0)]
    [InlineData(6, 3, 2, true, 3, 0)]
    [InlineData(7, 4, 1, true, 7, 1)]
    [InlineData(7, 3, 1, true, 7, 1)]
    [InlineData(9, 2, 3, true, 3, 0)]
    [InlineData(9, 3, 2, false, 4, 0)]
    [InlineData(3, 3, 5, false, 1, 0)]
    [InlineData(1, 5, 1, true, 1, 2)]
    public void GeometryFollowsKeras(int size, int pool, int stride, bool same, int output, int padBefore)
    {
        Pool2DGeometry g = Pool2DGeometry.Create(size, 10, 3, pool, 1, stride, 1, same);
        Assert.Equal(output, g.OutputHeight);
        Assert.Equal(padBefore, g.PadTop);
        Assert.Equal(10, g.OutputWidth);
        Pool2DGeometry h = Pool2DGeometry.Create(2, size, 3, 1, pool, 1, stride, same);
        Assert.Equal(output, h.OutputWidth);
        Assert.Equal(padBefore, h.PadLeft);
        Pool2DGeometry one = Pool2DGeometry.Create1D(size, 3, pool, stride, same);
        Assert.Equal(new Pool2DGeometry(1, size, 3, 1, pool, 1, stride, 0, padBefore, 1, output), one);
        Assert.Equal(size * 3, one.InputSize);
        Assert.Equal(output * 3, one.OutputSize);
    }

    [Fact]
    public void GeometryRejectsBadArguments()
    {
        var e = Assert.Throws<ArgumentException>(() => Pool2DGeometry.Create(3, 5, 2, 4, 2, 4, 2, false));
        Assert.Contains("Pool size 4 is larger than the input height 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pool2DGeometry.Create(3, 5, 2, 2, 2, 0, 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pool2DGeometry.Create(3, 5, 0, 2, 2, 2, 2, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pool2DGeometry.Create1D(3, 2, -1, 1, true));
        e = Assert.Throws<ArgumentException>(() => Pool2DGeometry.Create(65536, 65536, 1, 2, 2, 2, 2, false));
        Assert.Contains("4294967296 elements", e.Message);
        // A pool larger than the input is fine with same padding: total padding 2, top/left 1, one window.
        Pool2DGeometry same = Pool2DGeometry.Create(3, 3, 1, 5, 5, 5, 5, true);
        Assert.Equal((1, 1, 1, 1), (same.OutputHeight, same.OutputWidth, same.PadTop, same.PadLeft));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxMatchesReferenceAndCentralDifferences(int batch, int h, int w, int c, int ph, int pw, int sh, int sw, bool same)
    {
        Pool2DGeometry g = Pool2DGeometry.Create(h, w, c, ph, pw, sh, sw, same);
        double[] x = PoolingReference.Distinct(batch * g.InputSize, (ulong)(h * 131 + w * 7 + c));
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, 99);
        double[] expected = PoolingReference.Max(x, batch, g);

        var y = new double[expected.Length];
        var argmax = new int[expected.Length];
        Pooling.MaxForward<double>(x, y, argmax, batch, in g);
        Assert.Equal(expected, y);
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(y[i], x[argmax[i]]);

        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        Pooling.MaxBackward<double>(dy, argmax, dx, batch, in g);
        double[] numeric = PoolingReference.NumericGradient(v => PoolingReference.Max(v, batch, g), x, dy);
        Assert.True(KernelTestData.RelativeError(dx, numeric) < 1e-6, $"relative error {KernelTestData.RelativeError(dx, numeric)}");

        // Float: the maximum is a copy, so it is exact; the gradient sums at most a few float values.
        float[] xf = KernelTestData.ToSingle(x);
        var yf = new float[y.Length];
        var argmaxF = new int[y.Length];
        Pooling.MaxForward<float>(xf, yf, argmaxF, batch, in g);
        Assert.Equal(KernelTestData.ToSingle(expected), yf);
        Assert.Equal(argmax, argmaxF);
        var dxf = new float[x.Length];
        Pooling.MaxBackward<float>(KernelTestData.ToSingle(dy), argmaxF, dxf, batch, in g);
        KernelTestData.AssertClose(dx, KernelTestData.ToDouble(dxf), 1e-6, 1e-6, "max backward (float)");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AverageMatchesReferenceAndCentralDifferences(int batch, int h, int w, int c, int ph, int pw, int sh, int sw, bool same)
    {
        Pool2DGeometry g = Pool2DGeometry.Create(h, w, c, ph, pw, sh, sw, same);
        double[] x = KernelTestData.Uniform(batch * g.InputSize, -2, 2, (ulong)(h * 17 + w * 5 + c));
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, 7);
        double[] expected = PoolingReference.Average(x, batch, g);

        var y = new double[expected.Length];
        Pooling.AverageForward<double>(x, y, batch, in g);
        KernelTestData.AssertClose(expected, y, 1e-14, 1e-15, "average forward (double)");

        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        Pooling.AverageBackward<double>(dy, dx, batch, in g);
        double[] numeric = PoolingReference.NumericGradient(v => PoolingReference.Average(v, batch, g), x, dy);
        Assert.True(KernelTestData.RelativeError(dx, numeric) < 1e-6, $"relative error {KernelTestData.RelativeError(dx, numeric)}");

        float[] xf = KernelTestData.ToSingle(x);
        double[] expectedF = PoolingReference.Average(KernelTestData.ToDouble(xf), batch, g);
        var yf = new float[y.Length];
        Pooling.AverageForward<float>(xf, yf, batch, in g);
        KernelTestData.AssertClose(expectedF, KernelTestData.ToDouble(yf), 1e-5, 1e-6, "average forward (float)");
        var dxf = new float[x.Length];
        float[] dyf = KernelTestData.ToSingle(dy);
        Pooling.AverageBackward<float>(dyf, dxf, batch, in g);
        var dxFromFloatDy = new double[x.Length];
        Pooling.AverageBackward<double>(KernelTestData.ToDouble(dyf), dxFromFloatDy, batch, in g);
        KernelTestData.AssertClose(dxFromFloatDy, KernelTestData.ToDouble(dxf), 1e-5, 1e-6, "average backward (float)");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 12, 3)]
    [InlineData(1, 9, 1)]
    [InlineData(3, 5, 17)]
    [InlineData(3, 49, 64)]
    public void GlobalPoolingMatchesReferenceAndCentralDifferences(int batch, int spatial, int channels)
    {
        double[] x = PoolingReference.Distinct(batch * spatial * channels, (ulong)(spatial * 31 + channels));
        double[] dy = KernelTestData.Uniform(batch * channels, -1, 1, 3);

        var y = new double[batch * channels];
        Pooling.GlobalAverageForward<double>(x, y, batch, spatial, channels);
        KernelTestData.AssertClose(PoolingReference.GlobalAverage(x, batch, spatial, channels), y, 1e-14, 1e-15, "global average");
        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        Pooling.GlobalAverageBackward<double>(dy, dx, batch, spatial, channels);
        double[] numeric = PoolingReference.NumericGradient(v => PoolingReference.GlobalAverage(v, batch, spatial, channels), x, dy);
        Assert.True(KernelTestData.RelativeError(dx, numeric) < 1e-6);

        var argmax = new int[y.Length];
        Pooling.GlobalMaxForward<double>(x, y, argmax, batch, spatial, channels);
        Assert.Equal(PoolingReference.GlobalMax(x, batch, spatial, channels), y);
        dx.AsSpan().Fill(double.NaN);
        Pooling.GlobalMaxBackward<double>(dy, argmax, dx, batch, spatial, channels);
        numeric = PoolingReference.NumericGradient(v => PoolingReference.GlobalMax(v, batch, spatial, channels), x, dy);
        Assert.True(KernelTestData.RelativeError(dx, numeric) < 1e-6);

        float[] xf = KernelTestData.ToSingle(x);
        var yf = new float[y.Length];
        Pooling.GlobalAverageForward<float>(xf, yf, batch, spatial, channels);
        KernelTestData.AssertClose(PoolingReference.GlobalAverage(KernelTestData.ToDouble(xf), batch, spatial, channels),
            KernelTestData.ToDouble(yf), 1e-5, 1e-6, "global average (float)");
        var argmaxF = new int[y.Length];
        Pooling.GlobalMaxForward<float>(xf, yf, argmaxF, batch, spatial, channels);
        Assert.Equal(argmax, argmaxF);
    }

    /// <summary>The inference overload (no arg-max) returns the recording overload's output bit for bit, NaNs included.</summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 12, 3)]
    [InlineData(3, 5, 17)]
    [InlineData(3, 49, 64)]
    public void GlobalMaxForwardWithoutArgMaxMatchesTheRecordingOverload(int batch, int spatial, int channels)
    {
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * spatial * channels, -1, 1, 7));
        x[x.Length / 2] = float.NaN;
        var recorded = new float[batch * channels];
        Pooling.GlobalMaxForward<float>(x, recorded, new int[recorded.Length], batch, spatial, channels);
        var inferred = new float[recorded.Length];
        Pooling.GlobalMaxForward<float>(x, inferred, batch, spatial, channels);
        Assert.Equal(recorded.Select(BitConverter.SingleToInt32Bits), inferred.Select(BitConverter.SingleToInt32Bits));
        Assert.Throws<ArgumentException>(() => Pooling.GlobalMaxForward<float>(x, new float[recorded.Length + 1], batch, spatial, channels));
    }

    /// <summary>batch, height, width, channels, pool, stride, same: channel rows of whole vectors, vector tails and
    /// short rows, for float (16/8 lanes) and double (8/4 lanes); odd sizes leave cells no window covers.</summary>
    public static TheoryData<int, int, int, int, int, int, bool> VectorShapes => new()
    {
        { 1, 26, 26, 32, 2, 2, false },
        { 3, 11, 11, 64, 2, 2, false },
        { 2, 7, 5, 19, 2, 2, false },
        { 1, 5, 7, 40, 3, 3, true },
        { 2, 6, 6, 12, 2, 3, false },
        { 1, 5, 5, 9, 3, 2, true },
        { 3, 4, 6, 3, 2, 2, false },
        { 1, 9, 9, 33, 3, 1, false },
    };

    [Theory]
    [MemberData(nameof(VectorShapes))]
    public void MaxVectorPathsMatchTheReferenceAndTheScatter(int batch, int h, int w, int c, int pool, int stride, bool same)
    {
        Pool2DGeometry g = Pool2DGeometry.Create(h, w, c, pool, pool, stride, stride, same);
        double[] x = PoolingReference.Distinct(batch * g.InputSize, (ulong)(h * 31 + w * 3 + c));
        double[] dy = KernelTestData.Uniform(batch * g.OutputSize, -1, 1, 5);
        double[] expected = PoolingReference.Max(x, batch, g);

        var y = new double[expected.Length];
        var argmax = new int[expected.Length];
        Pooling.MaxForward<double>(x, y, argmax, batch, in g);
        Assert.Equal(expected, y);
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(y[i], x[argmax[i]]);
        var inference = new double[y.Length];
        Pooling.MaxForward<double>(x, inference, batch, in g);
        Assert.Equal(y, inference);
        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        Pooling.MaxBackward<double>(dy, argmax, dx, batch, in g);
        Assert.Equal(ScatterReference(dy, argmax, x.Length), dx);
        if (batch * g.InputSize <= 2000)
        {
            double[] numeric = PoolingReference.NumericGradient(v => PoolingReference.Max(v, batch, g), x, dy);
            Assert.True(KernelTestData.RelativeError(dx, numeric) < 1e-6, $"relative error {KernelTestData.RelativeError(dx, numeric)}");
        }

        float[] xf = KernelTestData.ToSingle(x);
        float[] dyf = KernelTestData.ToSingle(dy);
        var yf = new float[y.Length];
        var argmaxF = new int[y.Length];
        Pooling.MaxForward<float>(xf, yf, argmaxF, batch, in g);
        Assert.Equal(KernelTestData.ToSingle(expected), yf);
        Assert.Equal(argmax, argmaxF);
        var inferenceF = new float[y.Length];
        Pooling.MaxForward<float>(xf, inferenceF, batch, in g);
        Assert.Equal(yf, inferenceF);
        var dxf = new float[x.Length];
        dxf.AsSpan().Fill(float.NaN);
        Pooling.MaxBackward<float>(dyf, argmaxF, dxf, batch, in g);
        Assert.Equal(ScatterReference(dyf, argmaxF, x.Length), dxf);
    }

    [Fact]
    public void DisjointBackwardWithForeignIndicesFallsBackToTheScatter()
    {
        // Pool 2, stride 2: disjoint windows. Output 0's index points into window 1, which the routed pass cannot
        // express, so the result must be the plain dx[argmax[i]] += dy[i] with both gradients on cell 2.
        Pool2DGeometry g = Pool2DGeometry.Create1D(4, 1, 2, 2, samePadding: false);
        var dx = new double[4];
        Pooling.MaxBackward<double>([2.0, 3.0], [2, 2], dx, 1, in g);
        Assert.Equal([0.0, 0.0, 5.0, 0.0], dx);
        var dxf = new float[4];
        Pooling.MaxBackward<float>([2f, 3f], [2, 2], dxf, 1, in g);
        Assert.Equal([0f, 0f, 5f, 0f], dxf);
    }

    [Fact]
    public void DisjointBackwardWritesPositiveZeroLikeTheScatter()
    {
        // A routed −0 gradient becomes +0, as 0 + (−0) does in the clear-and-scatter pass: bit-identical results.
        Pool2DGeometry g = Pool2DGeometry.Create(2, 2, 32, 2, 2, 2, 2, false);
        var x = new float[g.InputSize];
        var y = new float[g.OutputSize];
        var argmax = new int[g.OutputSize];
        Pooling.MaxForward<float>(x, y, argmax, 1, in g);
        var dy = new float[g.OutputSize];
        dy.AsSpan().Fill(-0f);
        var dx = new float[g.InputSize];
        dx.AsSpan().Fill(float.NaN);
        Pooling.MaxBackward<float>(dy, argmax, dx, 1, in g);
        Assert.All(dx, v => Assert.Equal(0u, BitConverter.SingleToUInt32Bits(v)));
    }

    /// <summary>The clear-and-scatter definition, summing in the element type and in output order.</summary>
    private static T[] ScatterReference<T>(T[] dy, int[] argmax, int length)
        where T : System.Numerics.INumber<T>
    {
        var dx = new T[length];
        Array.Fill(dx, T.Zero);
        for (int i = 0; i < dy.Length; i++)
            dx[argmax[i]] += dy[i];
        return dx;
    }

    [Fact]
    public void OverlappingWindowsSumTheirGradientsAtASharedMaximum()
    {
        // 1×3 input, pool 2, stride 1: both windows pick the middle cell, which receives both gradients.
        Pool2DGeometry g = Pool2DGeometry.Create1D(3, 1, 2, 1, samePadding: false);
        double[] x = [0.0, 5.0, 1.0];
        var y = new double[2];
        var argmax = new int[2];
        Pooling.MaxForward<double>(x, y, argmax, 1, in g);
        Assert.Equal([5.0, 5.0], y);
        var dx = new double[3];
        Pooling.MaxBackward<double>([2.0, 3.0], argmax, dx, 1, in g);
        Assert.Equal([0.0, 5.0, 0.0], dx);
    }

    [Fact]
    public void PaddedCellsNeverWinAndNeverCount()
    {
        // All inputs negative: a zero-padded max would return 0 at the border; same-padding average divides by 3, not 4.
        Pool2DGeometry g = Pool2DGeometry.Create(3, 3, 1, 2, 2, 2, 2, samePadding: true);
        Assert.Equal((2, 2, 0, 0), (g.OutputHeight, g.OutputWidth, g.PadTop, g.PadLeft));
        double[] x = [-1, -2, -3, -4, -5, -6, -7, -8, -9];
        var y = new double[4];
        var argmax = new int[4];
        Pooling.MaxForward<double>(x, y, argmax, 1, in g);
        Assert.Equal([-1.0, -3.0, -7.0, -9.0], y);
        Pooling.AverageForward<double>(x, y, 1, in g);
        Assert.Equal([-3.0, -4.5, -7.5, -9.0], y);
    }

    /// <summary>
    /// The inference path's 2×2, stride-2 loop (whole vectors of channels) against the general fold that records the
    /// arg-max: NaNs in every position of the window, ties and signed zeros give the same bits.
    /// </summary>
    [Fact]
    public void TwoByTwoInferencePathMatchesTheGeneralFoldWithNaNsAndTies()
    {
        Pool2DGeometry g = Pool2DGeometry.Create(5, 6, 32, 2, 2, 2, 2, samePadding: false);
        const int batch = 2;
        var random = new Random(7);
        float[] pool = [float.NaN, 1f, 1f, -0f, 0f, 2f, -3f, float.NegativeInfinity];
        var x = new float[batch * g.InputSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = pool[random.Next(pool.Length)];
        var recorded = new float[batch * g.OutputSize];
        Pooling.MaxForward<float>(x, recorded, new int[recorded.Length], batch, in g);
        var inference = new float[recorded.Length];
        Pooling.MaxForward<float>(x, inference, batch, in g);
        Assert.Equal(Bits(recorded), Bits(inference));
        Assert.Contains(inference, float.IsNaN);

        double[] xd = KernelTestData.ToDouble(x);
        var recordedD = new double[recorded.Length];
        Pooling.MaxForward<double>(xd, recordedD, new int[recorded.Length], batch, in g);
        var inferenceD = new double[recorded.Length];
        Pooling.MaxForward<double>(xd, inferenceD, batch, in g);
        Assert.Equal(recordedD.Select(BitConverter.DoubleToInt64Bits), inferenceD.Select(BitConverter.DoubleToInt64Bits));

        static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
    }

    [Fact]
    public void NaNPropagatesThroughMax()
    {
        Pool2DGeometry g = Pool2DGeometry.Create1D(4, 1, 2, 2, samePadding: false);
        double[] x = [1.0, double.NaN, double.NaN, 2.0];
        var y = new double[2];
        var argmax = new int[2];
        Pooling.MaxForward<double>(x, y, argmax, 1, in g);
        Assert.True(double.IsNaN(y[0]) && double.IsNaN(y[1]));
        Assert.Equal([1, 2], argmax);
    }

    [Fact]
    public void FloatVectorPathHandlesNaNAndTiesLikeTheScalarOne()
    {
        // 19 channels: whole vectors plus a scalar tail. Window of 3 cells along the width (pool 3, stride 3).
        const int channels = 19;
        Pool2DGeometry g = Pool2DGeometry.Create1D(3, channels, 3, 3, samePadding: false);
        var x = new float[3 * channels];
        for (int c = 0; c < channels; c++)
        {
            (float a, float b, float d) = (c % 4) switch
            {
                0 => (1f, 2f, 2f),              // tie: the first 2 wins (cell 1)
                1 => (float.NaN, 5f, 6f),       // leading NaN stays (cell 0)
                2 => (3f, float.NaN, float.NaN), // the first NaN wins (cell 1)
                _ => (-1f, -3f, -2f),           // plain maximum (cell 0)
            };
            (x[c], x[channels + c], x[2 * channels + c]) = (a, b, d);
        }
        var y = new float[channels];
        var argmax = new int[channels];
        Pooling.MaxForward<float>(x, y, argmax, 1, in g);
        var inference = new float[channels];
        Pooling.MaxForward<float>(x, inference, 1, in g);
        Assert.Equal(y, inference);
        var yd = new double[channels];
        var argmaxD = new int[channels];
        Pooling.MaxForward<double>(KernelTestData.ToDouble(x), yd, argmaxD, 1, in g);
        Assert.Equal(argmax, argmaxD);
        Assert.Equal(KernelTestData.ToDouble(y), yd);
        var yg = new float[channels];
        var argmaxG = new int[channels];
        Pooling.GlobalMaxForward<float>(x, yg, argmaxG, 1, 3, channels);
        for (int c = 0; c < channels; c++)
        {
            int cell = (c % 4) switch { 0 => 1, 1 => 0, 2 => 1, _ => 0 };
            Assert.Equal(cell * channels + c, argmax[c]);
            Assert.Equal(x[cell * channels + c], y[c]);
            Assert.Equal(argmax[c], argmaxG[c]);
            Assert.Equal(y[c], yg[c]);
        }
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        Pool2DGeometry g = Pool2DGeometry.Create(4, 4, 2, 2, 2, 2, 2, false);
        var e = Assert.Throws<ArgumentException>(() => Pooling.MaxForward<double>(new double[31], new double[8], new int[8], 1, in g));
        Assert.Contains("Input length 31 does not match the expected length 32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Pooling.AverageForward<float>(new float[64], new float[8], 2, in g));
        Assert.Contains("Output length 8 does not match the expected length 16", e.Message);
        e = Assert.Throws<ArgumentException>(() => Pooling.MaxForward<double>(new double[32], new double[8], new int[7], 1, in g));
        Assert.Contains("Arg-max length 7", e.Message);
        e = Assert.Throws<ArgumentException>(() => Pooling.MaxForward<float>(new float[32], new float[7], 1, in g));
        Assert.Contains("Output length 7 does not match the expected length 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => Pooling.MaxForward<double>(new double[33], new double[8], 1, in g));
        Assert.Contains("Input length 33 does not match the expected length 32", e.Message);
        Pool2DGeometry none = default;
        e = Assert.Throws<ArgumentException>(() => Pooling.AverageBackward<double>(new double[0], new double[0], 1, in none));
        Assert.Contains("Inconsistent pooling geometry", e.Message);
        e = Assert.Throws<ArgumentException>(() => Pooling.MaxBackward<double>(new double[8], new int[8] { 0, 1, 2, 3, 4, 5, 6, 99 }, new double[32], 1, in g));
        Assert.Contains("Arg-max index 99 at position 7 is outside the input of length 32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Pooling.GlobalAverageForward<double>(new double[10], new double[3], 1, 5, 2));
        Assert.Contains("Output length 3 does not match the expected length 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pooling.GlobalMaxForward<double>(new double[0], new double[0], new int[0], 1, 0, 2));
        Assert.Throws<NotSupportedException>(() => Pooling.AverageForward<Half>(new Half[32], new Half[8], 1, in g));
    }

    [Fact]
    public void KernelsAllocateNothingAfterWarmUp()
    {
        Pool2DGeometry g = Pool2DGeometry.Create(9, 9, 8, 3, 3, 2, 2, true);
        const int batch = 2;
        var x = new float[batch * g.InputSize];
        var y = new float[batch * g.OutputSize];
        var argmax = new int[y.Length];
        var xd = new double[x.Length];
        var yd = new double[y.Length];
        // Disjoint windows (stride = pool) take the routed backward pass; odd sizes leave uncovered cells.
        Pool2DGeometry disjoint = Pool2DGeometry.Create(9, 9, 19, 2, 2, 2, 2, false);
        var x2 = new float[batch * disjoint.InputSize];
        var y2 = new float[batch * disjoint.OutputSize];
        var argmax2 = new int[y2.Length];
        var xd2 = new double[x2.Length];
        var yd2 = new double[y2.Length];
        RunAll(g, batch, x, y, argmax, xd, yd);
        RunAll(disjoint, batch, x2, y2, argmax2, xd2, yd2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunAll(g, batch, x, y, argmax, xd, yd);
        RunAll(disjoint, batch, x2, y2, argmax2, xd2, yd2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void RunAll(Pool2DGeometry g, int batch, float[] x, float[] y, int[] argmax, double[] xd, double[] yd)
    {
        Pooling.MaxForward<float>(x, y, argmax, batch, in g);
        Pooling.MaxBackward<float>(y, argmax, x, batch, in g);
        Pooling.MaxForward<float>(x, y, batch, in g);
        Pooling.MaxForward<double>(xd, yd, batch, in g);
        Pooling.AverageForward<float>(x, y, batch, in g);
        Pooling.AverageBackward<float>(y, x, batch, in g);
        Pooling.MaxForward<double>(xd, yd, argmax, batch, in g);
        Pooling.MaxBackward<double>(yd, argmax, xd, batch, in g);
        Pooling.AverageForward<double>(xd, yd, batch, in g);
        Pooling.AverageBackward<double>(yd, xd, batch, in g);
        int spatial = g.Height * g.Width;
        Span<float> pooled = y.AsSpan(0, batch * g.Channels);
        Pooling.GlobalAverageForward<float>(x, pooled, batch, spatial, g.Channels);
        Pooling.GlobalAverageBackward<float>(pooled, x, batch, spatial, g.Channels);
        Pooling.GlobalMaxForward<double>(xd, yd.AsSpan(0, batch * g.Channels), argmax.AsSpan(0, batch * g.Channels), batch, spatial, g.Channels);
        Pooling.GlobalMaxBackward<double>(yd.AsSpan(0, batch * g.Channels), argmax.AsSpan(0, batch * g.Channels), xd, batch, spatial, g.Channels);
    }
}
