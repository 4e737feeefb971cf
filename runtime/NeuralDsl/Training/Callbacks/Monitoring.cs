using System;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// What the callbacks that watch one logged value share (<see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/>,
/// <see cref="ReduceLROnPlateau"/>): the mode argument, the check that the value is logged, and its direction.
/// </summary>
internal static class Monitoring
{
    /// <summary>Rejects a mode other than <c>"auto"</c>, <c>"min"</c>, <c>"max"</c>.</summary>
    public static string CheckMode(string mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        if (mode is not ("auto" or "min" or "max"))
            throw new ArgumentException($"Mode '{mode}' is not one of \"auto\", \"min\", \"max\".", nameof(mode));
        return mode;
    }

    /// <summary>
    /// Whether higher values of <paramref name="monitor"/> are better under <paramref name="mode"/>; in auto mode
    /// the loss and errors go down and accuracies and the other scores up. Throws at the start of <c>Fit</c> when
    /// the run does not log <paramref name="monitor"/> (Keras only warns, then silently never acts), naming
    /// <c>earlyStopping</c> for an <see cref="EarlyStopping"/> (it may come through that argument) and
    /// <c>callbacks</c> for the others.
    /// </summary>
    public static bool HigherIsBetter(string callback, string monitor, string mode, TrainingContext training)
    {
        bool logged = false;
        foreach (string key in training.Keys)
            logged |= key == monitor;
        if (!logged)
        {
            throw new ArgumentException(
                $"{callback} monitors '{monitor}', which this Fit does not log (it logs: {string.Join(", ", training.Keys)})."
                + (monitor.StartsWith("val_", StringComparison.Ordinal) ? " Validation values need validationSplit or validationX/validationY." : ""),
                callback == nameof(EarlyStopping) ? "earlyStopping" : "callbacks");
        }
        return mode switch
        {
            "min" => false,
            "max" => true,
            _ => training.HigherIsBetter(monitor),
        };
    }

    /// <summary>Python's <c>f"{v:.5f}"</c>, as Keras' callback messages print values.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "nan" : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : value.ToString("F5", CultureInfo.InvariantCulture);
}
