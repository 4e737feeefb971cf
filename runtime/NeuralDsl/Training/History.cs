using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace NeuralDsl;

/// <summary>
/// What <c>Fit</c> logged, epoch by epoch: Keras' <c>History.history</c>. Keys are Keras log names in Keras'
/// order: the training values sorted by name (<c>accuracy</c>, <c>loss</c>, <c>mae</c>, ...), then the same
/// names prefixed with <c>val_</c> when there was validation data.
/// </summary>
public sealed class History
{
    private readonly OrderedDictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, IReadOnlyList<double>> _views = new(StringComparer.Ordinal);

    internal History(IReadOnlyList<string> keys)
    {
        foreach (string key in keys)
        {
            var list = new List<double>();
            _values.Add(key, list);
            _views.Add(key, list.AsReadOnly());
        }
        Keys = new ReadOnlyCollection<string>([.. keys]);
        Metrics = new ReadOnlyDictionary<string, IReadOnlyList<double>>(_views);
    }

    /// <summary>Every logged series by key (one value per epoch run), in Keras' key order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Metrics { get; }

    /// <summary>The logged keys in Keras' order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The number of epochs run.</summary>
    public int Epochs { get; private set; }

    /// <summary>
    /// The epoch (numbered from 1) at which early stopping or a non-finite step (<see cref="NonFiniteStop"/>) ended
    /// training, or null if it ran every epoch.
    /// </summary>
    public int? StoppedEpoch { get; internal set; }

    /// <summary>
    /// Why <c>Fit(terminateOnNaN: true)</c> stopped: names the epoch and batch whose loss or gradients were not
    /// finite. Null if no such step ended training.
    /// </summary>
    public string? NonFiniteStop { get; internal set; }

    /// <summary>Batches whose loss or gradients were not finite, so their update was skipped.</summary>
    public int SkippedSteps { get; internal set; }

    /// <summary>One series, e.g. <c>history["val_loss"]</c>.</summary>
    /// <exception cref="KeyNotFoundException">Nothing was logged under <paramref name="key"/>; the message lists the keys.</exception>
    public IReadOnlyList<double> this[string key] =>
        _views.TryGetValue(key, out IReadOnlyList<double>? series)
            ? series
            : throw new KeyNotFoundException($"History has no '{key}'; it holds: {string.Join(", ", Keys)}.");

    /// <summary>Appends one epoch's values (every key is present).</summary>
    internal void Add(IReadOnlyDictionary<string, double> logs)
    {
        foreach (KeyValuePair<string, List<double>> entry in _values)
            entry.Value.Add(logs[entry.Key]);
        Epochs++;
    }
}
