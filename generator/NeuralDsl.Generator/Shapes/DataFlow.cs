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
/// <param name="Mask">Where the Keras mask comes from and which layers receive it; <see cref="MaskFlow.None"/> without one.</param>
internal sealed record DataFlow(EquatableArray<int> OutputHolders, int LastComputingLayer, FusedLoss FusedLoss, MaskFlow Mask)
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
        return new DataFlow(new EquatableArray<int>(holders), holder, fused, MaskFlow.Of(layers));
    }
}

/// <summary>
/// The Keras mask as a planning fact. A layer that produces one (Embedding with MaskZero) writes it, [batch, steps] with
/// 1 for a real step and 0 for a masked one, into the workspace's one mask buffer; each later layer receives it while
/// the layers before it pass it on (<see cref="MaskHandling.PassesOn"/>); the first that consumes it
/// (<see cref="MaskHandling.Consumes"/>) is the last to receive it. A layer that cannot honour it, or a mask still live
/// at the model output, is the <see cref="Problem"/> (NDSL1011).
/// </summary>
/// <param name="Source">The layer writing the mask; -1 when the model has none.</param>
/// <param name="Steps">Mask entries per sample: the source's output steps (0 without a mask).</param>
/// <param name="Receivers">Per layer, whether it receives the mask (the source itself does not).</param>
/// <param name="Problem">The first layer that receives the mask and cannot honour it, the layer count when the mask
/// reaches the model output unconsumed, or -1 when every receiver honours it.</param>
internal sealed record MaskFlow(int Source, int Steps, EquatableArray<bool> Receivers, int Problem)
{
    public static MaskFlow None { get; } = new(-1, 0, EquatableArray<bool>.Empty, -1);

    public bool Exists => Source >= 0;

    /// <summary>Whether layer <paramref name="index"/> receives the mask.</summary>
    public bool Reaches(int index) => index >= 0 && index < Receivers.Count && Receivers[index];

    public static MaskFlow Of(EquatableArray<PlannedLayer> layers)
    {
        int source = -1;
        for (int i = 0; i < layers.Count && source < 0; i++)
        {
            if (layers[i].Spec.ProducesMask)
                source = i;
        }
        if (source < 0)
            return None;

        var receivers = new bool[layers.Count];
        int problem = layers.Count; // unconsumed unless a layer stops it
        for (int i = source + 1; i < layers.Count; i++)
        {
            receivers[i] = true;
            MaskHandling handling = layers[i].Spec.MaskHandling;
            if (handling == MaskHandling.Consumes)
            {
                problem = -1;
                break;
            }
            if (handling == MaskHandling.CannotHonour)
            {
                problem = i;
                break;
            }
        }
        return new MaskFlow(source, layers[source].Output.Dimensions[0], new EquatableArray<bool>(receivers), problem);
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
