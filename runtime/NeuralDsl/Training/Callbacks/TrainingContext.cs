using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// The run a <see cref="Callback"/> belongs to: Keras' <c>self.model</c> and <c>self.params</c> as a callback
/// sees them.
/// </summary>
public abstract class TrainingContext
{
    private readonly Func<string, bool> _higherIsBetter;

    private protected TrainingContext(string modelName, Optimizer optimizer, int epochs, int stepsPerEpoch, IReadOnlyList<string> keys,
        History history, TextWriter output, bool verbose, Func<string, bool> higherIsBetter)
    {
        ModelName = modelName;
        Optimizer = optimizer;
        Epochs = epochs;
        StepsPerEpoch = stepsPerEpoch;
        Keys = keys;
        History = history;
        Output = output;
        Verbose = verbose;
        _higherIsBetter = higherIsBetter;
    }

    /// <summary>The model's name.</summary>
    public string ModelName { get; }

    /// <summary>The optimizer; set its <see cref="Optimizer.LearningRate"/> to change the next steps' rate.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The number of epochs requested.</summary>
    public int Epochs { get; }

    /// <summary>Steps (batches) per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>Every key an epoch logs, in <see cref="History"/> order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>What the epochs logged so far.</summary>
    public History History { get; }

    /// <summary>Where <c>Fit</c> writes its lines; callbacks that print write here too.</summary>
    public TextWriter Output { get; }

    /// <summary><c>Fit</c>'s <c>verbose</c>: callbacks whose own verbosity is not set print when it is true.</summary>
    public bool Verbose { get; }

    /// <summary>
    /// Set to true to end training (Keras <c>model.stop_training</c>): <c>Fit</c> checks it after every step and
    /// after every epoch, and finishes the current epoch's logs before it stops.
    /// </summary>
    public bool StopTraining { get; set; }

    /// <summary>Saves the model's weights (parameters and state) to <paramref name="path"/> as <c>SaveWeights</c> does.</summary>
    public abstract void SaveWeights(string path);

    /// <summary>Which way a logged key improves: accuracies and the other scores up, losses and errors down.</summary>
    internal bool HigherIsBetter(string key) =>
        _higherIsBetter(key.StartsWith("val_", StringComparison.Ordinal) ? key["val_".Length..] : key);

    /// <summary>Copies the parameters followed by the state into <paramref name="snapshot"/>, made or resized here.</summary>
    internal abstract void KeepWeights(ref Array? snapshot);

    /// <summary>Puts back weights kept by <see cref="KeepWeights"/>.</summary>
    internal abstract void RestoreWeights(Array snapshot);

    /// <summary>Time since the current epoch began.</summary>
    internal TimeSpan EpochElapsed { get; set; }

    /// <summary>Steps run in the current epoch, skipped ones included.</summary>
    internal int StepsRun { get; set; }

    /// <summary>Steps of the current epoch whose update was skipped.</summary>
    internal int StepsSkipped { get; set; }

    /// <summary>The running means of the current epoch's loss and metrics, for the progress bar; set by <c>Fit</c>.</summary>
    internal Func<IEnumerable<KeyValuePair<string, double>>>? RunningLogs { get; set; }
}

/// <summary>The context over one model with element type <typeparamref name="T"/>.</summary>
internal sealed class TrainingContext<T> : TrainingContext
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IModel<T> _model;

    internal TrainingContext(IModel<T> model, Optimizer optimizer, int epochs, int stepsPerEpoch, IReadOnlyList<string> keys,
        History history, TextWriter output, bool verbose, Func<string, bool> higherIsBetter)
        : base(model.Name, optimizer, epochs, stepsPerEpoch, keys, history, output, verbose, higherIsBetter)
    {
        _model = model;
    }

    public override void SaveWeights(string path) => _model.SaveWeights(path);

    internal override void KeepWeights(ref Array? snapshot)
    {
        ReadOnlySpan<T> parameters = _model.Parameters, state = _model.State;
        if (snapshot is not T[] kept || kept.Length != parameters.Length + state.Length)
            snapshot = kept = new T[parameters.Length + state.Length];
        parameters.CopyTo(kept);
        state.CopyTo(kept.AsSpan(parameters.Length));
    }

    internal override void RestoreWeights(Array snapshot)
    {
        var kept = (T[])snapshot;
        Span<T> parameters = _model.Parameters;
        kept.AsSpan(0, parameters.Length).CopyTo(parameters);
        kept.AsSpan(parameters.Length).CopyTo(_model.State);
    }
}
