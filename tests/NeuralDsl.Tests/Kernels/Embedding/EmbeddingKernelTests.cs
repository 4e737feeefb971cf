using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>The Embedding kernel: row lookup, the padding mask, scatter-add of repeated ids, and id checks.</summary>
public sealed class EmbeddingKernelTests
{
    private static readonly double[] Table = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]; // (4, 2)

    [Fact]
    public void Forward_looks_up_rows_and_writes_the_mask()
    {
        double[] ids = [3, 0, 1, 0, 2, 2];
        var y = new double[ids.Length * 2];
        var mask = new double[ids.Length];
        Embedding.Forward<double>(ids, Table, y, mask, 2, 3, 4, 2);
        Assert.Equal([3, 3.5, 0, 0.5, 1, 1.5, 0, 0.5, 2, 2.5, 2, 2.5], y);
        Assert.Equal([1, 0, 1, 0, 1, 1], mask);
    }

    [Fact]
    public void Backward_sums_the_gradients_of_repeated_ids()
    {
        double[] ids = [2, 2, 1];
        double[] dy = [1, 2, 10, 20, 100, 200];
        var dTable = new double[8];
        dTable[0] = 7; // accumulates: existing values stay
        Embedding.Backward<double>(ids, dy, dTable, 1, 3, 4, 2);
        Assert.Equal([7, 0, 100, 200, 11, 22, 0, 0], dTable);
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(-1.0, "-1")]
    [InlineData(4.0, "4")]
    [InlineData(double.NaN, "NaN")]
    public void A_bad_id_throws_naming_row_position_and_value(double bad, string shown)
    {
        double[] ids = [0, 1, 2, 3, bad, 1];
        var y = new double[12];
        var e = Assert.Throws<ArgumentException>(() => Embedding.Forward<double>(ids, Table, y, default, 2, 3, 4, 2));
        Assert.Contains("Token id " + shown + " at batch row 1, position 1", e.Message);
        Assert.Contains("[0, 4)", e.Message);
        Assert.All(y, v => Assert.Equal(0.0, v)); // checked before anything is written
    }

    [Fact]
    public void Int_ids_are_checked_and_converted_exactly()
    {
        var x = new float[4];
        Embedding.ConvertIds<float>([0, 16_777_215, 3, 1], x, 2, 16_777_216, "tokenIds");
        Assert.Equal([0f, 16_777_215f, 3f, 1f], x);
        var e = Assert.Throws<ArgumentException>(() => Embedding.ConvertIds<float>([0, 1, 2, 9], new float[4], 2, 5, "tokenIds"));
        Assert.Contains("Token id 9 at batch row 1, position 1", e.Message);
        Assert.Equal("tokenIds", e.ParamName);
    }
}
