using System;

namespace NeuralDsl;

/// <summary>
/// What the element-wise merge layers (<see cref="AddAttribute"/>, <see cref="SubtractAttribute"/>,
/// <see cref="MultiplyAttribute"/>, <see cref="AverageAttribute"/>, <see cref="MaximumAttribute"/>) and
/// <see cref="ConcatenateAttribute"/> share: the outputs they combine, either named as operands
/// (<c>[Add("a", "b")]</c>) or as the current tensor and one named earlier output (<c>[Add(From = "stem")]</c>).
/// </summary>
public abstract class MergeAttribute : LayerAttribute
{
    /// <summary>Combines the named outputs (earlier layer names, or the name of the <c>[Input]</c>), in order.</summary>
    /// <param name="operands">Two or more names; none when <see cref="From"/> is used instead.</param>
    protected MergeAttribute(string[] operands) => Operands = operands ?? [];

    /// <summary>The names of the outputs combined, in order; empty when <see cref="From"/> is used.</summary>
    public string[] Operands { get; }

    /// <summary>
    /// The name of an earlier output combined with the current tensor (the output this layer would otherwise read):
    /// <c>[Add(From = "stem")]</c> is <c>current + stem</c>, a residual connection. Used instead of operands.
    /// </summary>
    public string? From { get; set; }
}

/// <summary>Keras <c>Add</c>: the element-wise sum of tensors of one shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : MergeAttribute
{
    /// <summary>Combines the named outputs, in order; none with <see cref="MergeAttribute.From"/>.</summary>
    /// <param name="operands">Earlier layer names, or the name of the <c>[Input]</c>.</param>
    public AddAttribute(params string[] operands)
        : base(operands)
    {
    }
}

/// <summary>Keras <c>Subtract</c>: the first tensor minus the second (exactly two of one shape).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SubtractAttribute : MergeAttribute
{
    /// <summary>Combines the named outputs, in order; none with <see cref="MergeAttribute.From"/>.</summary>
    /// <param name="operands">Earlier layer names, or the name of the <c>[Input]</c>.</param>
    public SubtractAttribute(params string[] operands)
        : base(operands)
    {
    }
}

/// <summary>Keras <c>Multiply</c>: the element-wise product of tensors of one shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiplyAttribute : MergeAttribute
{
    /// <summary>Combines the named outputs, in order; none with <see cref="MergeAttribute.From"/>.</summary>
    /// <param name="operands">Earlier layer names, or the name of the <c>[Input]</c>.</param>
    public MultiplyAttribute(params string[] operands)
        : base(operands)
    {
    }
}

/// <summary>Keras <c>Average</c>: the element-wise mean of tensors of one shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AverageAttribute : MergeAttribute
{
    /// <summary>Combines the named outputs, in order; none with <see cref="MergeAttribute.From"/>.</summary>
    /// <param name="operands">Earlier layer names, or the name of the <c>[Input]</c>.</param>
    public AverageAttribute(params string[] operands)
        : base(operands)
    {
    }
}

/// <summary>
/// Keras <c>Maximum</c>: the element-wise maximum of tensors of one shape. Where operands tie, the gradient goes to
/// the first of them (TensorFlow's rule for Keras' pairwise maxima; PyTorch's <c>torch.maximum</c> splits it instead).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaximumAttribute : MergeAttribute
{
    /// <summary>Combines the named outputs, in order; none with <see cref="MergeAttribute.From"/>.</summary>
    /// <param name="operands">Earlier layer names, or the name of the <c>[Input]</c>.</param>
    public MaximumAttribute(params string[] operands)
        : base(operands)
    {
    }
}

/// <summary>
/// Keras <c>Concatenate(axis)</c>: joins tensors along <see cref="Axis"/>; every other axis must match.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatenateAttribute : MergeAttribute
{
    /// <summary>Combines the named outputs, in order; none with <see cref="MergeAttribute.From"/>.</summary>
    /// <param name="operands">Earlier layer names, or the name of the <c>[Input]</c>.</param>
    public ConcatenateAttribute(params string[] operands)
        : base(operands)
    {
    }

    /// <summary>
    /// The axis joined, counted as Keras does with the batch as axis 0: 1 is the first per-sample axis, -1 (the
    /// default) the last. The batch axis itself cannot be joined.
    /// </summary>
    public int Axis { get; set; } = -1;
}
