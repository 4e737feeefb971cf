using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>Bias broadcast over the rows of a [rows, units] activation and its gradient reduction.</summary>
public static class Bias
{
    /// <summary>Adds <paramref name="bias"/> to every row: <c>z[r, j] += bias[j]</c>.</summary>
    /// <param name="z">[rows, bias.Length], row-major.</param>
    /// <param name="bias">One value per column.</param>
    /// <exception cref="ArgumentException"><paramref name="z"/> is not a whole number of rows.</exception>
    public static void AddRows<T>(Span<T> z, ReadOnlySpan<T> bias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.WholeRows(z.Length, bias.Length, "Output", nameof(z));
        int units = bias.Length;
        for (int offset = 0; offset < z.Length; offset += units)
        {
            Span<T> row = z.Slice(offset, units);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>
    /// Adds the column sums of <paramref name="dz"/> to <paramref name="dBias"/>: <c>dBias[j] += Σ_r dz[r, j]</c>.
    /// Rows are added in order, so the result does not depend on buffer addresses.
    /// </summary>
    /// <param name="dz">[rows, dBias.Length] gradient with respect to the biased output.</param>
    /// <param name="dBias">Gradient accumulator, one value per column.</param>
    /// <exception cref="ArgumentException"><paramref name="dz"/> is not a whole number of rows.</exception>
    public static void AccumulateGradient<T>(ReadOnlySpan<T> dz, Span<T> dBias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.WholeRows(dz.Length, dBias.Length, "Gradient", nameof(dz));
        int units = dBias.Length;
        for (int offset = 0; offset < dz.Length; offset += units)
            TensorPrimitives.Add(dBias, dz.Slice(offset, units), dBias);
    }
}
