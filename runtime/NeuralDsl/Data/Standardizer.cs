using System;
using System.Numerics;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Feature standardization: fitted on the training rows, it maps each feature to (x − mean) / std, the population
/// standard deviation (like scikit-learn's StandardScaler). A constant feature (std 0) is only centred (std taken
/// as 1) instead of producing NaN. Fit on the training set only and transform the test set with the same
/// statistics, or test information leaks into training.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Standardizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly double[] _mean;
    private readonly double[] _std;

    private Standardizer(double[] mean, double[] std)
    {
        _mean = mean;
        _std = std;
    }

    /// <summary>Number of features (the row length).</summary>
    public int Features => _mean.Length;

    /// <summary>The mean of each feature over the fitted rows.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>The standard deviation of each feature over the fitted rows (1 where it was 0).</summary>
    public ReadOnlySpan<double> StandardDeviation => _std;

    /// <summary>Computes each feature's mean and standard deviation over the rows of <paramref name="x"/> [rows, features].</summary>
    /// <exception cref="ArgumentException">No rows, or a length that is not a multiple of <paramref name="features"/>.</exception>
    public static Standardizer<T> Fit(ReadOnlySpan<T> x, int features)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (x.Length % features != 0)
            throw new ArgumentException(Invariant($"Input length {x.Length} is not a multiple of the row length {features} (expected [rows, {features}])."), nameof(x));
        int rows = x.Length / features;
        if (rows == 0) throw new ArgumentException("Cannot fit on zero rows.", nameof(x));

        // Accumulate in double even for float data, and in two passes (mean, then squared deviations), which stays
        // accurate when a feature's mean is large compared with its spread.
        var mean = new double[features];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = x.Slice(r * features, features);
            for (int j = 0; j < features; j++) mean[j] += double.CreateChecked(row[j]);
        }
        for (int j = 0; j < features; j++) mean[j] /= rows;

        var std = new double[features];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = x.Slice(r * features, features);
            for (int j = 0; j < features; j++)
            {
                double d = double.CreateChecked(row[j]) - mean[j];
                std[j] += d * d;
            }
        }
        for (int j = 0; j < features; j++)
        {
            std[j] = Math.Sqrt(std[j] / rows);
            if (std[j] == 0) std[j] = 1;
        }
        return new Standardizer<T>(mean, std);
    }

    /// <summary>Standardizes <paramref name="x"/> [rows, Features] in place.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="Features"/>.</exception>
    public void Transform(Span<T> x)
    {
        CheckLength(x.Length);
        int features = Features;
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % features;
            x[i] = T.CreateChecked((double.CreateChecked(x[i]) - _mean[j]) / _std[j]);
        }
    }

    /// <summary>Undoes <see cref="Transform"/> in place: x · std + mean.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="Features"/>.</exception>
    public void InverseTransform(Span<T> x)
    {
        CheckLength(x.Length);
        int features = Features;
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % features;
            x[i] = T.CreateChecked(double.CreateChecked(x[i]) * _std[j] + _mean[j]);
        }
    }

    private void CheckLength(int length)
    {
        if (length % Features != 0)
            throw new ArgumentException(Invariant($"Input length {length} is not a multiple of the row length {Features} (expected [rows, {Features}])."), "x");
    }
}
