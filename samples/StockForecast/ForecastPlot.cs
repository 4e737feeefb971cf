using System;
using System.Collections.Generic;
using ScottPlot;

namespace StockForecast;

/// <summary>
/// A PNG of the held-out months: one panel per stock with the true monthly price and each forecast (in price units)
/// against the month. Forecasts are given in scaled units, one per held-out window, as <see cref="StockSeries.Rmse"/>
/// takes them, so a model's forecasts are plotted with one more entry in <c>forecasts</c>.
/// </summary>
internal static class ForecastPlot
{
    public static void Save(string path, StockSeries data, IReadOnlyList<(string Name, float[] Scaled)> forecasts, int panelWidth = 420, int panelHeight = 300)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(data.Stocks.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: data.Stocks.Length);
        for (int s = 0; s < data.Stocks.Length; s++)
        {
            Stock stock = data.Stocks[s];
            Plot plot = multiplot.GetPlot(s);
            plot.Font.Automatic();
            var months = new List<double>();
            var truth = new List<double>();
            var predicted = new List<double>[forecasts.Count];
            for (int f = 0; f < forecasts.Count; f++) predicted[f] = [];
            for (int i = 0; i < data.TestCount; i++)
            {
                if (data.TestStock[i] != s) continue;
                months.Add(stock.Months[data.TestMonth[i]].ToDateTime(TimeOnly.MinValue).ToOADate());
                truth.Add(stock.Prices[data.TestMonth[i]]);
                for (int f = 0; f < forecasts.Count; f++) predicted[f].Add(StockSeries.Unscale(stock, forecasts[f].Scaled[i]));
            }

            var line = plot.Add.Scatter(months.ToArray(), truth.ToArray());
            line.LegendText = "truth";
            for (int f = 0; f < forecasts.Count; f++)
            {
                var forecast = plot.Add.Scatter(months.ToArray(), predicted[f].ToArray());
                forecast.LegendText = forecasts[f].Name;
                forecast.LinePattern = LinePattern.Dashed;
            }

            plot.Axes.DateTimeTicksBottom();
            plot.Title(stock.Symbol);
            plot.YLabel("price ($)");
            plot.ShowLegend(Alignment.UpperLeft);
        }

        multiplot.SavePng(path, panelWidth * data.Stocks.Length, panelHeight);
    }
}
