using System;
using System.Collections.Generic;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// The TorchSharp twin of a generated NeuralDsl layer-stack CNN (see <see cref="TorchTwin"/>).
/// </summary>
internal sealed class TorchCnn : TorchTwin
{
    // Every weighted layer in parameter order: its weight and bias, and for a Linear after Flatten the NHWC shape
    // (H, W, C) that was flattened (NeuralDsl flattens h, w, c; torch flattens c, h, w).
    private readonly List<(Parameter Weight, Parameter Bias, (int H, int W, int C)? FlattenedFrom)> _layers;

    private TorchCnn(Sequential module, List<(Parameter, Parameter, (int, int, int)?)> layers)
    {
        Module = module;
        _layers = layers;
    }

    public override Sequential Module { get; }

    /// <summary>
    /// <c>MnistCnn</c>: Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Conv2d(32, 64, 3), ReLU, MaxPool2d(2), Flatten,
    /// Dropout(0.5), Linear(1600, 10) — logits.
    /// </summary>
    public static TorchCnn MnistCnnLogits()
    {
        Conv2d c0 = nn.Conv2d(1, 32, 3), c1 = nn.Conv2d(32, 64, 3);
        Linear l0 = nn.Linear(1600, 10);
        Sequential seq = nn.Sequential(
            ("conv2d", c0), ("relu", nn.ReLU()), ("max_pooling2d", nn.MaxPool2d(2)),
            ("conv2d_1", c1), ("relu_1", nn.ReLU()), ("max_pooling2d_1", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("dropout", nn.Dropout(0.5)), ("dense", l0));
        return new TorchCnn(seq, [(c0.weight!, c0.bias!, null), (c1.weight!, c1.bias!, null), (l0.weight!, l0.bias!, (5, 5, 64))]);
    }

    /// <summary><c>SimpleCnn</c>: Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Flatten, Linear(5408, 10) — logits.</summary>
    public static TorchCnn SimpleCnnLogits()
    {
        Conv2d c0 = nn.Conv2d(1, 32, 3);
        Linear l0 = nn.Linear(5408, 10);
        Sequential seq = nn.Sequential(
            ("conv2d", c0), ("relu", nn.ReLU()), ("max_pooling2d", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("dense", l0));
        return new TorchCnn(seq, [(c0.weight!, c0.bias!, null), (l0.weight!, l0.bias!, (13, 13, 32))]);
    }

    /// <summary>
    /// Copies every kernel and bias of <paramref name="model"/>: a Conv2D kernel (kh, kw, in, out) becomes torch's
    /// (out, in, kh, kw); a Dense kernel (in, units) is transposed, and after Flatten its rows are reordered from
    /// NHWC (h, w, c) to NCHW (c, h, w) order.
    /// </summary>
    public override void CopyWeightsFrom(IModel<float> model)
    {
        IReadOnlyList<ParameterInfo> layout = model.ParameterLayout;
        if (layout.Count != 2 * _layers.Count)
            throw new InvalidOperationException($"{model.Name} has {layout.Count} parameter tensors; expected {2 * _layers.Count} (kernel and bias per weighted layer).");

        ReadOnlySpan<float> parameters = model.Parameters;
        using IDisposable noGrad = torch.no_grad();
        using DisposeScope scope = torch.NewDisposeScope();
        for (int i = 0; i < _layers.Count; i++)
        {
            ParameterInfo kernel = layout[2 * i], bias = layout[2 * i + 1];
            (Parameter weight, Parameter torchBias, (int H, int W, int C)? flattenedFrom) = _layers[i];
            long[] ourShape = Array.ConvertAll(kernel.Shape, s => (long)s);
            Tensor k = torch.tensor(parameters.Slice(kernel.Offset, kernel.Length).ToArray(), ourShape);
            Tensor converted = ourShape.Length switch
            {
                4 => k.permute(3, 2, 0, 1),
                2 when flattenedFrom is var (h, w, c) => k.reshape(h, w, c, ourShape[1]).permute(3, 2, 0, 1).reshape(ourShape[1], ourShape[0]),
                2 => k.t(),
                _ => throw new InvalidOperationException($"{kernel.Name} has rank {ourShape.Length}; expected a Conv2D or Dense kernel."),
            };
            if (!converted.shape.AsSpan().SequenceEqual(weight.shape) || bias.Length != torchBias.numel())
                throw new InvalidOperationException(
                    $"{kernel.Name} [{string.Join(", ", kernel.Shape)}] / {bias.Name} [{string.Join(", ", bias.Shape)}] do not match torch [{string.Join(", ", weight.shape)}] / [{string.Join(", ", torchBias.shape)}].");

            weight.copy_(converted);
            torchBias.copy_(torch.tensor(parameters.Slice(bias.Offset, bias.Length).ToArray(), [bias.Length]));
        }
    }
}
