using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>GRU</c> on (steps, features) input (gates z, r, h): kernel (features, 3·units), recurrent_kernel
/// (units, 3·units), bias (2, 3·units) with <see cref="ResetAfter"/> (the default) or (3·units) without;
/// <c>h_t = z ⊙ h_{t−1} + (1 − z) ⊙ hh</c>; starts from a zero state.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GRUAttribute : LayerAttribute
{
    /// <summary>A recurrent layer with a state of <paramref name="units"/> values.</summary>
    public GRUAttribute(int units) => Units = units;

    /// <summary>State size (Keras <c>units</c>).</summary>
    public int Units { get; }

    /// <summary>Activation of the candidate state (Keras default tanh); Linear, ReLU, Sigmoid or Tanh.</summary>
    public Activation Activation { get; set; } = Activation.Tanh;

    /// <summary>Activation of the gates (Keras default sigmoid); Linear, ReLU, Sigmoid or Tanh.</summary>
    public Activation RecurrentActivation { get; set; } = Activation.Sigmoid;

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Return the state of every step, (steps, units), instead of the last one, (units) (default false).</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>
    /// Read the input from the last step to the first (default false); a returned sequence is in that processing
    /// order, as in Keras (output step 0 belongs to the last input step).
    /// </summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Fraction of the input features dropped in training (Keras <c>dropout</c>, default 0): one mask per sequence,
    /// the same at every step, scaled by 1 / (1 − rate).
    /// </summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Fraction of the previous state dropped in training (Keras <c>recurrent_dropout</c>, default 0): one mask per
    /// sequence on h_{t−1}, the same at every step; as in Keras 3 the step then sees only the masked state.
    /// </summary>
    public double RecurrentDropout { get; set; }

    /// <summary>Kernel initializer (Keras default glorot_uniform).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Recurrent kernel initializer (Keras default orthogonal).</summary>
    public Initializer RecurrentInitializer { get; set; } = Initializer.Orthogonal;

    /// <summary>Bias initializer (Keras default zeros).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>
    /// Apply the reset gate after the recurrent product (Keras default true; bias (2, 3·units): input and recurrent
    /// rows); false applies it to the state before the product (bias (3·units)).
    /// </summary>
    public bool ResetAfter { get; set; } = true;
}
