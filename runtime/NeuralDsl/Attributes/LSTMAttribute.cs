using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>LSTM</c> on (steps, features) input (gates i, f, c, o): kernel (features, 4·units), recurrent_kernel
/// (units, 4·units), bias (4·units); <c>c_t = f ⊙ c_{t−1} + i ⊙ act(·)</c>, <c>h_t = o ⊙ act(c_t)</c>; starts from zero states.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LSTMAttribute : LayerAttribute
{
    /// <summary>A recurrent layer with a state of <paramref name="units"/> values.</summary>
    public LSTMAttribute(int units) => Units = units;

    /// <summary>State size (Keras <c>units</c>).</summary>
    public int Units { get; }

    /// <summary>Activation of the candidate and of the cell state (Keras default tanh); Linear, ReLU, Sigmoid or Tanh.</summary>
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

    /// <summary>Initialise the forget gate's bias block to 1 (Keras <c>unit_forget_bias</c>, default true).</summary>
    public bool UnitForgetBias { get; set; } = true;
}
