using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// Where each layer's output lives and how the loss gradient enters the backward pass, decided once per plan so the
/// emitter only reads it. Layers that alias their input (Flatten) own no buffer: their output is the buffer of the
/// nearest computing layer before them, or the model input.
/// </summary>
/// <param name="OutputHolders">Per layer, the index of the layer whose buffer holds its output; -1 for the model input.</param>
/// <param name="LastComputingLayer">The last layer that owns a buffer; -1 when every layer aliases its input.</param>
/// <param name="FusedLoss">The fused activation + loss gradient the backward pass starts with, or none.</param>
internal sealed record DataFlow(EquatableArray<int> OutputHolders, int LastComputingLayer, FusedLoss FusedLoss)
{
    /// <summary>The layer whose buffer holds the output of layer <paramref name="index"/>; -1 (also for index -1) is the model input.</summary>
    public int HolderOf(int index) => index < 0 ? -1 : OutputHolders[index];

    public static DataFlow Of(Loss loss, EquatableArray<PlannedLayer> layers)
    {
        var holders = new int[layers.Count];
        int holder = -1;
        for (int i = 0; i < layers.Count; i++)
        {
            if (!layers[i].Spec.AliasesInput)
                holder = i;
            holders[i] = holder;
        }

        // The fusion replaces the final activation's Jacobian, so it needs that activation to end the model: a trailing
        // aliasing layer would sit between it and the loss.
        FusedLoss fused = FusedLoss.None;
        int last = layers.Count - 1;
        if (holder >= 0 && holder == last)
        {
            fused = (layers[last].Spec.FinalActivation, loss) switch
            {
                (Activation.Sigmoid, Loss.BinaryCrossEntropy) => FusedLoss.SigmoidBinaryCrossEntropy,
                (Activation.Softmax, Loss.CategoricalCrossEntropy) => FusedLoss.SoftmaxCategoricalCrossEntropy,
                (Activation.Softmax, Loss.SparseCategoricalCrossEntropy) => FusedLoss.SoftmaxSparseCategoricalCrossEntropy,
                _ => FusedLoss.None,
            };
        }
        return new DataFlow(new EquatableArray<int>(holders), holder, fused);
    }
}

/// <summary>
/// An activation and loss whose combined gradient with respect to the pre-activation is p − y (divided by the batch),
/// so the backward pass skips the activation's Jacobian.
/// </summary>
internal enum FusedLoss
{
    None,
    SigmoidBinaryCrossEntropy,
    SoftmaxCategoricalCrossEntropy,
    SoftmaxSparseCategoricalCrossEntropy,
}
