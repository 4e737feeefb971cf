using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The batch-one kernels of streaming inference: <c>Recurrent.StepProject</c> (matrix-vector, SIMD blocks of four
/// registers, one register, scalar tail) and <c>Recurrent.LstmStep</c> (the fused register path and the general one)
/// against scalar double references, and their size checks.
/// </summary>
public sealed class RecurrentStreamingKernelTests
{
    private static double[] Values(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
            v[i] = 2 * rng.NextDouble() - 1;
        return v;
    }

    private static float[] Floats(double[] v) => Array.ConvertAll(v, x => (float)x);

    [Theory]
    [InlineData(3, 0, 1)]
    [InlineData(8, 8, 32)]
    [InlineData(5, 7, 45)]
    [InlineData(1, 50, 200)]
    [InlineData(50, 0, 1)]
    [InlineData(2, 3, 67)]
    public void StepProject_equals_a_scalar_reference(int k, int u, int n)
    {
        double[] bias = Values(n, 1), x = Values(k, 2), kernel = Values(k * n, 3), h = Values(u, 4), recurrent = Values(u * n, 5);
        var expected = new double[n];
        for (int j = 0; j < n; j++)
        {
            double s = bias[j];
            for (int i = 0; i < k; i++) s += x[i] * kernel[i * n + j];
            for (int i = 0; i < u; i++) s += h[i] * recurrent[i * n + j];
            expected[j] = s;
        }
        var y = new double[n];
        Recurrent.StepProject<double>(bias, x, kernel, h, recurrent, y);
        for (int j = 0; j < n; j++)
            Assert.Equal(expected[j], y[j], 1e-12);
        var yf = new float[n];
        Recurrent.StepProject<float>(Floats(bias), Floats(x), Floats(kernel), Floats(h), Floats(recurrent), yf);
        for (int j = 0; j < n; j++)
            Assert.True(Math.Abs(expected[j] - yf[j]) <= 1e-5 * (1 + k + u), $"y[{j}] = {yf[j]}, expected {expected[j]}");

        // Without bias and without the recurrent term.
        Recurrent.StepProject<double>(default, x, kernel, default, default, y);
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < k; i++) s += x[i] * kernel[i * n + j];
            Assert.Equal(s, y[j], 1e-12);
        }
    }

    [Fact]
    public void StepProject_rejects_mismatched_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Recurrent.StepProject<float>(default, new float[3], new float[11], default, default, new float[4]));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains("12", e.Message);
        Assert.Contains("11", e.Message);
        e = Assert.Throws<ArgumentException>(() => Recurrent.StepProject<float>(new float[3], default, default, default, default, new float[4]));
        Assert.Equal("bias", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Recurrent.StepProject<float>(default, default, default, new float[2], new float[9], new float[4]));
        Assert.Equal("recurrentKernel", e.ParamName);
    }

    /// <summary>Units 8 and 16 take the fused register path for float (4 for double), 3 and 5 the general one.</summary>
    [Theory]
    [InlineData(8, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(16, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(4, Activation.ReLU, Activation.Tanh)]
    [InlineData(3, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(5, Activation.Sigmoid, Activation.Linear)]
    public void LstmStep_equals_LstmForward_at_batch_one(int units, Activation activation, Activation recurrentActivation)
    {
        foreach (bool isFloat in new[] { false, true })
        {
            double[] gates = Values(4 * units, 6), cPrev = Values(units, 7);
            if (isFloat)
            {
                float[] g1 = Floats(gates), g2 = Floats(gates), c1 = Floats(cPrev), c2 = new float[units], tc = new float[units], h1 = new float[units], h2 = new float[units];
                Recurrent.LstmStep<float>(g1, c1, h1, activation, recurrentActivation);
                Recurrent.LstmForward<float>(g2, Floats(cPrev), c2, tc, h2, units, activation, recurrentActivation);
                for (int j = 0; j < units; j++)
                {
                    Assert.Equal(c2[j], c1[j], 1e-6f);
                    Assert.Equal(h2[j], h1[j], 1e-6f);
                }
            }
            else
            {
                double[] g1 = (double[])gates.Clone(), c1 = (double[])cPrev.Clone(), c2 = new double[units], tc = new double[units], h1 = new double[units], h2 = new double[units];
                Recurrent.LstmStep<double>(g1, c1, h1, activation, recurrentActivation);
                Recurrent.LstmForward<double>(gates, cPrev, c2, tc, h2, units, activation, recurrentActivation);
                for (int j = 0; j < units; j++)
                {
                    Assert.Equal(c2[j], c1[j], 1e-14);
                    Assert.Equal(h2[j], h1[j], 1e-14);
                }
            }
        }
    }

    /// <summary>
    /// The fused register pass of <c>LstmForward</c> (units ≥ one register; 50 = six float registers and a scalar tail of
    /// two) against Keras' LSTM formulas in double, batch 3: activated gates, c_t, act(c_t) and h_t.
    /// </summary>
    [Theory]
    [InlineData(50)]
    [InlineData(8)]
    [InlineData(13)]
    public void LstmForward_equals_the_Keras_formulas(int units)
    {
        const int batch = 3;
        double[] z = Values(batch * 4 * units, 20), cPrev = Values(batch * units, 21);
        for (int i = 0; i < z.Length; i++) z[i] *= 3;
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        var gates = new double[z.Length];
        double[] c = new double[batch * units], tc = new double[batch * units], h = new double[batch * units];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < units; j++)
            {
                int g0 = b * 4 * units, s = b * units + j;
                double i = Sigmoid(z[g0 + j]), f = Sigmoid(z[g0 + units + j]), g = Math.Tanh(z[g0 + 2 * units + j]), o = Sigmoid(z[g0 + 3 * units + j]);
                (gates[g0 + j], gates[g0 + units + j], gates[g0 + 2 * units + j], gates[g0 + 3 * units + j]) = (i, f, g, o);
                c[s] = f * cPrev[s] + i * g;
                tc[s] = Math.Tanh(c[s]);
                h[s] = o * tc[s];
            }
        }

        double[] gd = (double[])z.Clone(), cd = new double[c.Length], tcd = new double[c.Length], hd = new double[c.Length];
        Recurrent.LstmForward<double>(gd, cPrev, cd, tcd, hd, units, Activation.Tanh, Activation.Sigmoid);
        float[] gf = Floats(z), cf = new float[c.Length], tcf = new float[c.Length], hf = new float[c.Length];
        Recurrent.LstmForward<float>(gf, Floats(cPrev), cf, tcf, hf, units, Activation.Tanh, Activation.Sigmoid);
        for (int i = 0; i < gates.Length; i++)
        {
            Assert.Equal(gates[i], gd[i], 1e-14);
            Assert.Equal(gates[i], gf[i], 1e-6);
        }
        for (int i = 0; i < c.Length; i++)
        {
            Assert.Equal(c[i], cd[i], 1e-14);
            Assert.Equal(tc[i], tcd[i], 1e-14);
            Assert.Equal(h[i], hd[i], 1e-14);
            Assert.Equal(c[i], cf[i], 1e-6);
            Assert.Equal(tc[i], tcf[i], 1e-6);
            Assert.Equal(h[i], hf[i], 1e-6);
        }
    }

    [Fact]
    public void LstmStep_rejects_mismatched_sizes_and_activations()
    {
        var e = Assert.Throws<ArgumentException>(() => Recurrent.LstmStep<float>(new float[15], new float[4], new float[4], Activation.Tanh, Activation.Sigmoid));
        Assert.Equal("gates", e.ParamName);
        Assert.Contains("16", e.Message);
        Assert.Contains("15", e.Message);
        e = Assert.Throws<ArgumentException>(() => Recurrent.LstmStep<float>(new float[16], new float[4], new float[3], Activation.Tanh, Activation.Sigmoid));
        Assert.Equal("h", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Recurrent.LstmStep<float>(new float[16], new float[4], new float[4], Activation.Softmax, Activation.Sigmoid));
    }

    [Fact]
    public void CheckStepLength_names_expected_and_actual()
    {
        Recurrent.CheckStepLength(5, 5, "x", "input");
        var e = Assert.Throws<ArgumentException>(() => Recurrent.CheckStepLength(4, 5, "The step input x_t", "input"));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("must have 5 elements, but has 4", e.Message);
    }
}
