using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>ZeroPadding2D</c> on NHWC input: zero rows above and below and zero columns left and right of each
/// sample; the backward pass crops the gradient back to the input.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ZeroPadding2DAttribute : LayerAttribute
{
    /// <summary><paramref name="padding"/> zero rows and columns on every side (Keras default 1).</summary>
    public ZeroPadding2DAttribute(int padding = 1) : this(padding, padding)
    {
    }

    /// <summary><paramref name="heightPadding"/> rows above and below, <paramref name="widthPadding"/> columns left and right.</summary>
    public ZeroPadding2DAttribute(int heightPadding, int widthPadding)
    {
        Top = heightPadding;
        Bottom = heightPadding;
        Left = widthPadding;
        Right = widthPadding;
    }

    /// <summary>Zero rows above; overrides the constructor's value for this side only.</summary>
    public int Top { get; set; }

    /// <summary>Zero rows below; overrides the constructor's value for this side only.</summary>
    public int Bottom { get; set; }

    /// <summary>Zero columns on the left; overrides the constructor's value for this side only.</summary>
    public int Left { get; set; }

    /// <summary>Zero columns on the right; overrides the constructor's value for this side only.</summary>
    public int Right { get; set; }
}
