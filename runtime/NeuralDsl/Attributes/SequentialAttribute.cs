using System;

namespace NeuralDsl;

/// <summary>
/// Marks a <c>partial</c> class as a sequential model. The layer attributes that follow on the same
/// declaration, in source order, are its layers; the generator writes the forward and backward passes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SequentialAttribute : Attribute
{
    /// <summary>The training loss (Keras <c>compile(loss=...)</c>). <see cref="Loss.None"/> disables <c>Fit</c>.</summary>
    public Loss Loss { get; set; }

    /// <summary>The model's name in summaries; defaults to the class name.</summary>
    public string? Name { get; set; }

    /// <summary>The element type: <c>typeof(float)</c> (default) or <c>typeof(double)</c>.</summary>
    public Type? ElementType { get; set; }

    /// <summary>
    /// False freezes every layer at compile time (Keras <c>model.trainable = False</c> before building): all tensors
    /// are non-trainable state, gradients still flow to the input, and no parameter-gradient work is generated. For a
    /// model that trains at times and is frozen at others (a GAN's discriminator), keep this true and switch the
    /// generated <c>Trainable</c> property at run time instead. True by default.
    /// </summary>
    public bool Trainable { get; set; } = true;
}
