using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The global poolings over time with a Keras mask (1 real step, 0 masked): against plain loops in double, masked
/// steps that change nothing and get no gradient, an all-masked sample that pools to 0, and an empty mask that is the
/// unmasked kernel.
/// </summary>
public sealed class MaskedPoolingTests
{
    private const int Batch = 3, Steps = 5, Channels = 4;

    // Row 0: steps 3 and 4 masked; row 1: none masked; row 2: every step masked.
    private static readonly double[] Mask = [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];

    private static double[] Input(ulong seed) => KernelTestData.Uniform(Batch * Steps * Channels, -2, 2, seed);

    [Fact]
    public void Average_is_the_mean_over_unmasked_steps_and_zero_for_an_all_masked_sample()
    {
        double[] x = Input(1);
        var y = new double[Batch * Channels];
        Pooling.GlobalAverageForwardMasked<double>(x, Mask, y, Batch, Steps, Channels);
        for (int b = 0; b < Batch; b++)
        {
            for (int c = 0; c < Channels; c++)
            {
                double sum = 0;
                int count = 0;
                for (int s = 0; s < Steps; s++)
                {
                    if (Mask[b * Steps + s] != 0)
                    {
                        sum += x[(b * Steps + s) * Channels + c];
                        count++;
                    }
                }
                double expected = count == 0 ? 0 : sum / count;
                Assert.Equal(expected, y[b * Channels + c], 14);
            }
        }
        Assert.All(y.AsSpan(2 * Channels).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Max_is_the_maximum_over_unmasked_steps_and_zero_for_an_all_masked_sample()
    {
        double[] x = Input(2);
        var y = new double[Batch * Channels];
        var argmax = new int[Batch * Channels];
        Pooling.GlobalMaxForwardMasked<double>(x, Mask, y, argmax, Batch, Steps, Channels);
        var inference = new double[Batch * Channels];
        Pooling.GlobalMaxForwardMasked<double>(x, Mask, inference, default, Batch, Steps, Channels);
        Assert.Equal(y, inference);
        for (int b = 0; b < Batch; b++)
        {
            for (int c = 0; c < Channels; c++)
            {
                double best = double.NegativeInfinity;
                int at = -1;
                for (int s = 0; s < Steps; s++)
                {
                    int i = (b * Steps + s) * Channels + c;
                    if (Mask[b * Steps + s] != 0 && x[i] > best)
                    {
                        best = x[i];
                        at = i;
                    }
                }
                Assert.Equal(at < 0 ? 0 : best, y[b * Channels + c]);
                Assert.Equal(at, argmax[b * Channels + c]);
            }
        }
    }

    [Fact]
    public void Masked_steps_change_nothing_and_get_zero_gradient()
    {
        double[] x = Input(3);
        double[] changed = (double[])x.Clone();
        for (int b = 0; b < Batch; b++)
        {
            for (int s = 0; s < Steps; s++)
            {
                if (Mask[b * Steps + s] == 0)
                {
                    for (int c = 0; c < Channels; c++)
                        changed[(b * Steps + s) * Channels + c] = 100 + s; // larger than every real value
                }
            }
        }
        double[] dy = KernelTestData.Uniform(Batch * Channels, -1, 1, 4);

        foreach (bool max in new[] { false, true })
        {
            var y = new double[Batch * Channels];
            var yChanged = new double[Batch * Channels];
            var argmax = new int[Batch * Channels];
            var dx = new double[x.Length];
            dx.AsSpan().Fill(double.NaN); // overwritten everywhere
            if (max)
            {
                Pooling.GlobalMaxForwardMasked<double>(x, Mask, y, argmax, Batch, Steps, Channels);
                Pooling.GlobalMaxForwardMasked<double>(changed, Mask, yChanged, default, Batch, Steps, Channels);
                Pooling.GlobalMaxBackwardMasked<double>(dy, argmax, dx, Batch, Steps, Channels);
            }
            else
            {
                Pooling.GlobalAverageForwardMasked<double>(x, Mask, y, Batch, Steps, Channels);
                Pooling.GlobalAverageForwardMasked<double>(changed, Mask, yChanged, Batch, Steps, Channels);
                Pooling.GlobalAverageBackwardMasked<double>(dy, Mask, dx, Batch, Steps, Channels);
            }
            Assert.Equal(y, yChanged);
            for (int b = 0; b < Batch; b++)
            {
                for (int s = 0; s < Steps; s++)
                {
                    for (int c = 0; c < Channels; c++)
                    {
                        double g = dx[(b * Steps + s) * Channels + c];
                        Assert.False(double.IsNaN(g));
                        if (Mask[b * Steps + s] == 0)
                            Assert.Equal(0.0, g);
                    }
                }
            }
            if (!max)
            {
                // Row 0 has 3 real steps: each gets a third of dy.
                Assert.Equal(dy[1] / 3, dx[1], 15);
            }
        }
    }

    [Fact]
    public void An_empty_mask_is_the_unmasked_kernel()
    {
        double[] x = Input(5);
        var expected = new double[Batch * Channels];
        var actual = new double[Batch * Channels];
        Pooling.GlobalAverageForward<double>(x, expected, Batch, Steps, Channels);
        Pooling.GlobalAverageForwardMasked<double>(x, default, actual, Batch, Steps, Channels);
        Assert.Equal(expected, actual);
        Pooling.GlobalMaxForward<double>(x, expected, Batch, Steps, Channels);
        Pooling.GlobalMaxForwardMasked<double>(x, default, actual, default, Batch, Steps, Channels);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_mask_of_the_wrong_length_throws_naming_both_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Pooling.GlobalAverageForwardMasked<double>(new double[Batch * Steps * Channels], new double[4], new double[Batch * Channels], Batch, Steps, Channels));
        Assert.Contains("15", e.Message);
        Assert.Contains("4", e.Message);
    }
}
