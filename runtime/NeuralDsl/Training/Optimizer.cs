using System;
using System.Globalization;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// A Keras 3 optimizer over one model's flat parameter vector. The update rules are those of
/// <c>shared/conformance/README.md</c> ("Optimizers"); slots start at zero and the step count starts at 1.
/// </summary>
/// <remarks>
/// State (Keras "slots": momentum, velocity) is created on the first <see cref="Step{T}"/> for that length and
/// element type and reused afterwards, so steps allocate nothing. One optimizer serves one model: a call with
/// another length or element type throws instead of silently mixing states.
/// <para>
/// A step whose gradients are not all finite changes nothing (parameters, slots, <see cref="Iterations"/>): one
/// NaN or infinity would otherwise spread through the update to every weight it touches and stay there.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    private double _learningRate;
    private Array[]? _slots;
    private Type? _elementType;
    private int _length = -1;

    /// <summary>Sets the initial learning rate.</summary>
    /// <param name="learningRate">Step size, finite and not negative.</param>
    protected Optimizer(double learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The step size; may be changed between steps (e.g. by a schedule).</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = CheckFinite(value, 0, double.PositiveInfinity, nameof(LearningRate));
    }

    /// <summary>The number of steps taken (Keras <c>optimizer.iterations</c>); skipped steps do not count.</summary>
    public long Iterations { get; private set; }

    /// <summary>The number of steps skipped because a gradient was NaN or infinite.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>
    /// Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/> (same length), unless a
    /// gradient is NaN or infinite: then nothing changes and the step counts in <see cref="SkippedSteps"/>.
    /// </summary>
    /// <returns>True if the update was applied, false if it was skipped for a non-finite gradient.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or differ from the state's length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate overflows <typeparamref name="T"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public bool Step<T>(Span<T> parameters, ReadOnlySpan<T> gradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Prepare<T>(parameters.Length, gradients.Length);
        if (!UpdateDriver.AllFinite(gradients))
        {
            SkippedSteps++;
            return false;
        }
        Update(parameters, gradients);
        Iterations++;
        return true;
    }

    /// <summary>The update rule proper, on validated, finite gradients; <see cref="Iterations"/> is the steps before this one.</summary>
    private protected abstract void Update<T>(Span<T> parameters, ReadOnlySpan<T> gradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Keras names of the slot variables this configuration keeps (<c>momentum</c>, <c>velocity</c>).</summary>
    internal abstract string[] SlotNames { get; }

    /// <summary>A read-only view of a slot after the last step (for tests); empty before the first step.</summary>
    internal ReadOnlySpan<T> GetSlot<T>(string name)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int index = Array.IndexOf(SlotNames, name);
        if (index < 0)
            throw new ArgumentException($"{GetType().Name} keeps no slot named '{name}' (slots: {string.Join(", ", SlotNames)}).", nameof(name));
        return _slots is null ? default : (T[])_slots[index];
    }

    /// <summary>
    /// Validates the call and creates the slots on the first one. Every <see cref="Step{T}"/> calls it first.
    /// </summary>
    private protected void Prepare<T>(int parameterLength, int gradientLength)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Optimizers support float and double parameters, not {typeof(T).Name}.");
        if (parameterLength != gradientLength)
            throw new ArgumentException(
                $"Gradient length {gradientLength} does not match the parameter length {parameterLength}.", "gradients");
        // A learning rate finite as a double can still be infinite as a float, and would make every weight ±∞ or NaN.
        if (!T.IsFinite(T.CreateTruncating(LearningRate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate,
                string.Create(CultureInfo.InvariantCulture, $"LearningRate {LearningRate} overflows {typeof(T).Name}."));
        if (_slots is null)
        {
            int count = SlotNames.Length;
            var slots = new Array[count];
            for (int i = 0; i < count; i++)
                slots[i] = new T[parameterLength];
            _slots = slots;
            _elementType = typeof(T);
            _length = parameterLength;
            return;
        }
        if (_elementType != typeof(T))
            throw new ArgumentException(
                $"This optimizer's state holds {_elementType!.Name} values; it cannot step {typeof(T).Name} parameters (use one optimizer per model).",
                "parameters");
        if (_length != parameterLength)
            throw new ArgumentException(
                $"Parameter length {parameterLength} does not match the length {_length} this optimizer's state was created for (use one optimizer per model).",
                "parameters");
    }

    /// <summary>The slot at <paramref name="index"/> of <see cref="SlotNames"/>; valid after <see cref="Prepare{T}"/>.</summary>
    private protected Span<T> Slot<T>(int index) => (T[])_slots![index];

    /// <summary>Rejects NaN, infinities and values outside [<paramref name="min"/>, <paramref name="max"/>].</summary>
    private protected static double CheckFinite(double value, double min, double max, string name)
    {
        if (!double.IsFinite(value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, double.IsPositiveInfinity(max)
                ? string.Create(CultureInfo.InvariantCulture, $"{name} must be finite and at least {min}.")
                : string.Create(CultureInfo.InvariantCulture, $"{name} must be in [{min}, {max}]."));
        return value;
    }
}
