using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// Stops <c>Fit</c> at the first step whose loss or gradients are NaN or infinite: Keras' <c>TerminateOnNaN</c>.
/// The step's update was already skipped (<see cref="Optimizer.Step{T}"/>), so the model keeps its last finite
/// weights; <see cref="History.NonFiniteStop"/> names the epoch and batch. <c>Fit(terminateOnNaN: true)</c>, the
/// default, adds one unless the callbacks hold one already.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <inheritdoc/>
    public override void OnBatchEnd(in BatchLog log, TrainingContext training)
    {
        if (!log.Skipped || training.StopTraining)
            return;
        training.History.NonFiniteStop = Message(log, training.Epochs, training.StepsPerEpoch);
        training.StopTraining = true;
    }

    /// <summary>Why training stopped: where, what, and what the model holds now.</summary>
    private static string Message(in BatchLog log, int epochs, int steps)
    {
        string what = double.IsFinite(log.Loss) ? "a gradient" : $"the loss ({ModelTraining.FormatValue(log.Loss)})";
        return string.Create(CultureInfo.InvariantCulture,
            $"Epoch {log.Epoch + 1}/{epochs}, batch {log.Batch + 1}/{steps}: {what} is not finite. The update was skipped and training "
            + $"stopped with the last finite weights (terminateOnNaN: false would skip such batches and train on).");
    }
}
