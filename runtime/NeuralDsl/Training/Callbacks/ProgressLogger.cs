using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NeuralDsl;

/// <summary>
/// <c>Fit(verbose: true)</c>'s output: Keras' <c>ProgbarLogger</c>. On a terminal it is Keras' <c>verbose=1</c>
/// bar, one line rewritten in place with <c>\r</c> as the batches run (at most every 50 ms, like Keras'
/// <c>interval</c>); otherwise (output redirected, or a writer passed to <c>Fit</c>) Keras' <c>verbose=2</c>,
/// one line per epoch. Both start an epoch with <c>Epoch 3/10</c> when there are several.
/// </summary>
internal sealed class ProgressLogger(bool bar) : Callback
{
    /// <summary>Keras' Progbar width in characters.</summary>
    private const int BarWidth = 20;

    /// <summary>Keras' Progbar <c>interval</c>: the least time between two redraws.</summary>
    private static readonly long RedrawInterval = Stopwatch.Frequency / 20;

    private long _started, _lastDraw;
    private int _previousWidth;

    public override void OnEpochBegin(int epoch, TrainingContext training)
    {
        if (training.Epochs > 1)
            training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{training.Epochs}"));
        _started = Stopwatch.GetTimestamp();
        _lastDraw = 0;
        _previousWidth = 0;
    }

    public override void OnBatchEnd(in BatchLog log, TrainingContext training)
    {
        if (!bar)
            return;
        long now = Stopwatch.GetTimestamp();
        // The last step is drawn by OnEpochEnd with the epoch's logs; between, no more often than Keras redraws.
        if (log.Batch + 1 >= training.StepsPerEpoch || now - _lastDraw < RedrawInterval)
            return;
        _lastDraw = now;
        Draw(training, log.Batch + 1, Stopwatch.GetElapsedTime(_started, now), training.RunningLogs?.Invoke() ?? [], finished: false);
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        if (bar)
            Draw(training, training.StepsRun, training.EpochElapsed, logs, finished: true);
        else
            training.Output.WriteLine(ModelTraining.FormatEpochLine(training.StepsRun, training.EpochElapsed, logs));
        if (training.History.NonFiniteStop is not null)
            training.Output.WriteLine(training.History.NonFiniteStop);
        else if (training.StepsSkipped > 0)
            training.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Epoch {epoch + 1}/{training.Epochs}: {training.StepsSkipped} of {training.StepsPerEpoch} batches skipped, their loss or gradients not finite."));
    }

    /// <summary>
    /// Keras' verbose=1 line: <c>\r 12/250 ━━━━━━━━━━━━━━━━━━━━ 3s 12ms/step - loss: 0.4210</c>, the done part of
    /// the bar green; an ETA while running, the elapsed time once finished; padded over the previous draw.
    /// </summary>
    private void Draw(TrainingContext training, int current, TimeSpan elapsed, IEnumerable<KeyValuePair<string, double>> logs, bool finished)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        int target = training.StepsPerEpoch;
        int digits = target.ToString(inv).Length;
        int done = BarWidth * current / target;
        var line = new StringBuilder("\r");
        int start = line.Length;
        line.Append(current.ToString(inv).PadLeft(digits)).Append('/').Append(target.ToString(inv)).Append(' ');
        line.Append("\x1b[32m").Append('━', done).Append("\x1b[0m\x1b[37m").Append('━', BarWidth - done).Append("\x1b[0m");
        double perStep = elapsed.TotalSeconds / Math.Max(current, 1);
        line.Append(' ').Append(finished ? ModelTraining.FormatSeconds(elapsed.TotalSeconds) : ModelTraining.FormatSeconds(perStep * (target - current)));
        line.Append(ModelTraining.FormatPerStep(perStep));
        foreach (KeyValuePair<string, double> entry in logs)
            line.Append(" - ").Append(entry.Key).Append(": ").Append(ModelTraining.FormatValue(entry.Value));
        int width = line.Length - start;
        if (width < _previousWidth)
            line.Append(' ', _previousWidth - width);
        _previousWidth = width;
        if (finished)
            training.Output.WriteLine(line.ToString());
        else
        {
            training.Output.Write(line.ToString());
            training.Output.Flush();
        }
    }
}
