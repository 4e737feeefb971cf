using NeuralDsl.Generator.Emit;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record FlattenSpec
{
    /// <summary>Row-major data is already flat: the next layer reads this layer's input directly.</summary>
    public override bool AliasesInput => true;

    public override void EmitForward(LayerEmitContext c)
    {
    }

    public override void EmitBackward(LayerEmitContext c)
    {
    }
}
