using System.Collections.Generic;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// Where each layer's output lives and how the loss gradient enters the backward pass, decided once per plan so the
/// emitter only reads it. Layers that alias their input (Flatten) own no buffer: their output is the buffer holding
/// their input (the nearest computing layer up their input chain), or the model input.
/// </summary>
/// <param name="OutputHolders">Per layer, the index of the layer whose buffer holds its output; -1 for the model input.</param>
/// <param name="LastComputingLayer">The layer whose buffer holds the model output; -1 when every layer aliases its input.</param>
/// <param name="FusedLoss">The fused activation + loss gradient the backward pass starts with, or none.</param>
/// <param name="Mask">Where the Keras mask comes from and which layers receive it; <see cref="MaskFlow.None"/> without one.</param>
/// <param name="GradientScratch">
/// Per layer, per operand, where its backward pass writes that operand's gradient: -1 straight into the gradient
/// buffer of the operand's holder, else an offset (elements per sample) into the scratch buffer, whose contents are
/// then added to the holder's gradient. Where a tensor feeds several layers the gradients are summed: the backward pass
/// visits layers in reverse order, so the last reader writes the buffer and every earlier one adds to it.
/// </param>
/// <param name="ScratchSize">Elements per sample of that scratch buffer (0 for a plain chain).</param>
internal sealed record DataFlow(EquatableArray<int> OutputHolders, int LastComputingLayer, FusedLoss FusedLoss, MaskFlow Mask,
    EquatableArray<EquatableArray<int>> GradientScratch, int ScratchSize)
{
    /// <summary>The layer whose buffer holds the output of layer <paramref name="index"/>; -1 (also for index -1) is the model input.</summary>
    public int HolderOf(int index) => index < 0 ? -1 : OutputHolders[index];

    /// <summary>Where layer <paramref name="index"/> writes the gradient of operand <paramref name="operand"/>: -1 directly, else a scratch offset.</summary>
    public int ScratchOffset(int index, int operand) => GradientScratch[index][operand];

    public static DataFlow Of(Loss loss, EquatableArray<PlannedLayer> layers)
    {
        var holders = new int[layers.Count];
        for (int i = 0; i < layers.Count; i++)
            holders[i] = layers[i].Spec.AliasesInput ? (layers[i].InputIndex < 0 ? -1 : holders[layers[i].InputIndex]) : i;
        int last = layers.Count - 1;
        int holder = last >= 0 ? holders[last] : -1;

        // The fusion replaces the final activation's Jacobian, so it needs that activation to end the model: a trailing
        // aliasing layer would sit between it and the loss.
        FusedLoss fused = FusedLoss.None;
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

        // Gradient summation: visiting computing layers from the last, the first operand to reach a holder writes its
        // gradient buffer; every later one (an earlier reader) goes through the scratch and is added.
        var written = new HashSet<int>();
        var scratch = new EquatableArray<int>[layers.Count];
        int scratchSize = 0;
        for (int i = last; i >= 0; i--)
        {
            PlannedLayer layer = layers[i];
            var offsets = new int[layer.Inputs.Count];
            int used = 0;
            for (int k = 0; k < offsets.Length; k++)
            {
                offsets[k] = -1;
                if (layer.Spec.AliasesInput)
                    continue;
                if (written.Add(layer.Inputs[k] < 0 ? -1 : holders[layer.Inputs[k]]))
                    continue;
                offsets[k] = used;
                used += layer.InputShapes[k].Size;
            }
            scratch[i] = new EquatableArray<int>(offsets);
            scratchSize = System.Math.Max(scratchSize, used);
        }
        return new DataFlow(new EquatableArray<int>(holders), holder, fused, MaskFlow.Of(layers), new EquatableArray<EquatableArray<int>>(scratch),
            scratchSize);
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

        // A layer receives the mask when any output it reads carries it (there is one source, so operands carry the same
        // mask or none); its own output carries it on unless it consumes it.
        var receivers = new bool[layers.Count];
        var carries = new bool[layers.Count];
        carries[source] = true;
        for (int i = source + 1; i < layers.Count; i++)
        {
            bool receives = false;
            foreach (int j in layers[i].Inputs)
                receives |= j >= 0 && carries[j];
            if (!receives)
                continue;
            receivers[i] = true;
            MaskHandling handling = layers[i].Spec.MaskHandling;
            if (handling == MaskHandling.CannotHonour)
                return new MaskFlow(source, layers[source].Output.Dimensions[0], new EquatableArray<bool>(receivers), i);
            carries[i] = handling != MaskHandling.Consumes;
        }
        int problem = carries[layers.Count - 1] ? layers.Count : -1; // unconsumed at the output
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
