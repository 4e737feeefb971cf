using System;
using System.Collections.Generic;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// Sets the optimizer's learning rate from a schedule. Two forms, as Keras has them:
/// <list type="bullet">
/// <item>a <see cref="LearningRateSchedule"/> (<see cref="ExponentialDecay"/>, <see cref="CosineDecay"/>,
/// <see cref="PiecewiseConstantDecay"/>): Keras evaluates it at <c>optimizer.iterations</c> before every step, and
/// so does this callback (steps skipped for non-finite gradients do not advance it);</item>
/// <item>a function of the epoch index (from 0) and the current rate: Keras' <c>LearningRateScheduler</c>
/// callback, evaluated before every epoch.</item>
/// </list>
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly LearningRateSchedule? _perStep;
    private readonly Func<int, double, double>? _perEpoch;
    private readonly bool? _verbose;

    /// <summary>Follows <paramref name="schedule"/> step by step.</summary>
    public LearningRateScheduler(LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _perStep = schedule;
    }

    /// <summary>Sets the rate before each epoch to <c>schedule(epoch, currentRate)</c>.</summary>
    /// <param name="schedule">The epoch index (from 0) and the current rate to the new rate.</param>
    /// <param name="verbose">Print each epoch's rate; null follows <c>Fit</c>'s <c>verbose</c>.</param>
    public LearningRateScheduler(Func<int, double, double> schedule, bool? verbose = false)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _perEpoch = schedule;
        _verbose = verbose;
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, TrainingContext training)
    {
        if (_perEpoch is null)
            return;
        double rate = _perEpoch(epoch, training.Optimizer.LearningRate);
        if (!double.IsFinite(rate) || rate < 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The learning-rate schedule returned {rate} for epoch {epoch}; a rate must be finite and not negative."));
        training.Optimizer.LearningRate = rate;
        if (_verbose ?? training.Verbose)
            training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}."));
    }

    /// <inheritdoc/>
    public override void OnBatchBegin(int batch, TrainingContext training)
    {
        if (_perStep is not null)
            training.Optimizer.LearningRate = _perStep.Rate(training.Optimizer.Iterations);
    }
}
