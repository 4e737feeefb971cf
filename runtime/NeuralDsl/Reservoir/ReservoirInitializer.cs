using System;
using System.Collections.Generic;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// The fixed weights of an echo state network, drawn as ReservoirPy's default initializers draw them
/// (<c>reservoirpy.mat_gen</c>): W is <c>normal</c> (standard normal values on round(density·units²) distinct random
/// positions, as <c>scipy.sparse.random</c> places them) rescaled so its spectral radius is exactly the requested one;
/// Win is <c>bernoulli</c> (±1 with probability ½ each on round(density·units·inputs) positions) times the input
/// scaling; the bias is <c>bernoulli</c> over units × 1 with the input connectivity, times the bias scaling. The random
/// streams are NeuralDsl's <see cref="Rng"/>, not NumPy's, so the same seed gives other matrices than ReservoirPy's with
/// the same distributions; each of W, Win and the bias has its own stream derived from the seed.
/// </summary>
public static class ReservoirInitializer
{
    /// <summary>
    /// The recurrent weights W [units × units]: normal values at density <paramref name="connectivity"/>, rescaled to the
    /// spectral radius <paramref name="spectralRadius"/> (NaN: not rescaled). The eigenvalues are those of the double
    /// matrix (<see cref="Eigenvalues"/>); the scaled values are then rounded to float.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the connectivity is outside (0, 1], or the spectral radius is negative or infinite.</exception>
    public static ReservoirMatrix Recurrent(int units, double connectivity, double spectralRadius, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        CheckDensity(connectivity, nameof(connectivity));
        if (spectralRadius < 0 || double.IsInfinity(spectralRadius))
            throw new ArgumentOutOfRangeException(nameof(spectralRadius), spectralRadius, "The spectral radius must be finite and non-negative, or NaN to keep W unscaled.");
        var rng = new Rng(Stream(seed, 1));
        var w = new double[(long)units * units];
        foreach (long position in Positions(ref rng, units, units, connectivity))
            w[position] = rng.NextNormal();
        if (!double.IsNaN(spectralRadius))
        {
            double current = Eigenvalues.SpectralRadius(w, units);
            // ReservoirPy's guard against a zero radius (an all-zero or nilpotent W).
            const double epsilon = 1e-8;
            if (current < epsilon)
                current = epsilon;
            double factor = spectralRadius / current;
            for (int i = 0; i < w.Length; i++)
                w[i] *= factor;
        }
        return FromDouble(w, units, units);
    }

    /// <summary>The input weights Win [units × inputs]: ±<paramref name="inputScaling"/> at density <paramref name="connectivity"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the connectivity is outside (0, 1], or the scaling is negative or not finite.</exception>
    public static ReservoirMatrix Input(int units, int inputs, double connectivity, double inputScaling, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        CheckDensity(connectivity, nameof(connectivity));
        CheckScaling(inputScaling, nameof(inputScaling));
        return FromDouble(Bernoulli(units, inputs, connectivity, inputScaling, Stream(seed, 2)), units, inputs);
    }

    /// <summary>
    /// The bias [units]: ±<paramref name="biasScaling"/> at density <paramref name="connectivity"/> (ReservoirPy draws it
    /// with the input connectivity); all zeros when the scaling is 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive, the connectivity is outside (0, 1], or the scaling is negative or not finite.</exception>
    public static float[] Bias(int units, double connectivity, double biasScaling, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        CheckDensity(connectivity, nameof(connectivity));
        CheckScaling(biasScaling, nameof(biasScaling));
        var bias = new float[units];
        if (biasScaling == 0)
            return bias;
        double[] values = Bernoulli(units, 1, connectivity, biasScaling, Stream(seed, 3));
        for (int i = 0; i < units; i++)
            bias[i] = (float)values[i];
        return bias;
    }

    private static double[] Bernoulli(int rows, int columns, double connectivity, double scaling, ulong stream)
    {
        var rng = new Rng(stream);
        var m = new double[(long)rows * columns];
        foreach (long position in Positions(ref rng, rows, columns, connectivity))
            m[position] = (rng.NextDouble() < 0.5 ? 1.0 : -1.0) * scaling;
        return m;
    }

    /// <summary>
    /// round(density·rows·columns) distinct positions (row-major indices), uniformly at random (Floyd's sampling), in
    /// ascending order: the values are then drawn row by row.
    /// </summary>
    private static long[] Positions(ref Rng rng, int rows, int columns, double density)
    {
        long total = (long)rows * columns;
        long count = (long)Math.Round(density * total, MidpointRounding.ToEven);
        if (count >= total)
        {
            var all = new long[total];
            for (long i = 0; i < total; i++)
                all[i] = i;
            return all;
        }
        var chosen = new HashSet<long>();
        for (long j = total - count; j < total; j++)
        {
            long t = (long)(rng.NextDouble() * (j + 1));
            if (t > j)
                t = j;
            if (!chosen.Add(t))
                chosen.Add(j);
        }
        long[] positions = [.. chosen];
        Array.Sort(positions);
        return positions;
    }

    private static ReservoirMatrix FromDouble(double[] values, int rows, int columns)
    {
        var single = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            single[i] = (float)values[i];
        return ReservoirMatrix.FromDense(single, rows, columns);
    }

    private static ulong Stream(int seed, int which) => unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)which);

    private static void CheckDensity(double value, string name)
    {
        if (!(value > 0 && value <= 1))
            throw new ArgumentOutOfRangeException(name, value, Invariant($"The density must be in (0, 1], but is {value}."));
    }

    private static void CheckScaling(double value, string name)
    {
        if (!(value >= 0 && double.IsFinite(value)))
            throw new ArgumentOutOfRangeException(name, value, Invariant($"The scaling must be finite and non-negative, but is {value}."));
    }
}
