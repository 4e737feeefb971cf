using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NeuralDsl.Tests.Reservoir;

[Reservoir(60, SpectralRadius = 0.9, LeakRate = 0.3, Connectivity = 0.2, InputConnectivity = 0.5, Seed = 7)]
[Input(2)]
[Readout(2, Ridge = 1e-2, Warmup = 20)]
public partial class SmallEsn;

[Reservoir(40, SpectralRadius = 1.1, LeakRate = 0.5, Activation = Activation.Sigmoid, Bias = 0)]
[Input(3)]
[Readout(1, Ridge = 1e-3)]
public partial class NoGenerateEsn;

/// <summary>The sample's network: a 500-unit reservoir on the Mackey–Glass series.</summary>
[Reservoir(500, SpectralRadius = 1.25, LeakRate = 0.3, Connectivity = 0.1, InputConnectivity = 0.1, Seed = 42)]
[Input(1)]
[Readout(1, Ridge = 1e-7, Warmup = 100)]
public partial class MackeyGlassTestEsn;

/// <summary>
/// Generated echo state networks: the readout against a direct normal-equation solve in double, determinism per seed,
/// state and weight files resuming a run bit for bit, closed-loop generation, bad input, zero allocations per step,
/// and the Mackey–Glass one-step accuracy of the sample's network.
/// </summary>
public sealed class EchoStateTests
{
    private static float[] Series(int steps, int width, int seed)
    {
        var rng = new Rng((ulong)seed);
        var s = new float[steps * width];
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < width; j++)
                s[t * width + j] = (float)(Math.Sin(0.1 * t * (j + 1)) + 0.1 * rng.NextNormal());
        return s;
    }

    [Fact]
    public void Generated_constants_follow_the_attributes()
    {
        Assert.Equal(60, SmallEsn.Units);
        Assert.Equal(2, SmallEsn.InputSize);
        Assert.Equal(2, SmallEsn.OutputSize);
        Assert.Equal(62, SmallEsn.StateSize);
        Assert.Equal(20, SmallEsn.Warmup);
        var esn = new SmallEsn();
        Assert.Equal((int)Math.Round(0.2 * 60 * 60), esn.ReservoirWeights.NonZeroCount);
        Assert.Equal(60, esn.InputWeights.NonZeroCount);
        Assert.Contains("leak rate 0.3", SmallEsn.Summary);
    }

    [Fact]
    public void Fitted_readout_equals_a_direct_normal_equation_solve_in_double()
    {
        const int steps = 300;
        float[] inputs = Series(steps, 2, 1);
        float[] targets = Series(steps, 2, 2);
        var probe = new SmallEsn(seed: 3);
        var states = new float[steps * SmallEsn.Units];
        probe.RunStates(inputs, states);

        var esn = new SmallEsn(seed: 3);
        esn.Fit(inputs, targets);

        // X = [1, x_t] for t ≥ Warmup; (XᵀX + λI)β = XᵀY by Gauss–Jordan in double.
        int d = SmallEsn.Units + 1;
        var a = new double[d, d + 2];
        for (int t = SmallEsn.Warmup; t < steps; t++)
        {
            double[] row = [1, .. states.AsSpan(t * SmallEsn.Units, SmallEsn.Units).ToArray().Select(v => (double)v)];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++) a[i, j] += row[i] * row[j];
                for (int o = 0; o < 2; o++) a[i, d + o] += row[i] * targets[t * 2 + o];
            }
        }
        for (int i = 0; i < d; i++) a[i, i] += SmallEsn.Ridge;
        for (int c = 0; c < d; c++)
        {
            int p = Enumerable.Range(c, d - c).MaxBy(r => Math.Abs(a[r, c]));
            for (int j = 0; j < d + 2; j++) (a[c, j], a[p, j]) = (a[p, j], a[c, j]);
            for (int r = 0; r < d; r++)
            {
                if (r == c) continue;
                double f = a[r, c] / a[c, c];
                for (int j = c; j < d + 2; j++) a[r, j] -= f * a[c, j];
            }
        }
        double scale = 0;
        for (int i = 0; i < d; i++)
            for (int o = 0; o < 2; o++) scale = Math.Max(scale, Math.Abs(a[i, d + o] / a[i, i]));
        for (int o = 0; o < 2; o++)
        {
            // Float weights against the double solution: the rounding to float (6e-8 relative) plus the two solvers'
            // round-off, far below 1e-6 of the largest coefficient.
            Assert.True(Math.Abs(esn.ReadoutBias[o] - a[0, d + o] / a[0, 0]) <= 1e-6 * scale, $"bias {o}");
            for (int u = 0; u < SmallEsn.Units; u++)
            {
                double expected = a[u + 1, d + o] / a[u + 1, u + 1];
                Assert.True(Math.Abs(esn.ReadoutWeights[o * SmallEsn.Units + u] - expected) <= 1e-6 * scale,
                    $"Wout[{o}, {u}] = {esn.ReadoutWeights[o * SmallEsn.Units + u]:R}, direct solve {expected:R}");
            }
        }
        // Fit leaves the state where the series ended, and the last output is the new readout of it.
        Assert.Equal(states.AsSpan((steps - 1) * SmallEsn.Units, SmallEsn.Units).ToArray(), esn.ReservoirState.ToArray());
    }

    [Fact]
    public void Runs_are_deterministic_per_seed()
    {
        float[] inputs = Series(200, 2, 5);
        float[] targets = Series(200, 2, 6);
        float[] RunWith(int seed)
        {
            var esn = new SmallEsn(seed);
            esn.Fit(inputs, targets);
            esn.ResetState();
            return esn.Run(inputs);
        }
        Assert.Equal(RunWith(11), RunWith(11));
        Assert.NotEqual(RunWith(11), RunWith(12));
        // The attribute's Seed is the constructor's default.
        var byDefault = new SmallEsn();
        var seven = new SmallEsn(7);
        var d1 = new float[60 * 60];
        var d2 = new float[60 * 60];
        byDefault.ReservoirWeights.ToDense(d1);
        seven.ReservoirWeights.ToDense(d2);
        Assert.Equal(d1, d2);
    }

    [Fact]
    public void Saved_weights_and_state_resume_a_run_bit_exactly()
    {
        float[] inputs = Series(260, 2, 8);
        float[] targets = Series(260, 2, 9);
        var esn = new SmallEsn(seed: 21);
        esn.Fit(inputs.AsSpan(0, 400), targets.AsSpan(0, 400));
        esn.Run(inputs.AsSpan(400, 60));
        string path = Path.Combine(Path.GetTempPath(), "esn-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            esn.SaveWeights(path);
            var loaded = new SmallEsn(seed: 99); // other weights until the file replaces them
            loaded.LoadWeights(path);
            Assert.Equal(esn.Run(inputs.AsSpan(460)), loaded.Run(inputs.AsSpan(460)));
            var g1 = new float[40];
            var g2 = new float[40];
            esn.Generate(g1);
            loaded.Generate(g2);
            Assert.Equal(g1, g2);

            // A file of another shape is rejected whole and the model is unchanged.
            var other = new NoGenerateEsn();
            float[] before = other.Run(Series(5, 3, 1));
            other.ResetState();
            Assert.Throws<InvalidDataException>(() => other.LoadWeights(path));
            Assert.Equal(before, other.Run(Series(5, 3, 1)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Get_and_set_state_resume_a_run_bit_exactly()
    {
        float[] inputs = Series(120, 2, 4);
        var esn = new SmallEsn();
        esn.Fit(inputs, Series(120, 2, 3));
        esn.Run(inputs.AsSpan(0, 100));
        var state = new float[SmallEsn.StateSize];
        esn.GetState(state);
        float[] first = esn.Run(inputs.AsSpan(100));
        esn.SetState(state);
        Assert.Equal(first, esn.Run(inputs.AsSpan(100)));
        esn.ResetState();
        Assert.All(esn.ReservoirState.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(esn.LastOutput.ToArray(), v => Assert.Equal(0f, v));
        state[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => esn.SetState(state));
    }

    [Fact]
    public void Generate_feeds_each_output_back_as_the_next_input()
    {
        var esn = new SmallEsn();
        esn.Fit(Series(100, 2, 1), Series(100, 2, 2));
        var state = new float[SmallEsn.StateSize];
        esn.GetState(state);
        var generated = new float[10];
        esn.Generate(generated);

        // The same loop by hand: Predict on the last output.
        esn.SetState(state);
        var u = esn.LastOutput.ToArray();
        var y = new float[2];
        for (int t = 0; t < 5; t++)
        {
            esn.Predict(u, y);
            Assert.Equal(generated.AsSpan(t * 2, 2).ToArray(), y);
            u = (float[])y.Clone();
        }
        // Generate exists only when the outputs can be inputs.
        Assert.Null(typeof(NoGenerateEsn).GetMethod("Generate"));
        Assert.NotNull(typeof(SmallEsn).GetMethod("Generate"));
    }

    [Fact]
    public void Bad_input_throws_naming_expected_and_actual()
    {
        var esn = new SmallEsn();
        var e = Assert.Throws<ArgumentException>(() => esn.Predict(new float[3], new float[2]));
        Assert.Contains("3 values, expected 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => esn.Run(new float[7]));
        Assert.Contains("7 values", e.Message);
        Assert.Contains("2 values each", e.Message);
        e = Assert.Throws<ArgumentException>(() => esn.Fit(new float[40], new float[40]));
        Assert.Contains("20 steps", e.Message);
        Assert.Contains("Warmup", e.Message);
        Assert.Contains("at least 21", e.Message);
        e = Assert.Throws<ArgumentException>(() => esn.Fit(new float[60], new float[58]));
        Assert.Contains("58 values, expected 60", e.Message);
        Assert.Throws<ArgumentException>(() => esn.GetState(new float[61]));
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var esn = new MackeyGlassTestEsn();
        var input = new float[1];
        var output = new float[1];
        var outputs = new float[50];
        var states = new float[50 * MackeyGlassTestEsn.Units];
        esn.Predict(input, output);
        esn.Run(outputs, outputs.AsSpan().ToArray());
        esn.Generate(outputs);
        esn.RunStates(outputs, states);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 1000; t++)
        {
            input[0] = t * 0.001f;
            esn.Predict(input, output);
        }
        esn.Generate(outputs);
        esn.RunStates(outputs, states);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void RunStates_updates_the_state_as_Run_does_and_ends_with_the_same_output()
    {
        // RunStates skips the readout per step and runs it once at the end: the states, the final state and the last
        // output must equal Run's bit for bit (a fitted readout, so the output is not trivially zero).
        const int steps = 120;
        float[] inputs = Series(steps, 2, 11);
        float[] targets = Series(steps, 2, 12);
        var viaRun = new SmallEsn(seed: 4);
        var viaStates = new SmallEsn(seed: 4);
        viaRun.Fit(inputs, targets);
        viaStates.Fit(inputs, targets);
        var outputs = new float[steps * SmallEsn.OutputSize];
        var states = new float[steps * SmallEsn.Units];
        float[] rest = Series(steps, 2, 13);
        viaRun.Run(rest, outputs);
        viaStates.RunStates(rest, states);
        Assert.Equal(viaRun.ReservoirState.ToArray(), viaStates.ReservoirState.ToArray());
        Assert.Equal(viaRun.LastOutput.ToArray(), viaStates.LastOutput.ToArray());
        Assert.Equal(outputs.AsSpan((steps - 1) * SmallEsn.OutputSize).ToArray(), viaStates.LastOutput.ToArray());
        Assert.NotEqual(0f, viaStates.LastOutput[0]);
        Assert.Equal(viaRun.ReservoirState.ToArray(), states.AsSpan((steps - 1) * SmallEsn.Units).ToArray());

        // An empty series changes nothing, not even the last output (a state set by hand keeps its y).
        var state = new float[SmallEsn.StateSize];
        viaStates.GetState(state);
        state[SmallEsn.Units] = 123f;
        viaStates.SetState(state);
        viaStates.RunStates(ReadOnlySpan<float>.Empty, Span<float>.Empty);
        Assert.Equal(123f, viaStates.LastOutput[0]);
    }

    [Fact]
    public void Mackey_Glass_one_step_NRMSE_of_the_sample_network_is_at_most_one_percent()
    {
        // About 2 s on a quiet machine (the 500-unit eigen-solve, 3,000 steps and the fit); no time is asserted.
        double[] series = MackeyGlass.Generate(3300);
        float[] x = series.Select(v => (float)v).ToArray();
        // Train on steps 0..1999 (targets one step ahead), test one step ahead on the next 1,000 (the state carries on).
        const int train = 2000, test = 1000;
        var esn = new MackeyGlassTestEsn();
        esn.Fit(x.AsSpan(0, train), x.AsSpan(1, train));
        float[] predicted = esn.Run(x.AsSpan(train, test));
        double[] truth = series.Skip(train + 1).Take(test).ToArray();
        double mean = truth.Average();
        double std = Math.Sqrt(truth.Sum(v => (v - mean) * (v - mean)) / test);
        double rmse = Math.Sqrt(truth.Select((v, i) => (v - predicted[i]) * (v - predicted[i])).Sum() / test);
        double nrmse = rmse / std;
        Assert.True(nrmse <= 0.01, $"one-step NRMSE {nrmse:G4} (RMSE {rmse:G4}, std {std:G4})");
    }
}
