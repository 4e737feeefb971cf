using System;

namespace NeuralDsl;

/// <summary>
/// What every layer attribute has: a name, the earlier output it reads, and whether its parameters train. A layer
/// reads the output of the layer written before it unless <see cref="Input"/> names another one, so the attribute
/// order is the order of evaluation (the Keras functional API written in source order).
/// </summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer name, unique in the model: it names the layer in the summary and its tensors in weight files
    /// (<c>dense_1.kernel</c>), and other layers refer to its output by it (<see cref="Input"/>, merge layers). Null
    /// gives the Keras automatic name: the kind in snake case, then <c>_1</c>, <c>_2</c>, ... (<c>dense</c>,
    /// <c>dense_1</c>, <c>conv2d</c>, ...).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The name of an earlier layer (or of the named <c>[Input]</c>) whose output this layer reads instead of the
    /// output of the layer written just before it. Null reads the previous output.
    /// </summary>
    public string? Input { get; set; }

    /// <summary>
    /// False freezes the layer's parameters (Keras <c>trainable = False</c>): gradients still flow through it to its
    /// input, but its parameters get no gradient and no optimizer update. True by default.
    /// </summary>
    public bool Trainable { get; set; } = true;
}
