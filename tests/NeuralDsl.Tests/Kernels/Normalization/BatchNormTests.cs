using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="BatchNorm"/> against <see cref="BatchNormReference"/>: training and inference forward, the moving
/// statistics update, and the backward pass (through the batch statistics) against central differences of the
/// whole training forward; channel counts on both sides of the kernel's 256-channel block.
/// </summary>
public sealed class BatchNormTests
{
    private const double Momentum = 0.99, Epsilon = 1e-3;

    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 3 },
        { 6, 4 },
        { 18, 3 },
        { 7, 1 },
        { 12, 17 },
        { 5, 300 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TrainingForwardMatchesReference(int rows, int channels)
    {
        double[] x = KernelTestData.Uniform(rows * channels, -2, 3, (ulong)(rows * 1000 + channels));
        double[] gamma = KernelTestData.Uniform(channels, 0.5, 1.5, 2);
        double[] beta = KernelTestData.Uniform(channels, -1, 1, 3);
        double[] movingMean = KernelTestData.Uniform(channels, -1, 1, 4);
        double[] movingVariance = KernelTestData.Uniform(channels, 0.5, 2, 5);
        (double[] expected, double[] mu, double[] variance) = BatchNormReference.Training(x, gamma, beta, rows, channels, Epsilon);

        var y = new double[x.Length];
        var mean = new double[channels];
        var inverseStd = new double[channels];
        double[] mm = (double[])movingMean.Clone(), mv = (double[])movingVariance.Clone();
        BatchNorm.TrainingForward<double>(x, gamma, beta, y, mean, inverseStd, mm, mv, rows, channels, Momentum, Epsilon);
        KernelTestData.AssertClose(expected, y, 1e-12, 1e-13, "training output");
        KernelTestData.AssertClose(mu, mean, 1e-13, 1e-15, "batch mean");
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(1 / Math.Sqrt(variance[c] + Epsilon), inverseStd[c], 1e-12);
            Assert.Equal(movingMean[c] * Momentum + mu[c] * (1 - Momentum), mm[c], 1e-14);
            Assert.Equal(movingVariance[c] * Momentum + variance[c] * (1 - Momentum), mv[c], 1e-14);
        }

        // Float, checked against the reference on the float-rounded inputs.
        float[] xf = KernelTestData.ToSingle(x), gf = KernelTestData.ToSingle(gamma), bf = KernelTestData.ToSingle(beta);
        (double[] expectedF, _, _) = BatchNormReference.Training(
            KernelTestData.ToDouble(xf), KernelTestData.ToDouble(gf), KernelTestData.ToDouble(bf), rows, channels, Epsilon);
        var yf = new float[x.Length];
        BatchNorm.TrainingForward<float>(xf, gf, bf, yf, new float[channels], new float[channels],
            KernelTestData.ToSingle(movingMean), KernelTestData.ToSingle(movingVariance), rows, channels, Momentum, Epsilon);
        KernelTestData.AssertClose(expectedF, KernelTestData.ToDouble(yf), 1e-5, 1e-5, "training output (float)");

        // In place (y over x) gives the same result.
        double[] inPlace = (double[])x.Clone();
        BatchNorm.TrainingForward<double>(inPlace, gamma, beta, inPlace, mean, inverseStd,
            (double[])movingMean.Clone(), (double[])movingVariance.Clone(), rows, channels, Momentum, Epsilon);
        Assert.Equal(y, inPlace);
    }

    [Fact]
    public void FloatStatisticsSurviveALargeMean()
    {
        // x = 1000 + small spread: a one-pass float E[x²] − E[x]² would lose every digit of the variance.
        const int rows = 4096, channels = 2;
        double[] spread = KernelTestData.Uniform(rows * channels, -1, 1, 11);
        float[] xf = Array.ConvertAll(spread, v => (float)(1000 + v));
        double[] x = KernelTestData.ToDouble(xf);
        double[] ones = [1, 1], zeros = [0, 0];
        (double[] expected, double[] mu, double[] variance) = BatchNormReference.Training(x, ones, zeros, rows, channels, Epsilon);
        var yf = new float[xf.Length];
        var mean = new float[channels];
        var inverseStd = new float[channels];
        var mv = new float[channels];
        BatchNorm.TrainingForward<float>(xf, [1f, 1f], [0f, 0f], yf, mean, inverseStd, new float[channels], mv, rows, channels, 0, Epsilon);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(variance[c], mv[c], variance[c] * 1e-6);
            Assert.Equal(1 / Math.Sqrt(variance[c] + Epsilon), inverseStd[c], 1e-5);
            Assert.Equal(mu[c], mean[c], 1e-4);
        }
        // The mean is rounded to float (~6e-5 here), which bounds the output error.
        KernelTestData.AssertClose(expected, KernelTestData.ToDouble(yf), 0, 2e-4, "output with a large mean (float)");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InferenceForwardUsesTheMovingStatistics(int rows, int channels)
    {
        double[] x = KernelTestData.Uniform(rows * channels, -2, 3, 21);
        double[] gamma = KernelTestData.Uniform(channels, 0.5, 1.5, 22);
        double[] beta = KernelTestData.Uniform(channels, -1, 1, 23);
        double[] movingMean = KernelTestData.Uniform(channels, -1, 1, 24);
        double[] movingVariance = KernelTestData.Uniform(channels, 0.5, 2, 25);
        double[] expected = BatchNormReference.Apply(x, gamma, beta, movingMean, movingVariance, rows, channels, Epsilon);
        var y = new double[x.Length];
        BatchNorm.InferenceForward<double>(x, gamma, beta, movingMean, movingVariance, y, rows, channels, Epsilon);
        KernelTestData.AssertClose(expected, y, 1e-13, 1e-14, "inference output");

        float[] xf = KernelTestData.ToSingle(x), gf = KernelTestData.ToSingle(gamma), bf = KernelTestData.ToSingle(beta);
        float[] mmf = KernelTestData.ToSingle(movingMean), mvf = KernelTestData.ToSingle(movingVariance);
        double[] expectedF = BatchNormReference.Apply(KernelTestData.ToDouble(xf), KernelTestData.ToDouble(gf), KernelTestData.ToDouble(bf),
            KernelTestData.ToDouble(mmf), KernelTestData.ToDouble(mvf), rows, channels, Epsilon);
        var yf = new float[x.Length];
        BatchNorm.InferenceForward<float>(xf, gf, bf, mmf, mvf, yf, rows, channels, Epsilon);
        KernelTestData.AssertClose(expectedF, KernelTestData.ToDouble(yf), 1e-5, 1e-6, "inference output (float)");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardMatchesCentralDifferences(int rows, int channels)
    {
        if (rows * channels > 600)
            channels = 260; // keep the O(n²) numeric check small while still crossing the 256-channel block
        double[] x = KernelTestData.Uniform(rows * channels, -2, 3, (ulong)(rows + 7 * channels));
        double[] gamma = KernelTestData.Uniform(channels, 0.5, 1.5, 32);
        double[] beta = KernelTestData.Uniform(channels, -1, 1, 33);
        double[] dy = KernelTestData.Uniform(rows * channels, -1, 1, 34);

        var y = new double[x.Length];
        var mean = new double[channels];
        var inverseStd = new double[channels];
        BatchNorm.TrainingForward<double>(x, gamma, beta, y, mean, inverseStd, new double[channels], new double[channels],
            rows, channels, Momentum, Epsilon);
        var dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        double[] dGamma = KernelTestData.Uniform(channels, -1, 1, 35);
        double[] dBeta = KernelTestData.Uniform(channels, -1, 1, 36);
        double[] dGamma0 = (double[])dGamma.Clone(), dBeta0 = (double[])dBeta.Clone();
        BatchNorm.Backward<double>(x, dy, gamma, mean, inverseStd, dx, dGamma, dBeta, rows, channels);

        // Step 1e-5: dx sums to zero per channel and is small next to L, so a 1e-6 step's rounding error
        // (~1e-16·|L|/h) would dominate; the truncation error of 1e-5 is ~1e-10.
        const double h = 1e-5;
        double[] numericX = PoolingReference.NumericGradient(v => BatchNormReference.Training(v, gamma, beta, rows, channels, Epsilon).Y, x, dy, h);
        double[] numericGamma = PoolingReference.NumericGradient(v => BatchNormReference.Training(x, v, beta, rows, channels, Epsilon).Y, gamma, dy, h);
        double[] numericBeta = PoolingReference.NumericGradient(v => BatchNormReference.Training(x, gamma, v, rows, channels, Epsilon).Y, beta, dy, h);
        var addedGamma = new double[channels];
        var addedBeta = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            addedGamma[c] = dGamma[c] - dGamma0[c];
            addedBeta[c] = dBeta[c] - dBeta0[c];
        }
        Assert.True(KernelTestData.RelativeError(dx, numericX) < 1e-6, $"dx relative error {KernelTestData.RelativeError(dx, numericX)}");
        Assert.True(KernelTestData.RelativeError(addedGamma, numericGamma) < 1e-6, $"dGamma relative error {KernelTestData.RelativeError(addedGamma, numericGamma)}");
        Assert.True(KernelTestData.RelativeError(addedBeta, numericBeta) < 1e-6, $"dBeta relative error {KernelTestData.RelativeError(addedBeta, numericBeta)}");

        // Float against the double kernel on the same (float-rounded) data.
        float[] xf = KernelTestData.ToSingle(x), gf = KernelTestData.ToSingle(gamma), bf = KernelTestData.ToSingle(beta), dyf = KernelTestData.ToSingle(dy);
        var meanF = new float[channels];
        var invF = new float[channels];
        BatchNorm.TrainingForward<float>(xf, gf, bf, new float[x.Length], meanF, invF, new float[channels], new float[channels],
            rows, channels, Momentum, Epsilon);
        var dxf = new float[x.Length];
        var dgf = new float[channels];
        var dbf = new float[channels];
        BatchNorm.Backward<float>(xf, dyf, gf, meanF, invF, dxf, dgf, dbf, rows, channels);
        double[] xr = KernelTestData.ToDouble(xf), gr = KernelTestData.ToDouble(gf), dyr = KernelTestData.ToDouble(dyf);
        var meanR = new double[channels];
        var invR = new double[channels];
        BatchNorm.TrainingForward<double>(xr, gr, KernelTestData.ToDouble(bf), new double[x.Length], meanR, invR,
            new double[channels], new double[channels], rows, channels, Momentum, Epsilon);
        var dxr = new double[x.Length];
        var dgr = new double[channels];
        var dbr = new double[channels];
        BatchNorm.Backward<double>(xr, dyr, gr, meanR, invR, dxr, dgr, dbr, rows, channels);
        KernelTestData.AssertClose(dxr, KernelTestData.ToDouble(dxf), 1e-4, 1e-5, "dx (float)");
        KernelTestData.AssertClose(dgr, KernelTestData.ToDouble(dgf), 1e-5, 1e-5, "dGamma (float)");
        KernelTestData.AssertClose(dbr, KernelTestData.ToDouble(dbf), 1e-5, 1e-5, "dBeta (float)");
    }

    [Theory]
    [InlineData(6, 4)]
    [InlineData(3, 259)]
    public void InferenceBackwardMatchesCentralDifferences(int rows, int channels)
    {
        double[] x = KernelTestData.Uniform(rows * channels, -2, 3, 41);
        double[] gamma = KernelTestData.Uniform(channels, 0.5, 1.5, 42);
        double[] beta = KernelTestData.Uniform(channels, -1, 1, 43);
        double[] movingMean = KernelTestData.Uniform(channels, -1, 1, 44);
        double[] movingVariance = KernelTestData.Uniform(channels, 0.5, 2, 45);
        double[] dy = KernelTestData.Uniform(rows * channels, -1, 1, 46);
        var dx = new double[x.Length];
        var dGamma = new double[channels];
        dGamma.AsSpan().Fill(0.25);
        var dBeta = new double[channels];
        BatchNorm.InferenceBackward<double>(x, dy, gamma, movingMean, movingVariance, dx, dGamma, dBeta, rows, channels, Epsilon);
        for (int c = 0; c < channels; c++)
            dGamma[c] -= 0.25;

        double[] Apply(double[] xv, double[] gv, double[] bv) =>
            BatchNormReference.Apply(xv, gv, bv, movingMean, movingVariance, rows, channels, Epsilon);
        Assert.True(KernelTestData.RelativeError(dx, PoolingReference.NumericGradient(v => Apply(v, gamma, beta), x, dy)) < 1e-6);
        Assert.True(KernelTestData.RelativeError(dGamma, PoolingReference.NumericGradient(v => Apply(x, v, beta), gamma, dy)) < 1e-6);
        Assert.True(KernelTestData.RelativeError(dBeta, PoolingReference.NumericGradient(v => Apply(x, gamma, v), beta, dy)) < 1e-6);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var e = Assert.Throws<ArgumentException>(() => BatchNorm.TrainingForward<double>(new double[11], new double[4], new double[4],
            new double[11], new double[4], new double[4], new double[4], new double[4], 3, 4, 0.99, 1e-3));
        Assert.Contains("Input length 11 does not match rows·channels = 3·4 = 12", e.Message);
        e = Assert.Throws<ArgumentException>(() => BatchNorm.TrainingForward<double>(new double[12], new double[3], new double[4],
            new double[12], new double[4], new double[4], new double[4], new double[4], 3, 4, 0.99, 1e-3));
        Assert.Contains("gamma length 3 does not match the expected length 4", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNorm.TrainingForward<double>(new double[12], new double[4], new double[4],
            new double[12], new double[4], new double[4], new double[4], new double[4], 3, 4, 1.5, 1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNorm.TrainingForward<double>(new double[0], new double[4], new double[4],
            new double[0], new double[4], new double[4], new double[4], new double[4], 0, 4, 0.99, 1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNorm.InferenceForward<float>(new float[4], new float[4], new float[4],
            new float[4], new float[4], new float[4], 1, 4, -1));
        double[] shared = new double[12];
        e = Assert.Throws<ArgumentException>(() => BatchNorm.Backward<double>(shared, new double[12], new double[4], new double[4],
            new double[4], shared, new double[4], new double[4], 3, 4));
        Assert.Contains("overlaps", e.Message);
        Assert.Throws<NotSupportedException>(() => BatchNorm.InferenceForward<Half>(new Half[4], new Half[4], new Half[4],
            new Half[4], new Half[4], new Half[4], 1, 4, 1e-3));
    }

    [Fact]
    public void KernelsAllocateNothingAfterWarmUp()
    {
        const int rows = 64, channels = 300;
        var f = new float[rows * channels];
        var fy = new float[rows * channels];
        var fc = new float[6 * channels];
        var d = new double[rows * channels];
        var dyd = new double[rows * channels];
        var dc = new double[6 * channels];
        var dxf = new float[rows * channels];
        var dxd = new double[rows * channels];
        fc.AsSpan().Fill(1);
        dc.AsSpan().Fill(1);
        RunAll(rows, channels, f, fy, fc, d, dyd, dc, dxf, dxd);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunAll(rows, channels, f, fy, fc, d, dyd, dc, dxf, dxd);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void RunAll(int rows, int channels, float[] f, float[] fy, float[] fc, double[] d, double[] dyd, double[] dc,
        float[] dxf, double[] dxd)
    {
        Span<float> p = fc;
        BatchNorm.TrainingForward<float>(f, p[..channels], p.Slice(channels, channels), fy, p.Slice(2 * channels, channels),
            p.Slice(3 * channels, channels), p.Slice(4 * channels, channels), p.Slice(5 * channels, channels), rows, channels, 0.99, 1e-3);
        BatchNorm.InferenceForward<float>(f, p[..channels], p.Slice(channels, channels), p.Slice(4 * channels, channels),
            p.Slice(5 * channels, channels), fy, rows, channels, 1e-3);
        Span<double> q = dc;
        BatchNorm.TrainingForward<double>(d, q[..channels], q.Slice(channels, channels), dyd, q.Slice(2 * channels, channels),
            q.Slice(3 * channels, channels), q.Slice(4 * channels, channels), q.Slice(5 * channels, channels), rows, channels, 0.99, 1e-3);
        BatchNorm.Backward<double>(d, dyd, q[..channels], q.Slice(2 * channels, channels), q.Slice(3 * channels, channels),
            dxd, q.Slice(4 * channels, channels), q.Slice(5 * channels, channels), rows, channels);
        BatchNorm.Backward<float>(f, fy, p[..channels], p.Slice(2 * channels, channels), p.Slice(3 * channels, channels),
            dxf, p.Slice(4 * channels, channels), p.Slice(5 * channels, channels), rows, channels);
        BatchNorm.InferenceBackward<double>(d, dyd, q[..channels], q.Slice(2 * channels, channels), q.Slice(3 * channels, channels),
            dxd, q.Slice(4 * channels, channels), q.Slice(5 * channels, channels), rows, channels, 1e-3);
    }
}
