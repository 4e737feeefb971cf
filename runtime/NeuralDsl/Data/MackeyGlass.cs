using System;

namespace NeuralDsl;

/// <summary>
/// The Mackey–Glass delay differential equation <c>dx/dt = a·x(t − τ) / (1 + x(t − τ)^n) − b·x(t)</c>, the classic
/// benchmark of echo state networks (ReservoirPy's <c>datasets.mackey_glass</c>, whose defaults it takes: τ = 17,
/// a = 0.2, b = 0.1, n = 10, x0 = 1.2), integrated deterministically.
/// </summary>
public static class MackeyGlass
{
    /// <summary>
    /// <paramref name="steps"/> samples of x at t = 0, 1, 2, ... Integrator: classic Runge–Kutta 4 with step
    /// 1 / <paramref name="substeps"/> (default 0.1) on a constant history x(t) = <paramref name="x0"/> for t ≤ 0; the
    /// delayed term at a stage's time is read from the stored grid by linear interpolation (τ·substeps whole steps back,
    /// half a step for the midpoint stages), so the delay is exact at the grid points. Unlike ReservoirPy's generator
    /// (RK4 with step 1 and a jittered random history) there is no randomness.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or zero, or τ is not positive.</exception>
    public static double[] Generate(int steps, double tau = 17, double a = 0.2, double b = 0.1, double n = 10, double x0 = 1.2, int substeps = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(substeps, 1);
        if (!(tau > 0))
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "The delay must be positive.");
        double h = 1.0 / substeps;
        int delay = (int)Math.Round(tau * substeps);
        int total = steps * substeps;
        // grid[i] = x(i·h − τ) for i < delay (the history), then x(0), x(h), ...: x(t) sits at index t/h + delay.
        var grid = new double[delay + total + 1];
        for (int i = 0; i <= delay; i++)
            grid[i] = x0;
        var series = new double[steps];
        for (int i = 0; i < total; i++)
        {
            int now = delay + i;
            if (i % substeps == 0)
                series[i / substeps] = grid[now];
            double x = grid[now];
            double lagged = grid[now - delay];
            double laggedHalf = 0.5 * (grid[now - delay] + grid[now - delay + 1]);
            double laggedNext = grid[now - delay + 1];
            double k1 = Derivative(x, lagged, a, b, n);
            double k2 = Derivative(x + 0.5 * h * k1, laggedHalf, a, b, n);
            double k3 = Derivative(x + 0.5 * h * k2, laggedHalf, a, b, n);
            double k4 = Derivative(x + h * k3, laggedNext, a, b, n);
            grid[now + 1] = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        return series;
    }

    private static double Derivative(double x, double lagged, double a, double b, double n) =>
        a * lagged / (1 + Math.Pow(lagged, n)) - b * x;
}
