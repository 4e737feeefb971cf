using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The Keras-mask row fixes of the recurrent time loop and Bidirectional's merge, index by index, and their argument
/// checks. The models that use them are checked by gradient checks (RecurrentMaskTests, BidirectionalTests).
/// </summary>
public sealed class RecurrentMaskKernelTests
{
    // Batch 3 × 4 steps: row 0 masked at step 2, row 1 never, row 2 always.
    private static readonly double[] Mask = [1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0];

    [Fact]
    public void CarryMaskedReplacesOnlyTheMaskedRows()
    {
        double[] from = [1, 2, 3, 4, 5, 6], to = [9, 9, 9, 9, 9, 9];
        Recurrent.CarryMasked<double>(Mask, 4, 2, from, to);
        Assert.Equal([1, 2, 9, 9, 5, 6], to);
        to = [9, 9, 9, 9, 9, 9];
        Recurrent.CarryMasked<double>(Mask, 4, 0, from, to);
        Assert.Equal([9, 9, 9, 9, 5, 6], to);
    }

    [Fact]
    public void KeepMaskedGradientAddsTheOutputGradientOfMaskedRowsOnly()
    {
        double[] dh = [1, 2, 3, 4, 5, 6], dhOut = [10, 20, 30, 40, 50, 60], carry = new double[6];
        Recurrent.KeepMaskedGradient<double>(Mask, 4, 2, dh, dhOut, carry);
        Assert.Equal([11, 22, 0, 0, 55, 66], carry);
        carry = new double[6];
        Recurrent.KeepMaskedGradient<double>(Mask, 4, 2, dh, default, carry);
        Assert.Equal([1, 2, 0, 0, 5, 6], carry);
    }

    [Fact]
    public void ClearMaskedZeroesTheMaskedRowsOfAStep()
    {
        double[] rows = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        Recurrent.ClearMasked<double>(Mask, 4, 2, rows);
        Assert.Equal([0, 0, 0, 4, 5, 6, 0, 0, 0], rows);
    }

    [Fact]
    public void ClearMaskedStepsZeroesEveryMaskedStepOfASequence()
    {
        double[] sequence = new double[3 * 4 * 2];
        sequence.AsSpan().Fill(1);
        Recurrent.ClearMaskedSteps<double>(Mask, sequence, 4);
        for (int i = 0; i < Mask.Length; i++)
        {
            Assert.Equal(Mask[i], sequence[2 * i]);
            Assert.Equal(Mask[i], sequence[2 * i + 1]);
        }
    }

    [Theory]
    [InlineData(MergeMode.Concat, new double[] { 1, 2, 5, 6, 3, 4, 7, 8 })]
    [InlineData(MergeMode.Sum, new double[] { 6, 8, 10, 12 })]
    [InlineData(MergeMode.Average, new double[] { 3, 4, 5, 6 })]
    [InlineData(MergeMode.Multiply, new double[] { 5, 12, 21, 32 })]
    public void MergeCombinesTheTwoDirectionsRowByRow(MergeMode mode, double[] expected)
    {
        double[] forward = [1, 2, 3, 4], backward = [5, 6, 7, 8], y = new double[expected.Length];
        Recurrent.Merge<double>(forward, backward, y, 2, mode);
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData(MergeMode.Concat, new double[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new double[] { 1, 2, 5, 6 }, new double[] { 3, 4, 7, 8 })]
    [InlineData(MergeMode.Sum, new double[] { 1, 2, 3, 4 }, new double[] { 1, 2, 3, 4 }, new double[] { 1, 2, 3, 4 })]
    [InlineData(MergeMode.Average, new double[] { 2, 4, 6, 8 }, new double[] { 1, 2, 3, 4 }, new double[] { 1, 2, 3, 4 })]
    [InlineData(MergeMode.Multiply, new double[] { 1, 2, 3, 4 }, new double[] { 5, 12, 21, 32 }, new double[] { 1, 4, 9, 16 })]
    public void MergeBackwardGivesEachDirectionItsGradient(MergeMode mode, double[] dy, double[] expectedForward, double[] expectedBackward)
    {
        double[] forward = [1, 2, 3, 4], backward = [5, 6, 7, 8], dForward = new double[4], dBackward = new double[4];
        Recurrent.MergeBackward<double>(dy, forward, backward, dForward, dBackward, 2, mode);
        Assert.Equal(expectedForward, dForward);
        Assert.Equal(expectedBackward, dBackward);
    }

    [Fact]
    public void WrongSizesThrowNamingExpectedAndActual()
    {
        var rows = Assert.Throws<ArgumentException>(() => Recurrent.CarryMasked<double>(Mask, 4, 1, new double[6], new double[5]));
        Assert.Contains("6", rows.Message);
        Assert.Contains("5", rows.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Recurrent.ClearMasked<double>(Mask, 4, 4, new double[6]));
        Assert.Throws<ArgumentException>(() => Recurrent.ClearMasked<double>(new double[7], 4, 0, new double[6]));
        var merged = Assert.Throws<ArgumentException>(() => Recurrent.Merge<double>(new double[4], new double[4], new double[4], 2, MergeMode.Concat));
        Assert.Contains("8", merged.Message);
        Assert.Contains("4", merged.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Recurrent.Merge<double>(new double[4], new double[4], new double[4], 2, (MergeMode)7));
    }
}
