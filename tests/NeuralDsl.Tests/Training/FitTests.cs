using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace NeuralDsl.Tests.Training;

public class FitTests
{
    /// <summary>y = 3·x₀ − 2·x₁ + 0.5 plus a little noise; column 0 also serves as a sample id in order tests.</summary>
    private static (double[] X, double[] Y) Regression(int samples, ulong seed = 1, double noise = 0.01)
    {
        var rng = new Rng(seed);
        var x = new double[samples * 2];
        var y = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            x[2 * s] = rng.NextNormal();
            x[2 * s + 1] = rng.NextNormal();
            y[s] = 3 * x[2 * s] - 2 * x[2 * s + 1] + 0.5 + noise * rng.NextNormal();
        }
        return (x, y);
    }

    /// <summary>Rows whose first input is the sample index, so recorded ids name the rows seen.</summary>
    private static (double[] X, double[] Y) Indexed(int samples)
    {
        var x = new double[samples * 2];
        var y = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            x[2 * s] = s;
            x[2 * s + 1] = 1;
            y[s] = 0.01 * s;
        }
        return (x, y);
    }

    private sealed class Recorder<TValue> : IProgress<TValue>
    {
        public List<TValue> Items { get; } = [];

        public void Report(TValue value) => Items.Add(value);
    }

    [Fact]
    public void Linear_regression_converges()
    {
        (double[] x, double[] y) = Regression(256);
        var model = new LinearTestModel(2, 1);
        History history = model.Fit(x, y, epochs: 40, batchSize: 16, optimizer: new Sgd(0.05), verbose: false);

        Assert.Equal(40, history.Epochs);
        Assert.Equal(40, history["loss"].Count);
        Assert.True(history["loss"][^1] < 1e-3, $"final loss {history["loss"][^1]}");
        Assert.True(history["loss"][^1] < history["loss"][0] / 100);
        Assert.Equal(3, model.Parameters[0], 1);
        Assert.Equal(-2, model.Parameters[1], 1);
        Assert.Equal(0.5, model.Parameters[2], 1);
        Assert.Null(history.StoppedEpoch);
    }

    [Fact]
    public void Default_optimizer_is_adam_and_it_trains()
    {
        (double[] x, double[] y) = Regression(128);
        var model = new LinearTestModel(2, 1);
        History history = model.Fit(x, y, epochs: 5, verbose: false);
        Assert.True(history["loss"][^1] < history["loss"][0]);

        // Adam's first step moves every weight by about lr = 0.001, whatever the gradient's size.
        var fresh = new LinearTestModel(2, 1);
        double before = fresh.Parameters[0];
        fresh.Fit(x[..2], y[..1], epochs: 1, verbose: false);
        Assert.Equal(0.001, Math.Abs(fresh.Parameters[0] - before), 5);
    }

    [Fact]
    public void Validation_split_takes_the_tail_before_shuffling()
    {
        // Keras: int(10 · (1 − 0.25)) = 7 training rows; rows 7, 8, 9 validate.
        (double[] x, double[] y) = Indexed(10);
        var model = new LinearTestModel(2, 1) { TrainedIds = [], PredictedIds = [] };
        History history = model.Fit(x, y, epochs: 3, batchSize: 3, validationSplit: 0.25, verbose: false);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => (double)i), model.TrainedIds!.Distinct().Order());
        Assert.Equal(21, model.TrainedIds!.Count);
        Assert.Equal([7.0, 8, 9, 7, 8, 9, 7, 8, 9], model.PredictedIds);
        Assert.Equal(["loss", "val_loss"], history.Keys);

        // The last val_loss is the inference-mode loss of the final weights on the tail.
        Evaluation tail = model.Evaluate(x[14..], y[7..]);
        Assert.Equal(tail.Loss, history["val_loss"][^1], 12);
    }

    [Fact]
    public void Validation_split_rounds_the_training_count_down()
    {
        // floor(10 · 0.85) = 8 training rows.
        (double[] x, double[] y) = Indexed(10);
        var model = new LinearTestModel(2, 1) { TrainedIds = [] };
        model.Fit(x, y, epochs: 1, validationSplit: 0.15, verbose: false);
        Assert.Equal(8, model.TrainedIds!.Count);
        Assert.DoesNotContain(8.0, model.TrainedIds);

        var ex = Assert.Throws<ArgumentException>(() => model.Fit(x[..2], y[..1], validationSplit: 0.5, verbose: false));
        Assert.Contains("1 samples", ex.Message);
    }

    [Fact]
    public void Same_seed_gives_the_same_run_and_another_seed_another_order()
    {
        (double[] x, double[] y) = Regression(50);
        History Run(int seed, List<double> ids)
        {
            var model = new LinearTestModel(2, 1) { TrainedIds = ids };
            return model.Fit(x, y, epochs: 3, batchSize: 8, seed: seed, validationSplit: 0.2, verbose: false);
        }
        List<double> idsA = [], idsB = [], idsC = [];
        History a = Run(7, idsA), b = Run(7, idsB), c = Run(8, idsC);

        Assert.Equal(idsA, idsB);
        foreach (string key in a.Keys)
            Assert.Equal(a[key], b[key]);
        Assert.NotEqual(idsA, idsC);
        Assert.NotEqual(a["loss"], c["loss"]);
        // Every epoch is a permutation of the 40 training rows, and the epochs differ from each other.
        Assert.Equal(120, idsA.Count);
        Assert.Equal(40, idsA.Take(40).Distinct().Count());
        Assert.NotEqual(idsA.Take(40), idsA.Skip(40).Take(40));
    }

    [Fact]
    public void Without_shuffle_batches_are_in_order_and_the_last_partial_batch_is_included()
    {
        (double[] x, double[] y) = Indexed(10);
        var model = new LinearTestModel(2, 1) { TrainedIds = [], BatchSizes = [] };
        model.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: false);
        Assert.Equal([4, 4, 2, 4, 4, 2], model.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(0, 10)).Select(i => (double)i), model.TrainedIds);
    }

    [Fact]
    public void Epoch_loss_and_metrics_are_sample_weighted_means_over_batches()
    {
        // With a zero learning rate the weights never move, so the epoch's weighted mean over batches of
        // 4, 4 and 2 must equal the loss over all ten samples (an unweighted mean of batch means would not).
        (double[] x, double[] y) = Regression(10, noise: 1);
        var model = new LinearTestModel(2, 1);
        History history = model.Fit(x, y, epochs: 1, batchSize: 4, optimizer: new Sgd(0),
            metrics: [Metric.MeanAbsoluteError, Metric.MeanSquaredError], verbose: false);
        Evaluation all = model.Evaluate(x, y, metrics: [Metric.MeanAbsoluteError, Metric.MeanSquaredError]);

        Assert.Equal(all.Loss, history["loss"][0], 12);
        Assert.Equal(all["mae"], history["mae"][0], 12);
        Assert.Equal(all["mse"], history["mse"][0], 12);
        Assert.Equal(all.Loss, all["mse"], 12);

        double unweighted = 0;
        for (int first = 0; first < 10; first += 4)
        {
            int count = Math.Min(4, 10 - first);
            unweighted += model.Evaluate(x[(2 * first)..(2 * (first + count))], y[first..(first + count)]).Loss / 3;
        }
        Assert.NotEqual(unweighted, history["loss"][0], 6);
    }

    [Fact]
    public void Accuracy_resolves_like_keras_and_keys_are_sorted()
    {
        var rng = new Rng(3);
        int samples = 40;
        var x = new double[samples * 2];
        var binary = new double[samples];
        var labels = new double[samples];
        var oneHot = new double[samples * 3];
        for (int s = 0; s < samples; s++)
        {
            x[2 * s] = rng.NextNormal();
            x[2 * s + 1] = rng.NextNormal();
            binary[s] = x[2 * s] > 0 ? 1 : 0;
            labels[s] = x[2 * s] > 0.5 ? 2 : x[2 * s] < -0.5 ? 0 : 1;
            oneHot[s * 3 + (int)labels[s]] = 1;
        }

        var bce = new LinearTestModel(2, 1, Loss.BinaryCrossEntropy);
        History h = bce.Fit(x, binary, epochs: 2, optimizer: new Sgd(0), metrics: [Metric.MeanAbsoluteError, Metric.Accuracy],
            validationX: x, validationY: binary, verbose: false);
        Assert.Equal(["accuracy", "loss", "mae", "val_accuracy", "val_loss", "val_mae"], h.Keys);
        Evaluation e = bce.Evaluate(x, binary, metrics: [Metric.BinaryAccuracy, Metric.Accuracy]);
        Assert.Equal(e["binary_accuracy"], e["accuracy"]);
        Assert.Equal(e["accuracy"], h["accuracy"][0], 12);
        Assert.Equal(e["accuracy"], h["val_accuracy"][1], 12);
        Assert.Equal(["accuracy", "binary_accuracy", "loss"], e.Metrics.Keys);

        var sparse = new LinearTestModel(2, 3, Loss.SparseCategoricalCrossEntropy);
        Evaluation es = sparse.Evaluate(x, labels, metrics: [Metric.Accuracy, Metric.SparseCategoricalAccuracy]);
        Assert.Equal(es["sparse_categorical_accuracy"], es["accuracy"]);

        var categorical = new LinearTestModel(2, 3, Loss.CategoricalCrossEntropy);
        Evaluation ec = categorical.Evaluate(x, oneHot, metrics: [Metric.Accuracy, Metric.CategoricalAccuracy]);
        Assert.Equal(ec["categorical_accuracy"], ec["accuracy"]);
        // The same weights see the same classes whether the targets are one-hot or sparse.
        categorical.Parameters.CopyTo(sparse.Parameters);
        Assert.Equal(ec["accuracy"], sparse.Evaluate(x, labels, metrics: [Metric.Accuracy])["accuracy"]);

        Assert.Throws<ArgumentException>(() => sparse.Evaluate(x, labels, metrics: [Metric.CategoricalAccuracy]));
        Assert.Throws<ArgumentException>(() => categorical.Evaluate(x, oneHot, metrics: [Metric.SparseCategoricalAccuracy]));
        Assert.Throws<ArgumentException>(() => categorical.Evaluate(x, oneHot, metrics: [Metric.Accuracy, Metric.Accuracy]));
    }

    [Fact]
    public void Metric_values_match_hand_counts()
    {
        double[] p = [0.2, 0.7, 0.5, 0.9, /**/ 0.1, 0.3, 0.6, 0.0];
        double[] y = [0, 1, 1, 1, /**/ 0, 0, 1, 1];
        // Binary (threshold: strictly above 0.5): row 0 hits 3 of 4 (0.5 → 0 ≠ 1), row 1 hits 3 of 4.
        Assert.Equal(1.5, Metrics.Sum<double>(MetricKind.BinaryAccuracy, p, y, 4));
        // Categorical: row 0 argmax p = 3, argmax y = 1 (first of the ties) → miss; row 1: 2 vs 2 → hit.
        Assert.Equal(1.0, Metrics.Sum<double>(MetricKind.CategoricalAccuracy, p, y, 4));
        Assert.Equal(1.0, Metrics.Sum<double>(MetricKind.SparseCategoricalAccuracy, p, [1.0, 2.0], 4));
        Assert.Equal((0.2 + 0.3 + 0.5 + 0.1) / 4 + (0.1 + 0.3 + 0.4 + 1) / 4, Metrics.Sum<double>(MetricKind.MeanAbsoluteError, p, y, 4), 14);
        Assert.Equal((0.04 + 0.09 + 0.25 + 0.01) / 4 + (0.01 + 0.09 + 0.16 + 1) / 4, Metrics.Sum<double>(MetricKind.MeanSquaredError, p, y, 4), 14);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_weights()
    {
        // Training pulls w towards +1 while the validation targets are −x: val_loss is best after epoch 1 and
        // grows afterwards, so patience 2 stops at epoch 3 and the weights go back to those after epoch 1.
        var rng = new Rng(5);
        var x = new double[64];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        double[] yTrain = x;
        double[] yVal = x.Select(v => -v).ToArray();

        var model = new LinearTestModel(1, 1, seed: 2);
        var stopper = new EarlyStopping(patience: 2, restoreBestWeights: true);
        History history = model.Fit(x, yTrain, epochs: 20, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false,
            validationX: x, validationY: yVal, earlyStopping: stopper, verbose: false);

        Assert.Equal(3, history.Epochs);
        Assert.Equal(3, history.StoppedEpoch);
        Assert.Equal(3, stopper.StoppedEpoch);
        Assert.Equal(1, stopper.BestEpoch);
        Assert.Equal(history["val_loss"][0], stopper.Best);
        Assert.True(history["val_loss"][2] > history["val_loss"][1] && history["val_loss"][1] > history["val_loss"][0]);

        var oneEpoch = new LinearTestModel(1, 1, seed: 2);
        oneEpoch.Fit(x, yTrain, epochs: 1, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false, verbose: false);
        Assert.Equal(oneEpoch.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void Best_weights_are_restored_even_when_training_runs_every_epoch()
    {
        // Keras 3 restores in on_train_end whenever it kept weights, stopped or not.
        var x = new double[] { 1, -1, 2, -2 };
        double[] yVal = x.Select(v => -v).ToArray();
        var model = new LinearTestModel(1, 1, seed: 2);
        History history = model.Fit(x, x, epochs: 3, batchSize: 2, optimizer: new Sgd(0.05), shuffle: false,
            validationX: x, validationY: yVal, earlyStopping: new EarlyStopping(patience: 10, restoreBestWeights: true), verbose: false);
        Assert.Null(history.StoppedEpoch);
        Assert.Equal(3, history.Epochs);

        var oneEpoch = new LinearTestModel(1, 1, seed: 2);
        oneEpoch.Fit(x, x, epochs: 1, batchSize: 2, optimizer: new Sgd(0.05), shuffle: false, verbose: false);
        Assert.Equal(oneEpoch.Parameters.ToArray(), model.Parameters.ToArray());

        // Without restoreBestWeights the last weights stay.
        var kept = new LinearTestModel(1, 1, seed: 2);
        kept.Fit(x, x, epochs: 3, batchSize: 2, optimizer: new Sgd(0.05), shuffle: false,
            validationX: x, validationY: yVal, earlyStopping: new EarlyStopping(patience: 10), verbose: false);
        Assert.NotEqual(oneEpoch.Parameters.ToArray(), kept.Parameters.ToArray());
    }

    /// <summary>Drives the callback with scripted values, as Keras' on_epoch_end sees them.</summary>
    private static int? StopEpoch(EarlyStopping stopper, string monitor, params double[] values)
    {
        var model = new LinearTestModel(1, 1);
        var training = new TrainingContext<double>(model, new Sgd(0.1), values.Length, 1, [monitor], new History([monitor]), TextWriter.Null,
            verbose: false, name => name == "accuracy");
        stopper.OnTrainBegin(training);
        for (int epoch = 0; epoch < values.Length; epoch++)
        {
            model.Parameters[0] = epoch;
            stopper.OnEpochEnd(epoch, new Dictionary<string, double> { [monitor] = values[epoch] }, training);
            if (training.StopTraining)
                return epoch + 1;
        }
        return null;
    }

    [Fact]
    public void Early_stopping_follows_keras_rules_on_scripted_values()
    {
        // Patience 0 stops at the first epoch without improvement, but never at the first epoch.
        Assert.Equal(3, StopEpoch(new EarlyStopping("val_loss"), "val_loss", 1.0, 0.9, 0.95, 0.8));
        Assert.Null(StopEpoch(new EarlyStopping("val_loss"), "val_loss", double.NaN));
        // minDelta: 0.95 is not 0.1 below 1.0.
        Assert.Equal(2, StopEpoch(new EarlyStopping("val_loss", minDelta: -0.1, patience: 1), "val_loss", 1.0, 0.95, 0.5));
        // Auto mode maximises accuracies.
        Assert.Equal(3, StopEpoch(new EarlyStopping("val_accuracy", patience: 1), "val_accuracy", 0.5, 0.6, 0.55, 0.9));
        Assert.Equal(2, StopEpoch(new EarlyStopping("val_accuracy", patience: 1, mode: "min"), "val_accuracy", 0.5, 0.6));
        // A baseline keeps the wait running while improvements stay above it; the stop comes at the first non-improvement.
        Assert.Equal(4, StopEpoch(new EarlyStopping("loss", patience: 2, baseline: 0.5), "loss", 0.9, 0.8, 0.7, 0.75));
        Assert.Null(StopEpoch(new EarlyStopping("loss", patience: 2), "loss", 0.9, 0.8, 0.7, 0.75));
        // Warm-up epochs are ignored.
        Assert.Null(StopEpoch(new EarlyStopping("loss", startFromEpoch: 2), "loss", 1, 2, 3));
        Assert.Equal(4, StopEpoch(new EarlyStopping("loss", startFromEpoch: 2), "loss", 1, 2, 3, 4));
    }

    [Fact]
    public void Early_stopping_rejects_unlogged_monitors_and_bad_modes()
    {
        (double[] x, double[] y) = Regression(20);
        var model = new LinearTestModel(2, 1);
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(x, y, earlyStopping: new EarlyStopping(), verbose: false));
        Assert.Contains("val_loss", ex.Message);
        Assert.Contains("validationSplit", ex.Message);
        Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "maximum"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -1));
    }

    [Fact]
    public void Progress_is_reported_once_per_epoch()
    {
        (double[] x, double[] y) = Regression(30);
        var model = new LinearTestModel(2, 1);
        var progress = new Recorder<EpochLog>();
        History history = model.Fit(x, y, epochs: 4, optimizer: new Sgd(0.01), metrics: [Metric.MeanAbsoluteError],
            validationSplit: 0.2, progress: progress, verbose: false);

        Assert.Equal([1, 2, 3, 4], progress.Items.Select(p => p.Epoch));
        Assert.All(progress.Items, p => Assert.Equal(4, p.Epochs));
        Assert.Equal(history["loss"], progress.Items.Select(p => p.Loss));
        Assert.Equal(history["val_loss"], progress.Items.Select(p => p.ValidationLoss!.Value));
        Assert.Equal(history.Keys, progress.Items[0].Metrics.Keys);
        Assert.Equal(history["val_mae"][2], progress.Items[2].Metrics["val_mae"]);
        Assert.All(progress.Items, p => Assert.True(p.Elapsed >= TimeSpan.Zero));
    }

    [Fact]
    public void Verbose_writes_keras_lines()
    {
        (double[] x, double[] y) = Regression(100);
        var model = new LinearTestModel(2, 1);
        var output = new StringWriter();
        model.Fit(x, y, epochs: 3, batchSize: 32, metrics: [Metric.MeanAbsoluteError], validationSplit: 0.2, output: output);
        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(6, lines.Length);
        var line = new Regex(@"^3/3 - \d+s - \d+(s|ms|us)/step - loss: \d+\.\d{4} - mae: \d+\.\d{4} - val_loss: \d+\.\d{4} - val_mae: \d+\.\d{4}$");
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal($"Epoch {epoch + 1}/3", lines[2 * epoch]);
            Assert.Matches(line, lines[2 * epoch + 1]);
        }

        // One epoch: Keras prints no "Epoch 1/1" header. verbose: false prints nothing.
        var single = new StringWriter();
        model.Fit(x, y, epochs: 1, batchSize: 100, output: single);
        Assert.Matches(@"^1/1 - \d+s - \d+(s|ms|us)/step - loss: \d+\.\d{4}\r?\n$", single.ToString());
        var quiet = new StringWriter();
        model.Fit(x, y, epochs: 2, verbose: false, output: quiet);
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void Log_values_and_times_are_formatted_like_keras()
    {
        Assert.Equal("0.1632", ModelTraining.FormatValue(0.16321));
        Assert.Equal("12.5000", ModelTraining.FormatValue(12.5));
        Assert.Equal("5.0000e-04", ModelTraining.FormatValue(5e-4));
        Assert.Equal("0.0000e+00", ModelTraining.FormatValue(0));
        // Keras' verbose=2 tests v > 1e-3 without abs(), so negatives take the exponent form.
        Assert.Equal("-5.0000e-01", ModelTraining.FormatValue(-0.5));
        Assert.Equal("nan", ModelTraining.FormatValue(double.NaN));
        Assert.Equal("inf", ModelTraining.FormatValue(double.PositiveInfinity));

        var logs = new Dictionary<string, double> { ["accuracy"] = 0.95123, ["loss"] = 0.16321 };
        Assert.Equal("250/250 - 1s - 4ms/step - accuracy: 0.9512 - loss: 0.1632",
            ModelTraining.FormatEpochLine(250, TimeSpan.FromSeconds(1.0), logs));
        Assert.Equal("10/10 - 0s - 50us/step - loss: 0.1632",
            ModelTraining.FormatEpochLine(10, TimeSpan.FromMilliseconds(0.5), [new("loss", 0.16321)]));
        Assert.Equal("2/2 - 4s - 2s/step - loss: 0.1632",
            ModelTraining.FormatEpochLine(2, TimeSpan.FromSeconds(4.2), [new("loss", 0.16321)]));
        // Python rounds halves to even: 2.5 s → "2s".
        Assert.StartsWith("1/1 - 2s - 2s/step", ModelTraining.FormatEpochLine(1, TimeSpan.FromSeconds(2.5), []));
    }

    [Fact]
    public void Bad_sizes_and_arguments_name_expected_and_actual()
    {
        var model = new LinearTestModel(4, 2);
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(new double[10], new double[4], verbose: false));
        Assert.Contains("10", ex.Message);
        Assert.Contains("4", ex.Message);
        Assert.Equal("x", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => model.Fit(new double[8], new double[3], verbose: false));
        Assert.Contains("3", ex.Message);
        Assert.Contains("2", ex.Message);
        Assert.Equal("y", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => model.Fit(new double[8], new double[6], verbose: false));
        Assert.Contains("2 samples", ex.Message);
        Assert.Contains("3", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => model.Fit(new double[8], new double[4], validationX: new double[5], validationY: new double[2], verbose: false));
        Assert.Equal("validationX", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => model.Fit(new double[8], new double[4], validationX: new double[4], validationY: new double[4], verbose: false));
        Assert.Equal("validationY", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => model.Fit(new double[8], new double[4], validationSplit: 0.5,
            validationX: new double[4], validationY: new double[2], verbose: false));
        Assert.Contains("not both", ex.Message);

        Assert.Throws<ArgumentException>(() => model.Fit(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, verbose: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new double[8], new double[4], validationSplit: 1, verbose: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new double[8], new double[4], batchSize: 0, verbose: false));
        Assert.Throws<ArgumentException>(() => model.Evaluate(new double[8], new double[5]));

        var noLoss = new LinearTestModel(4, 2, Loss.None);
        var invalid = Assert.Throws<InvalidOperationException>(() => noLoss.Fit(new double[8], new double[4], verbose: false));
        Assert.Contains("declared without a loss", invalid.Message);
        Assert.Throws<InvalidOperationException>(() => noLoss.Evaluate(new double[8], new double[4]));
    }

    [Fact]
    public void History_names_missing_keys_and_zero_epochs_log_nothing()
    {
        (double[] x, double[] y) = Regression(10);
        History history = new LinearTestModel(2, 1).Fit(x, y, epochs: 0, verbose: false);
        Assert.Equal(0, history.Epochs);
        Assert.Empty(history["loss"]);
        var ex = Assert.Throws<KeyNotFoundException>(() => history["accuracy"]);
        Assert.Contains("loss", ex.Message);
    }

    [Fact]
    public void Batches_allocate_nothing_in_the_training_loop()
    {
        // Per-epoch bookkeeping (logs, history entries) allocates a little; per-batch work must not. With 400
        // batches per epoch, even 8 bytes per batch would add 3.2 KB per extra epoch.
        (double[] x, double[] y) = Regression(400);
        long Allocated(int epochs)
        {
            var model = new LinearTestModel(2, 1);
            var optimizer = new Sgd(0.001, 0.9);
            model.Fit(x, y, epochs: 1, batchSize: 1, optimizer: optimizer, verbose: false);   // warm-up: JIT, buffers
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Fit(x, y, epochs: epochs, batchSize: 1, optimizer: optimizer, metrics: [Metric.MeanAbsoluteError], validationSplit: 0.1, verbose: false);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(1);
        long perEpoch = (Allocated(5) - Allocated(1)) / 4;
        Assert.True(perEpoch < 2048, $"{perEpoch} bytes per epoch");
    }
}
