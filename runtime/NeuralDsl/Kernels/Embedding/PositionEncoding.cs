using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>The fixed position encodings the generated <c>SinePositionEncoding</c> layers add to their input.</summary>
public static class PositionEncoding
{
    /// <summary>
    /// KerasHub <c>SinePositionEncoding</c>: a [steps × features] table with <c>sin(p·w_i)</c> at even feature i and
    /// <c>cos(p·w_i)</c> at odd i, <c>w_i = (1 / maxWavelength)^(2·⌊i/2⌋ / features)</c>, computed in double. Called
    /// once per model type (a static table), never per step.
    /// </summary>
    /// <param name="steps">Positions 0 .. steps − 1.</param>
    /// <param name="features">The encoding width.</param>
    /// <param name="maxWavelength">KerasHub <c>max_wavelength</c> (10000 by default).</param>
    /// <returns>The table, row-major.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the wavelength is not positive and finite.</exception>
    public static T[] Sine<T>(int steps, int features, double maxWavelength)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(features, nameof(features));
        if (!(maxWavelength > 0 && double.IsFinite(maxWavelength)))
            throw new ArgumentOutOfRangeException(nameof(maxWavelength), maxWavelength, "The maximum wavelength must be positive and finite.");
        var table = new T[steps * features];
        double minFrequency = 1 / maxWavelength;
        for (int i = 0; i < features; i++)
        {
            double timescale = Math.Pow(minFrequency, 2.0 * (i / 2) / features);
            for (int p = 0; p < steps; p++)
            {
                double angle = p * timescale;
                table[p * features + i] = T.CreateTruncating(i % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        }
        return table;
    }
}
