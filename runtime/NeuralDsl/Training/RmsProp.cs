using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// RMSprop, Keras 3 form (not centered): <c>v = ρ·v + (1 − ρ)·g²; Δ = lr·g / √(v + ε)</c>, then <c>p −= Δ</c>,
/// or with momentum μ <c>m = μ·m + Δ; p −= m</c>. ε sits inside the square root, as in Keras (PyTorch puts it
/// outside).
/// </summary>
public sealed class RmsProp : Optimizer
{
    private static readonly string[] VelocitySlots = ["velocity"];
    private static readonly string[] VelocityMomentumSlots = ["velocity", "momentum"];

    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    /// <param name="learningRate">Step size (Keras default 0.001).</param>
    /// <param name="rho">Decay of the squared-gradient average, in [0, 1].</param>
    /// <param name="momentum">Momentum μ in [0, 1]; 0 keeps no momentum slot.</param>
    /// <param name="epsilon">Added to v inside the square root (Keras default 1e-7).</param>
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double momentum = 0, double epsilon = 1e-7)
        : base(learningRate)
    {
        Rho = CheckFinite(rho, 0, 1, nameof(rho));
        Momentum = CheckFinite(momentum, 0, 1, nameof(momentum));
        Epsilon = CheckFinite(epsilon, 0, double.PositiveInfinity, nameof(epsilon));
    }

    /// <summary>Keras <c>rho</c>.</summary>
    public double Rho { get; }

    /// <summary>Keras <c>momentum</c> (0: none).</summary>
    public double Momentum { get; }

    /// <summary>Keras <c>epsilon</c>, added inside the square root.</summary>
    public double Epsilon { get; }

    internal override string[] SlotNames => Momentum != 0 ? VelocityMomentumSlots : VelocitySlots;

    private protected override void Update<T>(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        var update = new RmsPropUpdate<T>(
            T.CreateTruncating(LearningRate), T.CreateTruncating(Rho), T.CreateTruncating(1 - Rho), T.CreateTruncating(Epsilon));
        if (Momentum == 0)
            UpdateDriver.Run(update, parameters, gradients, Slot<T>(0));
        else
            UpdateDriver.Run(new MomentumUpdate<T>(update, T.CreateTruncating(Momentum)), parameters, gradients, Slot<T>(0), Slot<T>(1));
    }

    /// <summary>v = ρ·v + (1 − ρ)·g²; p −= lr·g / √(v + ε).</summary>
    private readonly struct RmsPropUpdate<T>(T lr, T rho, T oneMinusRho, T epsilon) : IUpdate1<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public T Increment(T g, ref T v)
        {
            v = rho * v + oneMinusRho * (g * g);
            return lr * g / T.Sqrt(v + epsilon);
        }

        public Vector<T> Increment(Vector<T> g, ref Vector<T> v)
        {
            v = v * rho + (g * g) * oneMinusRho;
            return g * lr / Vector.SquareRoot(v + new Vector<T>(epsilon));
        }

        public void Invoke(ref T p, T g, ref T v) => p -= Increment(g, ref v);

        public void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> v) => p -= Increment(g, ref v);
    }

    /// <summary>The RMSprop increment fed through momentum: m = μ·m + Δ; p −= m.</summary>
    private readonly struct MomentumUpdate<T>(RmsPropUpdate<T> inner, T momentum) : IUpdate2<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Invoke(ref T p, T g, ref T v, ref T m)
        {
            m = momentum * m + inner.Increment(g, ref v);
            p -= m;
        }

        public void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> v, ref Vector<T> m)
        {
            m = m * momentum + inner.Increment(g, ref v);
            p -= m;
        }
    }
}
