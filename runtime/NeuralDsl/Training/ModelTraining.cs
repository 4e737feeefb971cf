using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text;

namespace NeuralDsl;

/// <summary>
/// Keras' <c>fit</c> and <c>evaluate</c> for every model: one implementation over <see cref="IModel{T}"/>.
/// </summary>
public static class ModelTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> on (<paramref name="x"/>, <paramref name="y"/>) with Keras 3 semantics and
    /// returns what each epoch logged.
    /// </summary>
    /// <remarks>
    /// <para>
    /// <paramref name="validationSplit"/> keeps the last fraction of the samples for validation, taken before any
    /// shuffling: the first <c>floor(n·(1 − split))</c> samples train. The training samples are shuffled at each
    /// epoch by a generator seeded with <paramref name="seed"/>, so the same seed gives the same run. The last
    /// batch may be partial. Each batch runs <see cref="IModel{T}.ComputeGradients"/> then
    /// <see cref="Optimizer.Step{T}"/>; the epoch's loss and metrics are the sample-weighted means over its
    /// batches, metrics taken on the training-mode predictions (<see cref="IModel{T}.LastOutput"/>) as Keras does.
    /// Validation runs after each epoch in inference mode (<see cref="IModel{T}.Predict"/>) in batches of
    /// <paramref name="batchSize"/>.
    /// </para>
    /// <para>
    /// A batch whose loss or gradients are NaN or infinite (a non-finite input, an overflow, a divergent learning
    /// rate) does not update the model: the optimizer skips it (<see cref="Optimizer.Step{T}"/>) and the
    /// non-trainable state its forward pass moved (moving statistics) is put back. With
    /// <paramref name="terminateOnNaN"/> (the default, Keras' <c>TerminateOnNaN</c>) training then stops, keeping
    /// the last finite weights, and <see cref="History.NonFiniteStop"/> names the epoch and batch; without it such
    /// batches are skipped and counted in <see cref="History.SkippedSteps"/>. Epoch means cover the applied batches.
    /// Batch buffers are allocated once per call; the per-batch work allocates nothing beyond what the model does.
    /// </para>
    /// </remarks>
    /// <param name="model">The model to train in place.</param>
    /// <param name="x">Inputs, [samples, InputSize] row-major.</param>
    /// <param name="y">Targets, [samples, TargetSize] (class indices as T for sparse categorical cross-entropy).</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Samples per gradient step (Keras default 32).</param>
    /// <param name="optimizer">The optimizer; a new <see cref="Adam"/> if null. Keep one optimizer per model.</param>
    /// <param name="metrics">Metrics to log next to the loss.</param>
    /// <param name="validationSplit">Fraction in [0, 1) of the samples, from the end, held out for validation.</param>
    /// <param name="validationX">Separate validation inputs (not together with <paramref name="validationSplit"/>).</param>
    /// <param name="validationY">Separate validation targets.</param>
    /// <param name="shuffle">Shuffle the training samples at every epoch.</param>
    /// <param name="seed">Seed of the shuffling.</param>
    /// <param name="earlyStopping">Optional early stopping.</param>
    /// <param name="verbose">Write Keras' <c>verbose=2</c> lines (<c>Epoch 3/10</c>, then steps, time and logs) per epoch.</param>
    /// <param name="progress">Told after every epoch, in line (it is run as a callback after <paramref name="callbacks"/>).</param>
    /// <param name="output">Where the verbose lines go; <see cref="Console.Out"/> if null.</param>
    /// <param name="terminateOnNaN">Stop at the first batch whose loss or gradients are not finite (else skip such batches): adds a <see cref="TerminateOnNaN"/> callback unless <paramref name="callbacks"/> holds one.</param>
    /// <param name="callbacks">Keras callbacks, run in order, synchronously, on the training thread.</param>
    /// <param name="sampleWeight">One weight per sample (Keras <c>sample_weight</c>): the loss is <c>Σ wᵢ·lossᵢ / batch</c> and the metrics weighted means; <paramref name="validationSplit"/> splits the weights with the data.</param>
    /// <param name="classWeight">A weight per class index (Keras <c>class_weight</c>; classes not listed weigh 1), applied to each sample by its target's class.</param>
    /// <exception cref="InvalidOperationException">The model was declared without a loss.</exception>
    /// <exception cref="ArgumentException">Sizes do not fit the model, the arguments contradict each other, or a target or weight is not one Fit accepts.</exception>
    public static History Fit<T>(this IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int epochs = 1, int batchSize = 32,
        Optimizer? optimizer = null, Metric[]? metrics = null, double validationSplit = 0,
        ReadOnlySpan<T> validationX = default, ReadOnlySpan<T> validationY = default, bool shuffle = true, int seed = 0,
        EarlyStopping? earlyStopping = null, bool verbose = true, IProgress<EpochLog>? progress = null, TextWriter? output = null,
        bool terminateOnNaN = true, Callback[]? callbacks = null, ReadOnlySpan<double> sampleWeight = default,
        IReadOnlyDictionary<int, double>? classWeight = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckElementType<T>();
        CheckHasLoss(model, "trained with Fit");
        // A graph model's rows are the graph's nodes in id order: a shuffled batch would pair rows with other nodes' edges.
        if (model is IGraphModel && shuffle)
            throw new ArgumentException(
                "Model '" + model.Name + "' has GraphConv layers, whose batch is the whole graph in node order: call Fit with shuffle: false and batchSize = the node count (or use TrainStep with a node mask).",
                nameof(shuffle));
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");

        int samples = CheckData(model, x, y, nameof(x), nameof(y), "Input", "Target");
        if (samples == 0)
            throw new ArgumentException("Fit needs at least one sample; the input is empty.", nameof(x));
        // Every target once, before the first step: a bad one is reported by its sample index, and nothing has moved.
        Losses.ValidateTargets(model.Loss, y, model.TargetSize, model.OutputLastAxis, nameof(y));
        double[]? weights = SampleWeights.Resolve(sampleWeight, classWeight, y, samples, model.TargetSize, model.OutputSize, model.OutputLastAxis);

        bool hasValidationData = !validationX.IsEmpty || !validationY.IsEmpty;
        ReadOnlySpan<T> trainX = x, trainY = y, valX = validationX, valY = validationY;
        ReadOnlySpan<double> trainWeights = weights, valWeights = default;
        int trainCount = samples, valCount = 0;
        if (validationSplit > 0)
        {
            if (hasValidationData)
                throw new ArgumentException("Pass either validationSplit or validationX/validationY, not both.", nameof(validationSplit));
            // Keras: int(n * (1 - split)) training samples, the tail validates.
            trainCount = (int)Math.Floor(samples * (1.0 - validationSplit));
            valCount = samples - trainCount;
            if (trainCount == 0 || valCount == 0)
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"{samples} samples cannot be split into training and validation sets with validationSplit = {validationSplit} ({trainCount} would train, {valCount} validate)."),
                    nameof(validationSplit));
            trainX = x[..(trainCount * model.InputSize)];
            trainY = y[..(trainCount * model.TargetSize)];
            valX = x[(trainCount * model.InputSize)..];
            valY = y[(trainCount * model.TargetSize)..];
            if (weights is not null)
            {
                trainWeights = weights.AsSpan(0, trainCount);
                valWeights = weights.AsSpan(trainCount);
            }
        }
        else if (hasValidationData)
        {
            valCount = CheckData(model, validationX, validationY, nameof(validationX), nameof(validationY), "Validation input", "Validation target");
            if (valCount == 0)
                throw new ArgumentException("The validation data holds no samples.", nameof(validationX));
            Losses.ValidateTargets(model.Loss, validationY, model.TargetSize, model.OutputLastAxis, nameof(validationY));
        }
        bool validate = valCount > 0;

        optimizer ??= new Adam();
        // Keras verbose=1 (a bar redrawn in place) on a terminal, verbose=2 (a line per epoch) anywhere else.
        bool bar = output is null && !Console.IsOutputRedirected;
        output ??= Console.Out;
        ResolvedMetric[] resolved = Metrics.Resolve(metrics, model.OutputSize, model.TargetSize, model.OutputLastAxis);
        string[] trainKeys = TrainingKeys(resolved);
        var keys = new List<string>(trainKeys);
        if (validate)
        {
            foreach (string key in trainKeys)
                keys.Add("val_" + key);
        }

        // Everything a batch needs, allocated once for the whole call.
        int inputSize = model.InputSize, targetSize = model.TargetSize, outputSize = model.OutputSize, lastAxis = model.OutputLastAxis;
        int rowsPerSample = outputSize / lastAxis;
        // A batch larger than the data is one batch (Keras); from here on no size can exceed the data's.
        int batchRows = Math.Min(batchSize, trainCount);
        bool weighted = weights is not null;
        T[] xBatch = shuffle ? new T[batchRows * inputSize] : [];
        T[] yBatch = shuffle ? new T[batchRows * targetSize] : [];
        double[] wBatch = shuffle && weighted ? new double[batchRows] : [];
        T[] weightedOutput = weighted ? new T[batchRows * outputSize] : [];
        T[] weightedOutputGradient = weighted ? new T[batchRows * outputSize] : [];
        T[] weightedInputGradient = weighted ? new T[batchRows * inputSize] : [];
        int[] order = shuffle ? new int[trainCount] : [];
        T[] predictions = validate ? new T[checked(Math.Min(batchSize, valCount) * outputSize)] : [];
        var trainMetrics = new MetricSet(resolved, lastAxis);
        var valMetrics = new MetricSet(resolved, lastAxis);
        var rng = new Rng(ShuffleSeed(seed));
        int steps = (trainCount - 1) / batchRows + 1;
        // A skipped batch's forward pass may still have moved the state (moving statistics): it is put back from here.
        T[] stateBefore = new T[model.State.Length];

        var history = new History(keys);
        var training = new TrainingContext<T>(model, optimizer, epochs, steps, keys.AsReadOnly(), history, output, verbose,
            name => name != "loss" && Array.Find(resolved, m => m.Name == name).HigherIsBetter);
        Callback[] all = CallbackList(callbacks, earlyStopping, terminateOnNaN, progress, verbose ? new ProgressLogger(bar) : null);
        double lossSum = 0, lossWeight = 0;
        training.RunningLogs = () => RunningLogs(trainKeys, lossSum / lossWeight, trainMetrics);

        foreach (Callback callback in all)
            callback.OnTrainBegin(training);
        for (int epoch = 0; epoch < epochs && !training.StopTraining; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            foreach (Callback callback in all)
                callback.OnEpochBegin(epoch, training);

            if (shuffle)
            {
                // A fresh permutation each epoch, drawn from one stream: the run depends on the seed only.
                for (int i = 0; i < order.Length; i++)
                    order[i] = i;
                rng.Shuffle<int>(order);
            }

            lossSum = 0;
            lossWeight = 0;
            int skipped = 0, stepsRun = 0;
            trainMetrics.Reset();
            for (int step = 0; step < steps; step++)
            {
                foreach (Callback callback in all)
                    callback.OnBatchBegin(step, training);
                stepsRun++;
                int first = step * batchRows;
                int count = Math.Min(batchRows, trainCount - first);
                ReadOnlySpan<T> xb, yb;
                ReadOnlySpan<double> wb = default;
                if (shuffle)
                {
                    ReadOnlySpan<int> rows = order.AsSpan(first, count);
                    Gather(trainX, rows, inputSize, xBatch);
                    Gather(trainY, rows, targetSize, yBatch);
                    xb = xBatch.AsSpan(0, count * inputSize);
                    yb = yBatch.AsSpan(0, count * targetSize);
                    if (weighted)
                    {
                        Gather(trainWeights, rows, 1, wBatch);
                        wb = wBatch.AsSpan(0, count);
                    }
                }
                else
                {
                    // In order, a batch is a contiguous slice: no copy needed.
                    xb = trainX.Slice(first * inputSize, count * inputSize);
                    yb = trainY.Slice(first * targetSize, count * targetSize);
                    if (weighted)
                        wb = trainWeights.Slice(first, count);
                }
                model.State.CopyTo(stateBefore);
                T loss = weighted
                    ? SampleWeights.ComputeGradients(model, xb, yb, wb, weightedOutput, weightedOutputGradient, weightedInputGradient)
                    : model.ComputeGradients(xb, yb);
                // A non-finite loss skips the update here; non-finite gradients make the optimizer skip it. A model
                // switched to Trainable = false takes no step (Adam's momentum would still move it on zero gradients).
                bool applied = T.IsFinite(loss) && (!model.Trainable || optimizer.Step(model.Parameters, model.Gradients));
                if (applied)
                {
                    lossWeight += count;
                    lossSum += double.CreateTruncating(loss) * count;
                    trainMetrics.Update<T>(model.LastOutput[..(count * outputSize)], yb, wb, rowsPerSample);
                }
                else
                {
                    stateBefore.CopyTo(model.State);
                    skipped++;
                }
                var log = new BatchLog(epoch, step, count, double.CreateTruncating(loss), !applied);
                foreach (Callback callback in all)
                    callback.OnBatchEnd(log, training);
                if (training.StopTraining)
                    break;
            }
            history.SkippedSteps += skipped;

            var logs = new OrderedDictionary<string, double>(keys.Count, StringComparer.Ordinal);
            AddLogs(logs, "", lossSum / lossWeight, trainMetrics);
            if (validate)
            {
                double valLoss = EvaluateCore(model, valX, valY, valWeights, batchSize, predictions, valMetrics);
                AddLogs(logs, "val_", valLoss, valMetrics);
            }
            history.Add(logs);

            training.EpochElapsed = Stopwatch.GetElapsedTime(started);
            training.StepsRun = stepsRun;
            training.StepsSkipped = skipped;
            var view = new ReadOnlyDictionary<string, double>(logs);
            foreach (Callback callback in all)
                callback.OnEpochEnd(epoch, view, training);
            if (training.StopTraining)
                history.StoppedEpoch = epoch + 1;
        }
        foreach (Callback callback in all)
            callback.OnTrainEnd(training);
        return history;
    }

    /// <summary>
    /// The callbacks of one Fit in Keras' order: the progress output first, then the user's, then the ones the
    /// arguments stand for (<paramref name="earlyStopping"/>, <paramref name="terminateOnNaN"/>, <paramref name="progress"/>).
    /// </summary>
    private static Callback[] CallbackList(Callback[]? callbacks, EarlyStopping? earlyStopping, bool terminateOnNaN,
        IProgress<EpochLog>? progress, ProgressLogger? logger)
    {
        var all = new List<Callback>();
        if (logger is not null)
            all.Add(logger);
        foreach (Callback callback in callbacks ?? [])
        {
            ArgumentNullException.ThrowIfNull(callback, nameof(callbacks));
            all.Add(callback);
        }
        if (earlyStopping is not null && !all.Contains(earlyStopping))
            all.Add(earlyStopping);
        if (terminateOnNaN && !all.Exists(c => c is TerminateOnNaN))
            all.Add(new TerminateOnNaN());
        if (progress is not null)
            all.Add(new ProgressReporter(progress));
        return [.. all];
    }

    /// <summary>The running means shown by the progress bar, in the training keys' order.</summary>
    private static IEnumerable<KeyValuePair<string, double>> RunningLogs(string[] trainKeys, double loss, MetricSet metrics)
    {
        var logs = new OrderedDictionary<string, double>(trainKeys.Length, StringComparer.Ordinal);
        AddLogs(logs, "", loss, metrics);
        return logs;
    }

    /// <summary>
    /// The loss and metrics of <paramref name="model"/> on (<paramref name="x"/>, <paramref name="y"/>) in inference
    /// mode, computed in batches: Keras' <c>evaluate(..., return_dict=True)</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="x">Inputs, [samples, InputSize].</param>
    /// <param name="y">Targets, [samples, TargetSize].</param>
    /// <param name="batchSize">Samples per forward pass (Keras default 32).</param>
    /// <param name="metrics">Metrics to compute next to the loss.</param>
    /// <param name="sampleWeight">One weight per sample (Keras <c>sample_weight</c>): the loss is <c>Σ wᵢ·lossᵢ / n</c>, the metrics weighted.</param>
    /// <param name="classWeight">A weight per class index, applied to each sample by its target's class (classes not listed weigh 1).</param>
    /// <exception cref="InvalidOperationException">The model was declared without a loss.</exception>
    /// <exception cref="ArgumentException">Sizes do not fit the model, or a target or weight is not one Evaluate accepts.</exception>
    public static Evaluation Evaluate<T>(this IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int batchSize = 32, Metric[]? metrics = null,
        ReadOnlySpan<double> sampleWeight = default, IReadOnlyDictionary<int, double>? classWeight = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckElementType<T>();
        CheckHasLoss(model, "evaluated");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int samples = CheckData(model, x, y, nameof(x), nameof(y), "Input", "Target");
        if (samples == 0)
            throw new ArgumentException("Evaluate needs at least one sample; the input is empty.", nameof(x));
        Losses.ValidateTargets(model.Loss, y, model.TargetSize, model.OutputLastAxis, nameof(y));
        double[]? weights = SampleWeights.Resolve(sampleWeight, classWeight, y, samples, model.TargetSize, model.OutputSize, model.OutputLastAxis);

        var resolved = new MetricSet(Metrics.Resolve(metrics, model.OutputSize, model.TargetSize, model.OutputLastAxis), model.OutputLastAxis);
        var predictions = new T[checked(Math.Min(batchSize, samples) * model.OutputSize)];
        double loss = EvaluateCore(model, x, y, weights, batchSize, predictions, resolved);

        var values = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        AddLogs(values, "", loss, resolved);
        return new Evaluation(loss, new ReadOnlyDictionary<string, double>(values));
    }

    /// <summary>
    /// Batched inference, loss and metrics (reset first); returns the mean loss, each sample's loss times its
    /// weight when <paramref name="weights"/> is not empty.
    /// </summary>
    private static double EvaluateCore<T>(IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<double> weights, int batchSize,
        Span<T> predictions, MetricSet metrics)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inputSize = model.InputSize, targetSize = model.TargetSize, outputSize = model.OutputSize, lastAxis = model.OutputLastAxis;
        int samples = x.Length / inputSize;
        metrics.Reset();
        double lossSum = 0;
        // Advances by the rows taken, never past the data, so a huge batchSize cannot wrap the index around.
        for (int first = 0, count; first < samples; first += count)
        {
            count = Math.Min(batchSize, samples - first);
            ReadOnlySpan<T> yb = y.Slice(first * targetSize, count * targetSize);
            Span<T> pb = predictions[..(count * outputSize)];
            model.Predict(x.Slice(first * inputSize, count * inputSize), pb);
            ReadOnlySpan<double> wb = weights.IsEmpty ? default : weights.Slice(first, count);
            if (wb.IsEmpty)
                lossSum += double.CreateTruncating(Losses.Compute<T>(model.Loss, pb, yb, lastAxis)) * count;
            else
            {
                for (int i = 0; i < count; i++)
                    lossSum += wb[i] * double.CreateTruncating(Losses.Compute<T>(model.Loss, pb.Slice(i * outputSize, outputSize), yb.Slice(i * targetSize, targetSize), lastAxis));
            }
            metrics.Update<T>(pb, yb, wb, outputSize / lastAxis);
        }
        return lossSum / samples;
    }

    /// <summary>Training log names in Keras' order: sorted by name (Keras' <c>pythonify_logs</c> sorts).</summary>
    private static string[] TrainingKeys(ResolvedMetric[] metrics)
    {
        var keys = new string[metrics.Length + 1];
        keys[0] = "loss";
        for (int i = 0; i < metrics.Length; i++)
            keys[i + 1] = metrics[i].Name;
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Adds the loss and the metric results under their names, in sorted order, with a prefix.</summary>
    private static void AddLogs(OrderedDictionary<string, double> logs, string prefix, double loss, MetricSet metrics)
    {
        var entries = new KeyValuePair<string, double>[metrics.Count + 1];
        entries[0] = new(prefix + "loss", loss);
        for (int i = 0; i < metrics.Count; i++)
            entries[i + 1] = new(prefix + metrics.Name(i), metrics.Result(i));
        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (KeyValuePair<string, double> entry in entries)
            logs.Add(entry.Key, entry.Value);
    }

    /// <summary>
    /// Keras' <c>Progbar</c> line for <c>verbose=2</c>:
    /// <c>250/250 - 1s - 4ms/step - accuracy: 0.9512 - loss: 0.1632</c>.
    /// </summary>
    internal static string FormatEpochLine(int steps, TimeSpan elapsed, IEnumerable<KeyValuePair<string, double>> logs)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        double seconds = elapsed.TotalSeconds;
        var line = new StringBuilder();
        line.Append(inv, $"{steps}/{steps} - {FormatSeconds(seconds)} -");
        line.Append(FormatPerStep(seconds / steps));
        foreach (KeyValuePair<string, double> entry in logs)
            line.Append(" - ").Append(entry.Key).Append(": ").Append(FormatValue(entry.Value));
        return line.ToString();
    }

    /// <summary>Keras' <c>_format_time</c>: <c> 4ms/step</c>, in s, ms or us per step, whole numbers, with a leading space.</summary>
    internal static string FormatPerStep(double perStep)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        if (perStep >= 1 || perStep == 0)
            return string.Create(inv, $" {RoundHalfEven(perStep)}s/step");
        if (perStep >= 1e-3)
            return string.Create(inv, $" {RoundHalfEven(perStep * 1e3)}ms/step");
        return string.Create(inv, $" {RoundHalfEven(perStep * 1e6)}us/step");
    }

    /// <summary>Whole seconds as Keras prints elapsed time and ETAs: <c>3s</c>.</summary>
    internal static string FormatSeconds(double seconds) => RoundHalfEven(seconds) + "s";

    /// <summary>Keras verbose=2: <c>f"{v:.4f}"</c> above 1e-3, else <c>f"{v:.4e}"</c> (Python's spelling).</summary>
    internal static string FormatValue(double value)
    {
        if (value > 1e-3)
            return double.IsPositiveInfinity(value) ? "inf" : value.ToString("F4", CultureInfo.InvariantCulture);
        if (double.IsNaN(value))
            return "nan";
        if (double.IsNegativeInfinity(value))
            return "-inf";
        return value.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }

    /// <summary>Python's <c>f"{v:.0f}"</c> rounds halves to even.</summary>
    private static string RoundHalfEven(double value) =>
        Math.Round(value, MidpointRounding.ToEven).ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The shuffling stream's seed. Mixed with a constant so that <c>Fit(seed: 0)</c> on a model built with
    /// <c>seed: 0</c> does not replay the initializer's random stream.
    /// </summary>
    private static ulong ShuffleSeed(int seed) => unchecked((ulong)(long)seed ^ 0xF17_5EED_0DD5_A11CUL);

    private static void Gather<TValue>(ReadOnlySpan<TValue> source, ReadOnlySpan<int> rows, int rowLength, Span<TValue> destination)
    {
        for (int i = 0; i < rows.Length; i++)
            source.Slice(rows[i] * rowLength, rowLength).CopyTo(destination.Slice(i * rowLength, rowLength));
    }

    private static void CheckElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Models train in float or double, not {typeof(T).Name}.");
    }

    private static void CheckHasLoss<T>(IModel<T> model, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (model.Loss == Loss.None)
            throw new InvalidOperationException(
                $"Model {model.Name} was declared without a loss, so it cannot be {what}; declare one with [Sequential(Loss = ...)].");
    }

    /// <summary>Validates inputs and targets against the model's sizes; returns the sample count.</summary>
    private static int CheckData<T>(IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, string xName, string yName, string xLabel, string yLabel)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inputSize = model.InputSize, targetSize = model.TargetSize;
        if (x.Length % inputSize != 0)
            throw new ArgumentException(
                $"{xLabel} length {x.Length} is not a multiple of the sample size {inputSize} (expected [batch, {inputSize}]).", xName);
        if (y.Length % targetSize != 0)
            throw new ArgumentException(
                $"{yLabel} length {y.Length} is not a multiple of the target size {targetSize} (expected [batch, {targetSize}]).", yName);
        int samples = x.Length / inputSize;
        if (y.Length / targetSize != samples)
            throw new ArgumentException(
                $"{xLabel} holds {samples} samples but the targets hold {y.Length / targetSize} (expected {samples} × {targetSize} = {(long)samples * targetSize} target values, got {y.Length}).",
                yName);
        return samples;
    }
}
