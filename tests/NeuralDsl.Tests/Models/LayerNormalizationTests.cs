using System;
using System.Linq;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Models;

// The conformance cases layer_normalization_2d ([3, 6]) and layer_normalization_3d ([2, 3, 5]), both element types.
[Sequential] [Input(6)] [LayerNormalization] public partial class LayerNorm2DF;
[Sequential(ElementType = typeof(double))] [Input(6)] [LayerNormalization] public partial class LayerNorm2DD;
[Sequential] [Input(3, 5)] [LayerNormalization] public partial class LayerNorm3DF;
[Sequential(ElementType = typeof(double))] [Input(3, 5)] [LayerNormalization] public partial class LayerNorm3DD;

// Gradient checks: LayerNormalization between Dense layers (so its dx is used), each configuration.
[Sequential(ElementType = typeof(double))] [Input(2, 4)] [Dense(5, Activation.Tanh)] [LayerNormalization] [Dense(3)]
public partial class GradLayerNorm;

[Sequential(ElementType = typeof(double))] [Input(2, 4)] [Dense(5, Activation.Tanh)] [LayerNormalization(RmsScaling = true, Epsilon = 1e-2)] [Dense(3)]
public partial class GradLayerNormRms;

[Sequential(ElementType = typeof(double))] [Input(2, 4)] [Dense(5, Activation.Tanh)] [LayerNormalization(Center = false)] [Dense(3)]
public partial class GradLayerNormNoCenter;

[Sequential(ElementType = typeof(double))] [Input(2, 4)] [Dense(5, Activation.Tanh)] [LayerNormalization(Scale = false)] [Dense(3)]
public partial class GradLayerNormNoScale;

[Sequential(ElementType = typeof(double))] [Input(2, 4)] [Dense(5, Activation.Tanh)] [LayerNormalization(Scale = false, Center = false)] [Dense(3)]
public partial class GradLayerNormBare;

// First computing layer: dγ and dβ still come out although the model input needs no gradient.
[Sequential(Loss = Loss.BinaryCrossEntropy, ElementType = typeof(double))] [Input(7)] [LayerNormalization] [Dense(2, Activation.Sigmoid)]
public partial class GradLayerNormFirst;

// A Keras mask passes through (LayerNormalization acts per step): padded with masked zeros equals the short sequence.
[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3, MaskZero = true)] [LayerNormalization] [GRU(3)] [Dense(2)]
public partial class MaskLayerNormGru;

[Sequential(ElementType = typeof(double))] [Input(3)] [Embedding(5, 3)] [LayerNormalization] [GRU(3)] [Dense(2)]
public partial class ShortLayerNormGru;

[Sequential(ElementType = typeof(double))] [Input(6)] [Embedding(5, 3)] [LayerNormalization] [GRU(3)] [Dense(2)]
public partial class UnmaskedLayerNormGru;

[Sequential(ElementType = typeof(double))] [Input(4)] [LayerNormalization(RmsScaling = true)]
public partial class RmsOnly;

/// <summary>
/// The generated LayerNormalization layer: libtorch conformance (outputs, input, γ and β gradients in float and
/// double), double gradient checks for every configuration (plain, RmsScaling, Center = false, Scale = false, both off,
/// first layer), the Keras mask passed through, and Keras's parameter names.
/// </summary>
public sealed class LayerNormalizationTests
{
    [Theory]
    [InlineData("layer_normalization_2d")]
    [InlineData("layer_normalization_3d")]
    public void Matches_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name == "layer_normalization_2d"
            ? ((IModel<float>)new LayerNorm2DF(), (IModel<double>)new LayerNorm2DD())
            : (new LayerNorm3DF(), new LayerNorm3DD());
        Check(fixture, f);
        Check(fixture, d);
    }

    private static void Check<T>(Fixture fixture, IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Tolerance.For: float 1e-5 relative / 1e-6 absolute, double 1e-10 (the conformance README's suggestion).
        Tolerance tolerance = Tolerance.For<T>();
        Assert.Equal("layer_normalization.gamma", model.ParameterLayout[0].Name);
        Assert.Equal("layer_normalization.beta", model.ParameterLayout[1].Name);
        fixture.Input<T>("gamma").CopyTo(model.Parameters.Slice(model.ParameterLayout[0].Offset, model.ParameterLayout[0].Length));
        fixture.Input<T>("beta").CopyTo(model.Parameters.Slice(model.ParameterLayout[1].Offset, model.ParameterLayout[1].Length));

        T[] input = fixture.Input<T>("input");
        var output = new T[input.Length];
        model.Forward(input, output, training: true);
        tolerance.AssertClose<T>(output, fixture.Get("output"), fixture.Name + " output");
        var inference = new T[input.Length];
        model.Predict(input, inference);
        tolerance.AssertClose<T>(inference, fixture.Get("output"), fixture.Name + " output (inference)");

        var gradInput = new T[input.Length];
        model.Forward(input, output, training: true);
        model.ZeroGradients();
        model.Backward(fixture.Input<T>("grad_output"), gradInput);
        tolerance.AssertClose<T>(gradInput, fixture.Get("grad_input"), fixture.Name + " grad_input");
        tolerance.AssertClose<T>(model.Gradients.Slice(model.ParameterLayout[0].Offset, model.ParameterLayout[0].Length), fixture.Get("grad_gamma"), fixture.Name + " grad_gamma");
        tolerance.AssertClose<T>(model.Gradients.Slice(model.ParameterLayout[1].Offset, model.ParameterLayout[1].Length), fixture.Get("grad_beta"), fixture.Name + " grad_beta");
    }

    [Theory]
    [InlineData(nameof(GradLayerNorm))]
    [InlineData(nameof(GradLayerNormRms))]
    [InlineData(nameof(GradLayerNormNoCenter))]
    [InlineData(nameof(GradLayerNormNoScale))]
    [InlineData(nameof(GradLayerNormBare))]
    public void Backward_matches_central_differences(string name)
    {
        IModel<double> model = name switch
        {
            nameof(GradLayerNorm) => new GradLayerNorm(seed: 3),
            nameof(GradLayerNormRms) => new GradLayerNormRms(seed: 3),
            nameof(GradLayerNormNoCenter) => new GradLayerNormNoCenter(seed: 3),
            nameof(GradLayerNormNoScale) => new GradLayerNormNoScale(seed: 3),
            _ => new GradLayerNormBare(seed: 3),
        };
        // γ and β away from their 1/0 start, so every term of the backward pass matters.
        GradientCheck.Random(model.Parameters.Length, 11, scale: 0.8).CopyTo(model.Parameters);
        GradientCheck.CheckBackward(model, batch: 3, seed: 5);
    }

    [Fact]
    public void First_layer_gets_its_parameter_gradients_without_an_input_gradient()
    {
        var model = new GradLayerNormFirst(seed: 2);
        GradientCheck.Random(model.Parameters.Length, 13, scale: 0.8).CopyTo(model.Parameters);
        GradientCheck.CheckBackward(model, batch: 4, seed: 17);

        // ComputeGradients passes the first layer an empty input gradient: dγ and dβ must come out all the same.
        double[] x = GradientCheck.Random(4 * GradLayerNormFirst.InputSize, 19);
        double[] target = [0, 1, 1, 0, 1, 1, 0, 0];
        GradientCheck.CheckLoss(model, x, target);
    }

    [Fact]
    public void Rms_scaling_has_gamma_only_and_divides_by_the_root_mean_square()
    {
        var model = new RmsOnly(seed: 1);
        Assert.Equal(["layer_normalization.gamma"], RmsOnly.ParameterLayout.Select(p => p.Name));
        double[] gamma = [0.5, -2, 1.5, 3];
        gamma.CopyTo(model.Parameters);
        double[] x = [1, -2, 3, 0.5, 10, 10, 10, 10];
        var y = new double[8];
        model.Predict(x, y);
        for (int r = 0; r < 2; r++)
        {
            double meanSquare = 0;
            for (int j = 0; j < 4; j++)
                meanSquare += x[r * 4 + j] * x[r * 4 + j] / 4;
            for (int j = 0; j < 4; j++)
                Assert.Equal(gamma[j] * x[r * 4 + j] / Math.Sqrt(meanSquare + 1e-3), y[r * 4 + j], 14);
        }
        Assert.DoesNotContain(GradLayerNormBare.ParameterLayout, p => p.Name.StartsWith("layer_normalization", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mask_passes_through_so_padding_equals_the_short_sequence()
    {
        var padded = new MaskLayerNormGru(seed: 6);
        var shortModel = new ShortLayerNormGru(seed: 6);
        Assert.Equal(padded.Parameters.Length, shortModel.Parameters.Length);
        GradientCheck.Random(padded.Parameters.Length, 23, scale: 0.7).CopyTo(padded.Parameters);
        padded.Parameters.CopyTo(shortModel.Parameters);

        int[] paddedIds = [3, 1, 4, 0, 0, 0];
        int[] shortIds = [3, 1, 4];
        var a = new double[2];
        var b = new double[2];
        padded.Predict(paddedIds, a);
        shortModel.Predict(shortIds, b);
        Assert.Equal(b[0], a[0], 12);
        Assert.Equal(b[1], a[1], 12);

        // Without the mask the padding would change the result: the test can fail.
        var unmasked = new UnmaskedLayerNormGru(seed: 6);
        padded.Parameters.CopyTo(unmasked.Parameters);
        var c = new double[2];
        unmasked.Predict(paddedIds, c);
        Assert.NotEqual(b[0], c[0], 6);
    }
}

/// <summary>The <see cref="LayerNorm"/> kernel alone: a two-pass variance that survives a large mean in float.</summary>
public sealed class LayerNormKernelTests
{
    [Fact]
    public void Float_rows_with_a_large_mean_keep_their_variance()
    {
        // Spread ±1 around 10⁴: E[x²] − E[x]² in float would lose every digit of the variance (ulp(10⁸) = 8).
        const int features = 64;
        var x = new float[2 * features];
        var expected = new double[x.Length];
        for (int r = 0; r < 2; r++)
        {
            double mean = 0, square = 0;
            for (int j = 0; j < features; j++)
            {
                x[r * features + j] = 10_000 + (j % 2 == 0 ? 1 : -1) * (1 + j / 64f);
                mean += x[r * features + j] / (double)features;
            }
            for (int j = 0; j < features; j++)
                square += (x[r * features + j] - mean) * (x[r * features + j] - mean) / features;
            for (int j = 0; j < features; j++)
                expected[r * features + j] = (x[r * features + j] - mean) / Math.Sqrt(square + 1e-3);
        }
        var y = new float[x.Length];
        LayerNorm.Forward<float>(x, default, default, y, new float[2], new float[2], rows: 2, features, epsilon: 1e-3, rmsScaling: false);
        // Tolerance 1e-2: the float mean of 64 values near 10⁴ may be off by a few ulp(10⁴) ≈ 1e-3 each, while a
        // one-pass variance would be off by O(1) here (or negative), so the test tells the two apart.
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) < 1e-2, $"y[{i}] = {y[i]}, expected {expected[i]}");
    }

    // The register path (rows of at least one vector) and the TensorPrimitives path (shorter rows), with a ragged tail,
    // in place, with and without γ/β and RMS scaling, against a double reference. Tolerances: 1e-12 in double; 2e-6
    // relative to the row's largest |output| in float (a few roundings of values of order 1).
    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(64)]
    [InlineData(67)]
    public void Forward_matches_a_double_reference_for_every_row_width(int features)
    {
        const int rows = 5;
        var random = new Random(features);
        double[] x = Enumerable.Range(0, rows * features).Select(_ => random.NextDouble() * 6 - 2).ToArray();
        double[] gamma = Enumerable.Range(0, features).Select(_ => random.NextDouble() + 0.5).ToArray();
        double[] beta = Enumerable.Range(0, features).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (bool rms in new[] { false, true })
        foreach (bool affine in new[] { false, true })
        {
            var expected = new double[x.Length];
            for (int r = 0; r < rows; r++)
            {
                double mean = 0, square = 0;
                for (int j = 0; j < features; j++)
                    mean += rms ? 0 : x[r * features + j] / features;
                for (int j = 0; j < features; j++)
                    square += (x[r * features + j] - mean) * (x[r * features + j] - mean) / features;
                for (int j = 0; j < features; j++)
                {
                    double v = (x[r * features + j] - mean) / Math.Sqrt(square + 1e-3);
                    expected[r * features + j] = affine ? v * gamma[j] + beta[j] : v;
                }
            }

            var yd = (double[])x.Clone();  // in place
            LayerNorm.Forward<double>(yd, affine ? gamma : default, affine ? beta : default, yd, new double[rows], new double[rows],
                rows, features, 1e-3, rms);
            for (int i = 0; i < yd.Length; i++)
                Assert.True(Math.Abs(yd[i] - expected[i]) <= 1e-12, $"double, rms {rms}, affine {affine}: y[{i}] = {yd[i]}, expected {expected[i]}");

            float[] xf = x.Select(v => (float)v).ToArray();
            var yf = new float[xf.Length];
            LayerNorm.Forward<float>(xf, affine ? gamma.Select(v => (float)v).ToArray() : default,
                affine ? beta.Select(v => (float)v).ToArray() : default, yf, new float[rows], new float[rows], rows, features, 1e-3, rms);
            for (int r = 0; r < rows; r++)
            {
                double scale = Enumerable.Range(0, features).Max(j => Math.Abs(expected[r * features + j]));
                for (int j = 0; j < features; j++)
                {
                    int i = r * features + j;
                    Assert.True(Math.Abs(yf[i] - expected[i]) <= 2e-6 * scale, $"float, rms {rms}, affine {affine}: y[{i}] = {yf[i]}, expected {expected[i]}");
                }
            }
        }
    }

    [Fact]
    public void A_wrong_row_count_throws_naming_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LayerNorm.Forward<double>(new double[10], default, default, new double[10], new double[2], new double[2], rows: 2, features: 4, 1e-3, false));
        Assert.Contains("2·4 = 8", e.Message, StringComparison.Ordinal);
    }
}
