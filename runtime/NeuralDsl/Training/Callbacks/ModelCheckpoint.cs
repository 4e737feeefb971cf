using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NeuralDsl;

/// <summary>
/// Saves the model's weights at the end of epochs: Keras' <c>ModelCheckpoint(save_weights_only=True)</c>.
/// </summary>
/// <remarks>
/// The path may name logged values as Python's format fields do: <c>"ckpt-{epoch:02d}-{val_loss:.2f}.safetensors"</c>
/// (<c>epoch</c> counts from 1; <c>d</c> and <c>f</c> specifications are understood). With
/// <see cref="SaveBestOnly"/> the weights are written only when the monitored value beats the best so far (the
/// first epoch always does, unless <c>initialValueThreshold</c> is set), so the file holds the best epoch's
/// weights. Files are written with <see cref="WeightFiles.SaveWeights{T}"/>: a crash mid-write never leaves a
/// half-written checkpoint. Keras' messages (<c>Epoch 3: val_loss improved from 0.41230 to 0.39871, saving model
/// to best.safetensors</c>) are printed when verbose.
/// </remarks>
public sealed partial class ModelCheckpoint : Callback
{
    private readonly bool? _verbose;
    private bool _higherIsBetter;

    /// <summary>Creates the callback with Keras' defaults.</summary>
    /// <param name="filePath">Where the weights go; may hold <c>{epoch}</c> and <c>{name:spec}</c> fields.</param>
    /// <param name="monitor">Logged value that decides the best epoch.</param>
    /// <param name="saveBestOnly">Save only when <paramref name="monitor"/> improves (else every epoch).</param>
    /// <param name="mode"><c>"auto"</c> (accuracies up, losses and errors down), <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="initialValueThreshold">A value the monitor must beat for the first save; null for none.</param>
    /// <param name="verbose">Print each save; null follows <c>Fit</c>'s <c>verbose</c>.</param>
    public ModelCheckpoint(string filePath, string monitor = "val_loss", bool saveBestOnly = false, string mode = "auto",
        double? initialValueThreshold = null, bool? verbose = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        FilePath = filePath;
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        Mode = Monitoring.CheckMode(mode);
        InitialValueThreshold = initialValueThreshold;
        _verbose = verbose;
    }

    /// <summary>The path pattern.</summary>
    public string FilePath { get; }

    /// <summary>The logged value that decides the best epoch.</summary>
    public string Monitor { get; }

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</summary>
    public string Mode { get; }

    /// <summary>The value the monitor must beat for the first save, if any.</summary>
    public double? InitialValueThreshold { get; }

    /// <summary>The best monitored value so far in the last <c>Fit</c>.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>The path of the last file written, or null.</summary>
    public string? LastSavedPath { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext training)
    {
        // Every epoch saves without a monitor when not saving the best only (Keras needs none then either).
        _higherIsBetter = !SaveBestOnly || Monitoring.HigherIsBetter(nameof(ModelCheckpoint), Monitor, Mode, training);
        Best = InitialValueThreshold ?? (_higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity);
        LastSavedPath = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        bool verbose = _verbose ?? training.Verbose;
        string path = FormatPath(FilePath, epoch + 1, logs);
        if (SaveBestOnly)
        {
            double current = logs[Monitor];
            // Keras' monitor_op: np.less / np.greater, no min_delta; a NaN never improves.
            bool improved = _higherIsBetter ? current > Best : current < Best;
            if (!improved)
            {
                if (verbose)
                    training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: {Monitor} did not improve from {Monitoring.Format(Best)}"));
                return;
            }
            if (verbose)
                training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Epoch {epoch + 1}: {Monitor} improved from {Monitoring.Format(Best)} to {Monitoring.Format(current)}, saving model to {path}"));
            Best = current;
        }
        else if (verbose)
            training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: saving model to {path}"));
        training.SaveWeights(path);
        LastSavedPath = path;
    }

    /// <summary>Fills <c>{epoch}</c>, <c>{epoch:02d}</c>, <c>{val_loss:.4f}</c>, ... as Python's <c>str.format</c> does.</summary>
    internal static string FormatPath(string pattern, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        return Field().Replace(pattern, match =>
        {
            string name = match.Groups["name"].Value;
            double value;
            if (name == "epoch")
                value = epoch;
            else if (!logs.TryGetValue(name, out value))
                throw new ArgumentException($"The checkpoint path '{pattern}' names '{name}', which is not logged (logged: epoch, {string.Join(", ", logs.Keys)}).", "filePath");
            string width = match.Groups["width"].Value, precision = match.Groups["precision"].Value, type = match.Groups["type"].Value;
            string text = type switch
            {
                "f" => value.ToString("F" + (precision.Length > 0 ? precision : "6"), CultureInfo.InvariantCulture),
                "d" => ((long)value).ToString(CultureInfo.InvariantCulture),
                _ => value.ToString(CultureInfo.InvariantCulture),
            };
            if (width.Length > 0)
            {
                int w = int.Parse(width, CultureInfo.InvariantCulture);
                text = width[0] == '0' ? PadZeros(text, w) : text.PadLeft(w);
            }
            return text;
        });
    }

    private static string PadZeros(string text, int width)
    {
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        var padded = new StringBuilder();
        if (negative)
            padded.Append('-');
        padded.Append('0', Math.Max(0, width - text.Length)).Append(digits);
        return padded.ToString();
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?<width>\d+)?(?:\.(?<precision>\d+))?(?<type>[df])?)?\}")]
    private static partial Regex Field();
}
