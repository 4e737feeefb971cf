using System;
using NeuralDsl;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>Deterministic inputs and labels for the suites (the benchmarks time compute, so content only needs to be realistic).</summary>
internal static class SyntheticData
{
    /// <summary>
    /// <paramref name="rows"/> samples of 8 features in [-1, 1) and a 0/1 label that depends on them
    /// (x0 + x1·x2 − x3 &gt; 0), so training has something to learn and the probabilities do not saturate.
    /// </summary>
    public static (float[] X, float[] Y) Binary(int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[rows * 8];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.AsSpan(r * 8, 8);
            for (int j = 0; j < 8; j++) row[j] = (float)(2 * rng.NextDouble() - 1);
            y[r] = row[0] + row[1] * row[2] - row[3] > 0 ? 1f : 0f;
        }

        return (x, y);
    }

    /// <summary>
    /// MNIST-like rows: 784 pixels in [0, 1] with about 80 % zeros (MNIST has ~81 %), and class labels 0..9 stored as
    /// float (sparse categorical targets) and as long (torch <c>CrossEntropyLoss</c> targets).
    /// </summary>
    public static (float[] X, float[] Labels, long[] LongLabels) MnistLike(int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[rows * 784];
        var labels = new float[rows];
        var longLabels = new long[rows];
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.NextDouble() < 0.8 ? 0f : (float)rng.NextDouble();
        for (int r = 0; r < rows; r++)
        {
            int c = (int)(rng.NextUInt64() % 10);
            labels[r] = c;
            longLabels[r] = c;
        }

        return (x, labels, longLabels);
    }

    /// <summary>Uniform values in [-1, 1).</summary>
    public static float[] Uniform(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(2 * rng.NextDouble() - 1);
        return a;
    }

    /// <summary>
    /// <paramref name="rows"/> sequences of <paramref name="steps"/> × <paramref name="features"/> values in [-1, 1)
    /// (row-major [rows, steps, features]) and a 0/1 label that depends on the whole sequence (the mean of feature 0
    /// over the first half above its mean over the second half), so a recurrent model has something to carry.
    /// </summary>
    public static (float[] X, float[] Y) Sequences(int rows, int steps, int features, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[rows * steps * features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> sequence = x.AsSpan(r * steps * features, steps * features);
            double early = 0, late = 0;
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < features; j++) sequence[t * features + j] = (float)(2 * rng.NextDouble() - 1);
                if (2 * t < steps) early += sequence[t * features];
                else late += sequence[t * features];
            }

            y[r] = early > late ? 1f : 0f;
        }

        return (x, y);
    }
}
