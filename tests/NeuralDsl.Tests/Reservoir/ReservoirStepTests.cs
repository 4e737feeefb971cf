using System;
using Xunit;

namespace NeuralDsl.Tests.Reservoir;

/// <summary>
/// The fused reservoir step (<see cref="ReservoirStep"/>: 16-bit columns, Win and bias folded into W's slices, tanh in
/// registers, the slices shared with the GEMM worker) against the separate products it replaces, bit for bit, and
/// against a dense product in double. It changes <see cref="Gemm.MaxThreads"/>, so it runs alone.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ReservoirStepTests
{
    /// <summary>A random sparse matrix with its first row and last column empty, and a full row in the middle.</summary>
    private static float[] Sparse(int rows, int columns, double density, ref Rng rng)
    {
        var a = new float[rows * columns];
        for (int r = 1; r < rows; r++)
        {
            for (int c = 0; c < columns - 1; c++)
                a[r * columns + c] = rng.NextDouble() < density || r == rows / 2 ? (float)(rng.NextNormal() * 0.3) : 0;
        }
        return a;
    }

    /// <summary>W [units × units] and Win [units × (inputs + 1)], both with an empty first row and last column; a bias half zeros.</summary>
    private static (ReservoirMatrix W, ReservoirMatrix Win, float[] Bias, float[] Inputs) Build(int units, int inputs, int steps, ulong seed)
    {
        var rng = new Rng(seed);
        ReservoirMatrix w = ReservoirMatrix.FromDense(Sparse(units, units, 0.1, ref rng), units, units);
        ReservoirMatrix win = ReservoirMatrix.FromDense(Sparse(units, inputs + 1, 0.3, ref rng), units, inputs + 1);
        var bias = new float[units];
        for (int i = 0; i < units; i++)
            bias[i] = rng.NextDouble() < 0.5 ? (float)rng.NextNormal() : 0;
        var u = new float[steps * (inputs + 1)];
        for (int i = 0; i < u.Length; i++)
            u[i] = (float)rng.NextNormal();
        return (w, win, bias, u);
    }

    private static float[] Run(ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u, int steps, float leak, Activation activation, bool fused, int threads)
    {
        bool savedFused = NeuralDsl.Reservoir.Fused;
        int savedThreads = Gemm.MaxThreads;
        try
        {
            NeuralDsl.Reservoir.Fused = fused;
            Gemm.MaxThreads = threads;
            int inputs = win.Columns;
            var x = new float[w.Rows];
            var scratch = new float[w.Rows];
            var trace = new float[steps * w.Rows];
            for (int t = 0; t < steps; t++)
            {
                NeuralDsl.Reservoir.Update(w, win, bias, u.AsSpan(t * inputs, inputs), x, scratch, leak, activation);
                x.CopyTo(trace, t * w.Rows);
            }
            return trace;
        }
        finally
        {
            NeuralDsl.Reservoir.Fused = savedFused;
            Gemm.MaxThreads = savedThreads;
        }
    }

    [Theory]
    [InlineData(1, 1, 0.3f, Activation.Tanh)]
    [InlineData(13, 2, 0.3f, Activation.Tanh)]
    [InlineData(64, 1, 1f, Activation.Tanh)]
    [InlineData(37, 2, 1f, Activation.Tanh)]     // a ragged last slice of 5 rows, no leak: tanh's values stored as they are
    [InlineData(203, 3, 0.5f, Activation.ReLU)]
    [InlineData(203, 1, 0.3f, Activation.Linear)]
    [InlineData(500, 1, 0.3f, Activation.Tanh)]  // the benchmark's size: 25,000 lanes, shared with the worker
    [InlineData(601, 2, 0.7f, Activation.Sigmoid)]
    public void The_fused_step_equals_the_separate_products_bit_for_bit(int units, int inputs, float leak, Activation activation)
    {
        const int steps = 30;
        (ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u) = Build(units, inputs, steps, (ulong)(units * 31 + inputs));
        Assert.NotNull(w.StepWith(win));
        float[] expected = Run(w, win, bias, u, steps, leak, activation, fused: false, threads: 1);
        foreach (int threads in new[] { 1, 2 })
        {
            float[] actual = Run(w, win, bias, u, steps, leak, activation, fused: true, threads);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                    Assert.Fail($"{threads} thread(s), step {i / units}, unit {i % units}: fused {actual[i]:R}, separate {expected[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(9, 1)]
    [InlineData(203, 3)]
    [InlineData(500, 1)]
    public void One_fused_step_equals_a_dense_product_in_double(int units, int inputs)
    {
        (ReservoirMatrix w, ReservoirMatrix win, float[] bias, float[] u) = Build(units, inputs, 2, (ulong)(units + 7 * inputs));
        int columns = win.Columns;
        var wd = new float[units * units];
        var wind = new float[units * columns];
        w.ToDense(wd);
        win.ToDense(wind);
        // One step from zero, then a second from the state it left, in double with tanh and the leak 0.3.
        var x = new float[units];
        var scratch = new float[units];
        var xd = new double[units];
        for (int t = 0; t < 2; t++)
        {
            NeuralDsl.Reservoir.Update(w, win, bias, u.AsSpan(t * columns, columns), x, scratch, 0.3f, Activation.Tanh);
            var next = new double[units];
            for (int r = 0; r < units; r++)
            {
                double pre = bias[r];
                for (int c = 0; c < columns; c++)
                    pre += (double)wind[r * columns + c] * u[t * columns + c];
                for (int c = 0; c < units; c++)
                    pre += (double)wd[r * units + c] * xd[c];
                next[r] = 0.7 * xd[r] + 0.3 * Math.Tanh(pre);
            }
            next.CopyTo(xd, 0);
            for (int r = 0; r < units; r++)
                Assert.True(Math.Abs(x[r] - xd[r]) <= 1e-5 * (1 + Math.Abs(xd[r])), $"step {t}, unit {r}: {x[r]:R} vs {xd[r]:R}");
        }
    }
}
