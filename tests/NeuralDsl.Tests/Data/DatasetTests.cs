using System;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Data;

public sealed class DatasetTests
{
    [Fact]
    public void OneHot_FromIntAndByteLabels()
    {
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f], Dataset.OneHot<float>([1, 0, 2], 3));
        Assert.Equal([0.0, 0.0, 1.0, 1.0, 0.0, 0.0], Dataset.OneHot<double>((ReadOnlySpan<byte>)[2, 0], 3));
        Assert.Empty(Dataset.OneHot<float>(ReadOnlySpan<int>.Empty, 4));
    }

    [Fact]
    public void OneHot_RejectsLabelsOutsideTheClasses()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.OneHot<float>([0, 3, 1], 3));
        Assert.StartsWith("Label 3 at index 1 is outside [0, 3).", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Dataset.OneHot<float>([-1], 3));
        Assert.Throws<ArgumentException>(() => Dataset.OneHot<double>((ReadOnlySpan<byte>)[10], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.OneHot<float>([0], 0));
    }

    [Fact]
    public void SparseTargets_AreTheIndicesAsValues()
    {
        Assert.Equal([3f, 0f, 9f], Dataset.SparseTargets<float>([3, 0, 9]));
        Assert.Equal([7.0, 255.0], Dataset.SparseTargets<double>((ReadOnlySpan<byte>)[7, 255]));
        Assert.Throws<ArgumentException>(() => Dataset.SparseTargets<float>([1, -2]));
    }

    [Fact]
    public void Permutation_IsSeededAndAPermutation()
    {
        int[] a = Dataset.Permutation(1000, seed: 5);
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.Equal(a, Dataset.Permutation(1000, seed: 5));
        Assert.NotEqual(a, Dataset.Permutation(1000, seed: 6));
        Assert.NotEqual(Enumerable.Range(0, 1000), a);
        Assert.Empty(Dataset.Permutation(0, seed: 1));
    }

    [Fact]
    public void ShuffleRows_MovesWholeRowsAndKeepsTargetsWithTheirInputs()
    {
        const int rows = 50, width = 3;
        var x = new double[rows * width];
        var y = new float[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < width; j++) x[r * width + j] = r * 10 + j;
            y[r * 2] = r;
            y[r * 2 + 1] = -r;
        }
        Dataset.ShuffleRows<double, float>(x, width, y, 2, seed: 3);

        Assert.NotEqual(Enumerable.Range(0, rows).Select(r => (float)r), Enumerable.Range(0, rows).Select(r => y[r * 2]));
        var seen = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            int original = (int)y[r * 2];
            Assert.Equal(-original, y[r * 2 + 1]);
            for (int j = 0; j < width; j++) Assert.Equal(original * 10 + j, x[r * width + j]);
            seen[original] = true;
        }
        Assert.All(seen, Assert.True);

        // Shuffling the inputs alone with the same seed gives the same order.
        var x2 = new double[rows * width];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < width; j++) x2[r * width + j] = r * 10 + j;
        Dataset.ShuffleRows<double>(x2, width, seed: 3);
        Assert.Equal(x, x2);
    }

    [Fact]
    public void ShuffleRows_RejectsMismatchedShapes()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.ShuffleRows<float, float>(new float[12], 3, new float[5], 1, 0));
        Assert.StartsWith("Target length 5 holds 5 rows of 1, but the inputs hold 4 rows (expected [4, 1]).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset.ShuffleRows<float>(new float[10], 3, 0));
        Assert.StartsWith("Length 10 is not a multiple of the row length 3 (expected [rows, 3]).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SplitRows_SplitsByRowCount()
    {
        float[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        (float[] train, float[] test) = Dataset.SplitRows<float>(data, 2, 3);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], train);
        Assert.Equal([7f, 8f], test);
        (train, test) = Dataset.SplitRows<float>(data, 2, 0);
        Assert.Empty(train);
        Assert.Equal(data, test);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.SplitRows<float>(data, 2, 5));
        Assert.Throws<ArgumentException>(() => Dataset.SplitRows<float>(data, 3, 1));
    }

    [Fact]
    public void Standardizer_CentresAndScalesWithTheTrainingStatistics()
    {
        // Column 0: 1, 2, 3, 4 (mean 2.5, population std sqrt(1.25)); column 1 constant 7 (std 0 -> 1).
        double[] train = [1, 7, 2, 7, 3, 7, 4, 7];
        var s = Standardizer<double>.Fit(train, 2);
        Assert.Equal(2, s.Features);
        Assert.Equal([2.5, 7.0], s.Mean.ToArray());
        Assert.Equal([Math.Sqrt(1.25), 1.0], s.StandardDeviation.ToArray());

        s.Transform(train);
        double z = 1.5 / Math.Sqrt(1.25);
        Assert.Equal([-z, 0, -z / 3, 0, z / 3, 0, z, 0], train, new ToleranceComparer(1e-15));

        double[] test = [5, 8];
        s.Transform(test);
        Assert.Equal(2.5 / Math.Sqrt(1.25), test[0], 1e-15);
        Assert.Equal(1.0, test[1]);

        s.InverseTransform(test);
        Assert.Equal([5.0, 8.0], test, new ToleranceComparer(1e-14));
    }

    [Fact]
    public void Standardizer_Float_IsAccurateForLargeOffsets()
    {
        // A large mean with a small spread: a naive float one-pass variance would lose every digit here.
        var data = new float[1000];
        for (int i = 0; i < data.Length; i++) data[i] = 100_000f + (i % 2 == 0 ? -1f : 1f);
        var s = Standardizer<float>.Fit(data, 1);
        Assert.Equal(100_000.0, s.Mean[0], 1e-9);
        Assert.Equal(1.0, s.StandardDeviation[0], 1e-12);
        s.Transform(data);
        Assert.All(data, v => Assert.Equal(1f, Math.Abs(v)));
    }

    [Fact]
    public void Standardizer_RejectsBadShapes()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Standardizer<float>.Fit(new float[7], 2));
        Assert.StartsWith("Input length 7 is not a multiple of the row length 2 (expected [rows, 2]).", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Standardizer<float>.Fit([], 2));
        var s = Standardizer<float>.Fit([1f, 2f], 2);
        Assert.Throws<ArgumentException>(() => s.Transform(new float[3]));
    }

    private sealed class ToleranceComparer(double tolerance) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
