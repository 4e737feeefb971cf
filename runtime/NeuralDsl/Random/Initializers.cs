using System;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Weight initialization with Keras semantics, deterministic for a given <see cref="Rng"/> state.
/// </summary>
public static class Initializers
{
    /// <summary>
    /// The standard deviation of a standard normal truncated to [−2, 2]; Keras divides by it so the truncated
    /// distribution ends up with the intended variance.
    /// </summary>
    internal const double TruncatedNormalStddev = 0.87962566103423978;

    /// <summary>
    /// Fills <paramref name="w"/> as the Keras initializer <paramref name="kind"/> would:
    /// the variance-scaling family uses <c>n = fanIn</c> (He, LeCun) or <c>(fanIn + fanOut)/2</c> (Glorot), with
    /// scale 2 for He and 1 otherwise; uniform variants draw from ±sqrt(3·scale/n), normal variants from a normal
    /// truncated at two standard deviations with stddev sqrt(scale/n)/0.8796; RandomNormal is an untruncated
    /// normal with stddev 0.05; RandomUniform is uniform in [−0.05, 0.05).
    /// </summary>
    /// <param name="w">The tensor to fill (any layout; only the fans matter).</param>
    /// <param name="kind">Which initializer.</param>
    /// <param name="fanIn">Inputs per unit (for a Dense kernel, its first dimension).</param>
    /// <param name="fanOut">Outputs per input (for a Dense kernel, the units).</param>
    /// <param name="rng">Advanced by the draw.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative fan or an unknown <paramref name="kind"/>.</exception>
    public static void Fill<T>(Span<T> w, Initializer kind, int fanIn, int fanOut, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        if (fanIn < 0)
            throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "The fan-in must not be negative.");
        if (fanOut < 0)
            throw new ArgumentOutOfRangeException(nameof(fanOut), fanOut, "The fan-out must not be negative.");

        // Keras divides by max(1, n) so an empty fan cannot produce an infinite scale.
        double fanAverage = Math.Max(1.0, (fanIn + (double)fanOut) / 2);
        double fanInAtLeastOne = Math.Max(1.0, fanIn);
        switch (kind)
        {
            case Initializer.GlorotUniform:
                FillUniform(w, Math.Sqrt(3.0 / fanAverage), ref rng);
                break;
            case Initializer.GlorotNormal:
                FillTruncatedNormal(w, Math.Sqrt(1.0 / fanAverage) / TruncatedNormalStddev, ref rng);
                break;
            case Initializer.HeUniform:
                FillUniform(w, Math.Sqrt(6.0 / fanInAtLeastOne), ref rng);
                break;
            case Initializer.HeNormal:
                FillTruncatedNormal(w, Math.Sqrt(2.0 / fanInAtLeastOne) / TruncatedNormalStddev, ref rng);
                break;
            case Initializer.LecunUniform:
                FillUniform(w, Math.Sqrt(3.0 / fanInAtLeastOne), ref rng);
                break;
            case Initializer.LecunNormal:
                FillTruncatedNormal(w, Math.Sqrt(1.0 / fanInAtLeastOne) / TruncatedNormalStddev, ref rng);
                break;
            case Initializer.Zeros:
                w.Clear();
                break;
            case Initializer.Ones:
                w.Fill(T.One);
                break;
            case Initializer.RandomNormal:
                for (int i = 0; i < w.Length; i++)
                    w[i] = T.CreateTruncating(0.05 * rng.NextNormal());
                break;
            case Initializer.RandomUniform:
                FillUniform(w, 0.05, ref rng);
                break;
            case Initializer.Orthogonal:
                FillOrthogonal(w, fanIn, ref rng);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown initializer.");
        }
    }

    /// <summary>
    /// Keras <c>Orthogonal(gain=1)</c> for a tensor of <paramref name="rows"/> = fan in (the product of every axis but
    /// the last) by <c>columns = w.Length / rows</c>: a normal [max, min] matrix is orthonormalised column by column
    /// (Gram–Schmidt, twice, in double), which is its QR decomposition with R's diagonal positive, so the Q already
    /// carries Keras's sign correction; it is transposed when there are fewer rows than columns. Hence W·Wᵀ = I when
    /// rows ≤ columns, and Wᵀ·W = I otherwise.
    /// </summary>
    private static void FillOrthogonal<T>(Span<T> w, int rows, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (w.IsEmpty)
            return;
        if (rows <= 0 || w.Length % rows != 0)
            throw new ArgumentException(
                $"An orthogonal tensor needs a length that is a multiple of its fan in (rows) {rows}, but has {w.Length} elements.", nameof(w));
        int columns = w.Length / rows;
        int tall = Math.Max(rows, columns), narrow = Math.Min(rows, columns);
        // q[i, j], column j of length tall: drawn normal, then orthonormalised against columns 0..j-1.
        double[] q = new double[tall * narrow];
        for (int i = 0; i < q.Length; i++)
            q[i] = rng.NextNormal();
        for (int j = 0; j < narrow; j++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < tall; i++)
                        dot += q[i * narrow + k] * q[i * narrow + j];
                    for (int i = 0; i < tall; i++)
                        q[i * narrow + j] -= dot * q[i * narrow + k];
                }
            }
            double norm = 0;
            for (int i = 0; i < tall; i++)
                norm += q[i * narrow + j] * q[i * narrow + j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < tall; i++)
                q[i * narrow + j] /= norm;
        }
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                w[r * columns + c] = T.CreateTruncating(rows >= columns ? q[r * narrow + c] : q[c * narrow + r]);
        }
    }

    /// <summary>Uniform in [−limit, limit).</summary>
    private static void FillUniform<T>(Span<T> w, double limit, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < w.Length; i++)
            w[i] = T.CreateTruncating(limit * (2 * rng.NextDouble() - 1));
    }

    /// <summary>Normal with the given stddev, redrawing values beyond two standard deviations (Keras TruncatedNormal).</summary>
    private static void FillTruncatedNormal<T>(Span<T> w, double stddev, ref Rng rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < w.Length; i++)
        {
            double z;
            do
                z = rng.NextNormal();
            while (Math.Abs(z) > 2);
            w[i] = T.CreateTruncating(stddev * z);
        }
    }
}
