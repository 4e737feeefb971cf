using System;
using System.Collections.Generic;

namespace NeuralDsl;

/// <summary>What <c>Fit</c> reports to its progress hook after each epoch (Keras' epoch <c>logs</c>).</summary>
/// <param name="Epoch">The epoch just finished, numbered from 1.</param>
/// <param name="Epochs">The number of epochs requested.</param>
/// <param name="Loss">The training loss: the sample-weighted mean over the epoch's batches.</param>
/// <param name="Metrics">Every value logged for the epoch under its Keras name, in <see cref="History"/> key order, including <c>loss</c> and the <c>val_</c> values.</param>
/// <param name="Elapsed">Wall time of the epoch, validation included.</param>
public sealed record EpochLog(int Epoch, int Epochs, double Loss, IReadOnlyDictionary<string, double> Metrics, TimeSpan Elapsed)
{
    /// <summary>The validation loss, or null without validation data.</summary>
    public double? ValidationLoss => Metrics.TryGetValue("val_loss", out double value) ? value : null;
}
