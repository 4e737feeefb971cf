using System;

namespace NeuralDsl;

/// <summary>
/// The ResNet bottleneck block, Keras ResNet50's <c>block1</c>: 1×1 <c>Conv2D</c>(filters, <see cref="Strides"/>) →
/// BN → ReLU → 3×3 <c>Conv2D</c>(filters, same) → BN → ReLU → 1×1 <c>Conv2D</c>(4 · filters) → BN, plus the shortcut,
/// then <c>Add</c> and ReLU. The shortcut is the identity where the shapes match and a 1×1
/// <c>Conv2D</c>(4 · filters, <see cref="Strides"/>) → BN where they differ (Keras' <c>conv_shortcut</c>, used by the
/// first block of each stage). Built from the same expansion as <see cref="ResidualAttribute"/>; layers named as in
/// Keras: <c>{use}_1_conv</c>, <c>{use}_1_bn</c>, <c>{use}_1_relu</c>, <c>{use}_2_conv</c>, ..., <c>{use}_3_bn</c>,
/// <c>{use}_0_conv</c>, <c>{use}_0_bn</c>, <c>{use}_add</c>, <c>{use}_out</c>; BN epsilon 1.001e-5.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResNetBottleneckAttribute : LayerAttribute
{
    /// <summary>A bottleneck with <paramref name="filters"/> channels inside and 4 · <paramref name="filters"/> out.</summary>
    public ResNetBottleneckAttribute(int filters) => Filters = filters;

    /// <summary>Channels of the first two convolutions; the block outputs four times as many.</summary>
    public int Filters { get; }

    /// <summary>The stride of the first convolution (and of the projection shortcut), 1 by default.</summary>
    public int Strides { get; set; } = 1;
}
