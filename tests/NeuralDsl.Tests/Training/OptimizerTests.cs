using System;
using Xunit;

namespace NeuralDsl.Tests.Training;

public class OptimizerTests
{
    // 19 elements: several vector blocks (4 or 8 doubles wide) plus a scalar tail.
    private const int Length = 19;

    private static (double[] Param, double[][] Grads) Inputs(ulong seed)
    {
        var rng = new Rng(seed);
        var param = new double[Length];
        for (int i = 0; i < Length; i++) param[i] = rng.NextNormal();
        var grads = new double[3][];
        for (int s = 0; s < 3; s++)
        {
            grads[s] = new double[Length];
            for (int i = 0; i < Length; i++) grads[s][i] = rng.NextNormal();
            // Tiny gradients, where Keras' epsilon-hat and PyTorch's eps placement differ.
            grads[s][3] = 1e-6;
            grads[s][11] = 3e-8;
            grads[s][17] = 0;
        }
        return (param, grads);
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-14 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void Sgd_follows_the_keras_update_for_three_steps(double momentum, bool nesterov)
    {
        (double[] param, double[][] grads) = Inputs(1);
        var optimizer = new Sgd(momentum: momentum, nesterov: nesterov);
        double lr = 0.01;
        var p = (double[])param.Clone();
        var m = new double[Length];
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step<double>(param, grads[step]);
            for (int i = 0; i < Length; i++)
            {
                double g = grads[step][i];
                if (momentum == 0)
                {
                    p[i] -= lr * g;
                }
                else
                {
                    m[i] = momentum * m[i] - lr * g;
                    p[i] += nesterov ? momentum * m[i] - lr * g : m[i];
                }
            }
            AssertClose(p, param, $"param after step {step + 1}");
            if (momentum != 0)
                AssertClose(m, optimizer.GetSlot<double>("momentum"), $"momentum after step {step + 1}");
            Assert.Equal(step + 1, optimizer.Iterations);
        }
        Assert.Equal(momentum != 0 ? ["momentum"] : Array.Empty<string>(), optimizer.SlotNames);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adam_and_AdamW_follow_the_keras_update_for_three_steps(bool decoupledDecay)
    {
        (double[] param, double[][] grads) = Inputs(2);
        Optimizer optimizer = decoupledDecay ? new AdamW() : new Adam();
        const double lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7, wd = 0.004;
        var p = (double[])param.Clone();
        var m = new double[Length];
        var v = new double[Length];
        for (int step = 1; step <= 3; step++)
        {
            optimizer.Step<double>(param, grads[step - 1]);
            for (int i = 0; i < Length; i++)
            {
                double g = grads[step - 1][i];
                if (decoupledDecay)
                    p[i] -= p[i] * wd * lr;
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                // README form: lr √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√v + ε).
                p[i] -= lr * Math.Sqrt(1 - Math.Pow(b2, step)) / (1 - Math.Pow(b1, step)) * m[i] / (Math.Sqrt(v[i]) + eps);
            }
            AssertClose(p, param, $"param after step {step}");
            AssertClose(m, optimizer.GetSlot<double>("momentum"), $"momentum after step {step}");
            AssertClose(v, optimizer.GetSlot<double>("velocity"), $"velocity after step {step}");
        }
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_about_the_learning_rate_and_uses_epsilon_hat()
    {
        // Step 1: m = 0.1 g, v = 0.001 g², α = lr √0.001 / 0.1, so Δ = lr |g| √0.001 / (√0.001 |g| + ε) ≈ lr·sign(g).
        double[] p = [1, 1, 1];
        double[] g = [2, -0.5, 3e-8];
        new Adam(learningRate: 0.1).Step<double>(p, g);
        Assert.Equal(0.9, p[0], 5);
        Assert.Equal(1.1, p[1], 5);
        // For g = 3e-8, √v = 9.5e-10 is far below ε = 1e-7: Keras (ε on raw √v) moves it by
        // 0.1·(√0.001/0.1)·3e-9 / (9.49e-10 + 1e-7) ≈ 9.4e-4; PyTorch's form (ε on √v̂ = 3e-8) would move it 0.023.
        double keras = 0.1 * Math.Sqrt(0.001) / 0.1 * 3e-9 / (Math.Sqrt(0.001) * 3e-8 + 1e-7);
        Assert.Equal(1 - keras, p[2], 15);
        Assert.True(keras < 1e-3);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void RmsProp_follows_the_keras_update_for_three_steps(double momentum)
    {
        (double[] param, double[][] grads) = Inputs(3);
        var optimizer = new RmsProp(momentum: momentum);
        const double lr = 0.001, rho = 0.9, eps = 1e-7;
        var p = (double[])param.Clone();
        var v = new double[Length];
        var mo = new double[Length];
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step<double>(param, grads[step]);
            for (int i = 0; i < Length; i++)
            {
                double g = grads[step][i];
                v[i] = rho * v[i] + (1 - rho) * g * g;
                double increment = lr * g / Math.Sqrt(v[i] + eps);   // ε inside the root
                if (momentum == 0)
                {
                    p[i] -= increment;
                }
                else
                {
                    mo[i] = momentum * mo[i] + increment;
                    p[i] -= mo[i];
                }
            }
            AssertClose(p, param, $"param after step {step + 1}");
            AssertClose(v, optimizer.GetSlot<double>("velocity"), $"velocity after step {step + 1}");
            if (momentum != 0)
                AssertClose(mo, optimizer.GetSlot<double>("momentum"), $"momentum after step {step + 1}");
        }
    }

    [Fact]
    public void Hand_computed_sgd_momentum_steps()
    {
        // lr 0.1, μ 0.5, p 1, g 1 then 2: m = −0.1, p = 0.9; m = −0.05 − 0.2 = −0.25, p = 0.65.
        double[] p = [1];
        var sgd = new Sgd(0.1, 0.5);
        sgd.Step<double>(p, [1.0]);
        Assert.Equal(0.9, p[0], 15);
        sgd.Step<double>(p, [2.0]);
        Assert.Equal(0.65, p[0], 15);

        // Nesterov: m = −0.1, p += 0.5·(−0.1) − 0.1 = −0.15.
        double[] q = [1];
        new Sgd(0.1, 0.5, nesterov: true).Step<double>(q, [1.0]);
        Assert.Equal(0.85, q[0], 15);

        // RMSprop: v = 0.1·4 = 0.4, p −= 0.01·2 / √(0.4 + 1e-7).
        double[] r = [1];
        new RmsProp(0.01).Step<double>(r, [2.0]);
        Assert.Equal(1 - 0.02 / Math.Sqrt(0.4 + 1e-7), r[0], 15);

        // AdamW decays first: p = 2 − 2·0.004·0.001 before Adam's ≈ lr·sign(g) step.
        double[] w = [2];
        new AdamW().Step<double>(w, [1.0]);
        double decayed = 2 - 2 * 0.004 * 0.001;
        double adamStep = 0.001 * Math.Sqrt(0.001) / 0.1 * 0.1 / (Math.Sqrt(0.001) + 1e-7);
        Assert.Equal(decayed - adamStep, w[0], 15);
    }

    public static TheoryData<string> AllOptimizers => new() { "sgd", "sgd-momentum", "sgd-nesterov", "adam", "adamw", "rmsprop", "rmsprop-momentum" };

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(),
        "sgd-momentum" => new Sgd(momentum: 0.9),
        "sgd-nesterov" => new Sgd(momentum: 0.9, nesterov: true),
        "adam" => new Adam(),
        "adamw" => new AdamW(),
        "rmsprop" => new RmsProp(),
        "rmsprop-momentum" => new RmsProp(momentum: 0.9),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void Float_steps_agree_with_double(string name)
    {
        (double[] param, double[][] grads) = Inputs(4);
        float[] pf = Array.ConvertAll(param, v => (float)v);
        double[] pd = Array.ConvertAll(pf, v => (double)v);
        Optimizer of = Create(name), od = Create(name);
        for (int s = 0; s < 3; s++)
        {
            float[] gf = Array.ConvertAll(grads[s], v => (float)v);
            of.Step<float>(pf, gf);
            od.Step<double>(pd, Array.ConvertAll(gf, v => (double)v));
        }
        for (int i = 0; i < Length; i++)
            Assert.True(Math.Abs(pd[i] - pf[i]) <= 1e-6 * Math.Max(1, Math.Abs(pd[i])), $"{name}[{i}]: {pd[i]} vs {pf[i]}");
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void Vector_body_and_scalar_tail_update_identically(string name)
    {
        // The same (p, g) at every position, over a length with a tail: every element must end bit-identical.
        const int n = 37;
        var p = new double[n];
        var g = new double[n];
        Array.Fill(p, 0.731);
        Optimizer optimizer = Create(name);
        for (int s = 0; s < 3; s++)
        {
            Array.Fill(g, 0.25 - 0.4 * s);
            optimizer.Step<double>(p, g);
        }
        Assert.All(p, v => Assert.Equal(p[0], v));
        Assert.NotEqual(0.731, p[0]);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void Steps_do_not_allocate_after_the_first(string name)
    {
        Optimizer optimizer = Create(name);
        var p = new float[1000];
        var g = new float[1000];
        g.AsSpan().Fill(0.5f);
        optimizer.Step<float>(p, g);
        optimizer.Step<float>(p, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            optimizer.Step<float>(p, g);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(12, optimizer.Iterations);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void A_step_with_a_non_finite_gradient_changes_nothing(string name)
    {
        Optimizer optimizer = Create(name);
        var p = new float[100];
        var g = new float[100];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = 0.01f * i;
            g[i] = 0.5f - 0.01f * i;
        }
        Assert.True(optimizer.Step<float>(p, g));
        float[] parameters = (float[])p.Clone();
        float[][] slots = Array.ConvertAll(optimizer.SlotNames, slot => optimizer.GetSlot<float>(slot).ToArray());

        // Early, in the vectorized body and in the scalar tail: each is found.
        foreach ((int index, float bad) in new[] { (0, float.NaN), (37, float.PositiveInfinity), (99, float.NegativeInfinity) })
        {
            float[] badGradient = (float[])g.Clone();
            badGradient[index] = bad;
            Assert.False(optimizer.Step<float>(p, badGradient));
        }

        Assert.Equal(parameters, p);
        for (int s = 0; s < slots.Length; s++)
            Assert.Equal(slots[s], optimizer.GetSlot<float>(optimizer.SlotNames[s]).ToArray());
        Assert.Equal(1, optimizer.Iterations);
        Assert.Equal(3, optimizer.SkippedSteps);
        // Huge but finite gradients are finite: the guard must not skip them.
        g.AsSpan().Fill(float.MaxValue);
        Assert.True(optimizer.Step<float>(p, g));
    }

    [Fact]
    public void The_finiteness_pass_finds_every_position_at_every_length()
    {
        for (int length = 0; length <= 70; length++)
        {
            var values = new double[length];
            values.AsSpan().Fill(double.MaxValue);
            Assert.True(UpdateDriver.AllFinite<double>(values));
            for (int i = 0; i < length; i++)
            {
                values[i] = i % 2 == 0 ? double.NaN : double.NegativeInfinity;
                Assert.False(UpdateDriver.AllFinite<double>(values), $"length {length}, index {i}");
                values[i] = -double.MaxValue;
            }
        }
    }

    [Fact]
    public void A_learning_rate_that_overflows_the_element_type_is_rejected_before_any_change()
    {
        var sgd = new Sgd(learningRate: 1e300);
        float[] p = [1, 2, 3];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.Step<float>(p, [1, 1, 1]));
        Assert.Equal("LearningRate", ex.ParamName);
        Assert.Equal([1f, 2f, 3f], p);
        // The same rate is finite in double, and the rejected float call bound no state to float.
        Assert.True(sgd.Step<double>(new double[3], [1, 1, 1]));
    }

    [Fact]
    public void State_is_bound_to_one_length_and_element_type()
    {
        var adam = new Adam();
        Assert.True(adam.GetSlot<double>("velocity").IsEmpty);
        adam.Step<double>(new double[4], new double[4]);

        var ex = Assert.Throws<ArgumentException>(() => adam.Step<double>(new double[5], new double[5]));
        Assert.Contains("5", ex.Message);
        Assert.Contains("4", ex.Message);
        Assert.Throws<ArgumentException>(() => adam.Step<float>(new float[4], new float[4]));

        ex = Assert.Throws<ArgumentException>(() => new Sgd().Step<double>(new double[3], new double[2]));
        Assert.Contains("3", ex.Message);
        Assert.Contains("2", ex.Message);
        Assert.Throws<NotSupportedException>(() => new Sgd().Step<Half>(new Half[1], new Half[1]));
        Assert.Throws<ArgumentException>(() => adam.GetSlot<double>("rms"));
    }

    [Fact]
    public void Defaults_and_arguments_are_keras()
    {
        Assert.Equal(0.01, new Sgd().LearningRate);
        var adam = new Adam();
        Assert.Equal((0.001, 0.9, 0.999, 1e-7), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        var adamW = new AdamW();
        Assert.Equal((0.001, 0.004), (adamW.LearningRate, adamW.WeightDecay));
        var rms = new RmsProp();
        Assert.Equal((0.001, 0.9, 0.0, 1e-7), (rms.LearningRate, rms.Rho, rms.Momentum, rms.Epsilon));

        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(learningRate: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { LearningRate = double.NaN });
    }

    [Fact]
    public void Learning_rate_changes_take_effect_on_the_next_step()
    {
        double[] p = [1];
        var sgd = new Sgd(0.1);
        sgd.Step<double>(p, [1.0]);
        sgd.LearningRate = 0.5;
        sgd.Step<double>(p, [1.0]);
        Assert.Equal(0.4, p[0], 15);
    }
}
