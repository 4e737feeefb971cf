using System;

namespace NeuralDsl.Tests.Training;

/// <summary>Plain double reference helpers for the training tests (no runtime kernels involved).</summary>
internal static class TestMath
{
    /// <summary>‖a − b‖ / (‖a‖ + ‖b‖), zero when both are zero (stats.stackexchange #184220).</summary>
    public static double RelativeError(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Lengths {a.Length} and {b.Length} differ.");
        double diff = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        double denominator = Math.Sqrt(na) + Math.Sqrt(nb);
        return denominator == 0 ? 0 : Math.Sqrt(diff) / denominator;
    }

    public static double[] Softmax(double[] z, int rowLength)
    {
        var p = new double[z.Length];
        for (int r = 0; r < z.Length / rowLength; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < rowLength; j++) max = Math.Max(max, z[r * rowLength + j]);
            double sum = 0;
            for (int j = 0; j < rowLength; j++) sum += p[r * rowLength + j] = Math.Exp(z[r * rowLength + j] - max);
            for (int j = 0; j < rowLength; j++) p[r * rowLength + j] /= sum;
        }
        return p;
    }

    /// <summary>dz_i = p_i (dp_i − Σ_j p_j dp_j) per row.</summary>
    public static double[] SoftmaxBackward(double[] p, double[] dp, int rowLength)
    {
        var dz = new double[p.Length];
        for (int r = 0; r < p.Length / rowLength; r++)
        {
            double dot = 0;
            for (int j = 0; j < rowLength; j++) dot += p[r * rowLength + j] * dp[r * rowLength + j];
            for (int j = 0; j < rowLength; j++) dz[r * rowLength + j] = p[r * rowLength + j] * (dp[r * rowLength + j] - dot);
        }
        return dz;
    }
}
