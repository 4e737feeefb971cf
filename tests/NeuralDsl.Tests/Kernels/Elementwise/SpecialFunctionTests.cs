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

    [Fact]
    public void GeluScalarAndVectorPathsAgree()
    {
        // Spans shorter than one vector take the scalar operator; longer ones the SIMD lanes (all regions selected).
        double[] z = KernelTestData.Uniform(4096, -40, 40, seed: 77);
        z[0] = 0;
        z[1] = double.PositiveInfinity;
        z[2] = double.NegativeInfinity;
        var vector = new double[z.Length];
        var vectorDerivative = new double[z.Length];
        var ones = new double[z.Length];
        ones.AsSpan().Fill(1);
        Activations.Gelu<double>(z, vector);
        Activations.GeluBackward<double>(z, vector, ones, vectorDerivative);
        var one = new double[1];
        var derivative = new double[1];
        for (int i = 3; i < z.Length; i++)
        {
            Activations.Gelu<double>(z.AsSpan(i, 1), one);
            Activations.GeluBackward<double>(z.AsSpan(i, 1), one, ones.AsSpan(i, 1), derivative);
            AssertRelative(one[0], vector[i], 4e-15, $"gelu({z[i]:R}) vector vs scalar");
            AssertRelative(derivative[0], vectorDerivative[i], 4e-15, $"gelu'({z[i]:R}) vector vs scalar");
        }
        Assert.Equal(0.0, vector[0]);
        Assert.Equal(double.PositiveInfinity, vector[1]);
        Assert.Equal(1.0, vectorDerivative[1]);
        Assert.Equal(0.0, vectorDerivative[2]);
    }

    [Fact]
    public void GeluScalarPathMatchesHighPrecisionValues()
    {
        var a = new double[1];
        var derivative = new double[1];
        foreach ((double x, double gelu, double geluDerivative) in ErfReferenceValues.Gelu)
        {
            Activations.Gelu<double>([x], a);
            Activations.GeluBackward<double>([x], a, [1.0], derivative);
            AssertRelative(gelu, a[0], 2e-15, $"gelu({x:R})");
            AssertRelative(geluDerivative, derivative[0], 2e-15, $"gelu'({x:R})");
        }
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what)
    {
        double error = expected == actual ? 0 : Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), double.Epsilon);
        Assert.True(error <= tolerance, $"{what} = {actual:R}, expected {expected:R} (relative error {error:E2})");
    }
}
