// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>Training losses, Keras semantics (<c>reduction="sum_over_batch_size"</c>, probabilities in).</summary>
public enum Loss
{
    /// <summary>No loss: the model can predict and back-propagate a given output gradient, but not <c>Fit</c>.</summary>
    None = 0,
    /// <summary>Binary cross-entropy, probabilities clipped to [1e-7, 1 − 1e-7]; targets have the output's shape.</summary>
    BinaryCrossEntropy = 1,
    /// <summary>Categorical cross-entropy on one-hot (or soft) targets of the output's shape.</summary>
    CategoricalCrossEntropy = 2,
    /// <summary>Categorical cross-entropy on integer class labels: one target value per sample.</summary>
    SparseCategoricalCrossEntropy = 3,
    /// <summary>Mean squared error.</summary>
    MeanSquaredError = 4,
    /// <summary>Mean absolute error.</summary>
    MeanAbsoluteError = 5,
    /// <summary>Huber loss with delta 1.</summary>
    Huber = 6,
}
