// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>How a <c>[Perceptron]</c> model weights its classes (scikit-learn's <c>class_weight</c>).</summary>
public enum ClassWeight
{
    /// <summary>Every class has weight 1, or the explicit <c>ClassWeights</c> when given.</summary>
    None = 0,
    /// <summary>n_samples / (n_classes · count(class)) from the labels given to <c>Fit</c> (scikit-learn's <c>'balanced'</c>).</summary>
    Balanced = 1,
}
