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
    /// <param name="progress">Told after every epoch.</param>
    /// <param name="output">Where the verbose lines go; <see cref="Console.Out"/> if null.</param>
    /// <param name="terminateOnNaN">Stop at the first batch whose loss or gradients are not finite (else skip such batches).</param>
    /// <exception cref="InvalidOperationException">The model was declared without a loss.</exception>
    /// <exception cref="ArgumentException">Sizes do not fit the model, the arguments contradict each other, or a target is not one the loss accepts.</exception>
    public static History Fit<T>(this IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int epochs = 1, int batchSize = 32,
        Optimizer? optimizer = null, Metric[]? metrics = null, double validationSplit = 0,
        ReadOnlySpan<T> validationX = default, ReadOnlySpan<T> validationY = default, bool shuffle = true, int seed = 0,
        EarlyStopping? earlyStopping = null, bool verbose = true, IProgress<EpochLog>? progress = null, TextWriter? output = null,
        bool terminateOnNaN = true)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckElementType<T>();
        CheckHasLoss(model, "trained with Fit");
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");

        int samples = CheckData(model, x, y, nameof(x), nameof(y), "Input", "Target");
        if (samples == 0)
            throw new ArgumentException("Fit needs at least one sample; the input is empty.", nameof(x));
        // Every target once, before the first step: a bad one is reported by its sample index, and nothing has moved.
        Losses.ValidateTargets(model.Loss, y, model.TargetSize, model.OutputLastAxis, nameof(y));

        bool hasValidationData = !validationX.IsEmpty || !validationY.IsEmpty;
        ReadOnlySpan<T> trainX = x, trainY = y, valX = validationX, valY = validationY;
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
        output ??= Console.Out;
        ResolvedMetric[] resolved = Metrics.Resolve(metrics, model.OutputSize, model.TargetSize, model.OutputLastAxis);
        string[] trainKeys = TrainingKeys(resolved);
        var keys = new List<string>(trainKeys);
        if (validate)
        {
            foreach (string key in trainKeys)
                keys.Add("val_" + key);
        }
        // Auto mode: the loss goes down; each metric knows its direction.
        earlyStopping?.Begin<T>(keys, name => name != "loss" && Array.Find(resolved, m => m.Name == name).HigherIsBetter, model.Parameters.Length + model.State.Length);

        // Everything a batch needs, allocated once for the whole call.
        int inputSize = model.InputSize, targetSize = model.TargetSize, outputSize = model.OutputSize, lastAxis = model.OutputLastAxis;
        int rowsPerSample = outputSize / lastAxis;
        // A batch larger than the data is one batch (Keras); from here on no size can exceed the data's.
        int batchRows = Math.Min(batchSize, trainCount);
        T[] xBatch = shuffle ? new T[batchRows * inputSize] : [];
        T[] yBatch = shuffle ? new T[batchRows * targetSize] : [];
        int[] order = shuffle ? new int[trainCount] : [];
        T[] predictions = validate ? new T[checked(Math.Min(batchSize, valCount) * outputSize)] : [];
        var sums = new double[resolved.Length];
        var valSums = new double[resolved.Length];
        var rng = new Rng(ShuffleSeed(seed));
        int steps = (trainCount - 1) / batchRows + 1;
        // A skipped batch's forward pass may still have moved the state (moving statistics): it is put back from here.
        T[] stateBefore = new T[model.State.Length];

        var history = new History(keys);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            if (verbose && epochs > 1)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{epochs}"));

            if (shuffle)
            {
                // A fresh permutation each epoch, drawn from one stream: the run depends on the seed only.
                for (int i = 0; i < order.Length; i++)
                    order[i] = i;
                rng.Shuffle<int>(order);
            }

            double lossSum = 0;
            int applied = 0, skipped = 0, stepsRun = 0;
            Array.Clear(sums);
            for (int step = 0; step < steps; step++)
            {
                stepsRun++;
                int first = step * batchRows;
                int count = Math.Min(batchRows, trainCount - first);
                ReadOnlySpan<T> xb, yb;
                if (shuffle)
                {
                    Gather(trainX, order.AsSpan(first, count), inputSize, xBatch);
                    Gather(trainY, order.AsSpan(first, count), targetSize, yBatch);
                    xb = xBatch.AsSpan(0, count * inputSize);
                    yb = yBatch.AsSpan(0, count * targetSize);
                }
                else
                {
                    // In order, a batch is a contiguous slice: no copy needed.
                    xb = trainX.Slice(first * inputSize, count * inputSize);
                    yb = trainY.Slice(first * targetSize, count * targetSize);
                }
                model.State.CopyTo(stateBefore);
                T loss = model.ComputeGradients(xb, yb);
                // A non-finite loss skips the update here; non-finite gradients make the optimizer skip it.
                if (!T.IsFinite(loss) || !optimizer.Step(model.Parameters, model.Gradients))
                {
                    stateBefore.CopyTo(model.State);
                    skipped++;
                    if (terminateOnNaN)
                    {
                        history.NonFiniteStop = NonFiniteStopMessage(epoch, epochs, step, steps, double.CreateTruncating(loss));
                        break;
                    }
                    continue;
                }
                applied += count;
                lossSum += double.CreateTruncating(loss) * count;
                Metrics.Accumulate<T>(resolved, model.LastOutput[..(count * outputSize)], yb, lastAxis, sums);
            }
            history.SkippedSteps += skipped;

            var logs = new OrderedDictionary<string, double>(keys.Count, StringComparer.Ordinal);
            AddLogs(logs, "", lossSum / applied, resolved, sums, (double)applied * rowsPerSample);
            if (validate)
            {
                double valLoss = EvaluateCore(model, valX, valY, batchSize, predictions, resolved, valSums);
                AddLogs(logs, "val_", valLoss, resolved, valSums, (double)valCount * rowsPerSample);
            }
            history.Add(logs);

            bool stop = earlyStopping is not null && earlyStopping.EpochEnd<T>(epoch, logs, model.Parameters, model.State);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            if (verbose)
            {
                output.WriteLine(FormatEpochLine(stepsRun, elapsed, logs));
                if (history.NonFiniteStop is not null)
                    output.WriteLine(history.NonFiniteStop);
                else if (skipped > 0)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Epoch {epoch + 1}/{epochs}: {skipped} of {steps} batches skipped, their loss or gradients not finite."));
            }
            progress?.Report(new EpochLog(epoch + 1, epochs, logs["loss"], new ReadOnlyDictionary<string, double>(logs), elapsed));
            if (stop || history.NonFiniteStop is not null)
            {
                history.StoppedEpoch = epoch + 1;
                break;
            }
        }
        earlyStopping?.End(model.Parameters, model.State);
        return history;
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
    /// <exception cref="InvalidOperationException">The model was declared without a loss.</exception>
    /// <exception cref="ArgumentException">Sizes do not fit the model.</exception>
    public static Evaluation Evaluate<T>(this IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int batchSize = 32, Metric[]? metrics = null)
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

        ResolvedMetric[] resolved = Metrics.Resolve(metrics, model.OutputSize, model.TargetSize, model.OutputLastAxis);
        var sums = new double[resolved.Length];
        var predictions = new T[checked(Math.Min(batchSize, samples) * model.OutputSize)];
        double loss = EvaluateCore(model, x, y, batchSize, predictions, resolved, sums);

        var values = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        AddLogs(values, "", loss, resolved, sums, (double)samples * (model.OutputSize / model.OutputLastAxis));
        return new Evaluation(loss, new ReadOnlyDictionary<string, double>(values));
    }

    /// <summary>Batched inference, loss and metric sums; returns the sample-weighted mean loss.</summary>
    private static double EvaluateCore<T>(IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int batchSize, Span<T> predictions,
        ReadOnlySpan<ResolvedMetric> metrics, Span<double> sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inputSize = model.InputSize, targetSize = model.TargetSize, outputSize = model.OutputSize, lastAxis = model.OutputLastAxis;
        int samples = x.Length / inputSize;
        sums.Clear();
        double lossSum = 0;
        // Advances by the rows taken, never past the data, so a huge batchSize cannot wrap the index around.
        for (int first = 0, count; first < samples; first += count)
        {
            count = Math.Min(batchSize, samples - first);
            ReadOnlySpan<T> yb = y.Slice(first * targetSize, count * targetSize);
            Span<T> pb = predictions[..(count * outputSize)];
            model.Predict(x.Slice(first * inputSize, count * inputSize), pb);
            lossSum += double.CreateTruncating(Losses.Compute<T>(model.Loss, pb, yb, lastAxis)) * count;
            Metrics.Accumulate<T>(metrics, pb, yb, lastAxis, sums);
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

    /// <summary>Adds the loss and the metric means under their names, in sorted order, with a prefix.</summary>
    private static void AddLogs(OrderedDictionary<string, double> logs, string prefix, double loss, ResolvedMetric[] metrics, double[] sums, double rows)
    {
        var entries = new KeyValuePair<string, double>[metrics.Length + 1];
        entries[0] = new(prefix + "loss", loss);
        for (int i = 0; i < metrics.Length; i++)
            entries[i + 1] = new(prefix + metrics[i].Name, sums[i] / rows);
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
        line.Append(inv, $"{steps}/{steps} - {RoundHalfEven(seconds)}s -");
        // Keras' _format_time: s, ms or us per step, whole numbers.
        double perStep = seconds / steps;
        if (perStep >= 1 || perStep == 0)
            line.Append(inv, $" {RoundHalfEven(perStep)}s/step");
        else if (perStep >= 1e-3)
            line.Append(inv, $" {RoundHalfEven(perStep * 1e3)}ms/step");
        else
            line.Append(inv, $" {RoundHalfEven(perStep * 1e6)}us/step");
        foreach (KeyValuePair<string, double> entry in logs)
            line.Append(" - ").Append(entry.Key).Append(": ").Append(FormatValue(entry.Value));
        return line.ToString();
    }

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

    /// <summary>Why <c>Fit</c> stopped at a non-finite batch: where, what, and what the model holds now.</summary>
    private static string NonFiniteStopMessage(int epoch, int epochs, int step, int steps, double loss)
    {
        string what = double.IsFinite(loss) ? "a gradient" : $"the loss ({FormatValue(loss)})";
        return string.Create(CultureInfo.InvariantCulture,
            $"Epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}: {what} is not finite. The update was skipped and training "
            + $"stopped with the last finite weights (terminateOnNaN: false would skip such batches and train on).");
    }

    /// <summary>Python's <c>f"{v:.0f}"</c> rounds halves to even.</summary>
    private static string RoundHalfEven(double value) =>
        Math.Round(value, MidpointRounding.ToEven).ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The shuffling stream's seed. Mixed with a constant so that <c>Fit(seed: 0)</c> on a model built with
    /// <c>seed: 0</c> does not replay the initializer's random stream.
    /// </summary>
    private static ulong ShuffleSeed(int seed) => unchecked((ulong)(long)seed ^ 0xF17_5EED_0DD5_A11CUL);

    private static void Gather<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, int rowLength, Span<T> destination)
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
