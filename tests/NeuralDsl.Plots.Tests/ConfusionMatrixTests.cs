using System;
using System.IO;
using Xunit;

namespace NeuralDsl.Plots.Tests;

public sealed class ConfusionMatrixTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Count_puts_true_classes_in_rows_and_predictions_in_columns()
    {
        int[] predicted = [0, 1, 1, 2, 2, 2, 0];
        int[] actual = [0, 1, 2, 2, 2, 1, 0];

        int[,] counts = ConfusionMatrix.Count(predicted, actual, classCount: 3);

        Assert.Equal(new[,] { { 2, 0, 0 }, { 0, 1, 1 }, { 0, 1, 2 } }, counts);
    }

    [Fact]
    public void SavePlot_writes_a_square_png_of_the_given_size()
    {
        string path = _folder.File("confusion.png");

        ConfusionMatrix.SavePlot(path, [0, 1, 1, 0, 1], [0, 1, 0, 0, 1], ["malignant", "benign"], size: 400);

        Assert.Equal((400, 400), Png.Size(path));
    }

    [Fact]
    public void SavePlot_with_a_class_count_names_classes_by_index()
    {
        string path = _folder.File("digits.png");
        var predicted = new int[200];
        var actual = new int[200];
        for (int i = 0; i < 200; i++)
        {
            actual[i] = i % 10;
            predicted[i] = i % 17 == 0 ? (i + 3) % 10 : i % 10;
        }

        ConfusionMatrix.SavePlot(path, predicted, actual, classCount: 10);

        Assert.Equal((600, 600), Png.Size(path));
    }

    [Fact]
    public void Mismatched_lengths_throw_naming_both()
    {
        var error = Assert.Throws<ArgumentException>(() => ConfusionMatrix.SavePlot(_folder.File("x.png"), [0, 1, 1], [0, 1], classCount: 2));
        Assert.Contains("got 3 predicted and 2 actual", error.Message);
    }

    [Fact]
    public void A_negative_class_index_throws_naming_the_sample_and_the_range()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.Count([0, -1], [0, 1], classCount: 2));
        Assert.Contains("Sample 1: expected a class index in [0, 2), got -1 in predicted", error.Message);
    }

    [Fact]
    public void A_class_index_beyond_the_labels_throws_and_writes_nothing()
    {
        string path = _folder.File("x.png");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.SavePlot(path, [0, 1], [0, 2], ["cat", "dog"]));
        Assert.Contains("Sample 1: expected a class index in [0, 2), got 2 in actual", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void No_sample_throws()
    {
        var error = Assert.Throws<ArgumentException>(() => ConfusionMatrix.Count([], [], classCount: 2));
        Assert.Contains("Expected at least one sample", error.Message);
    }
}
