using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Adam, Keras 3 form: <c>m += (g − m)(1 − β₁); v += (g² − v)(1 − β₂);
/// p −= m·α / (√v + ε)</c> with <c>α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)</c>. Keras adds ε to √v of the raw velocity
/// ("epsilon hat"), not to the bias-corrected one as PyTorch does; with tiny gradients the two differ.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] AdamSlots = ["momentum", "velocity"];
    private readonly double _weightDecay;

    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    /// <param name="learningRate">Step size (Keras default 0.001).</param>
    /// <param name="beta1">Decay of the first moment, in [0, 1).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1).</param>
    /// <param name="epsilon">Added to √v for stability (Keras default 1e-7).</param>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : this(learningRate, beta1, beta2, epsilon, 0)
    {
    }

    /// <summary>Adam with Keras' decoupled weight decay, applied before each update (<see cref="AdamW"/>).</summary>
    private protected Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
        : base(learningRate)
    {
        // β = 1 would divide by 1 − βᵗ = 0 in the bias correction.
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = CheckFinite(epsilon, 0, double.PositiveInfinity, nameof(epsilon));
        _weightDecay = CheckFinite(weightDecay, 0, double.PositiveInfinity, nameof(weightDecay));
    }

    /// <summary>Decay rate of the first moment (Keras <c>beta_1</c>).</summary>
    public double Beta1 { get; }

    /// <summary>Decay rate of the second moment (Keras <c>beta_2</c>).</summary>
    public double Beta2 { get; }

    /// <summary>Keras <c>epsilon</c>, added to √v.</summary>
    public double Epsilon { get; }

    internal override string[] SlotNames => AdamSlots;

    private protected override void Update<T>(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        // As Keras does: the powers and α in the variable's dtype, the (1 − β) factors from Python doubles.
        T lr = T.CreateTruncating(LearningRate);
        T t = T.CreateTruncating(Iterations + 1);
        T beta1Power = T.Pow(T.CreateTruncating(Beta1), t);
        T beta2Power = T.Pow(T.CreateTruncating(Beta2), t);
        T alpha = lr * T.Sqrt(T.One - beta2Power) / (T.One - beta1Power);
        var update = new AdamUpdate<T>(
            alpha, T.CreateTruncating(1 - Beta1), T.CreateTruncating(1 - Beta2), T.CreateTruncating(Epsilon),
            T.CreateTruncating(_weightDecay), lr, _weightDecay != 0);
        UpdateDriver.Run(update, parameters, gradients, Slot<T>(0), Slot<T>(1));
    }

    /// <summary>
    /// Optional decoupled decay <c>p −= p·wd·lr</c> (Keras' <c>_apply_weight_decay</c>, which runs before the
    /// gradient update), then the Adam update in Keras' operation order.
    /// </summary>
    private readonly struct AdamUpdate<T>(T alpha, T oneMinusBeta1, T oneMinusBeta2, T epsilon, T weightDecay, T lr, bool decay)
        : IUpdate2<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Invoke(ref T p, T g, ref T m, ref T v)
        {
            if (decay)
                p -= p * weightDecay * lr;
            m += (g - m) * oneMinusBeta1;
            v += (g * g - v) * oneMinusBeta2;
            p -= m * alpha / (T.Sqrt(v) + epsilon);
        }

        public void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v)
        {
            if (decay)
                p -= p * weightDecay * lr;
            m += (g - m) * oneMinusBeta1;
            v += (g * g - v) * oneMinusBeta2;
            p -= m * alpha / (Vector.SquareRoot(v) + new Vector<T>(epsilon));
        }
    }
}
