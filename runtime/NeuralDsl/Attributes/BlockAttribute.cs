using System;

namespace NeuralDsl;

/// <summary>
/// A reusable block: <c>[Block]</c> on a class marks a block definition, <c>[Block(typeof(X))]</c> on a model (or on
/// another block) uses one.
/// <list type="bullet">
/// <item>A definition is a layer list in source order, like a model's, with no <c>[Input]</c> and no
/// <c>[Sequential]</c>: its shapes come from each place of use. It generates no code of its own.</item>
/// <item>A use expands the block's layers in place, with the shapes found there, so one definition serves every place
/// it is used. Its <c>Name</c> (or the class name in snake case, <c>basic_block32</c>, <c>basic_block32_1</c>, ...)
/// prefixes the inner layer names as Keras nests them: <c>basic_block32_conv2d</c>, whose weights are
/// <c>basic_block32_conv2d.kernel</c>. <c>Input</c> applies to the block's first layer, <c>Trainable = false</c>
/// freezes every layer inside, and another layer can read the block's output by the use's name.</item>
/// </list>
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BlockAttribute : LayerAttribute
{
    /// <summary>Marks this class as a block definition: its layer attributes are the block's layers.</summary>
    public BlockAttribute()
    {
    }

    /// <summary>Uses the block class <paramref name="block"/> here: its layers are expanded in place.</summary>
    public BlockAttribute(Type block) => Block = block;

    /// <summary>The block class used here, or null on a block definition.</summary>
    public Type? Block { get; }
}
