// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>Weight initializers with Keras names and defaults.</summary>
public enum Initializer
{
    /// <summary>Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras default for kernels).</summary>
    GlorotUniform = 0,
    /// <summary>Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).</summary>
    GlorotNormal = 1,
    /// <summary>Uniform in ±sqrt(6 / fan_in).</summary>
    HeUniform = 2,
    /// <summary>Truncated normal, stddev sqrt(2 / fan_in).</summary>
    HeNormal = 3,
    /// <summary>Uniform in ±sqrt(3 / fan_in).</summary>
    LecunUniform = 4,
    /// <summary>Truncated normal, stddev sqrt(1 / fan_in).</summary>
    LecunNormal = 5,
    /// <summary>All zeros (Keras default for biases).</summary>
    Zeros = 6,
    /// <summary>All ones.</summary>
    Ones = 7,
    /// <summary>Normal, mean 0, stddev 0.05.</summary>
    RandomNormal = 8,
    /// <summary>Uniform in [−0.05, 0.05].</summary>
    RandomUniform = 9,
    /// <summary>
    /// Orthogonal (Keras default for recurrent kernels, gain 1): the Q of the QR decomposition of a normal matrix,
    /// sign-corrected so R has a positive diagonal; rows (fan in) or columns are orthonormal, whichever are fewer.
    /// </summary>
    Orthogonal = 10,
}
