using System;

namespace NeuralDsl;

/// <summary>
/// The ResNet basic block (ResNet-18/34): 3×3 <c>Conv2D</c>(filters, <see cref="Strides"/>, same) → BN → ReLU →
/// 3×3 <c>Conv2D</c>(filters, same) → BN, plus the shortcut, then <c>Add</c> and ReLU. The shortcut is the identity
/// where the shapes match and a 1×1 <c>Conv2D</c>(filters, <see cref="Strides"/>) → BN where they differ. Built from the
/// same expansion as <see cref="ResidualAttribute"/>; layers named as Keras' ResNet names them: <c>{use}_1_conv</c>,
/// <c>{use}_1_bn</c>, <c>{use}_1_relu</c>, <c>{use}_2_conv</c>, <c>{use}_2_bn</c>, <c>{use}_0_conv</c>,
/// <c>{use}_0_bn</c>, <c>{use}_add</c>, <c>{use}_out</c>; BN epsilon 1.001e-5 as in Keras' ResNet.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResNetBasicBlockAttribute : LayerAttribute
{
    /// <summary>A basic block with <paramref name="filters"/> output channels.</summary>
    public ResNetBasicBlockAttribute(int filters) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>The stride of the first convolution (and of the projection shortcut), 1 by default.</summary>
    public int Strides { get; set; } = 1;
}
