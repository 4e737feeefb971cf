using System.Collections.Generic;

namespace NeuralDsl;

/// <summary>
/// A hook into <c>Fit</c>: Keras' <c>keras.callbacks.Callback</c>. Every method runs synchronously on the training
/// thread, in order, before <c>Fit</c> goes on, so a callback sees the model exactly as the loop left it and can
/// stop training (<see cref="TrainingContext.StopTraining"/>) or change the learning rate
/// (<see cref="TrainingContext.Optimizer"/>) for the next step.
/// </summary>
/// <remarks>
/// Epochs and batches are numbered from 0 as in Keras. <see cref="OnBatchBegin"/> and <see cref="OnBatchEnd"/>
/// run once per step: keep them free of allocations to keep the training loop allocation-free.
/// </remarks>
public abstract class Callback
{
    /// <summary>Once, before the first epoch (Keras <c>on_train_begin</c>).</summary>
    public virtual void OnTrainBegin(TrainingContext training)
    {
    }

    /// <summary>Once, after the last epoch or the stop (Keras <c>on_train_end</c>).</summary>
    public virtual void OnTrainEnd(TrainingContext training)
    {
    }

    /// <summary>Before each epoch (Keras <c>on_epoch_begin</c>).</summary>
    /// <param name="epoch">The epoch index, from 0.</param>
    /// <param name="training">The run.</param>
    public virtual void OnEpochBegin(int epoch, TrainingContext training)
    {
    }

    /// <summary>After each epoch, validation included (Keras <c>on_epoch_end</c>).</summary>
    /// <param name="epoch">The epoch index, from 0.</param>
    /// <param name="logs">The epoch's values under their Keras names, in <see cref="History"/> key order.</param>
    /// <param name="training">The run.</param>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
    }

    /// <summary>Before each step (Keras <c>on_train_batch_begin</c>).</summary>
    /// <param name="batch">The step index within the epoch, from 0.</param>
    /// <param name="training">The run.</param>
    public virtual void OnBatchBegin(int batch, TrainingContext training)
    {
    }

    /// <summary>After each step, whether its update was applied or skipped (Keras <c>on_train_batch_end</c>).</summary>
    /// <param name="log">The step's loss and whether it was skipped.</param>
    /// <param name="training">The run.</param>
    public virtual void OnBatchEnd(in BatchLog log, TrainingContext training)
    {
    }
}

/// <summary>What a step reports to <see cref="Callback.OnBatchEnd"/>.</summary>
/// <param name="Epoch">The epoch index, from 0.</param>
/// <param name="Batch">The step index within the epoch, from 0.</param>
/// <param name="Samples">Samples in the batch.</param>
/// <param name="Loss">The batch's loss (sample-weighted as the gradient is).</param>
/// <param name="Skipped">True when the loss or a gradient was not finite, so the update was not applied.</param>
public readonly record struct BatchLog(int Epoch, int Batch, int Samples, double Loss, bool Skipped);
