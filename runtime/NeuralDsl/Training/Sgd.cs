using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Stochastic gradient descent, Keras 3 <c>SGD</c>: <c>p −= lr·g</c>; with momentum μ, <c>m = μ·m − lr·g; p += m</c>;
/// with Nesterov momentum, <c>m = μ·m − lr·g; p += μ·m − lr·g</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] MomentumSlots = ["momentum"];

    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    /// <param name="learningRate">Step size (Keras default 0.01).</param>
    /// <param name="momentum">Momentum μ in [0, 1]; 0 keeps no momentum slot.</param>
    /// <param name="nesterov">Use Nesterov momentum (has an effect only with momentum).</param>
    public Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false)
        : base(learningRate)
    {
        Momentum = CheckFinite(momentum, 0, 1, nameof(momentum));
        Nesterov = nesterov;
    }

    /// <summary>Momentum μ (0 for plain SGD).</summary>
    public double Momentum { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    internal override string[] SlotNames => Momentum != 0 ? MomentumSlots : [];

    private protected override void Update<T>(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        T lr = T.CreateTruncating(LearningRate);
        if (Momentum == 0)
            UpdateDriver.Run(new PlainUpdate<T>(lr), parameters, gradients);
        else if (Nesterov)
            UpdateDriver.Run(new NesterovUpdate<T>(lr, T.CreateTruncating(Momentum)), parameters, gradients, Slot<T>(0));
        else
            UpdateDriver.Run(new MomentumUpdate<T>(lr, T.CreateTruncating(Momentum)), parameters, gradients, Slot<T>(0));
    }

    /// <summary>p −= g·lr.</summary>
    private readonly struct PlainUpdate<T>(T lr) : IUpdate0<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Invoke(ref T p, T g) => p -= g * lr;

        public void Invoke(ref Vector<T> p, Vector<T> g) => p -= g * lr;
    }

    /// <summary>m = m·μ − g·lr; p += m.</summary>
    private readonly struct MomentumUpdate<T>(T lr, T momentum) : IUpdate1<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Invoke(ref T p, T g, ref T m)
        {
            m = m * momentum - g * lr;
            p += m;
        }

        public void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> m)
        {
            m = m * momentum - g * lr;
            p += m;
        }
    }

    /// <summary>m = m·μ − g·lr; p += m·μ − g·lr.</summary>
    private readonly struct NesterovUpdate<T>(T lr, T momentum) : IUpdate1<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Invoke(ref T p, T g, ref T m)
        {
            m = m * momentum - g * lr;
            p += m * momentum - g * lr;
        }

        public void Invoke(ref Vector<T> p, Vector<T> g, ref Vector<T> m)
        {
            m = m * momentum - g * lr;
            p += m * momentum - g * lr;
        }
    }
}
