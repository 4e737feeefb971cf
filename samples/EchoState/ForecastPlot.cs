using System.Collections.Generic;
using ScottPlot;

namespace EchoState;

/// <summary>A PNG of a series' truth and forecasts against the step, or against the month (x as OLE automation dates).</summary>
internal static class ForecastPlot
{
    public static void Save(string path, string title, string xLabel, string yLabel, double[] x, double[] truth,
        IReadOnlyList<(string Name, double[] X, double[] Values)> forecasts, bool dates = false, int width = 900, int height = 420)
    {
        var plot = new Plot();
        plot.Font.Automatic();
        var line = plot.Add.Scatter(x, truth);
        line.LegendText = "truth";
        line.MarkerSize = 0;
        foreach ((string name, double[] fx, double[] values) in forecasts)
        {
            var forecast = plot.Add.Scatter(fx, values);
            forecast.LegendText = name;
            forecast.LinePattern = LinePattern.Dashed;
            forecast.MarkerSize = 0;
            forecast.LineWidth = 2;
        }
        if (dates)
            plot.Axes.DateTimeTicksBottom(); // x holds OLE automation dates
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, width, height);
    }
}
