using System;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The <c>activation_*</c> cases against <see cref="Activations"/>: forward <c>output = f(input)</c>, and backward
/// <c>grad_input = grad_output ⊙ f'(input)</c> (for softmax the row-wise Jacobian product). Each case runs in double
/// and in float with the tolerances of Fixtures/README.md, and once more with the documented aliasing (forward in
/// place, backward writing over the upstream gradient), which the generated code relies on.
/// </summary>
/// <remarks>
/// <c>activation_linear</c> is not listed: the identity has no kernel (the generator emits nothing for it).
/// </remarks>
public sealed class ActivationConformanceTests
{
    private delegate void Forward<T>(ReadOnlySpan<T> z, Span<T> a);

    private delegate void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz);

    public static TheoryData<string> Cases =>
    [
        "activation_relu", "activation_sigmoid", "activation_tanh", "activation_softmax", "activation_leaky_relu",
        "activation_elu", "activation_gelu", "activation_swish", "activation_selu", "activation_softplus",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double(string name) => Check<double>(name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float(string name) => Check<float>(name);

    private static void Check<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Assert.Equal("Activation", f.Meta("type"));
        string activation = f.Meta("activation");
        Tolerance tol = Tolerance.For<T>();
        T[] z = f.Input<T>("input");
        T[] da = f.Input<T>("grad_output");
        double[] expectedA = f.Get("output");
        double[] expectedDz = f.Get("grad_input");
        int rowLength = f.Shape("input")[^1];

        (Action<T[], T[]> forward, Action<T[], T[], T[], T[]> backward) = Kernels<T>(activation, rowLength);

        var a = new T[z.Length];
        forward(z, a);
        tol.AssertClose<T>(a, expectedA, $"{name} output");
        var dz = new T[z.Length];
        backward(z, a, da, dz);
        tol.AssertClose<T>(dz, expectedDz, $"{name} grad_input");

        // The same through the aliases the contract allows: a over z, dz over da.
        T[] inPlace = (T[])z.Clone();
        forward(inPlace, inPlace);
        Assert.Equal(a, inPlace);
        T[] gradInPlace = (T[])da.Clone();
        backward(z, a, gradInPlace, gradInPlace);
        Assert.Equal(dz, gradInPlace);
    }

    /// <summary>The kernel pair for a Keras activation name (the case's <c>activation</c> metadata).</summary>
    private static (Action<T[], T[]> Forward, Action<T[], T[], T[], T[]> Backward) Kernels<T>(string activation, int rowLength)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (activation == "softmax")
            return ((z, a) => Activations.Softmax<T>(z, a, rowLength), (z, a, da, dz) => Activations.SoftmaxBackward<T>(a, da, dz, rowLength));
        (Forward<T> forward, Backward<T> backward) = activation switch
        {
            "relu" => ((Forward<T>)Activations.Relu, (Backward<T>)Activations.ReluBackward),
            "sigmoid" => (Activations.Sigmoid, Activations.SigmoidBackward),
            "tanh" => (Activations.Tanh, Activations.TanhBackward),
            "leaky_relu" => (Activations.LeakyRelu, Activations.LeakyReluBackward),
            "elu" => (Activations.Elu, Activations.EluBackward),
            "selu" => (Activations.Selu, Activations.SeluBackward),
            "gelu" => (Activations.Gelu, Activations.GeluBackward),
            "swish" => (Activations.Swish, Activations.SwishBackward),
            "softplus" => (Activations.Softplus, Activations.SoftplusBackward),
            _ => throw new ArgumentException($"No kernel for activation '{activation}'.", nameof(activation)),
        };
        return ((z, a) => forward(z, a), (z, a, da, dz) => backward(z, a, da, dz));
    }
}
