using System;
using System.Globalization;
using System.Numerics;
using Xunit.Sdk;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// Element-wise closeness, numpy's <c>isclose</c>: |actual − expected| ≤ absolute + relative·|expected|.
/// The values are those of Fixtures/README.md and are never loosened to make a case pass.
/// </summary>
internal readonly record struct Tolerance(double Relative, double Absolute)
{
    /// <summary>Double kernels: 1e-10 relative, 1e-12 absolute.</summary>
    public static readonly Tolerance Double = new(1e-10, 1e-12);

    /// <summary>Float kernels: 1e-5 relative, 1e-6 absolute.</summary>
    public static readonly Tolerance Single = new(1e-5, 1e-6);

    /// <summary>The default tolerance for element type <typeparamref name="T"/>.</summary>
    public static Tolerance For<T>() => typeof(T) == typeof(float) ? Single : Double;

    /// <summary>Fails with the case, tensor, first offending index, both values and the worst excess.</summary>
    public void AssertClose<T>(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (actual.Length != expected.Length)
            throw new XunitException($"{what}: {actual.Length} values, expected {expected.Length}.");
        int first = -1, failures = 0;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = double.CreateChecked(actual[i]);
            double e = expected[i];
            double error = Math.Abs(a - e);
            double allowed = Absolute + Relative * Math.Abs(e);
            if (!(error <= allowed))
            {
                failures++;
                if (first < 0) first = i;
                worst = Math.Max(worst, double.IsNaN(error) ? double.PositiveInfinity : error / allowed);
            }
        }
        if (failures > 0)
        {
            double a = double.CreateChecked(actual[first]);
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{what} ({typeof(T).Name}): {failures} of {actual.Length} elements outside rel {Relative:R} / abs {Absolute:R}; " +
                $"first at [{first}]: actual {a:R}, expected {expected[first]:R} (error {Math.Abs(a - expected[first]):R}); worst error is {worst:G3}× the allowance."));
        }
    }

    /// <summary>A scalar version of <see cref="AssertClose{T}(ReadOnlySpan{T}, ReadOnlySpan{double}, string)"/>.</summary>
    public void AssertClose<T>(T actual, double expected, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        AssertClose<T>([actual], [expected], what);
}
