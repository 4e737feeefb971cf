using System;
using System.Collections.Generic;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// Multiplies the learning rate by <see cref="Factor"/> when a logged value has stopped improving: Keras'
/// <c>ReduceLROnPlateau</c>, with its defaults and rules.
/// </summary>
/// <remarks>
/// After each epoch the monitored value is an improvement when it beats the best by more than
/// <see cref="MinDelta"/>. After <see cref="Patience"/> epochs without one, the rate becomes
/// <c>max(rate · factor, minLr)</c> (only while it is above <see cref="MinLr"/>), the wait restarts and
/// <see cref="Cooldown"/> epochs follow in which no epoch counts towards the wait. In auto mode the direction is
/// the metric's own (Keras guesses from the name: "acc" in it means max).
/// </remarks>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly bool? _verbose;
    private bool _higherIsBetter;
    private int _wait, _cooldownCounter;

    /// <summary>Creates the callback with Keras' defaults.</summary>
    /// <param name="monitor">Logged value to watch.</param>
    /// <param name="factor">Multiplier of the rate, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement before the rate is reduced.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</param>
    /// <param name="minDelta">Least change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs after a reduction during which the wait does not count.</param>
    /// <param name="minLr">Floor of the rate.</param>
    /// <param name="verbose">Print each reduction; null follows <c>Fit</c>'s <c>verbose</c>.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, string mode = "auto",
        double minDelta = 1e-4, int cooldown = 0, double minLr = 0, bool? verbose = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        if (!(factor > 0 && factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau does not support a factor outside (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!double.IsFinite(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be finite.");
        if (!(minLr >= 0 && double.IsFinite(minLr)))
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "minLr must be finite and at least 0.");
        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        Mode = Monitoring.CheckMode(mode);
        MinDelta = minDelta;
        Cooldown = cooldown;
        MinLr = minLr;
        _verbose = verbose;
    }

    /// <summary>The logged value watched.</summary>
    public string Monitor { get; }

    /// <summary>Multiplier of the rate at each reduction.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary><c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</summary>
    public string Mode { get; }

    /// <summary>Least change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs after a reduction in which the wait does not count.</summary>
    public int Cooldown { get; }

    /// <summary>Floor of the learning rate.</summary>
    public double MinLr { get; }

    /// <summary>The best monitored value so far in the last <c>Fit</c>.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext training)
    {
        _higherIsBetter = Monitoring.HigherIsBetter(nameof(ReduceLROnPlateau), Monitor, Mode, training);
        Best = _higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _cooldownCounter = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        double current = logs[Monitor];
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _wait = 0;
        }
        bool improved = _higherIsBetter ? current > Best + MinDelta : current < Best - MinDelta;
        if (improved)
        {
            Best = current;
            _wait = 0;
            return;
        }
        if (_cooldownCounter > 0)
            return;
        _wait++;
        if (_wait < Patience)
            return;
        double old = training.Optimizer.LearningRate;
        // Keras compares with min_lr as a float32.
        if (old > (float)MinLr)
        {
            double rate = Math.Max(old * Factor, MinLr);
            training.Optimizer.LearningRate = rate;
            if (_verbose ?? training.Verbose)
                training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {rate}."));
            _cooldownCounter = Cooldown;
            _wait = 0;
        }
    }
}
