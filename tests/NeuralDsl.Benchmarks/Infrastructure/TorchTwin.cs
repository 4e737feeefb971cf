using System;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// The TorchSharp twin of a generated NeuralDsl image model (NCHW, logits out for <c>nn.CrossEntropyLoss</c>): its
/// module, and the copy of the NeuralDsl model's weights into it. A single-channel NHWC image [B, 28, 28, 1] has the
/// same memory layout as NCHW [B, 1, 28, 28], so both sides read the same floats.
/// </summary>
internal abstract class TorchTwin : IDisposable
{
    /// <summary>The whole network: [B, 1, 28, 28] → [B, 10] logits.</summary>
    public abstract nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Copies every parameter (and non-trainable state) of <paramref name="model"/> into the twin.</summary>
    public abstract void CopyWeightsFrom(IModel<float> model);

    /// <summary>Turns autograd off for the parameters and the module to eval mode (inference-only twin: forward records no graph).</summary>
    public void FreezeForInference()
    {
        foreach (Parameter p in Module.parameters()) p.requires_grad = false;
        Module.eval();
    }

    public void Dispose() => Module.Dispose();
}
