using System;

namespace NeuralDsl;

/// <summary>
/// A residual connection around a <c>[Block]</c> class: x + X(x), with x the tensor the use reads (the previous output,
/// or the one <c>Input</c> names). The block's layers are expanded in place as for <see cref="BlockAttribute"/> (named
/// <c>{use}_{inner}</c>), then the shortcut and an <c>Add</c> named <c>{use}_add</c>. Where the block changes the shape
/// of x, the shortcut projects x: a 1×1 <c>Conv2D</c> (<c>{use}_shortcut</c>) whose stride maps the spatial size and
/// whose filters are the block's output channels, or a <c>Dense</c> for vectors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : LayerAttribute
{
    /// <summary>x + <paramref name="block"/>(x).</summary>
    public ResidualAttribute(Type block) => Block = block;

    /// <summary>The block class.</summary>
    public Type Block { get; }

    /// <summary>
    /// The shortcut. Not set: a projection where the block's output shape differs from x, the identity where it is the
    /// same. <c>true</c>: always a projection (a 1×1 convolution even for equal shapes). <c>false</c>: always the
    /// identity, and a block that changes the shape is an error (NDSL1018).
    /// </summary>
    public bool Projection { get; set; }
}
