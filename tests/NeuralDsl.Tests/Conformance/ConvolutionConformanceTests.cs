using System;
using System.Globalization;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The <c>conv2d_*</c> and <c>conv1d_*</c> cases against <see cref="Convolution"/>: the layer as the generated code
/// will run it (convolution, <see cref="Bias.AddRows{T}"/>, the case's activation), its input and kernel gradients
/// for the given <c>grad_output</c>, and the bias gradient (<see cref="Bias.AccumulateGradient{T}"/> of the
/// pre-activation gradient). Double and float, with the tolerances of Fixtures/README.md.
/// </summary>
public sealed class ConvolutionConformanceTests
{
    public static TheoryData<string> Cases =>
    [
        "conv2d_valid_3x3_s1", "conv2d_same_3x3_s1_relu", "conv2d_same_3x3_s2", "conv2d_same_2x2_s1",
        "conv2d_same_4x4_s3", "conv2d_valid_2x3_s2x1_tanh", "conv2d_same_3x3_dilation2",
        "conv1d_valid_k3", "conv1d_same_k4_relu", "conv1d_same_k3_s2",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double(string name) => Check<double>(name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float(string name) => Check<float>(name);

    /// <summary>
    /// The fused forward pass with every strategy that applies to the case's shape (direct, im2col, Winograd for the
    /// 3×3 stride-1 cases, the 1×1 GEMM where pointwise), the bias and a ReLU fused, a Tanh applied after it, against
    /// the fixture's output.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryForwardStrategyDouble(string name) => CheckStrategies<double>(name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryForwardStrategyFloat(string name) => CheckStrategies<float>(name);

    private static void CheckStrategies<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Conv2DGeometry g = Geometry(f);
        int batch = f.Shape("input")[0];
        Tolerance tol = Tolerance.For<T>();
        T[] x = f.Input<T>("input");
        T[] kernel = f.Input<T>("kernel");
        T[] bias = f.Input<T>("bias");
        string activation = f.Meta("activation");
        var scratch = new T[Kernels.ConvolutionTestShapes.ScratchFor(g, batch)];
        foreach (ConvolutionStrategy strategy in Kernels.ConvolutionTestShapes.Strategies<T>(g))
        {
            var y = new T[batch * g.OutputSize];
            Convolution.Forward<T>(x, kernel, bias, y, batch, g, scratch, activation == "relu" ? Activation.ReLU : Activation.Linear, strategy);
            if (activation == "tanh")
                Activations.Tanh<T>(y, y);
            tol.AssertClose<T>(y, f.Get("output"), $"{name} output by {strategy}");
        }
    }

    private static void Check<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Conv2DGeometry g = Geometry(f);
        int batch = f.Shape("input")[0];
        Tolerance tol = Tolerance.For<T>();
        T[] x = f.Input<T>("input");
        T[] kernel = f.Input<T>("kernel");
        T[] bias = f.Input<T>("bias");
        T[] dy = f.Input<T>("grad_output");
        var scratch = new T[Convolution.ScratchLength(g, batch)];

        var z = new T[batch * g.OutputSize];
        Convolution.Forward<T>(x, kernel, z, batch, g, scratch);
        Bias.AddRows<T>(z, bias);
        var a = new T[z.Length];
        var dz = new T[z.Length];
        switch (f.Meta("activation"))
        {
            case "linear":
                z.CopyTo(a, 0);
                dy.CopyTo(dz, 0);
                break;
            case "relu":
                Activations.Relu<T>(z, a);
                Activations.ReluBackward<T>(z, a, dy, dz);
                break;
            case "tanh":
                Activations.Tanh<T>(z, a);
                Activations.TanhBackward<T>(z, a, dy, dz);
                break;
            case string other:
                throw new InvalidOperationException($"Case '{name}': activation '{other}' is not handled by this test.");
        }
        tol.AssertClose<T>(a, f.Get("output"), $"{name} output");

        var dx = new T[x.Length];
        Convolution.BackwardInput<T>(dz, kernel, dx, batch, g, scratch);
        tol.AssertClose<T>(dx, f.Get("grad_input"), $"{name} grad_input");

        var dKernel = new T[kernel.Length];
        Convolution.BackwardKernel<T>(x, dz, dKernel, batch, g, scratch);
        tol.AssertClose<T>(dKernel, f.Get("grad_kernel"), $"{name} grad_kernel");

        var dBias = new T[bias.Length];
        Bias.AccumulateGradient<T>(dz, dBias);
        tol.AssertClose<T>(dBias, f.Get("grad_bias"), $"{name} grad_bias");
    }

    /// <summary>The geometry from the case's configuration and input shape (Conv1D: (batch, steps, channels)).</summary>
    internal static Conv2DGeometry Geometry(Fixture f)
    {
        int[] input = f.Shape("input");
        int filters = Int(f.Meta("filters"));
        bool same = f.Meta("padding") switch
        {
            "same" => true,
            "valid" => false,
            string other => throw new InvalidOperationException($"Case '{f.Name}': unknown padding '{other}'."),
        };
        int[] k = Ints(f.Meta("kernel_size")), s = Ints(f.Meta("strides")), d = Ints(f.Meta("dilation_rate"));
        return f.Meta("type") switch
        {
            "Conv2D" => Conv2DGeometry.Create(input[1], input[2], input[3], filters, k[0], k[1], s[0], s[1], d[0], d[1], same),
            "Conv1D" => Conv2DGeometry.Create1D(input[1], input[2], filters, k[0], s[0], d[0], same),
            string other => throw new InvalidOperationException($"Case '{f.Name}' is a {other}, not a convolution."),
        };
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static int[] Ints(string text) => Array.ConvertAll(text.Split(','), Int);
}
