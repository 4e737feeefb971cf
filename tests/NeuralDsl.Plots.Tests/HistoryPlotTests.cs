using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace NeuralDsl.Plots.Tests;

public sealed class HistoryPlotTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A history as Fit logs it: Keras' key order (training names sorted, then val_ names).</summary>
    internal static History Logged(IReadOnlyList<string> keys, int epochs, Func<string, int, double>? value = null)
    {
        var history = new History(keys);
        for (int epoch = 0; epoch < epochs; epoch++)
            history.Add(keys.ToDictionary(k => k, k => value?.Invoke(k, epoch) ?? Math.Exp(-0.3 * epoch) + (k.StartsWith("val_") ? 0.1 : 0)));
        return history;
    }

    [Fact]
    public void Training_and_validation_of_loss_and_accuracy_make_two_panels_side_by_side()
    {
        History history = Logged(["accuracy", "loss", "val_accuracy", "val_loss"], epochs: 10);
        string path = _folder.File("training.png");

        history.SavePlot(path);

        Assert.Equal((2 * 480, 360), Png.Size(path));
    }

    [Fact]
    public void Loss_comes_first_and_each_validation_series_joins_its_training_series()
    {
        History history = Logged(["accuracy", "loss", "mae", "val_accuracy", "val_loss", "val_mae"], epochs: 2);

        Assert.Equal(
            [new("loss", "loss", "val_loss"), new("accuracy", "accuracy", "val_accuracy"), new("mae", "mae", "val_mae")],
            HistoryPlots.PanelsOf(history));
    }

    [Fact]
    public void Four_metrics_wrap_after_three_panels_at_the_given_panel_size()
    {
        History history = Logged(["accuracy", "loss", "mae", "mse"], epochs: 3);
        string path = _folder.File("four.png");

        history.SavePlot(path, panelWidth: 300, panelHeight: 200);

        Assert.Equal((3 * 300, 2 * 200), Png.Size(path));
    }

    [Fact]
    public void A_single_epoch_and_a_nan_loss_still_plot()
    {
        Assert.Equal((480, 360), Save(Logged(["loss"], epochs: 1), "one.png"));
        History diverged = Logged(["loss", "val_loss"], epochs: 6, (key, epoch) => epoch is 2 or 3 ? double.NaN : 1.0 / (epoch + 1));
        Assert.Equal((480, 360), Save(diverged, "nan.png"));
    }

    [Fact]
    public void An_empty_history_throws_naming_what_was_expected()
    {
        History empty = Logged(["loss", "val_loss"], epochs: 0);
        string path = _folder.File("empty.png");

        var error = Assert.Throws<ArgumentException>(() => empty.SavePlot(path));

        Assert.Contains("expected at least one logged epoch, got 0 epochs of [loss, val_loss]", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_panel_size_out_of_range_throws_naming_it()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Logged(["loss"], 2).SavePlot(_folder.File("x.png"), panelWidth: 10));
        Assert.Contains("panelWidth must be between 100 and 16384 pixels; got 10", error.Message);
    }

    private (int, int) Save(History history, string name)
    {
        string path = _folder.File(name);
        history.SavePlot(path);
        return Png.Size(path);
    }
}
