using System;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// Named graphs and merges: gradients against central differences in double precision (relative error below
/// <see cref="GradientCheck.Tolerance"/>), a graph model against the same model computed by hand, the merge kinds'
/// values, and no allocation per call.
/// </summary>
public sealed class GraphTests
{
    public static TheoryData<string> GraphModels => new()
    {
        nameof(GraphBranchTwice), nameof(GraphInputTwice), nameof(GraphSubtract), nameof(GraphMultiply), nameof(GraphAverage),
        nameof(GraphMaximum), nameof(GraphConcatenate), nameof(GraphFlattenByName), nameof(GraphResidualConv),
    };

    private static IModel<double> Create(string name) => name switch
    {
        nameof(GraphBranchTwice) => new GraphBranchTwice(1),
        nameof(GraphInputTwice) => new GraphInputTwice(1),
        nameof(GraphSubtract) => new GraphSubtract(1),
        nameof(GraphMultiply) => new GraphMultiply(1),
        nameof(GraphAverage) => new GraphAverage(1),
        nameof(GraphMaximum) => new GraphMaximum(1),
        nameof(GraphConcatenate) => new GraphConcatenate(1),
        nameof(GraphFlattenByName) => new GraphFlattenByName(1),
        nameof(GraphResidualConv) => new GraphResidualConv(1),
        nameof(GraphFusedSoftmax) => new GraphFusedSoftmax(1),
        nameof(GraphFusedActivationLayer) => new GraphFusedActivationLayer(1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(GraphModels))]
    public void Backward_matches_central_differences(string model)
    {
        GradientCheck.CheckBackward(Create(model), batch: 3, seed: 7);
    }

    [Theory]
    [InlineData(nameof(GraphFusedSoftmax))]
    [InlineData(nameof(GraphFusedActivationLayer))]
    public void ComputeGradients_matches_central_differences_of_the_loss(string model)
    {
        IModel<double> m = Create(model);
        const int batch = 4;
        double[] x = GradientCheck.Random(batch * m.InputSize, 11, scale: 2);
        var target = new double[batch * m.TargetSize];
        for (int r = 0; r < batch; r++)
        {
            if (m.Loss == Loss.SparseCategoricalCrossEntropy)
                target[r] = r % 3;
            else
                target[r * 3 + (r * 2 + 1) % 3] = 1;
        }
        GradientCheck.CheckLoss(m, x, target);
    }

    /// <summary>
    /// The graph model's Predict, parameter gradients and input gradient equal the same network computed here with
    /// plain loops from the same weights: h = tanh(x·W1 + b1), s = h + x, y = s·W2 + b2, for L = Σ y ⊙ g.
    /// </summary>
    [Fact]
    public void A_graph_model_equals_the_same_model_computed_by_hand()
    {
        var model = new GraphByHand(3);
        (double[] y, double[] grads, double[] dx, double[] handY, double[] handGrads, double[] handDx) = Compare(model, v => v, v => v);
        AssertClose(handY, y, 1e-12);
        AssertClose(handGrads, grads, 1e-12);
        AssertClose(handDx, dx, 1e-12);
    }

    [Fact]
    public void A_float_graph_model_equals_the_same_model_computed_by_hand()
    {
        var model = new GraphByHandFloat(3);
        (double[] y, double[] grads, double[] dx, double[] handY, double[] handGrads, double[] handDx) = Compare(model, v => (float)v, v => v);
        // Float rounding of a few dozen operations on values of order 1.
        AssertClose(handY, y, 1e-5);
        AssertClose(handGrads, grads, 1e-5);
        AssertClose(handDx, dx, 1e-5);
    }

    private static (double[] Y, double[] Grads, double[] Dx, double[] HandY, double[] HandGrads, double[] HandDx) Compare<T>(
        IModel<T> model, Func<double, T> from, Func<T, double> to)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        const int batch = 4, inputs = 3, hidden = 3, outputs = 2;
        Assert.Equal(inputs * hidden + hidden + hidden * outputs + outputs, model.Parameters.Length);
        double[] xs = GradientCheck.Random(batch * inputs, 21, scale: 1.5);
        double[] gs = GradientCheck.Random(batch * outputs, 22);
        double[] p = new double[model.Parameters.Length];
        for (int i = 0; i < p.Length; i++)
            p[i] = to(model.Parameters[i]);
        // Flat layout, layer after layer: h.kernel (3×3), h.bias, dense.kernel (3×2), dense.bias.
        int w1 = 0, b1 = w1 + inputs * hidden, w2 = b1 + hidden, b2 = w2 + hidden * outputs;

        var hY = new double[batch * outputs];
        var hGrads = new double[p.Length];
        var hDx = new double[batch * inputs];
        for (int b = 0; b < batch; b++)
        {
            var h = new double[hidden];
            var s = new double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                double z = p[b1 + j];
                for (int i = 0; i < inputs; i++)
                    z += xs[b * inputs + i] * p[w1 + i * hidden + j];
                h[j] = Math.Tanh(z);
                s[j] = h[j] + xs[b * inputs + j];
            }
            for (int k = 0; k < outputs; k++)
            {
                double v = p[b2 + k];
                for (int j = 0; j < hidden; j++)
                    v += s[j] * p[w2 + j * outputs + k];
                hY[b * outputs + k] = v;
            }
            // Backward for L = Σ y ⊙ g: ds feeds both the Add's operands, so x gets ds directly plus the Dense path.
            var ds = new double[hidden];
            for (int k = 0; k < outputs; k++)
            {
                double g = gs[b * outputs + k];
                hGrads[b2 + k] += g;
                for (int j = 0; j < hidden; j++)
                {
                    hGrads[w2 + j * outputs + k] += s[j] * g;
                    ds[j] += p[w2 + j * outputs + k] * g;
                }
            }
            for (int j = 0; j < hidden; j++)
            {
                double dz = ds[j] * (1 - h[j] * h[j]);
                hGrads[b1 + j] += dz;
                for (int i = 0; i < inputs; i++)
                {
                    hGrads[w1 + i * hidden + j] += xs[b * inputs + i] * dz;
                    hDx[b * inputs + i] += p[w1 + i * hidden + j] * dz;
                }
                hDx[b * inputs + j] += ds[j];
            }
        }

        T[] x = Array.ConvertAll(xs, v => from(v));
        T[] g2 = Array.ConvertAll(gs, v => from(v));
        var predicted = new T[batch * outputs];
        model.Predict(x, predicted);
        var forward = new T[batch * outputs];
        model.Forward(x, forward, training: true);
        Assert.Equal(predicted, forward);
        var dx = new T[batch * inputs];
        model.ZeroGradients();
        model.Backward(g2, dx);
        double[] grads = new double[p.Length];
        for (int i = 0; i < grads.Length; i++)
            grads[i] = to(model.Gradients[i]);
        return (Array.ConvertAll(predicted, v => to(v)), grads, Array.ConvertAll(dx, v => to(v)), hY, hGrads, hDx);
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale,
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:E0} × {scale:G3})");
        }
    }

    [Fact]
    public void Maximum_sends_a_tied_gradient_to_the_first_operand()
    {
        // Maximum(x, x): every element ties, so the whole gradient goes to operand 0 and the input gradient is dy once.
        var model = new GraphMaximumTie(0);
        double[] x = [1, -2, 3];
        var y = new double[3];
        model.Forward(x, y, training: false);
        Assert.Equal(x, y);
        var dx = new double[3];
        model.Backward(new double[] { 0.5, -1, 2 }, dx);
        Assert.Equal(new double[] { 0.5, -1, 2 }, dx);
    }

    /// <summary>Each merge's value on known operands, through Predict of a model whose merges read the model input.</summary>
    [Fact]
    public void Merges_compute_keras_values()
    {
        double[] x = [1, -2, 3, 0.5];
        var merged = new GraphMergeValues(0);
        var y = new double[GraphMergeValues.OutputSize];
        merged.Predict(x, y);
        // Concatenate(x, x·x, x - x·x, avg(x, x·x), max(x, x·x), their sum) on the last axis.
        double[] sq = [1, 4, 9, 0.25];
        double[] expected = [.. x, .. sq, 0, -6, -6, 0.25, 1, 1, 6, 0.375, 1, 4, 9, 0.5, 2, -1, 9, 1.125];
        Assert.Equal(expected, y);
    }

    [Fact]
    public void A_graph_model_allocates_nothing_per_train_step_or_predict()
    {
        var model = new GraphResidualFloat(0);
        const int batch = 8;
        float[] x = Array.ConvertAll(GradientCheck.Random(batch * GraphResidualFloat.InputSize, 3), v => (float)v);
        var labels = new float[batch];
        for (int i = 0; i < batch; i++)
            labels[i] = i % 3;
        var one = new float[GraphResidualFloat.OutputSize];
        var adam = new Adam();

        void Steps()
        {
            model.Predict(x.AsSpan(0, GraphResidualFloat.InputSize), one);
            model.TrainStep(x, labels, adam);
        }

        Steps(); // warm-up: buffers, optimizer slots, JIT
        Steps();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            Steps();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
