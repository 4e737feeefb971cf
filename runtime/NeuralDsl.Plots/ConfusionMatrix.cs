using System;
using System.Collections.Generic;
using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace NeuralDsl;

/// <summary>
/// Confusion matrices of a classifier: counts of (true class, predicted class) pairs, and their image with the count
/// in every cell (scikit-learn's <c>ConfusionMatrixDisplay</c>: true classes down the rows, predictions across).
/// </summary>
public static class ConfusionMatrix
{
    /// <summary>
    /// Counts each (true, predicted) pair: <c>counts[t, p]</c> is the number of samples of class <c>t</c> predicted
    /// as <c>p</c>, so the diagonal holds the correct predictions.
    /// </summary>
    /// <param name="predicted">The predicted class index of each sample.</param>
    /// <param name="actual">The true class index of each sample, as many as <paramref name="predicted"/>.</param>
    /// <param name="classCount">The number of classes; every index must be in [0, classCount).</param>
    /// <exception cref="ArgumentException">The lengths differ, there is no sample, or an index is outside [0, classCount).</exception>
    public static int[,] Count(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual, int classCount)
    {
        if (classCount < 1)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount must be at least 1; got {classCount}.");
        if (predicted.Length != actual.Length)
            throw new ArgumentException(
                $"Expected one predicted class per true class; got {predicted.Length} predicted and {actual.Length} actual.", nameof(predicted));
        if (predicted.IsEmpty)
            throw new ArgumentException("Expected at least one sample; predicted and actual are empty.", nameof(predicted));

        var counts = new int[classCount, classCount];
        for (int i = 0; i < predicted.Length; i++)
        {
            int p = predicted[i], t = actual[i];
            CheckClass(p, i, classCount, nameof(predicted));
            CheckClass(t, i, classCount, nameof(actual));
            counts[t, p]++;
        }
        return counts;
    }

    /// <summary>Saves the confusion matrix of classes named 0, 1, ..., classCount − 1 as a PNG.</summary>
    /// <inheritdoc cref="SavePlot(string, ReadOnlySpan{int}, ReadOnlySpan{int}, IReadOnlyList{string}, int)"/>
    public static void SavePlot(string path, ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual, int classCount, int size = 600)
    {
        if (classCount < 1)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount must be at least 1; got {classCount}.");
        var labels = new string[classCount];
        for (int i = 0; i < classCount; i++) labels[i] = i.ToString(CultureInfo.InvariantCulture);
        SavePlot(path, predicted, actual, labels, size);
    }

    /// <summary>
    /// Saves the confusion matrix as a <paramref name="size"/> × <paramref name="size"/> PNG: true classes down the
    /// rows, predicted classes across the columns, the count in each cell, each cell shaded by its share of its true
    /// class (so a rare class's errors show as clearly as a common one's); the title gives the sample count and the
    /// accuracy.
    /// </summary>
    /// <param name="path">The PNG file to write (replaced if it exists; written to a temporary file and renamed).</param>
    /// <param name="predicted">The predicted class index of each sample.</param>
    /// <param name="actual">The true class index of each sample, as many as <paramref name="predicted"/>.</param>
    /// <param name="classLabels">The name of each class, indexed by class; their count is the number of classes.</param>
    /// <param name="size">Width and height of the image in pixels.</param>
    /// <exception cref="ArgumentException">
    /// The lengths differ, there is no sample, a class index is outside the labels, or the size is out of range.
    /// </exception>
    public static void SavePlot(string path, ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual, IReadOnlyList<string> classLabels, int size = 600)
    {
        PlotSize.CheckPath(path);
        ArgumentNullException.ThrowIfNull(classLabels);
        PlotSize.CheckSide(size, nameof(size), minimum: 200);
        if (classLabels.Count == 0)
            throw new ArgumentException("Expected at least one class label; classLabels is empty.", nameof(classLabels));
        int[,] counts = Count(predicted, actual, classLabels.Count);

        using SKSurface surface = PngFile.CreateSurface(size, size);
        PlotStyle.RenderAt(Draw(counts, classLabels, predicted.Length, size), surface.Canvas, 0, 0, size, size);
        PngFile.Save(path, surface);
    }

    private static void CheckClass(int index, int sample, int classCount, string name)
    {
        if ((uint)index >= (uint)classCount)
            throw new ArgumentOutOfRangeException(name, index,
                $"Sample {sample}: expected a class index in [0, {classCount}), got {index} in {name}.");
    }

    /// <summary>Cells are unit squares; true class t is the row at y = k − 1 − t, so class 0 is the top row.</summary>
    private static Plot Draw(int[,] counts, IReadOnlyList<string> labels, int samples, int size)
    {
        int k = labels.Count;
        var plot = new Plot();
        IColormap shades = new ScottPlot.Colormaps.Blues();
        int correct = 0;
        float fontSize = Math.Clamp(160f / k, 8f, 16f);
        for (int t = 0; t < k; t++)
        {
            int rowTotal = 0;
            for (int p = 0; p < k; p++) rowTotal += counts[t, p];
            correct += counts[t, t];
            for (int p = 0; p < k; p++)
            {
                double share = rowTotal == 0 ? 0 : (double)counts[t, p] / rowTotal;
                double y = k - 1 - t;
                var cell = plot.Add.Rectangle(p - 0.5, p + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = shades.GetColor(1 - share); // ScottPlot's Blues runs from dark to light
                cell.LineColor = Colors.White;
                var text = plot.Add.Text(counts[t, p].ToString(CultureInfo.InvariantCulture), p, y);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = share > 0.5 ? Colors.White : Colors.Black;
                if (PlotStyle.FontName is not null) text.LabelFontName = PlotStyle.FontName;
            }
        }

        var positions = new double[k];
        var bottomLabels = new string[k];
        var leftPositions = new double[k];
        for (int i = 0; i < k; i++)
        {
            positions[i] = i;
            bottomLabels[i] = labels[i];
            leftPositions[i] = k - 1 - i;
        }
        plot.Axes.Bottom.SetTicks(positions, bottomLabels);
        plot.Axes.Left.SetTicks(leftPositions, [.. labels]);
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        float tickFontSize = Math.Clamp(size / 40f, 12f, 16f);
        plot.Axes.Bottom.TickLabelStyle.FontSize = tickFontSize;
        plot.Axes.Left.TickLabelStyle.FontSize = tickFontSize;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Grid.IsVisible = false;
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Confusion matrix: {samples} samples, accuracy {(double)correct / samples:P2}"), size: Math.Clamp(size / 32f, 10f, 16f));
        PlotStyle.ApplyFont(plot);
        return plot;
    }
}
