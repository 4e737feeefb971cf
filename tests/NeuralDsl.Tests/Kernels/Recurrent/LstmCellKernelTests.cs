using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="Recurrent.LstmForward"/> and <see cref="Recurrent.LstmBackward"/> on their own, against the Keras
/// formulas evaluated in double here: unit counts below one register (the scalar loop), whole registers, and ragged
/// ones (the vector path whose last register overlaps the one before it), several rows, each activation pair.
/// </summary>
public sealed class LstmCellKernelTests
{
    public static TheoryData<int, Activation, Activation> Cases() => new()
    {
        { 3, Activation.Tanh, Activation.Sigmoid },
        { 8, Activation.Tanh, Activation.Sigmoid },
        { 13, Activation.Tanh, Activation.Sigmoid },
        { 50, Activation.Tanh, Activation.Sigmoid },
        { 13, Activation.ReLU, Activation.Tanh },
        { 13, Activation.Linear, Activation.ReLU },
        { 13, Activation.Sigmoid, Activation.Linear },
    };

    private static double Act(Activation a, double x) => a switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.Tanh => Math.Tanh(x),
        Activation.ReLU => Math.Max(x, 0),
        _ => x,
    };

    private static double Slope(Activation a, double y) => a switch
    {
        Activation.Sigmoid => y * (1 - y),
        Activation.Tanh => 1 - y * y,
        Activation.ReLU => y > 0 ? 1 : 0,
        _ => 1,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchTheFormulas(int units, Activation act, Activation rec)
    {
        const int batch = 3;
        int n = batch * units;
        double[] z = KernelTestData.Uniform(4 * n, -4, 4, (ulong)units);
        double[] cPrev = KernelTestData.Uniform(n, -2, 2, (ulong)units + 1);
        double[] dh = KernelTestData.Uniform(n, -1, 1, (ulong)units + 2);
        double[] dhOut = KernelTestData.Uniform(n, -1, 1, (ulong)units + 3);
        double[] dc = KernelTestData.Uniform(n, -1, 1, (ulong)units + 4);

        // The reference: activated gates, c_t, act(c_t), h_t, then the gate gradients and dc_{t-1}.
        var gates = new double[4 * n];
        var c = new double[n];
        var tc = new double[n];
        var h = new double[n];
        var dGates = new double[4 * n];
        var dcPrev = new double[n];
        for (int b = 0; b < batch; b++)
        for (int j = 0; j < units; j++)
        {
            int g0 = b * 4 * units, s = b * units + j;
            double i = Act(rec, z[g0 + j]), f = Act(rec, z[g0 + units + j]), g = Act(act, z[g0 + 2 * units + j]), o = Act(rec, z[g0 + 3 * units + j]);
            (gates[g0 + j], gates[g0 + units + j], gates[g0 + 2 * units + j], gates[g0 + 3 * units + j]) = (i, f, g, o);
            c[s] = f * cPrev[s] + i * g;
            tc[s] = Act(act, c[s]);
            h[s] = o * tc[s];
            double dht = dh[s] + dhOut[s];
            double dct = dc[s] + dht * o * Slope(act, tc[s]);
            dGates[g0 + j] = dct * g * Slope(rec, i);
            dGates[g0 + units + j] = dct * cPrev[s] * Slope(rec, f);
            dGates[g0 + 2 * units + j] = dct * i * Slope(act, g);
            dGates[g0 + 3 * units + j] = dht * tc[s] * Slope(rec, o);
            dcPrev[s] = dct * f;
        }

        foreach (bool single in new[] { false, true })
        {
            // Float results are compared with the float rounding of the inputs in mind; double is near exact.
            double rel = single ? 1e-5 : 1e-13, abs = single ? 1e-6 : 1e-15;
            string context = $"units={units} {act}/{rec} {(single ? "float" : "double")}";
            double[] ag, ac, atc, ah, adg, adc;
            if (single)
            {
                float[] g = KernelTestData.ToSingle(z), cf = new float[n], tcf = new float[n], hf = new float[n];
                Recurrent.LstmForward<float>(g, KernelTestData.ToSingle(cPrev), cf, tcf, hf, units, act, rec);
                float[] dgf = new float[4 * n], dcf = KernelTestData.ToSingle(dc);
                Recurrent.LstmBackward<float>(g, KernelTestData.ToSingle(cPrev), tcf, KernelTestData.ToSingle(dhOut),
                    KernelTestData.ToSingle(dh), dcf, dgf, units, act, rec);
                (ag, ac, atc, ah, adg, adc) = (KernelTestData.ToDouble(g), KernelTestData.ToDouble(cf), KernelTestData.ToDouble(tcf),
                    KernelTestData.ToDouble(hf), KernelTestData.ToDouble(dgf), KernelTestData.ToDouble(dcf));
            }
            else
            {
                ag = (double[])z.Clone();
                (ac, atc, ah) = (new double[n], new double[n], new double[n]);
                Recurrent.LstmForward<double>(ag, cPrev, ac, atc, ah, units, act, rec);
                adg = new double[4 * n];
                adc = (double[])dc.Clone();
                Recurrent.LstmBackward<double>(ag, cPrev, atc, dhOut, dh, adc, adg, units, act, rec);
            }
            KernelTestData.AssertClose(gates, ag, rel, abs, context + " gates");
            KernelTestData.AssertClose(c, ac, rel, abs, context + " c");
            KernelTestData.AssertClose(tc, atc, rel, abs, context + " act(c)");
            KernelTestData.AssertClose(h, ah, rel, abs, context + " h");
            KernelTestData.AssertClose(dGates, adg, rel, abs, context + " dGates");
            KernelTestData.AssertClose(dcPrev, adc, rel, abs, context + " dc");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(50)]
    public void FloatDefaultActivationsMatchTheScalarOperatorsBitwise(int units)
    {
        // Rows 0 and 3 take the float row without a branch per register; row 1 (a gate below −80) and row 2 (NaN in
        // c_{t−1}) the operators'. Every row must equal the scalar operators (sigmoid, tanh) and float arithmetic.
        const int batch = 4;
        int n = batch * units;
        float[] z = KernelTestData.ToSingle(KernelTestData.Uniform(4 * n, -6, 6, (ulong)units + 10));
        float[] cPrev = KernelTestData.ToSingle(KernelTestData.Uniform(n, -3, 3, (ulong)units + 11));
        z[4 * units + units + 2] = -90f;
        cPrev[2 * units + 1] = float.NaN;
        z[3 * 4 * units + 2 * units] = 50f; // a candidate whose tanh is 1
        var gates = (float[])z.Clone();
        var c = new float[n];
        var tc = new float[n];
        var h = new float[n];
        Recurrent.LstmForward<float>(gates, cPrev, c, tc, h, units, Activation.Tanh, Activation.Sigmoid);
        var one = new float[1];
        float Sig(float v)
        {
            Activations.Sigmoid<float>([v], one);
            return one[0];
        }
        float Tanh(float v)
        {
            Activations.Tanh<float>([v], one);
            return one[0];
        }
        static void Same(float expected, float actual, string what) =>
            Assert.True(KernelTestData.BitEquals(expected, actual) || float.IsNaN(expected) && float.IsNaN(actual),
                $"{what}: {actual:R}, expected {expected:R}");
        for (int b = 0; b < batch; b++)
        for (int j = 0; j < units; j++)
        {
            int g0 = b * 4 * units, s = b * units + j;
            float i = Sig(z[g0 + j]), f = Sig(z[g0 + units + j]), g = Tanh(z[g0 + 2 * units + j]), o = Sig(z[g0 + 3 * units + j]);
            float cv = f * cPrev[s] + i * g;
            float t = Tanh(cv);
            string at = $"row {b}, unit {j}";
            Same(i, gates[g0 + j], at + " i");
            Same(f, gates[g0 + units + j], at + " f");
            Same(g, gates[g0 + 2 * units + j], at + " g");
            Same(o, gates[g0 + 3 * units + j], at + " o");
            Same(cv, c[s], at + " c");
            Same(t, tc[s], at + " act(c)");
            Same(o * t, h[s], at + " h");
        }
    }
}
