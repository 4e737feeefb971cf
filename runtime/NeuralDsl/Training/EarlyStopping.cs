using System;
using System.Collections.Generic;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Stops <c>Fit</c> when a logged quantity has stopped improving: Keras 3's <c>EarlyStopping</c> callback.
/// </summary>
/// <remarks>
/// At the end of each epoch (from <see cref="StartFromEpoch"/> on) the monitored value counts as an improvement
/// when it beats the best so far by more than <see cref="MinDelta"/>. Training stops once <see cref="Patience"/>
/// epochs in a row brought none (never after the first epoch). With <see cref="RestoreBestWeights"/> the
/// parameters of the best epoch are put back when training ends, whether it stopped early or ran all epochs
/// (Keras 3 restores in <c>on_train_end</c>). Two deliberate differences from Keras: a monitor that is not
/// logged (e.g. <c>val_loss</c> without validation data) and an unknown mode throw at the start of <c>Fit</c>
/// instead of warning, and the best value is reset by every <c>Fit</c> (Keras keeps it across fits).
/// </remarks>
public sealed class EarlyStopping
{
    private Array? _bestWeights;
    private bool _hasBestWeights;
    private bool _higherIsBetter;
    private int _wait;

    /// <summary>Creates the callback with Keras' defaults.</summary>
    /// <param name="monitor">Logged quantity to watch: <c>loss</c>, <c>val_loss</c>, <c>accuracy</c>, <c>val_mae</c>, ...</param>
    /// <param name="minDelta">Smallest change that counts as an improvement (its absolute value is used).</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="restoreBestWeights">Put back the weights of the best epoch when training ends.</param>
    /// <param name="mode"><c>"auto"</c> (accuracies up, losses and errors down), <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="baseline">A value the monitor must beat before the patience counter resets; null for none.</param>
    /// <param name="startFromEpoch">Epochs (counted from 0) to ignore before watching, as a warm-up.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, bool restoreBestWeights = false,
        string mode = "auto", double? baseline = null, int startFromEpoch = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        ArgumentNullException.ThrowIfNull(mode);
        if (double.IsNaN(minDelta) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be finite.");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(startFromEpoch);
        if (mode is not ("auto" or "min" or "max"))
            throw new ArgumentException($"Mode '{mode}' is not one of \"auto\", \"min\", \"max\".", nameof(mode));
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        RestoreBestWeights = restoreBestWeights;
        Mode = mode;
        Baseline = baseline;
        StartFromEpoch = startFromEpoch;
    }

    /// <summary>The logged quantity watched.</summary>
    public string Monitor { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs without improvement tolerated before stopping.</summary>
    public int Patience { get; }

    /// <summary>Whether the best epoch's weights are restored when training ends.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</summary>
    public string Mode { get; }

    /// <summary>The value the monitor must beat before the patience counter resets, if any.</summary>
    public double? Baseline { get; }

    /// <summary>Epochs ignored at the start of training.</summary>
    public int StartFromEpoch { get; }

    /// <summary>The best monitored value of the last <c>Fit</c> (±∞ before any epoch was watched).</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>The epoch (numbered from 1) with the best value in the last <c>Fit</c>, or null.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>The epoch (numbered from 1) at which the last <c>Fit</c> stopped early, or null if it did not.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <summary>
    /// Keras <c>on_train_begin</c> plus the monitor checks: resets the state, works out the direction and makes
    /// room for one copy of the weights.
    /// </summary>
    /// <param name="loggedKeys">Every key the epochs will log.</param>
    /// <param name="higherIsBetter">Direction of each metric name (without the <c>val_</c> prefix), for auto mode.</param>
    /// <param name="parameterCount">Length of the model's parameter vector plus its state vector (both are kept).</param>
    internal void Begin<T>(IReadOnlyList<string> loggedKeys, Func<string, bool> higherIsBetter, int parameterCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool logged = false;
        foreach (string key in loggedKeys)
            logged |= key == Monitor;
        if (!logged)
        {
            throw new ArgumentException(
                $"EarlyStopping monitors '{Monitor}', which this Fit does not log (it logs: {string.Join(", ", loggedKeys)})."
                + (Monitor.StartsWith("val_", StringComparison.Ordinal) ? " Validation values need validationSplit or validationX/validationY." : ""),
                "earlyStopping");
        }
        _higherIsBetter = Mode switch
        {
            "min" => false,
            "max" => true,
            _ => higherIsBetter(Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor["val_".Length..] : Monitor),
        };
        Best = _higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        BestEpoch = null;
        StoppedEpoch = null;
        _wait = 0;
        _hasBestWeights = false;
        _bestWeights = RestoreBestWeights ? (_bestWeights is T[] existing && existing.Length == parameterCount ? existing : new T[parameterCount]) : null;
    }

    /// <summary>Keras <c>on_epoch_end</c>; returns true when training should stop.</summary>
    /// <param name="epoch">The epoch index, counted from 0.</param>
    /// <param name="logs">The epoch's logged values.</param>
    /// <param name="parameters">The model's parameters after the epoch.</param>
    /// <param name="state">The model's non-trainable state (moving statistics), kept and restored with the parameters as Keras does.</param>
    internal bool EpochEnd<T>(int epoch, IReadOnlyDictionary<string, double> logs, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double current = logs[Monitor];
        if (epoch < StartFromEpoch)
            return false;
        if (RestoreBestWeights && !_hasBestWeights)
        {
            // Keras: if no weights were kept yet, the current ones are the best so far.
            SaveWeights(parameters, state);
            BestEpoch = epoch + 1;
        }
        _wait++;
        if (IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch + 1;
            if (RestoreBestWeights)
                SaveWeights(parameters, state);
            // Only restart the wait when the value also beats the baseline.
            if (Baseline is not double baseline || IsImprovement(current, baseline))
                _wait = 0;
            return false;
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch + 1;
            return true;
        }
        return false;
    }

    /// <summary>Keras <c>on_train_end</c>: restores the kept weights, if any.</summary>
    internal void End<T>(Span<T> parameters, Span<T> state)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (RestoreBestWeights && _hasBestWeights)
        {
            Span<T> best = (T[])_bestWeights!;
            best[..parameters.Length].CopyTo(parameters);
            best[parameters.Length..].CopyTo(state);
        }
    }

    /// <summary>Keras: <c>monitor_op(current − min_delta, reference)</c> with min_delta negated for "min".</summary>
    private bool IsImprovement(double current, double reference) =>
        _higherIsBetter ? current - MinDelta > reference : current + MinDelta < reference;

    /// <summary>Keeps the parameters followed by the state in one array (sized for both by <see cref="Begin"/>).</summary>
    private void SaveWeights<T>(ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> best = (T[])_bestWeights!;
        parameters.CopyTo(best);
        state.CopyTo(best[parameters.Length..]);
        _hasBestWeights = true;
    }
}
