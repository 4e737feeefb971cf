using System;
using System.Collections.Generic;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// The TorchSharp twin of a generated NeuralDsl MLP: the same Dense layers as <c>nn.Linear</c> modules, and the
/// ability to copy a NeuralDsl model's weights in, so both sides compute on identical parameters.
/// </summary>
internal sealed class TorchMlp : IDisposable
{
    private readonly List<Linear> _linears;

    private TorchMlp(Sequential module, List<Linear> linears)
    {
        Module = module;
        _linears = linears;
    }

    public Sequential Module { get; }

    /// <summary>8→12 (ReLU) →8 (ReLU) →1 (sigmoid): <c>SmallMlp</c>, probabilities out (for <c>nn.BCELoss</c>).</summary>
    public static TorchMlp SmallMlp()
    {
        Linear l0 = nn.Linear(8, 12), l1 = nn.Linear(12, 8), l2 = nn.Linear(8, 1);
        Sequential seq = nn.Sequential(
            ("dense", l0), ("relu", nn.ReLU()),
            ("dense_1", l1), ("relu_1", nn.ReLU()),
            ("dense_2", l2), ("sigmoid", nn.Sigmoid()));
        return new TorchMlp(seq, [l0, l1, l2]);
    }

    /// <summary>
    /// 784→128 (ReLU) →10: <c>MnistMlp</c> without its final softmax, i.e. logits for <c>nn.CrossEntropyLoss</c>
    /// (log-softmax + NLL), which is the same function as softmax + sparse categorical cross-entropy.
    /// </summary>
    public static TorchMlp MnistLogits()
    {
        Linear l0 = nn.Linear(784, 128), l1 = nn.Linear(128, 10);
        Sequential seq = nn.Sequential(("dense", l0), ("relu", nn.ReLU()), ("dense_1", l1));
        return new TorchMlp(seq, [l0, l1]);
    }

    /// <summary>100→256 (ReLU) →784 (tanh): the seed GAN's generator, <c>GanGenerator</c>.</summary>
    public static TorchMlp GanGenerator()
    {
        Linear l0 = nn.Linear(100, 256), l1 = nn.Linear(256, 784);
        Sequential seq = nn.Sequential(("dense", l0), ("relu", nn.ReLU()), ("dense_1", l1), ("tanh", nn.Tanh()));
        return new TorchMlp(seq, [l0, l1]);
    }

    /// <summary>784→1024 (ReLU) →1 (sigmoid): the seed GAN's discriminator, <c>GanDiscriminator</c>, probabilities out (for <c>nn.BCELoss</c>).</summary>
    public static TorchMlp GanDiscriminator()
    {
        Linear l0 = nn.Linear(784, 1024), l1 = nn.Linear(1024, 1);
        Sequential seq = nn.Sequential(("dense", l0), ("relu", nn.ReLU()), ("dense_1", l1), ("sigmoid", nn.Sigmoid()));
        return new TorchMlp(seq, [l0, l1]);
    }

    /// <summary>Copies the Dense kernels (Keras layout (in, units), transposed for torch) and biases of <paramref name="model"/>.</summary>
    public void CopyWeightsFrom(IModel<float> model)
    {
        IReadOnlyList<ParameterInfo> layout = model.ParameterLayout;
        if (layout.Count != 2 * _linears.Count)
            throw new InvalidOperationException($"{model.Name} has {layout.Count} parameter tensors; expected {2 * _linears.Count} (kernel and bias per Dense layer).");

        ReadOnlySpan<float> parameters = model.Parameters;
        using IDisposable noGrad = torch.no_grad();
        for (int i = 0; i < _linears.Count; i++)
        {
            ParameterInfo kernel = layout[2 * i], bias = layout[2 * i + 1];
            Linear linear = _linears[i];
            long inFeatures = linear.in_features, units = linear.out_features;
            if (kernel.Shape is not [var kIn, var kUnits] || kIn != inFeatures || kUnits != units || bias.Shape is not [var bUnits] || bUnits != units)
                throw new InvalidOperationException(
                    $"{kernel.Name} [{string.Join(", ", kernel.Shape)}] / {bias.Name} [{string.Join(", ", bias.Shape)}] do not match Linear({inFeatures}, {units}).");

            using Tensor k = torch.tensor(parameters.Slice(kernel.Offset, kernel.Length).ToArray(), [inFeatures, units]);
            using Tensor b = torch.tensor(parameters.Slice(bias.Offset, bias.Length).ToArray(), [units]);
            using Tensor kt = k.t();
            linear.weight!.copy_(kt);
            linear.bias!.copy_(b);
        }
    }

    /// <summary>Turns autograd off for the parameters (inference-only twin: forward records no graph).</summary>
    public void FreezeForInference()
    {
        foreach (Parameter p in Module.parameters()) p.requires_grad = false;
        Module.eval();
    }

    public void Dispose() => Module.Dispose();
}
