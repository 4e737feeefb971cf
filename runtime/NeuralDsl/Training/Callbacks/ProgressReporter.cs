using System;
using System.Collections.Generic;

namespace NeuralDsl;

/// <summary>
/// <c>Fit</c>'s <c>progress</c> argument as a callback: one <see cref="EpochLog"/> per epoch, reported in line
/// when the epoch ends. (<see cref="Progress{T}"/> itself posts its reports to a synchronization context or the
/// thread pool, so they may arrive after <c>Fit</c> returns and out of order; pass a <see cref="Callback"/> for
/// reports that run on the training thread.)
/// </summary>
internal sealed class ProgressReporter(IProgress<EpochLog> progress) : Callback
{
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training) =>
        progress.Report(new EpochLog(epoch + 1, training.Epochs, logs["loss"], logs, training.EpochElapsed));
}
