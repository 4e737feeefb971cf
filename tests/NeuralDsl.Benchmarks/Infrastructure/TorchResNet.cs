using System;
using System.Collections.Generic;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// The TorchSharp twin of <c>MnistResNet</c> (samples/ResNet's model): a 3×3 stem of 16 filters + BN + ReLU; basic
/// blocks of 16 (identity shortcut), 32 and 64 filters (stride 2, 1×1 convolution + BN projection); global average
/// pooling; a Linear(64, 10) giving logits. Convolutions have no bias; BatchNorm2d uses Keras' ε 1e-3 and momentum
/// (torch's 0.01 = 1 − Keras' 0.99). Modules carry the Keras layer names, and the weights are copied by those names.
/// <para>
/// Padding of the stride-2 3×3 convolutions: Keras' <c>same</c> pads an even input by 0 before and 1 after (output i
/// reads rows 2i..2i+2); torch's <c>padding=1</c> pads 1 on both sides (rows 2i−1..2i+1). Same shapes and work, other
/// values. <c>Create(kerasPadding: true)</c> pads (0, 1, 0, 1) explicitly with <c>F.pad</c> and convolves
/// without padding, computing exactly the NeuralDsl model (the sanity check uses it); the benchmark uses torch's
/// own <c>padding=1</c> (torchvision's ResNet form, no extra copy), which favours torch slightly.
/// </para>
/// </summary>
internal sealed class TorchResNet : TorchTwin
{
    private readonly Net _net;

    private TorchResNet(bool kerasPadding) => _net = new Net(kerasPadding);

    public override nn.Module<Tensor, Tensor> Module => _net;

    /// <summary>The twin: <paramref name="kerasPadding"/> pads like Keras (exact), else like torchvision (benchmark).</summary>
    public static TorchResNet Create(bool kerasPadding) => new(kerasPadding);

    /// <summary>
    /// Copies every tensor of <c>ParameterLayout</c> and <c>StateLayout</c> by its Keras name (<c>layer.kernel</c>,
    /// <c>layer.gamma</c>, <c>layer.moving_mean</c>, ...): Conv2D kernels (kh, kw, in, out) become torch's
    /// (out, in, kh, kw), the Dense kernel (in, units) is transposed, BN γ, β, moving mean and variance go to weight,
    /// bias, running_mean and running_var. Every torch tensor must be written exactly once.
    /// </summary>
    public override void CopyWeightsFrom(IModel<float> model)
    {
        var written = new HashSet<string>();
        using IDisposable noGrad = torch.no_grad();
        using DisposeScope scope = torch.NewDisposeScope();
        Copy(model.ParameterLayout, model.Parameters);
        Copy(model.StateLayout, model.State);
        if (written.Count != _net.TensorCount)
            throw new InvalidOperationException($"{model.Name} wrote {written.Count} of the twin's {_net.TensorCount} tensors.");

        void Copy(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<float> values)
        {
            foreach (ParameterInfo info in layout)
            {
                int dot = info.Name.LastIndexOf('.');
                string layer = info.Name[..dot], field = info.Name[(dot + 1)..];
                long[] shape = Array.ConvertAll(info.Shape, s => (long)s);
                Tensor source = torch.tensor(values.Slice(info.Offset, info.Length).ToArray(), shape);
                Tensor target = _net.Find(layer, field)
                    ?? throw new InvalidOperationException($"{info.Name}: the twin has no tensor for it.");
                Tensor converted = shape.Length switch
                {
                    4 => source.permute(3, 2, 0, 1),
                    2 => source.t(),
                    _ => source,
                };
                if (!converted.shape.AsSpan().SequenceEqual(target.shape))
                    throw new InvalidOperationException($"{info.Name} [{string.Join(", ", info.Shape)}] does not match torch [{string.Join(", ", target.shape)}].");
                if (!written.Add(info.Name))
                    throw new InvalidOperationException($"{info.Name} appears twice in {model.Name}'s layouts.");
                target.copy_(converted);
            }
        }
    }

    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly Dictionary<string, Conv2d> _convolutions = new();
        private readonly Dictionary<string, BatchNorm2d> _norms = new();
        private readonly Conv2d _stemConv;
        private readonly BatchNorm2d _stemBn;
        private readonly Block _block1, _block2, _block3;
        private readonly Linear _predictions;

        public Net(bool kerasPadding) : base("small_resnet")
        {
            _stemConv = Convolution("stem_conv", 1, 16, 3, stride: 1, padding: 1);
            _stemBn = Norm("stem_bn", 16);
            _block1 = new Block(this, "block1", 16, 16, stride: 1, kerasPadding);
            _block2 = new Block(this, "block2", 16, 32, stride: 2, kerasPadding);
            _block3 = new Block(this, "block3", 32, 64, stride: 2, kerasPadding);
            _predictions = nn.Linear(64, 10);
            register_module("predictions", _predictions);
        }

        /// <summary>Tensors the weight copy must fill: a weight per convolution, four per BN, two for the Linear.</summary>
        public int TensorCount => _convolutions.Count + 4 * _norms.Count + 2;

        public override Tensor forward(Tensor x)
        {
            Tensor y = F.relu(_stemBn.forward(_stemConv.forward(x)));
            y = _block3.forward(_block2.forward(_block1.forward(y)));
            return _predictions.forward(y.mean([2L, 3L])); // global average pooling: [B, 64, 7, 7] → [B, 64]
        }

        public Tensor? Find(string layer, string field)
        {
            if (_convolutions.TryGetValue(layer, out Conv2d? conv))
                return field == "kernel" ? conv.weight : null;
            if (_norms.TryGetValue(layer, out BatchNorm2d? norm))
            {
                return field switch
                {
                    "gamma" => norm.weight,
                    "beta" => norm.bias,
                    "moving_mean" => norm.running_mean,
                    "moving_variance" => norm.running_var,
                    _ => null,
                };
            }

            if (layer == "predictions")
                return field switch { "kernel" => _predictions.weight, "bias" => _predictions.bias, _ => null };
            return null;
        }

        public Conv2d Convolution(string name, int inChannels, int filters, int kernel, int stride, int padding)
        {
            Conv2d conv = nn.Conv2d(inChannels, filters, kernel, stride: stride, padding: padding, bias: false);
            register_module(name, conv);
            _convolutions.Add(name, conv);
            return conv;
        }

        public BatchNorm2d Norm(string name, int channels)
        {
            BatchNorm2d norm = nn.BatchNorm2d(channels, eps: 1e-3, momentum: 0.01);
            register_module(name, norm);
            _norms.Add(name, norm);
            return norm;
        }
    }

    /// <summary>conv3×3(stride)-BN-ReLU-conv3×3-BN, plus the shortcut (identity or 1×1 conv(stride) + BN), then ReLU.</summary>
    private sealed class Block
    {
        private readonly Conv2d _conv1, _conv2;
        private readonly BatchNorm2d _bn1, _bn2;
        private readonly Conv2d? _shortcutConv;
        private readonly BatchNorm2d? _shortcutBn;
        private readonly bool _padAfter;

        public Block(Net net, string name, int inChannels, int filters, int stride, bool kerasPadding)
        {
            _padAfter = stride == 2 && kerasPadding;
            _conv1 = net.Convolution(name + "_1_conv", inChannels, filters, 3, stride, padding: _padAfter ? 0 : 1);
            _bn1 = net.Norm(name + "_1_bn", filters);
            _conv2 = net.Convolution(name + "_2_conv", filters, filters, 3, stride: 1, padding: 1);
            _bn2 = net.Norm(name + "_2_bn", filters);
            if (stride != 1 || inChannels != filters)
            {
                _shortcutConv = net.Convolution(name + "_0_conv", inChannels, filters, 1, stride, padding: 0);
                _shortcutBn = net.Norm(name + "_0_bn", filters);
            }
        }

        public Tensor forward(Tensor x)
        {
            Tensor input = _padAfter ? F.pad(x, [0, 1, 0, 1]) : x;
            Tensor y = F.relu(_bn1.forward(_conv1.forward(input)));
            y = _bn2.forward(_conv2.forward(y));
            Tensor shortcut = _shortcutConv is null ? x : _shortcutBn!.forward(_shortcutConv.forward(x));
            return F.relu(y.add_(shortcut));
        }
    }
}
