using System;
using System.Numerics.Tensors;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The element-wise passes shared with the worker pool (<see cref="ElementwiseParts"/>): batch normalization at
/// inference, ReLU, the merge's Add, zero padding and max pooling give the bits of their one-pass forms (TensorPrimitives over each row or the
/// whole span, the plain loops; for max pooling the window maxima and one thread's arg-max) at 1, 2 and 3 threads, on lengths that are cut into chunks.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ElementwisePartsTests
{
    private static void ForEachThreadCount(Action<int> body)
    {
        int saved = Gemm.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Gemm.MaxThreads = threads;
                body(threads);
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!KernelTestData.BitEquals(expected[i], actual[i]))
                Assert.Fail($"{context}: [{i}] = {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    [Theory]
    [InlineData(1100, 64)]   // 70,400 elements: chunks of whole rows
    [InlineData(1000, 67)]   // a scalar tail of 3 channels per row
    [InlineData(250, 300)]   // two channel blocks of the kernel (256 + 44)
    [InlineData(49, 512)]    // 25,088 elements: one chunk, on the caller
    public void BatchNormInferenceGivesTheBitsOfSubtractThenMultiplyAdd(int rows, int channels)
    {
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(rows * channels, -3, 3, seed: 81));
        float[] gamma = KernelTestData.ToSingle(KernelTestData.Uniform(channels, 0.5, 2, seed: 82));
        float[] beta = KernelTestData.ToSingle(KernelTestData.Uniform(channels, -1, 1, seed: 83));
        float[] mean = KernelTestData.ToSingle(KernelTestData.Uniform(channels, -1, 1, seed: 84));
        float[] variance = KernelTestData.ToSingle(KernelTestData.Uniform(channels, 0.1, 3, seed: 85));
        const double epsilon = 1e-5;
        var scale = new float[channels];
        for (int c = 0; c < channels; c++)
            scale[c] = (float)(gamma[c] * (1.0 / Math.Sqrt(variance[c] + epsilon)));
        var expected = new float[x.Length];
        for (int r = 0; r < rows; r++)
        {
            Span<float> target = expected.AsSpan(r * channels, channels);
            TensorPrimitives.Subtract(x.AsSpan(r * channels, channels), mean, target);
            TensorPrimitives.MultiplyAdd(target, scale, beta, target);
        }
        ForEachThreadCount(threads =>
        {
            var y = new float[x.Length];
            BatchNorm.InferenceForward<float>(x, gamma, beta, mean, variance, y, rows, channels, epsilon);
            AssertBits(expected, y, $"{rows}x{channels}, {threads} threads");
            float[] inPlace = (float[])x.Clone();
            BatchNorm.InferenceForward<float>(inPlace, gamma, beta, mean, variance, inPlace, rows, channels, epsilon);
            AssertBits(expected, inPlace, $"{rows}x{channels} in place, {threads} threads");
        });
    }

    [Theory]
    [InlineData(70_001)]
    [InlineData(802_816)]
    [InlineData(25_088)]
    public void ReluGivesTheBitsOfOneMaxOverTheSpan(int length)
    {
        float[] z = KernelTestData.ToSingle(KernelTestData.Uniform(length, -1, 1, seed: 86));
        z[0] = float.NaN;
        z[length / 2] = -0f;
        z[length - 1] = float.NegativeInfinity;
        var expected = new float[length];
        TensorPrimitives.Max(z, 0f, expected);
        ForEachThreadCount(threads =>
        {
            if (threads == 2 && length >= UpdateDriver.ParallelLength)
                Assert.True(ElementwiseParts.RowsPerChunk((length + 15) / 16, 16) < (length + 15) / 16, "the pass is cut");
            var a = new float[length];
            Activations.Relu<float>(z, a);
            AssertBits(expected, a, $"{length}, {threads} threads");
            float[] inPlace = (float[])z.Clone();
            Activations.Relu<float>(inPlace, inPlace);
            AssertBits(expected, inPlace, $"{length} in place, {threads} threads");
        });
    }

    [Theory]
    [InlineData(200_704)] // ResNet-18's 56x56x64 residual add at batch 1
    [InlineData(70_001)]  // a ragged last line
    [InlineData(25_088)]  // 7x7x512: one call, on the caller
    public void MergeAddGivesTheBitsOfOneAddOverTheSpan(int length)
    {
        float[] a = KernelTestData.ToSingle(KernelTestData.Uniform(length, -1, 1, seed: 88));
        float[] b = KernelTestData.ToSingle(KernelTestData.Uniform(length, -1, 1, seed: 89));
        a[0] = float.NaN;
        b[length - 1] = float.PositiveInfinity;
        var expected = new float[length];
        TensorPrimitives.Add(a, b, expected);
        ForEachThreadCount(threads =>
        {
            if (threads == 2 && length >= UpdateDriver.ParallelLength)
                Assert.True(ElementwiseParts.RowsPerChunk((length + 15) / 16, 16) < (length + 15) / 16, "the pass is cut");
            var y = new float[length];
            Merge.Add<float>(a, b, y);
            AssertBits(expected, y, $"{length}, {threads} threads");
            float[] inPlace = (float[])b.Clone();
            Merge.Add<float>(a, inPlace, inPlace);
            AssertBits(expected, inPlace, $"{length} in place, {threads} threads");
        });
    }

    [Fact]
    public void MergeAddNamesTheOperandWhoseLengthDiffers()
    {
        var ex = Assert.Throws<ArgumentException>(() => Merge.Add<float>(new float[8], new float[7], new float[8]));
        Assert.Contains("8", ex.Message);
        Assert.Contains("7", ex.Message);
        Assert.Equal("b", ex.ParamName);
    }

    [Theory]
    [InlineData(2, 60, 60, 16, 1, 0, 1, 0)]
    [InlineData(1, 112, 112, 64, 1, 0, 1, 0)]
    [InlineData(3, 50, 41, 13, 3, 2, 3, 2)]
    public void PaddingWritesEveryCellOnceWithTheInputOrZero(int batch, int h, int w, int c, int top, int bottom, int left, int right)
    {
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * h * w * c, -1, 1, seed: 87));
        int ho = top + h + bottom, wo = left + w + right;
        var expected = new float[batch * ho * wo * c];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < h; i++)
                Array.Copy(x, ((b * h) + i) * w * c, expected, ((b * ho + top + i) * wo + left) * c, w * c);
        ForEachThreadCount(threads =>
        {
            // Stale values everywhere: the border must be cleared, not assumed zero.
            var y = new float[expected.Length];
            Array.Fill(y, float.NaN);
            Padding2D.Forward<float>(x, y, batch, h, w, c, top, bottom, left, right);
            AssertBits(expected, y, $"{batch}x{h}x{w}x{c}, {threads} threads");
        });
    }

    [Theory]
    [InlineData(1, 113, 113, 64, 3, 2)] // ResNet-18's pool at batch 1: 56 output rows
    [InlineData(4, 26, 26, 32, 2, 2)]   // MnistCnn's pool at batch 4
    public void MaxPoolingGivesEveryWindowsMaximumAndTheSameArgMax(int batch, int h, int w, int c, int pool, int stride)
    {
        Pool2DGeometry g = Pool2DGeometry.Create(h, w, c, pool, pool, stride, stride, false);
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 88));
        var expected = new float[batch * g.OutputHeight * g.OutputWidth * c];
        int o = 0;
        for (int b = 0; b < batch; b++)
            for (int oh = 0; oh < g.OutputHeight; oh++)
                for (int ow = 0; ow < g.OutputWidth; ow++)
                    for (int ch = 0; ch < c; ch++, o++)
                    {
                        float best = float.NegativeInfinity;
                        for (int i = 0; i < pool; i++)
                            for (int j = 0; j < pool; j++)
                                best = Math.Max(best, x[((b * h + oh * stride + i) * w + ow * stride + j) * c + ch]);
                        expected[o] = best;
                    }
        int[]? firstArgMax = null;
        ForEachThreadCount(threads =>
        {
            if (threads == 2)
            {
                int rows = batch * g.OutputHeight;
                Assert.True(ElementwiseParts.RowsPerChunk(rows, (long)g.OutputWidth * c * pool * pool) < rows, "the pass is cut");
            }
            var y = new float[expected.Length];
            Pooling.MaxForward<float>(x, y, batch, g);
            AssertBits(expected, y, $"inference, {threads} threads");
            var argmax = new int[expected.Length];
            Pooling.MaxForward<float>(x, y, argmax, batch, g);
            AssertBits(expected, y, $"training, {threads} threads");
            firstArgMax ??= argmax;
            Assert.Equal(firstArgMax, argmax);
        });
    }
}
