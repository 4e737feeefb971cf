using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using NeuralDsl.Tests.IO;
using Xunit;

namespace NeuralDsl.Tests.Training;

public sealed class CallbackTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>y = 3·x₀ − 2·x₁ + 0.5 plus a little noise.</summary>
    private static (double[] X, double[] Y) Regression(int samples, ulong seed = 1)
    {
        var rng = new Rng(seed);
        var x = new double[samples * 2];
        var y = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            x[2 * s] = rng.NextNormal();
            x[2 * s + 1] = rng.NextNormal();
            y[s] = 3 * x[2 * s] - 2 * x[2 * s + 1] + 0.5 + 0.01 * rng.NextNormal();
        }
        return (x, y);
    }

    /// <summary>Training pulls w towards +1 while the validation targets are −x: val_loss is best after epoch 1.</summary>
    private static (double[] X, double[] YTrain, double[] YVal) Diverging()
    {
        var rng = new Rng(5);
        var x = new double[64];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        return (x, x, x.Select(v => -v).ToArray());
    }

    /// <summary>Records every call with what the run looked like at that moment.</summary>
    private sealed class Recording(Action<string, TrainingContext>? act = null) : Callback
    {
        public List<string> Events { get; } = [];
        public List<int> Threads { get; } = [];

        private void Add(string e, TrainingContext t)
        {
            Events.Add(e);
            Threads.Add(Environment.CurrentManagedThreadId);
            act?.Invoke(e, t);
        }

        public override void OnTrainBegin(TrainingContext training) => Add("train_begin", training);
        public override void OnTrainEnd(TrainingContext training) => Add("train_end", training);
        public override void OnEpochBegin(int epoch, TrainingContext training) => Add($"epoch_begin {epoch}", training);
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training) =>
            Add($"epoch_end {epoch} history {training.History.Epochs} keys {string.Join(",", logs.Keys)}", training);
        public override void OnBatchBegin(int batch, TrainingContext training) => Add($"batch_begin {batch}", training);
        public override void OnBatchEnd(in BatchLog log, TrainingContext training) => Add($"batch_end {log.Epoch}.{log.Batch} n{log.Samples}", training);
    }

    [Fact]
    public void Callbacks_run_in_keras_order_on_the_training_thread_before_fit_returns()
    {
        (double[] x, double[] y) = Regression(10);
        var recording = new Recording();
        new LinearTestModel(2, 1).Fit(x, y, epochs: 2, batchSize: 4, optimizer: new Sgd(0.01), metrics: [Metric.MeanAbsoluteError],
            validationSplit: 0.2, verbose: false, callbacks: [recording]);

        // 8 training samples in batches of 4, 4: two steps per epoch; the epoch's logs are in History when on_epoch_end runs.
        string[] epoch(int e) =>
        [
            $"epoch_begin {e}", "batch_begin 0", $"batch_end {e}.0 n4", "batch_begin 1", $"batch_end {e}.1 n4",
            $"epoch_end {e} history {e + 1} keys loss,mae,val_loss,val_mae",
        ];
        Assert.Equal(["train_begin", .. epoch(0), .. epoch(1), "train_end"], recording.Events);
        Assert.All(recording.Threads, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }

    [Fact]
    public void A_callback_stops_training_after_the_step_that_asked()
    {
        (double[] x, double[] y) = Regression(20);
        var model = new LinearTestModel(2, 1) { BatchSizes = [] };
        var stopper = new Recording((e, t) => t.StopTraining |= e.StartsWith("batch_end 1.2", StringComparison.Ordinal));
        History history = model.Fit(x, y, epochs: 5, batchSize: 4, optimizer: new Sgd(0.01), verbose: false, callbacks: [stopper]);

        Assert.Equal(5 + 3, model.BatchSizes.Count);
        Assert.Equal(2, history.Epochs);
        Assert.Equal(2, history.StoppedEpoch);
        Assert.Equal("train_end", stopper.Events[^1]);
    }

    [Fact]
    public void A_callback_changes_the_learning_rate_of_the_next_steps()
    {
        (double[] x, double[] y) = Regression(20);
        var frozen = new LinearTestModel(2, 1);
        frozen.Fit(x, y, epochs: 3, batchSize: 5, optimizer: new Sgd(0.05), shuffle: false, verbose: false,
            callbacks: [new Recording((e, t) => { if (e == "epoch_begin 1") t.Optimizer.LearningRate = 0; })]);
        var oneEpoch = new LinearTestModel(2, 1);
        oneEpoch.Fit(x, y, epochs: 1, batchSize: 5, optimizer: new Sgd(0.05), shuffle: false, verbose: false);
        Assert.Equal(oneEpoch.Parameters.ToArray(), frozen.Parameters.ToArray());
    }

    [Fact]
    public void Progress_reports_run_in_line_with_the_epoch()
    {
        // Each report sees the weights of its own epoch: it runs before the next epoch starts.
        (double[] x, double[] y) = Regression(20);
        var model = new LinearTestModel(2, 1);
        var seen = new List<double>();
        model.Fit(x, y, epochs: 3, batchSize: 5, optimizer: new Sgd(0.05), verbose: false, progress: new InlineProgress(_ => seen.Add(model.Parameters[0])));
        var reference = new List<double>();
        var again = new LinearTestModel(2, 1);
        again.Fit(x, y, epochs: 3, batchSize: 5, optimizer: new Sgd(0.05), verbose: false,
            callbacks: [new Recording((e, _) => { if (e.StartsWith("epoch_end", StringComparison.Ordinal)) reference.Add(again.Parameters[0]); })]);
        Assert.Equal(reference, seen);
        Assert.Equal(3, seen.Distinct().Count());
    }

    private sealed class InlineProgress(Action<EpochLog> report) : IProgress<EpochLog>
    {
        public void Report(EpochLog value) => report(value);
    }

    [Fact]
    public void TerminateOnNaN_is_the_callback_behind_the_fit_default()
    {
        (double[] x, double[] y) = Regression(30);
        x[12] = double.NaN; // sample 6: batch 2 of epoch 1
        var skipping = new LinearTestModel(2, 1);
        History skipped = skipping.Fit(x, y, epochs: 2, batchSize: 5, optimizer: new Sgd(0.01), shuffle: false, verbose: false, terminateOnNaN: false);
        Assert.Null(skipped.NonFiniteStop);
        Assert.Equal(2, skipped.SkippedSteps);

        var stopped = new LinearTestModel(2, 1);
        var recording = new Recording();
        History history = stopped.Fit(x, y, epochs: 2, batchSize: 5, optimizer: new Sgd(0.01), shuffle: false, verbose: false,
            terminateOnNaN: false, callbacks: [new TerminateOnNaN(), recording]);
        Assert.StartsWith("Epoch 1/2, batch 2/6: the loss (nan) is not finite.", history.NonFiniteStop);
        Assert.Equal(1, history.StoppedEpoch);
        Assert.Contains("batch_end 0.1 n5", recording.Events);
        Assert.DoesNotContain("batch_begin 2", recording.Events);
    }

    [Fact]
    public void Early_stopping_prints_when_it_stops_and_which_weights_it_restores()
    {
        (double[] x, double[] yTrain, double[] yVal) = Diverging();
        var output = new StringWriter();
        var model = new LinearTestModel(1, 1, seed: 2);
        model.Fit(x, yTrain, epochs: 20, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false, validationX: x, validationY: yVal,
            earlyStopping: new EarlyStopping(patience: 2, restoreBestWeights: true), output: output);
        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Epoch 3: early stopping", "Restoring model weights from the end of the best epoch: 1."], lines[^2..]);

        var quiet = new StringWriter();
        new LinearTestModel(1, 1, seed: 2).Fit(x, yTrain, epochs: 20, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false, validationX: x,
            validationY: yVal, earlyStopping: new EarlyStopping(patience: 2, restoreBestWeights: true, verbose: false), output: quiet);
        Assert.DoesNotContain("early stopping", quiet.ToString());
    }

    [Fact]
    public void Model_checkpoint_keeps_the_best_epoch_weights()
    {
        (double[] x, double[] yTrain, double[] yVal) = Diverging();
        string best = _dir.File("best.safetensors");
        var output = new StringWriter();
        var checkpoint = new ModelCheckpoint(best, saveBestOnly: true);
        var model = new LinearTestModel(1, 1, seed: 2);
        model.Fit(x, yTrain, epochs: 4, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false, validationX: x, validationY: yVal,
            callbacks: [checkpoint], output: output);

        var oneEpoch = new LinearTestModel(1, 1, seed: 2);
        History first = oneEpoch.Fit(x, yTrain, epochs: 1, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false, validationX: x, validationY: yVal, verbose: false);
        var loaded = new LinearTestModel(1, 1, seed: 9);
        loaded.LoadWeights(best);
        Assert.Equal(oneEpoch.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.NotEqual(model.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(first["val_loss"][0], checkpoint.Best);
        Assert.Contains($"Epoch 1: val_loss improved from inf to {first["val_loss"][0].ToString("F5", System.Globalization.CultureInfo.InvariantCulture)}, saving model to {best}", output.ToString());
        Assert.Contains("Epoch 2: val_loss did not improve from ", output.ToString());

        // Every epoch, named by its number and value; mode max on val_loss saves each worse epoch.
        string pattern = _dir.File("ckpt-{epoch:02d}-{val_loss:.3f}.safetensors");
        History history = new LinearTestModel(1, 1, seed: 2).Fit(x, yTrain, epochs: 3, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false,
            validationX: x, validationY: yVal, verbose: false, callbacks: [new ModelCheckpoint(pattern)]);
        string F(double v) => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            [$"ckpt-01-{F(history["val_loss"][0])}.safetensors", $"ckpt-02-{F(history["val_loss"][1])}.safetensors", $"ckpt-03-{F(history["val_loss"][2])}.safetensors"],
            _dir.FileNames().Where(n => n.StartsWith("ckpt", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var worse = new ModelCheckpoint(_dir.File("worst.safetensors"), saveBestOnly: true, mode: "max");
        new LinearTestModel(1, 1, seed: 2).Fit(x, yTrain, epochs: 3, batchSize: 8, optimizer: new Sgd(0.05), shuffle: false,
            validationX: x, validationY: yVal, verbose: false, callbacks: [worse]);
        Assert.Equal(history["val_loss"][2], worse.Best);

        var ex = Assert.Throws<ArgumentException>(() => new LinearTestModel(1, 1).Fit(x, yTrain, verbose: false,
            callbacks: [new ModelCheckpoint(best, saveBestOnly: true)]));
        Assert.Contains("ModelCheckpoint monitors 'val_loss'", ex.Message);
        Assert.Equal("callbacks", ex.ParamName);
    }

    /// <summary>Drives a callback's on_epoch_end with scripted values of <c>loss</c>.</summary>
    private static double[] LearningRates(Callback callback, double initialRate, params double[] losses)
    {
        var optimizer = new Sgd(initialRate);
        var training = new TrainingContext<double>(new LinearTestModel(1, 1), optimizer, losses.Length, 1, ["loss"], new History(["loss"]),
            TextWriter.Null, verbose: false, _ => false);
        callback.OnTrainBegin(training);
        var rates = new double[losses.Length];
        for (int epoch = 0; epoch < losses.Length; epoch++)
        {
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { ["loss"] = losses[epoch] }, training);
            rates[epoch] = optimizer.LearningRate;
        }
        return rates;
    }

    [Fact]
    public void Reduce_lr_on_plateau_follows_keras_patience_cooldown_and_floor()
    {
        double[] losses = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.5];
        // Patience 1: the first epoch without improvement halves the rate; cooldown 2 lets one epoch pass uncounted.
        Assert.Equal([1, 1, 0.5, 0.5, 0.25, 0.25, 0.25],
            LearningRates(new ReduceLROnPlateau("loss", factor: 0.5, patience: 1, cooldown: 2), 1, losses));
        // Keras' cooldown 1 is spent at the very next epoch, so it delays nothing.
        Assert.Equal([1, 1, 0.5, 0.25, 0.125, 0.0625, 0.0625],
            LearningRates(new ReduceLROnPlateau("loss", factor: 0.5, patience: 1, cooldown: 1), 1, losses));
        Assert.Equal([1, 1, 0.5, 0.5, 0.3, 0.3, 0.3],
            LearningRates(new ReduceLROnPlateau("loss", factor: 0.5, patience: 1, cooldown: 2, minLr: 0.3), 1, losses));
        // minDelta 0.2: neither 0.9 nor 0.85 improves on 1.0; patience 10 (the default) waits ten epochs.
        Assert.Equal([1, 0.1, 0.1 * 0.1], LearningRates(new ReduceLROnPlateau("loss", patience: 1, minDelta: 0.2), 1, [1.0, 0.9, 0.85]));
        Assert.Equal(Enumerable.Repeat(1.0, 7), LearningRates(new ReduceLROnPlateau("loss"), 1, losses));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1));
    }

    [Fact]
    public void Learning_rate_schedules_follow_keras_formulas()
    {
        var exponential = new ExponentialDecay(0.1, decaySteps: 10, decayRate: 0.5);
        Assert.Equal(0.1, exponential.Rate(0));
        Assert.Equal(0.1 * Math.Pow(0.5, 0.5), exponential.Rate(5), 15);
        Assert.Equal(0.025, exponential.Rate(20), 15);
        Assert.Equal(0.05, new ExponentialDecay(0.1, 10, 0.5, staircase: true).Rate(15), 15);

        var cosine = new CosineDecay(1, decaySteps: 100, alpha: 0.1);
        Assert.Equal(1, cosine.Rate(0), 15);
        Assert.Equal(0.9 * 0.5 + 0.1, cosine.Rate(50), 15);
        Assert.Equal(0.1, cosine.Rate(100), 15);
        Assert.Equal(0.1, cosine.Rate(1000), 15);
        var warm = new CosineDecay(0, decaySteps: 100, warmupTarget: 1, warmupSteps: 10);
        Assert.Equal(0.5, warm.Rate(5), 15);
        Assert.Equal(1, warm.Rate(10), 15);
        Assert.Equal(0.5, warm.Rate(60), 15);

        var piecewise = new PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]);
        Assert.Equal([1, 1, 0.5, 0.5, 0.1], new long[] { 0, 10, 11, 20, 21 }.Select(piecewise.Rate));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10], [1]));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10, 10], [1, 2, 3]));
    }

    [Fact]
    public void The_scheduler_sets_each_step_rate_from_the_optimizer_iterations_and_each_epoch_rate_from_the_function()
    {
        (double[] x, double[] y) = Regression(20);
        var schedule = new PiecewiseConstantDecay([2, 5], [0.1, 0.01, 0.001]);
        var optimizer = new Sgd(1);
        var rates = new List<double>();
        new LinearTestModel(2, 1).Fit(x, y, epochs: 2, batchSize: 5, optimizer: optimizer, verbose: false,
            callbacks: [new LearningRateScheduler(schedule), new Recording((e, t) => { if (e.StartsWith("batch_begin", StringComparison.Ordinal)) rates.Add(t.Optimizer.LearningRate); })]);
        Assert.Equal([0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001], rates);
        Assert.Equal(8, optimizer.Iterations);

        var perEpoch = new List<double>();
        new LinearTestModel(2, 1).Fit(x, y, epochs: 3, batchSize: 5, optimizer: new Sgd(0.08), verbose: false,
            callbacks: [new LearningRateScheduler((epoch, rate) => epoch == 0 ? rate : rate / 2), new Recording((e, t) => { if (e.StartsWith("epoch_begin", StringComparison.Ordinal)) perEpoch.Add(t.Optimizer.LearningRate); })]);
        Assert.Equal([0.08, 0.04, 0.02], perEpoch);
    }

    [Fact]
    public void Csv_logger_writes_keras_columns_and_appends_without_a_second_header()
    {
        (double[] x, double[] y) = Regression(30);
        string path = _dir.File("log.csv");
        var model = new LinearTestModel(2, 1);
        History history = model.Fit(x, y, epochs: 3, batchSize: 8, optimizer: new Sgd(0.01), metrics: [Metric.MeanAbsoluteError],
            validationSplit: 0.2, verbose: false, callbacks: [new CsvLogger(path)]);
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,mae,val_loss,val_mae", lines[0]);
        Assert.Equal(4, lines.Length);
        for (int e = 0; e < 3; e++)
        {
            double[] row = lines[e + 1].Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal([e, history["loss"][e], history["mae"][e], history["val_loss"][e], history["val_mae"][e]], row);
        }

        model.Fit(x, y, epochs: 2, batchSize: 8, optimizer: new Sgd(0.01), metrics: [Metric.MeanAbsoluteError], validationSplit: 0.2,
            verbose: false, callbacks: [new CsvLogger(path, separator: ';', append: true)]);
        lines = File.ReadAllLines(path);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("1;", lines[^1]);

        // A Fit rejected at its start (an unlogged monitor) neither creates nor holds the file.
        string rejected = _dir.File("rejected.csv");
        Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: false, callbacks: [new CsvLogger(rejected), new EarlyStopping()]));
        Assert.False(File.Exists(rejected));
    }

    [Fact]
    public void The_terminal_progress_bar_rewrites_one_line_per_epoch()
    {
        (double[] x, double[] y) = Regression(40);
        var output = new StringWriter();
        new LinearTestModel(2, 1).Fit(x, y, epochs: 2, batchSize: 4, optimizer: new Sgd(0.01), metrics: [Metric.MeanAbsoluteError],
            verbose: false, output: output, callbacks: [new ProgressLogger(bar: true)]);
        string text = output.ToString();
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        // The first step is drawn at once, later ones at most every 50 ms, each over the last with \r; the last one finishes the line.
        Assert.StartsWith("\r 1/10 \x1b[32m━━\x1b[0m\x1b[37m" + new string('━', 18) + "\x1b[0m ", lines[1]);
        string last = lines[1][lines[1].LastIndexOf('\r')..];
        Assert.Matches(new Regex("^\\r10/10 \\x1b\\[32m━{20}\\x1b\\[0m\\x1b\\[37m\\x1b\\[0m \\d+s \\d+(s|ms|us)/step - loss: \\d+\\.\\d{4} - mae: \\d+\\.\\d{4} *$"), last);

        // Not a terminal (a writer was passed): Keras' verbose=2 lines, no carriage returns.
        var plain = new StringWriter();
        new LinearTestModel(2, 1).Fit(x, y, epochs: 2, batchSize: 4, optimizer: new Sgd(0.01), output: plain);
        Assert.DoesNotContain("\r", plain.ToString().Replace(Environment.NewLine, "\n", StringComparison.Ordinal));
    }
}
