// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>The regularization term of a <c>[Perceptron]</c> model (scikit-learn's <c>penalty</c>).</summary>
public enum Penalty
{
    /// <summary>No regularization (scikit-learn <c>penalty=None</c>, the Perceptron's default).</summary>
    None = 0,
    /// <summary>Squared L2 norm: the weights are scaled by max(0, 1 − η·α) before each sample's update.</summary>
    L2 = 1,
    /// <summary>L1 norm, applied by the cumulative truncated gradient (Tsuruoka et al., 2009) after each sample.</summary>
    L1 = 2,
    /// <summary>Elastic net: L2 with weight 1 − <c>L1Ratio</c> and L1 with weight <c>L1Ratio</c>.</summary>
    ElasticNet = 3,
}
