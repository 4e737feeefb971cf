using System;
using System.Collections.Generic;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// The TorchSharp twin of samples/PretrainedResNet18's <c>ResNet18Features</c> (the CNTK ResNet-18 of the ML.NET
/// featurizer package): 7×7 stem of 64 + BN + ReLU + 3×3 max pool, basic blocks of 64, 64, 128, 128, 256, 256, 512, 512,
/// 512 filters (the CNTK file's 2-2-2-3 stages; stride-2 first blocks with a 1×1 convolution + BN shortcut), global
/// average pooling to 512 features. NCHW [B, 3, 224, 224] → [B, 512]. Modules carry our layer names and the weights are
/// copied by those names (Conv2D (kh, kw, in, out) → (out, in, kh, kw); BN γ, β, moving mean and variance).
/// <para>
/// Padding is torch's own symmetric padding (stem 3, pool 1, stride-2 3×3 convolutions 1), torchvision's form: the same
/// shapes and work as the CNTK file's asymmetric pads (3/2, 1/0, 1/0), which ours spells as ZeroPadding2D layers, with
/// no padding copy on torch's side (which favours torch slightly); the values differ at the borders.
/// </para>
/// </summary>
internal sealed class TorchResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly Dictionary<string, Conv2d> _convolutions = new();
    private readonly Dictionary<string, BatchNorm2d> _norms = new();
    private readonly Conv2d _stemConv;
    private readonly BatchNorm2d _stemBn;
    private readonly List<Block> _blocks = [];

    public TorchResNet18() : base("resnet18_cntk")
    {
        _stemConv = Convolution("stem_conv", 3, 64, 7, stride: 2, padding: 3);
        _stemBn = Norm("stem_bn", 64);
        int channels = 64;
        (int Filters, int Count)[] stages = [(64, 2), (128, 2), (256, 2), (512, 3)];
        for (int s = 0; s < stages.Length; s++)
        {
            for (int b = 0; b < stages[s].Count; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                _blocks.Add(new Block(this, $"block{s + 1}{"abc"[b]}", channels, stages[s].Filters, stride));
                channels = stages[s].Filters;
            }
        }
    }

    public override Tensor forward(Tensor x)
    {
        Tensor y = F.relu(_stemBn.forward(_stemConv.forward(x)));
        y = F.max_pool2d(y, 3, stride: 2, padding: 1);
        foreach (Block block in _blocks) y = block.forward(y);
        return y.mean([2L, 3L]); // global average pooling: [B, 512, 7, 7] → [B, 512]
    }

    /// <summary>Copies every tensor of the model's layouts by its Keras name; every torch tensor must be written once.</summary>
    public void CopyWeightsFrom(IModel<float> model)
    {
        var written = new HashSet<string>();
        using IDisposable noGrad = torch.no_grad();
        using DisposeScope scope = torch.NewDisposeScope();
        Copy(model.ParameterLayout, model.Parameters);
        Copy(model.StateLayout, model.State);
        int expected = _convolutions.Count + 4 * _norms.Count;
        if (written.Count != expected)
            throw new InvalidOperationException($"{model.Name} wrote {written.Count} of the twin's {expected} tensors.");

        void Copy(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<float> values)
        {
            foreach (ParameterInfo info in layout)
            {
                int dot = info.Name.LastIndexOf('.');
                string layer = info.Name[..dot], field = info.Name[(dot + 1)..];
                Tensor source = torch.tensor(values.Slice(info.Offset, info.Length).ToArray(), Array.ConvertAll(info.Shape, s => (long)s));
                Tensor target = Find(layer, field) ?? throw new InvalidOperationException($"{info.Name}: the twin has no tensor for it.");
                Tensor converted = info.Shape.Length == 4 ? source.permute(3, 2, 0, 1) : source;
                if (!converted.shape.AsSpan().SequenceEqual(target.shape))
                    throw new InvalidOperationException($"{info.Name} [{string.Join(", ", info.Shape)}] does not match torch [{string.Join(", ", target.shape)}].");
                if (!written.Add(info.Name)) throw new InvalidOperationException($"{info.Name} appears twice.");
                target.copy_(converted);
            }
        }
    }

    /// <summary>Inference only: no autograd, eval-mode BatchNorm.</summary>
    public void FreezeForInference()
    {
        foreach (Parameter p in parameters()) p.requires_grad = false;
        eval();
    }

    private Tensor? Find(string layer, string field)
    {
        if (_convolutions.TryGetValue(layer, out Conv2d? conv)) return field == "kernel" ? conv.weight : null;
        if (!_norms.TryGetValue(layer, out BatchNorm2d? norm)) return null;
        return field switch
        {
            "gamma" => norm.weight,
            "beta" => norm.bias,
            "moving_mean" => norm.running_mean,
            "moving_variance" => norm.running_var,
            _ => null,
        };
    }

    private Conv2d Convolution(string name, int inChannels, int filters, int kernel, int stride, int padding)
    {
        Conv2d conv = nn.Conv2d(inChannels, filters, kernel, stride: stride, padding: padding, bias: false);
        register_module(name, conv);
        _convolutions.Add(name, conv);
        return conv;
    }

    private BatchNorm2d Norm(string name, int channels)
    {
        BatchNorm2d norm = nn.BatchNorm2d(channels, eps: 1e-5);
        register_module(name, norm);
        _norms.Add(name, norm);
        return norm;
    }

    /// <summary>conv3×3(stride)-BN-ReLU-conv3×3-BN, plus the shortcut (identity or 1×1 conv(stride) + BN), then ReLU.</summary>
    private sealed class Block
    {
        private readonly Conv2d _conv1, _conv2;
        private readonly BatchNorm2d _bn1, _bn2;
        private readonly Conv2d? _shortcutConv;
        private readonly BatchNorm2d? _shortcutBn;

        public Block(TorchResNet18 net, string name, int inChannels, int filters, int stride)
        {
            _conv1 = net.Convolution(name + "_1_conv", inChannels, filters, 3, stride, padding: 1);
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
            Tensor y = F.relu(_bn1.forward(_conv1.forward(x)));
            y = _bn2.forward(_conv2.forward(y));
            Tensor shortcut = _shortcutConv is null ? x : _shortcutBn!.forward(_shortcutConv.forward(x));
            return F.relu(y.add_(shortcut));
        }
    }
}
