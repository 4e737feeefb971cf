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
    public static string Forward(Activation activation, string z, string a, int rowLength) =>
        "global::NeuralDsl.Activations." + KernelName(activation) + "(" + z + ", " + a +
        (activation == Activation.Softmax ? ", " + Literals.Int(rowLength) : "") + ");";

    /// <summary><c>dz = da ⊙ f'(z)</c> in place over <paramref name="da"/>.</summary>
    public static string BackwardInPlace(Activation activation, string z, string a, string da, int rowLength) =>
        Backward(activation, z, a, da, da, rowLength);

    /// <summary><c>dz = da ⊙ f'(z)</c>; softmax uses the Jacobian-vector product per row.</summary>
    public static string Backward(Activation activation, string z, string a, string da, string dz, int rowLength) =>
        activation == Activation.Softmax
            ? "global::NeuralDsl.Activations.SoftmaxBackward(" + a + ", " + da + ", " + dz + ", " + Literals.Int(rowLength) + ");"
            : "global::NeuralDsl.Activations." + KernelName(activation) + "Backward(" + z + ", " + a + ", " + da + ", " + dz + ");";
}
