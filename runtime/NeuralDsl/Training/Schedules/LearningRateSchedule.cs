using System;

namespace NeuralDsl;

/// <summary>
/// A learning rate as a function of the optimizer's step count: Keras'
/// <c>keras.optimizers.schedules.LearningRateSchedule</c>. Drive an optimizer with it through
/// <see cref="LearningRateScheduler"/>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate for the step after <paramref name="step"/> steps taken (Keras <c>schedule(step)</c>).</summary>
    /// <param name="step">Steps taken so far, from 0.</param>
    public abstract double Rate(long step);

    /// <summary>Rejects NaN, infinities and negative values of a schedule argument.</summary>
    private protected static double CheckRate(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and not negative.");
        return value;
    }
}

/// <summary>
/// Keras' <c>ExponentialDecay</c>: <c>initialLearningRate · decayRate^(step / decaySteps)</c>, the exponent
/// floored when <paramref name="staircase"/> is set.
/// </summary>
/// <param name="initialLearningRate">The rate at step 0.</param>
/// <param name="decaySteps">Steps over which the rate is multiplied by <paramref name="decayRate"/> once.</param>
/// <param name="decayRate">The multiplier per <paramref name="decaySteps"/>.</param>
/// <param name="staircase">Decay in whole intervals instead of continuously.</param>
public sealed class ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false) : LearningRateSchedule
{
    private readonly double _initial = CheckRate(initialLearningRate, nameof(initialLearningRate));
    private readonly long _decaySteps = decaySteps > 0 ? decaySteps : throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decaySteps must be positive.");
    private readonly double _decayRate = CheckRate(decayRate, nameof(decayRate));

    /// <inheritdoc/>
    public override double Rate(long step)
    {
        double p = (double)step / _decaySteps;
        if (staircase)
            p = Math.Floor(p);
        return _initial * Math.Pow(_decayRate, p);
    }
}

/// <summary>
/// Keras' <c>CosineDecay</c>: after an optional linear warm-up from <paramref name="initialLearningRate"/> to
/// <paramref name="warmupTarget"/> over <paramref name="warmupSteps"/>, the rate follows
/// <c>peak · ((1 − alpha) · ½(1 + cos(π · min(s, decaySteps) / decaySteps)) + alpha)</c>, with <c>s</c> the
/// steps since the warm-up and <c>peak</c> the warm-up target (or the initial rate without warm-up).
/// </summary>
/// <param name="initialLearningRate">The rate at step 0.</param>
/// <param name="decaySteps">Steps of the cosine decay.</param>
/// <param name="alpha">The floor, as a fraction of the peak rate.</param>
/// <param name="warmupTarget">The rate reached at the end of the warm-up; null for no warm-up.</param>
/// <param name="warmupSteps">Steps of the warm-up.</param>
public sealed class CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0, double? warmupTarget = null, long warmupSteps = 0)
    : LearningRateSchedule
{
    private readonly double _initial = CheckRate(initialLearningRate, nameof(initialLearningRate));
    private readonly long _decaySteps = decaySteps > 0 ? decaySteps : throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decaySteps must be positive.");
    private readonly double _alpha = CheckRate(alpha, nameof(alpha));
    private readonly double? _warmupTarget = warmupTarget is double t ? CheckRate(t, nameof(warmupTarget)) : null;
    private readonly long _warmupSteps = warmupSteps >= 0 ? warmupSteps : throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warmupSteps must not be negative.");

    /// <inheritdoc/>
    public override double Rate(long step)
    {
        if (_warmupTarget is not double target)
            return Decayed(_initial, step);
        // Keras: linear warm-up while step < warmup_steps, then the decay from the target.
        if (step < _warmupSteps)
            return _initial + (target - _initial) * ((double)step / _warmupSteps);
        return Decayed(target, step - _warmupSteps);
    }

    private double Decayed(double peak, long step)
    {
        double fraction = (double)Math.Min(step, _decaySteps) / _decaySteps;
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * fraction));
        return peak * ((1 - _alpha) * cosine + _alpha);
    }
}

/// <summary>
/// Keras' <c>PiecewiseConstantDecay</c>: <c>values[0]</c> while <c>step ≤ boundaries[0]</c>, <c>values[i]</c>
/// while <c>boundaries[i − 1] &lt; step ≤ boundaries[i]</c>, and the last value after the last boundary.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly double[] _values;

    /// <summary>Creates the schedule.</summary>
    /// <param name="boundaries">Increasing step counts.</param>
    /// <param name="values">One more rate than boundaries.</param>
    public PiecewiseConstantDecay(long[] boundaries, double[] values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != boundaries.Length + 1)
            throw new ArgumentException($"values holds {values.Length} rates but {boundaries.Length} boundaries need {boundaries.Length + 1}.", nameof(values));
        for (int i = 1; i < boundaries.Length; i++)
        {
            if (boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException($"boundaries must increase; boundaries[{i}] = {boundaries[i]} follows {boundaries[i - 1]}.", nameof(boundaries));
        }
        foreach (double value in values)
            CheckRate(value, nameof(values));
        _boundaries = [.. boundaries];
        _values = [.. values];
    }

    /// <inheritdoc/>
    public override double Rate(long step)
    {
        for (int i = 0; i < _boundaries.Length; i++)
        {
            if (step <= _boundaries[i])
                return _values[i];
        }
        return _values[^1];
    }
}
