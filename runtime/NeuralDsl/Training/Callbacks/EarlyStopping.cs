using System;
using System.Collections.Generic;
using System.Globalization;

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
/// When verbose it prints Keras' messages when training ends: <c>Epoch 7: early stopping</c> and
/// <c>Restoring model weights from the end of the best epoch: 4.</c>
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private Array? _bestWeights;
    private readonly bool? _verbose;
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
    /// <param name="verbose">Print when it stops and which weights it restores; null follows <c>Fit</c>'s <c>verbose</c>.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, bool restoreBestWeights = false,
        string mode = "auto", double? baseline = null, int startFromEpoch = 0, bool? verbose = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        Monitoring.CheckMode(mode);
        if (double.IsNaN(minDelta) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be finite.");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(startFromEpoch);
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        RestoreBestWeights = restoreBestWeights;
        Mode = mode;
        Baseline = baseline;
        StartFromEpoch = startFromEpoch;
        _verbose = verbose;
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

    /// <summary>Keras <c>on_train_begin</c> plus the monitor check: resets the state and works out the direction.</summary>
    public override void OnTrainBegin(TrainingContext training)
    {
        _higherIsBetter = Monitoring.HigherIsBetter(nameof(EarlyStopping), Monitor, Mode, training);
        Best = _higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        BestEpoch = null;
        StoppedEpoch = null;
        _wait = 0;
        _hasBestWeights = false;
    }

    /// <summary>Keras <c>on_epoch_end</c>: asks the run to stop when patience has run out.</summary>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        if (EpochEnd(epoch, logs, training))
            training.StopTraining = true;
    }

    /// <summary>Keras <c>on_train_end</c>: reports the stop, then restores the kept weights, if any.</summary>
    public override void OnTrainEnd(TrainingContext training)
    {
        bool verbose = _verbose ?? training.Verbose;
        if (StoppedEpoch is int stopped && verbose)
            training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {stopped}: early stopping"));
        if (RestoreBestWeights && _hasBestWeights)
        {
            if (verbose)
                training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Restoring model weights from the end of the best epoch: {BestEpoch}."));
            training.RestoreWeights(_bestWeights!);
        }
    }

    /// <summary>Keras <c>on_epoch_end</c>; returns true when training should stop.</summary>
    /// <param name="epoch">The epoch index, counted from 0.</param>
    /// <param name="logs">The epoch's logged values.</param>
    /// <param name="training">The run; its weights (parameters and non-trainable state, as Keras keeps both) are kept when they are the best.</param>
    private bool EpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        double current = logs[Monitor];
        if (epoch < StartFromEpoch)
            return false;
        if (RestoreBestWeights && !_hasBestWeights)
        {
            // Keras: if no weights were kept yet, the current ones are the best so far.
            KeepWeights(training);
            BestEpoch = epoch + 1;
        }
        _wait++;
        if (IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch + 1;
            if (RestoreBestWeights)
                KeepWeights(training);
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

    /// <summary>Keras: <c>monitor_op(current − min_delta, reference)</c> with min_delta negated for "min".</summary>
    private bool IsImprovement(double current, double reference) =>
        _higherIsBetter ? current - MinDelta > reference : current + MinDelta < reference;

    private void KeepWeights(TrainingContext training)
    {
        training.KeepWeights(ref _bestWeights);
        _hasBestWeights = true;
    }
}
