using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record EmbeddingSpec
{
    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedParameter embeddings = c.Layer.Parameters[0];
        using (c.ForwardMethod())
        {
            w.Line("// y[b, t, :] = embeddings[x[b, t], :]; every id is checked (an integer in [0, " + Literals.Int(InputDim) + ")) before anything is written.");
            if (c.Mask is not null)
                w.Line("// MaskZero: the mask gets 1 for a real token and 0 for the padding id 0, for the layers that follow.");
            w.Call("global::NeuralDsl.Embedding.Forward",
            [
                "x", c.ParameterSpan(embeddings), c.BatchSpan(c.Output, c.OutputSize), c.Mask ?? "default", "batch",
                Literals.Named("steps", c.Layer.Input.Dimensions[0]), Literals.Named("inputDim", InputDim), Literals.Named("outputDim", OutputDim),
            ]);
        }
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedParameter embeddings = c.Layer.Parameters[0];
        using (c.BackwardMethod())
        {
            w.Line("// Token ids have no gradient (as in PyTorch): the input gradient, when asked for, is zero.");
            w.Line("dx.Clear();");
            if (!c.TrainsParameters)
            {
                w.Line("// Frozen (Trainable = false): the embeddings get no gradient.");
                return;
            }
            using (c.ParameterGradients())
            {
                w.Line("// Scatter-add: each step's gradient goes to its id's row; repeated ids sum.");
                w.Call("global::NeuralDsl.Embedding.Backward",
                [
                    "x", "dy", c.GradientSpan(embeddings), "batch",
                    Literals.Named("steps", c.Layer.Input.Dimensions[0]), Literals.Named("inputDim", InputDim), Literals.Named("outputDim", OutputDim),
                ]);
            }
        }
    }
}
