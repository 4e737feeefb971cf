// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>Element-wise (or, for <see cref="Softmax"/>, per-row) activation functions, with Keras semantics.</summary>
public enum Activation
{
    /// <summary>Identity: <c>f(x) = x</c>.</summary>
    Linear = 0,
    /// <summary><c>max(x, 0)</c>.</summary>
    ReLU = 1,
    /// <summary><c>1 / (1 + e^-x)</c>.</summary>
    Sigmoid = 2,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 3,
    /// <summary>Softmax over the last axis (stable form: the row maximum is subtracted first).</summary>
    Softmax = 4,
    /// <summary><c>x</c> for x ≥ 0, else <c>0.2·x</c> (the <c>keras.activations.leaky_relu</c> default slope).</summary>
    LeakyReLU = 5,
    /// <summary><c>x</c> for x &gt; 0, else <c>e^x − 1</c> (alpha 1).</summary>
    ELU = 6,
    /// <summary>Scaled ELU: scale 1.0507009873554805, alpha 1.6732632423543772.</summary>
    SELU = 7,
    /// <summary>Exact GELU: <c>0.5·x·(1 + erf(x/√2))</c> (Keras <c>approximate=False</c>).</summary>
    GELU = 8,
    /// <summary>Swish / SiLU: <c>x·sigmoid(x)</c>.</summary>
    Swish = 9,
    /// <summary><c>log(1 + e^x)</c>.</summary>
    Softplus = 10,
}
