using System;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

public class SpecialFunctionTests
{
    [Fact]
    public void ErfAndErfcMatchHighPrecisionValues()
    {
        foreach ((double x, double erf, double erfc) in ErfReferenceValues.Erf)
        {
            AssertRelative(erf, SpecialFunctions.Erf(x), 4e-16, $"erf({x:R})");
            AssertRelative(erfc, SpecialFunctions.Erfc(x), 2e-15, $"erfc({x:R})");
        }
    }

    [Fact]
    public void ErfHandlesSpecialValues()
    {
        Assert.Equal(1.0, SpecialFunctions.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, SpecialFunctions.Erf(double.NegativeInfinity));
        Assert.Equal(0.0, SpecialFunctions.Erfc(double.PositiveInfinity));
        Assert.Equal(2.0, SpecialFunctions.Erfc(double.NegativeInfinity));
        Assert.True(double.IsNaN(SpecialFunctions.Erf(double.NaN)));
        Assert.True(double.IsNaN(SpecialFunctions.Erfc(double.NaN)));
        Assert.Equal(0.0, SpecialFunctions.Erf(0.0));
    }

    [Fact]
    public void GeluMatchesHighPrecisionValues()
    {
        double[] z = Array.ConvertAll(ErfReferenceValues.Gelu, v => v.X);
        var a = new double[z.Length];
        Activations.Gelu<double>(z, a);
        var ones = new double[z.Length];
        ones.AsSpan().Fill(1);
        var derivative = new double[z.Length];
        Activations.GeluBackward<double>(z, a, ones, derivative);
        for (int i = 0; i < z.Length; i++)
        {
            const double tolerance = 2e-15;
            AssertRelative(ErfReferenceValues.Gelu[i].Gelu, a[i], tolerance, $"gelu({z[i]:R})");
            AssertRelative(ErfReferenceValues.Gelu[i].GeluDerivative, derivative[i], tolerance, $"gelu'({z[i]:R})");
        }
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what)
    {
        double error = expected == actual ? 0 : Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), double.Epsilon);
        Assert.True(error <= tolerance, $"{what} = {actual:R}, expected {expected:R} (relative error {error:E2})");
    }
}
