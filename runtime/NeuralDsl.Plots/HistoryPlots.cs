using System;
using System.Collections.Generic;
using ScottPlot;
using SkiaSharp;

namespace NeuralDsl;

/// <summary>Training curves from a <see cref="History"/>: Keras users' <c>plt.plot(history.history[...])</c> in one call.</summary>
public static class HistoryPlots
{
    /// <summary>At most this many panels side by side; more metrics wrap onto further rows.</summary>
    public const int MaxColumns = 3;

    /// <summary>Above this many epochs the curves are drawn without a marker per epoch.</summary>
    private const int MaxEpochsWithMarkers = 40;

    private const string ValidationPrefix = "val_";

    /// <summary>
    /// Saves the training curves as a PNG: one panel per logged quantity (loss first, then each metric in the
    /// history's order), each with the training series and, when <c>Fit</c> had validation data, the validation
    /// series (<c>val_</c> + name) against the epoch number.
    /// </summary>
    /// <remarks>
    /// Panels sit side by side, at most <see cref="MaxColumns"/> to a row, so the image is
    /// <c>min(panels, 3) · panelWidth</c> by <c>ceil(panels / 3) · panelHeight</c> pixels. A non-finite value
    /// (a diverged epoch's NaN loss) leaves a gap in its curve. The file is written to a temporary file and renamed,
    /// so it is never seen half-written.
    /// </remarks>
    /// <param name="history">What <c>Fit</c> returned.</param>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="panelWidth">Width of each panel in pixels.</param>
    /// <param name="panelHeight">Height of each panel in pixels.</param>
    /// <exception cref="ArgumentException">The history holds no epoch, or a size is out of range.</exception>
    public static void SavePlot(this History history, string path, int panelWidth = 480, int panelHeight = 360)
    {
        ArgumentNullException.ThrowIfNull(history);
        PlotSize.CheckPath(path);
        PlotSize.CheckSide(panelWidth, nameof(panelWidth), minimum: 100);
        PlotSize.CheckSide(panelHeight, nameof(panelHeight), minimum: 100);
        if (history.Epochs == 0 || history.Keys.Count == 0)
            throw new ArgumentException(
                $"The history holds no epoch to plot; expected at least one logged epoch, got {history.Epochs} epochs of [{string.Join(", ", history.Keys)}].",
                nameof(history));

        List<Panel> panels = PanelsOf(history);
        int columns = Math.Min(panels.Count, MaxColumns);
        int rows = (panels.Count + MaxColumns - 1) / MaxColumns;
        PlotSize.CheckImage((long)columns * panelWidth, (long)rows * panelHeight, "training plot");

        using SKSurface surface = PngFile.CreateSurface(columns * panelWidth, rows * panelHeight);
        for (int i = 0; i < panels.Count; i++)
        {
            Plot plot = Draw(history, panels[i]);
            PlotStyle.RenderAt(plot, surface.Canvas, i % MaxColumns * panelWidth, i / MaxColumns * panelHeight, panelWidth, panelHeight);
        }
        PngFile.Save(path, surface);
    }

    /// <summary>A panel's title and the keys of its training and validation series (either may be absent).</summary>
    internal readonly record struct Panel(string Name, string? TrainingKey, string? ValidationKey);

    /// <summary>Loss first, then the other names in Keras' key order; each <c>val_X</c> joins the panel of <c>X</c>.</summary>
    internal static List<Panel> PanelsOf(History history)
    {
        var names = new List<string>();
        foreach (string key in history.Keys)
        {
            string name = key.StartsWith(ValidationPrefix, StringComparison.Ordinal) ? key[ValidationPrefix.Length..] : key;
            if (!names.Contains(name)) names.Add(name);
        }
        if (names.Remove("loss")) names.Insert(0, "loss");

        var panels = new List<Panel>(names.Count);
        foreach (string name in names)
        {
            string? training = history.Metrics.ContainsKey(name) ? name : null;
            string? validation = history.Metrics.ContainsKey(ValidationPrefix + name) ? ValidationPrefix + name : null;
            panels.Add(new Panel(name, training, validation));
        }
        return panels;
    }

    private static Plot Draw(History history, Panel panel)
    {
        var plot = new Plot();
        plot.Title(panel.Name);
        plot.XLabel("epoch");
        plot.YLabel(panel.Name);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (panel.TrainingKey is not null)
            AddSeries(plot, history[panel.TrainingKey], "training", Colors.C0);
        if (panel.ValidationKey is not null)
            AddSeries(plot, history[panel.ValidationKey], "validation", Colors.C1);
        plot.Axes.SetLimitsX(0.5, history.Epochs + 0.5);
        plot.ShowLegend(EndsHigh(history, panel) ? Alignment.LowerRight : Alignment.UpperRight);
        PlotStyle.ApplyFont(plot);
        return plot;
    }

    /// <summary>
    /// Whether the curves end in the upper half of their range (a rising accuracy), where an upper-right legend would
    /// cover them.
    /// </summary>
    private static bool EndsHigh(History history, Panel panel)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity, last = double.NaN;
        foreach (string? key in (string?[])[panel.TrainingKey, panel.ValidationKey])
        {
            if (key is null) continue;
            foreach (double value in history[key])
            {
                if (!double.IsFinite(value)) continue;
                low = Math.Min(low, value);
                high = Math.Max(high, value);
            }
            for (int i = history[key].Count - 1; i >= 0 && double.IsNaN(last); i--)
                if (double.IsFinite(history[key][i])) last = history[key][i];
        }
        return last > (low + high) / 2;
    }

    /// <summary>One curve over epochs 1..n; each run of finite values is its own line, so a NaN leaves a gap.</summary>
    private static void AddSeries(Plot plot, IReadOnlyList<double> values, string label, Color color)
    {
        bool labelled = false;
        int start = 0;
        while (start < values.Count)
        {
            if (!double.IsFinite(values[start])) { start++; continue; }
            int end = start;
            while (end < values.Count && double.IsFinite(values[end])) end++;
            var epochs = new double[end - start];
            var ys = new double[end - start];
            for (int i = start; i < end; i++)
            {
                epochs[i - start] = i + 1;
                ys[i - start] = values[i];
            }
            var line = plot.Add.Scatter(epochs, ys, color);
            line.LineWidth = 2;
            line.MarkerSize = values.Count <= MaxEpochsWithMarkers ? 5 : 0;
            if (!labelled)
            {
                line.LegendText = label;
                labelled = true;
            }
            start = end;
        }
    }
}
