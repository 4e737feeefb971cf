using System;

namespace NeuralDsl.Generator.Emit;

/// <summary>The runtime kernel calls for each activation, forward and backward (<c>NeuralDsl.Activations</c>).</summary>
internal static class ActivationCalls
{
    private static string KernelName(Activation activation) => activation switch
    {
        Activation.ReLU => "Relu",
        Activation.Sigmoid => "Sigmoid",
        Activation.Tanh => "Tanh",
        Activation.Softmax => "Softmax",
        Activation.LeakyReLU => "LeakyRelu",
        Activation.ELU => "Elu",
        Activation.SELU => "Selu",
        Activation.GELU => "Gelu",
        Activation.Swish => "Swish",
        Activation.Softplus => "Softplus",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Linear has no kernel."),
    };

    /// <summary><c>a = f(z)</c>; softmax acts on rows of <paramref name="rowLength"/>.</summary>
    public static void Forward(SourceWriter w, Activation activation, string z, string a, int rowLength) =>
        w.Call("global::NeuralDsl.Activations." + KernelName(activation),
            activation == Activation.Softmax ? [z, a, Literals.Int(rowLength)] : [z, a]);

    /// <summary><c>dz = da ⊙ f'(z)</c> in place over <paramref name="da"/>.</summary>
    public static void BackwardInPlace(SourceWriter w, Activation activation, string z, string a, string da, int rowLength) =>
        Backward(w, activation, z, a, da, da, rowLength);

    /// <summary><c>dz = da ⊙ f'(z)</c>; softmax uses the Jacobian-vector product per row.</summary>
    public static void Backward(SourceWriter w, Activation activation, string z, string a, string da, string dz, int rowLength)
    {
        if (activation == Activation.Softmax)
            w.Call("global::NeuralDsl.Activations.SoftmaxBackward", [a, da, dz, Literals.Int(rowLength)]);
        else
            w.Call("global::NeuralDsl.Activations." + KernelName(activation) + "Backward", [z, a, da, dz]);
    }
}
