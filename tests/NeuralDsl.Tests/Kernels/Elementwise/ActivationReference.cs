using System;
using NeuralDsl;

namespace NeuralDsl.Tests.Kernels;

/// <summary>One activation under test: the kernels in both precisions and a scalar double reference.</summary>
internal sealed record ActivationCase(
    string Name,
    ActivationCase.Forward<float> ForwardSingle,
    ActivationCase.Forward<double> ForwardDouble,
    ActivationCase.Backward<float> BackwardSingle,
    ActivationCase.Backward<double> BackwardDouble,
    Func<double, double> Reference,
    Func<double, double> DerivativeReference)
{
    public delegate void Forward<T>(ReadOnlySpan<T> z, Span<T> a);

    public delegate void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz);

    public override string ToString() => Name;

    private const double SeluAlpha = 1.6732632423543772, SeluScale = 1.0507009873554805;

    public static readonly ActivationCase[] All =
    [
        new("Relu", Activations.Relu, Activations.Relu, Activations.ReluBackward, Activations.ReluBackward,
            x => Math.Max(x, 0), x => x > 0 ? 1 : 0),
        new("Sigmoid", Activations.Sigmoid, Activations.Sigmoid, Activations.SigmoidBackward, Activations.SigmoidBackward,
            Sigmoid, x => Sigmoid(x) * Sigmoid(-x)),
        new("Tanh", Activations.Tanh, Activations.Tanh, Activations.TanhBackward, Activations.TanhBackward,
            Math.Tanh, x => 1 / (Math.Cosh(x) * Math.Cosh(x))),
        new("LeakyRelu", Activations.LeakyRelu, Activations.LeakyRelu, Activations.LeakyReluBackward, Activations.LeakyReluBackward,
            x => x >= 0 ? x : 0.2 * x, x => x > 0 ? 1 : 0.2),
        new("Elu", Activations.Elu, Activations.Elu, Activations.EluBackward, Activations.EluBackward,
            x => x > 0 ? x : Expm1(x), x => x > 0 ? 1 : Math.Exp(x)),
        new("Selu", Activations.Selu, Activations.Selu, Activations.SeluBackward, Activations.SeluBackward,
            x => SeluScale * (x > 0 ? x : SeluAlpha * Expm1(x)), x => x > 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(x)),
        new("Gelu", Activations.Gelu, Activations.Gelu, Activations.GeluBackward, Activations.GeluBackward,
            x => 0.5 * x * SpecialFunctions.Erfc(-x / Math.Sqrt(2)),
            x => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2)) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI)),
        new("Swish", Activations.Swish, Activations.Swish, Activations.SwishBackward, Activations.SwishBackward,
            x => x * Sigmoid(x), x => Sigmoid(x) + x * Sigmoid(x) * Sigmoid(-x)),
        new("Softplus", Activations.Softplus, Activations.Softplus, Activations.SoftplusBackward, Activations.SoftplusBackward,
            x => x > 0 ? x + Log1p(Math.Exp(-x)) : Log1p(Math.Exp(x)), Sigmoid),
    ];

    public static ActivationCase Get(string name) => Array.Find(All, c => c.Name == name)!;

    /// <summary>Logistic function without cancellation on either side.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>e^x − 1 by its Taylor series near 0 (full relative precision), directly elsewhere.</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) >= 0.5)
            return Math.Exp(x) - 1;
        double term = x, sum = x;
        for (int n = 2; Math.Abs(term) > 1e-20 * Math.Abs(sum); n++)
        {
            term *= x / n;
            sum += term;
        }
        return sum;
    }

    /// <summary>log(1 + u) for u ≥ 0 by its alternating series below 0.25, directly above.</summary>
    public static double Log1p(double u)
    {
        if (u >= 0.25)
            return Math.Log(1 + u);
        double power = u, sum = 0;
        for (int n = 1; power / n > 1e-20 * Math.Abs(sum) || n == 1; n++)
        {
            sum += (n % 2 == 1 ? power : -power) / n;
            power *= u;
        }
        return sum;
    }
}
