using System;

namespace NeuralDsl.Tests.Kernels;

/// <summary>Plain-loop double BatchNormalization (axis −1) written from the Keras 3 formulas.</summary>
internal static class BatchNormReference
{
    public static (double[] Y, double[] Mean, double[] Variance) Training(double[] x, double[] gamma, double[] beta,
        int rows, int channels, double epsilon)
    {
        var mean = new double[channels];
        var variance = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double s = 0;
            for (int r = 0; r < rows; r++)
                s += x[r * channels + c];
            mean[c] = s / rows;
            double q = 0;
            for (int r = 0; r < rows; r++)
                q += (x[r * channels + c] - mean[c]) * (x[r * channels + c] - mean[c]);
            variance[c] = q / rows;
        }
        return (Apply(x, gamma, beta, mean, variance, rows, channels, epsilon), mean, variance);
    }

    public static double[] Apply(double[] x, double[] gamma, double[] beta, double[] mean, double[] variance,
        int rows, int channels, double epsilon)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < channels; c++)
            y[r * channels + c] = gamma[c] * (x[r * channels + c] - mean[c]) / Math.Sqrt(variance[c] + epsilon) + beta[c];
        return y;
    }
}
