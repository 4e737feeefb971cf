using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace NameGenerator;

/// <summary>A PNG of the training and validation bits per character per epoch, with the bigram baseline's validation figure as a line.</summary>
internal static class BitsPlot
{
    public static void Save(string path, IReadOnlyList<double> training, IReadOnlyList<double> validation, double bigram, int width = 720, int height = 440)
    {
        var plot = new Plot();
        plot.Font.Automatic();
        double[] epochs = Enumerable.Range(1, training.Count).Select(e => (double)e).ToArray();
        var train = plot.Add.Scatter(epochs, training.ToArray());
        train.LegendText = "transformer, training names";
        train.LineWidth = 2;
        var val = plot.Add.Scatter(epochs, validation.ToArray());
        val.LegendText = "transformer, validation names";
        val.LineWidth = 2;
        var baseline = plot.Add.HorizontalLine(bigram);
        baseline.LegendText = "bigram baseline (add-one), validation names";
        baseline.LinePattern = LinePattern.Dashed;
        baseline.LineWidth = 2;
        plot.Title("Next-character loss on first names (end token included, padding left out)");
        plot.XLabel("epoch");
        plot.YLabel("bits per character");
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, width, height);
    }
}
