using System;
using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Tests.Models;
using Xunit;

namespace NeuralDsl.Tests.Training;

public class SampleWeightTests
{
    private static (double[] X, double[] Y) Regression(int samples, ulong seed = 1)
    {
        var rng = new Rng(seed);
        var x = new double[samples * 2];
        var y = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            x[2 * s] = rng.NextNormal();
            x[2 * s + 1] = rng.NextNormal();
            y[s] = 3 * x[2 * s] - 2 * x[2 * s + 1] + 0.5 + 0.1 * rng.NextNormal();
        }
        return (x, y);
    }

    /// <summary>Labels 0..classes−1 from the sign pattern of the inputs (one value per sample).</summary>
    private static (double[] X, double[] Labels) Classes(int samples, int classes, ulong seed = 2)
    {
        var rng = new Rng(seed);
        var x = new double[samples * 2];
        var labels = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            x[2 * s] = rng.NextNormal();
            x[2 * s + 1] = rng.NextNormal();
            labels[s] = (x[2 * s] > 0 ? 1 : 0) + (classes > 2 && x[2 * s + 1] > 0.5 ? 1 : 0);
        }
        return (x, labels);
    }

    [Fact]
    public void Evaluate_weights_the_loss_by_batch_size_and_the_metrics_by_total_weight()
    {
        (double[] x, double[] y) = Regression(7);
        double[] w = [1, 0, 2, 0.5, 3, 1, 0.25];
        var model = new LinearTestModel(2, 1, seed: 3);
        var p = new double[7];
        model.Predict(x, p);
        // Keras' sum_over_batch_size: Σ wᵢ·lossᵢ / n; a weighted metric: Σ wᵢ·mᵢ / Σ wᵢ.
        double loss = 0, mae = 0;
        for (int i = 0; i < 7; i++)
        {
            loss += w[i] * (p[i] - y[i]) * (p[i] - y[i]);
            mae += w[i] * Math.Abs(p[i] - y[i]);
        }
        Evaluation weighted = model.Evaluate(x, y, batchSize: 3, metrics: [Metric.MeanAbsoluteError], sampleWeight: w);
        Assert.Equal(loss / 7, weighted.Loss, 13);
        Assert.Equal(mae / w.Sum(), weighted["mae"], 13);

        Evaluation ones = model.Evaluate(x, y, batchSize: 3, metrics: [Metric.MeanAbsoluteError], sampleWeight: Enumerable.Repeat(1.0, 7).ToArray());
        Evaluation plain = model.Evaluate(x, y, batchSize: 3, metrics: [Metric.MeanAbsoluteError]);
        Assert.Equal(plain.Loss, ones.Loss, 14);
        Assert.Equal(plain["mae"], ones["mae"], 14);
    }

    [Fact]
    public void A_weighted_step_moves_the_weights_by_the_weighted_sum_of_sample_gradients_over_the_batch_size()
    {
        (double[] x, double[] y) = Regression(6);
        double[] w = [1, 0, 2, 0.5, 3, 1];
        var model = new LinearTestModel(2, 1, seed: 3);
        double[] start = model.Parameters.ToArray();
        History history = model.Fit(x, y, epochs: 1, batchSize: 6, optimizer: new Sgd(0.1), shuffle: false, verbose: false, sampleWeight: w);

        var probe = new LinearTestModel(2, 1, seed: 3);
        var expected = (double[])start.Clone();
        double loss = 0;
        for (int i = 0; i < 6; i++)
        {
            loss += w[i] * probe.ComputeGradients(x.AsSpan(2 * i, 2), y.AsSpan(i, 1));
            for (int k = 0; k < expected.Length; k++)
                expected[k] -= 0.1 * w[i] * probe.Gradients[k] / 6;
        }
        double[] actual = model.Parameters.ToArray();
        for (int k = 0; k < expected.Length; k++)
            Assert.Equal(expected[k], actual[k], 13);
        Assert.Equal(loss / 6, history["loss"][0], 13);
    }

    public static TheoryData<string> GeneratedLosses => ["bce", "cce", "sparse", "mse"];

    private static IModel<double> Generated(string name) => name switch
    {
        "bce" => new LossBce(seed: 4),
        "cce" => new LossCce(seed: 4),
        "sparse" => new LossSparse(seed: 4),
        _ => new LossMse(seed: 4),
    };

    [Theory]
    [MemberData(nameof(GeneratedLosses))]
    public void On_generated_models_the_weighted_gradient_is_the_weighted_sum_of_the_fused_sample_gradients(string loss)
    {
        // The weighted step differentiates through the final activation; the fused ComputeGradients of one sample
        // at a time is the reference (no output is near the cross-entropy clip here).
        const int n = 6;
        IModel<double> model = Generated(loss), probe = Generated(loss);
        var rng = new Rng(8);
        var x = new double[n * model.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        var y = new double[n * model.TargetSize];
        for (int s = 0; s < n; s++)
        {
            for (int j = 0; j < model.TargetSize; j++)
            {
                y[s * model.TargetSize + j] = loss switch
                {
                    "bce" => rng.NextDouble() < 0.5 ? 1 : 0,
                    "cce" => j == s % model.TargetSize ? 1 : 0,
                    "sparse" => s % model.OutputLastAxis,
                    _ => rng.NextNormal(),
                };
            }
        }
        double[] w = [1, 0, 2, 0.5, 3, 1];

        double loss1 = SampleWeights.ComputeGradients(model, x, y, w, new double[n * model.OutputSize], new double[n * model.OutputSize], new double[n * model.InputSize]);
        var expected = new double[model.Gradients.Length];
        double expectedLoss = 0;
        for (int s = 0; s < n; s++)
        {
            expectedLoss += w[s] * probe.ComputeGradients(x.AsSpan(s * model.InputSize, model.InputSize), y.AsSpan(s * model.TargetSize, model.TargetSize));
            for (int k = 0; k < expected.Length; k++)
                expected[k] += w[s] * probe.Gradients[k] / n;
        }
        Assert.Equal(expectedLoss / n, loss1, 12);
        double[] actual = model.Gradients.ToArray();
        for (int k = 0; k < expected.Length; k++)
            Assert.Equal(expected[k], actual[k], 12);
    }

    [Fact]
    public void Class_weights_are_sample_weights_by_target_class()
    {
        (double[] x, double[] labels) = Classes(40, 2);
        var classWeight = new Dictionary<int, double> { [1] = 3 };
        double[] bySample = labels.Select(l => l == 1 ? 3.0 : 1.0).ToArray();
        var a = new LinearTestModel(2, 1, Loss.BinaryCrossEntropy, seed: 1);
        var b = new LinearTestModel(2, 1, Loss.BinaryCrossEntropy, seed: 1);
        History ha = a.Fit(x, labels, epochs: 3, batchSize: 8, optimizer: new Adam(0.05), metrics: [Metric.Accuracy], validationSplit: 0.25, verbose: false, classWeight: classWeight);
        History hb = b.Fit(x, labels, epochs: 3, batchSize: 8, optimizer: new Adam(0.05), metrics: [Metric.Accuracy], validationSplit: 0.25, verbose: false, sampleWeight: bySample);
        Assert.Equal(b.Parameters.ToArray(), a.Parameters.ToArray());
        Assert.Equal(hb["val_loss"], ha["val_loss"]);
        // validationSplit splits the weights with the data: val_loss is the weighted loss of the tail.
        Assert.Equal(b.Evaluate(x.AsSpan(60), labels.AsSpan(30), sampleWeight: bySample.AsSpan(30)).Loss, hb["val_loss"][2], 14);
        // Unweighted training takes another path.
        var c = new LinearTestModel(2, 1, Loss.BinaryCrossEntropy, seed: 1);
        c.Fit(x, labels, epochs: 3, batchSize: 8, optimizer: new Adam(0.05), validationSplit: 0.25, verbose: false);
        Assert.NotEqual(c.Parameters.ToArray(), a.Parameters.ToArray());

        // Sparse class indices (three classes), and Evaluate.
        (double[] x3, double[] l3) = Classes(30, 3);
        var sparseWeights = new Dictionary<int, double> { [0] = 2, [2] = 0.5 };
        var model = new LinearTestModel(2, 3, Loss.SparseCategoricalCrossEntropy, seed: 5);
        double[] perSample = l3.Select(l => l == 0 ? 2 : l == 2 ? 0.5 : 1.0).ToArray();
        Assert.Equal(model.Evaluate(x3, l3, sampleWeight: perSample).Loss, model.Evaluate(x3, l3, classWeight: sparseWeights).Loss);
    }

    [Fact]
    public void Weights_are_checked_up_front_naming_the_argument()
    {
        (double[] x, double[] y) = Regression(5);
        var model = new LinearTestModel(2, 1);
        double[] before = model.Parameters.ToArray();
        var length = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: false, sampleWeight: [1, 1, 1]));
        Assert.Equal("sampleWeight", length.ParamName);
        Assert.Contains("3 weights", length.Message);
        var nan = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: false, sampleWeight: [1, 1, 1, double.NaN, 1]));
        Assert.Contains("sampleWeight[3] is NaN", nan.Message);
        Assert.Throws<ArgumentException>(() => model.Evaluate(x, y, sampleWeight: [1, -1, 1, 1, 1]));
        var negative = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: false, classWeight: new Dictionary<int, double> { [0] = -2 }));
        Assert.Equal("classWeight", negative.ParamName);
        Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: false, sampleWeight: [1, 1, 1, 1, 1], classWeight: new Dictionary<int, double> { [0] = 1 }));
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void Weighted_batches_allocate_nothing_in_the_training_loop()
    {
        (double[] x, double[] y) = Regression(400);
        double[] w = Enumerable.Range(0, 400).Select(i => 0.5 + i % 3).ToArray();
        long Allocated(int epochs)
        {
            var model = new LinearTestModel(2, 1);
            var optimizer = new Sgd(0.001, 0.9);
            model.Fit(x, y, epochs: 1, batchSize: 1, optimizer: optimizer, verbose: false, sampleWeight: w);
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Fit(x, y, epochs: epochs, batchSize: 1, optimizer: optimizer, metrics: [Metric.MeanAbsoluteError, Metric.Auc], validationSplit: 0.1,
                verbose: false, sampleWeight: w);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(1);
        long perEpoch = (Allocated(5) - Allocated(1)) / 4;
        Assert.True(perEpoch < 2048, $"{perEpoch} bytes per epoch");
    }
}
