using System.Collections.Generic;

namespace NeuralDsl;

/// <summary>The result of <c>Evaluate</c>: Keras' <c>evaluate(..., return_dict=True)</c>.</summary>
/// <param name="Loss">The mean loss over every sample.</param>
/// <param name="Metrics">Every value under its Keras name in Keras' order (sorted by name), including <c>loss</c>.</param>
public sealed record Evaluation(double Loss, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>One value by its Keras name, e.g. <c>evaluation["accuracy"]</c>.</summary>
    public double this[string name] => Metrics[name];
}
