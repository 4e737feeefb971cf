using System;
using System.Collections.Generic;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// What every generated model is to the runtime: fixed per-sample sizes, one flat parameter vector with
/// named views, and the three passes the training loop needs. Generated classes implement it explicitly and
/// expose the same operations with concrete element types and literal sizes.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IModel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The model name (the class name unless <c>[Sequential(Name = ...)]</c> says otherwise).</summary>
    string Name { get; }

    /// <summary>Elements of one input sample (the product of the <c>[Input]</c> shape).</summary>
    int InputSize { get; }

    /// <summary>Elements of one output sample.</summary>
    int OutputSize { get; }

    /// <summary>Elements of one target sample: <see cref="OutputSize"/>, or OutputSize / classes for sparse labels.</summary>
    int TargetSize { get; }

    /// <summary>The length of the output's last axis (the class axis of a classifier).</summary>
    int OutputLastAxis { get; }

    /// <summary>The loss the model was declared with.</summary>
    Loss Loss { get; }

    /// <summary>A Keras-style summary table (layer, output shape, parameters).</summary>
    string Summary { get; }

    /// <summary>Every trainable parameter, layer after layer, each tensor in Keras layout.</summary>
    Span<T> Parameters { get; }

    /// <summary>The gradient of the loss (or of the last <see cref="Backward"/>) with respect to <see cref="Parameters"/>.</summary>
    Span<T> Gradients { get; }

    /// <summary>Names, offsets and shapes of the tensors inside <see cref="Parameters"/> (Keras names: <c>dense.kernel</c>, ...).</summary>
    IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    /// <summary>
    /// Non-trainable state that is saved with the weights but has no gradient (BatchNormalization's moving mean and
    /// variance), in Keras layout. Empty for models without such layers.
    /// </summary>
    Span<T> State => Span<T>.Empty;

    /// <summary>Names, offsets and shapes of the tensors inside <see cref="State"/> (<c>batch_normalization.moving_mean</c>, ...).</summary>
    IReadOnlyList<ParameterInfo> StateLayout => [];

    /// <summary>
    /// The model's layers as data, in order (Keras <c>model.get_config()["layers"]</c>): kind, name, the tensors each one
    /// reads, its output shape, its configuration and its entries of <see cref="ParameterLayout"/> and
    /// <see cref="StateLayout"/>; the first is the <c>InputLayer</c>. What exporters and importers walk. Empty for
    /// hand-written implementations.
    /// </summary>
    IReadOnlyList<LayerInfo> Layers => [];

    /// <summary>
    /// Keras <c>model.trainable</c> at run time: while false, <see cref="Backward"/> and <see cref="ComputeGradients"/>
    /// compute only input gradients (no parameter-gradient work), a train step updates nothing, and BatchNormalization
    /// runs in inference mode. Layers declared with <c>Trainable = false</c> stay frozen either way.
    /// </summary>
    /// <remarks>Generated models implement it; the default (for hand-written implementations) is always trainable.</remarks>
    bool Trainable
    {
        get => true;
        set
        {
            if (!value)
                throw new NotSupportedException($"{GetType().Name} has no run-time Trainable switch (generated models have one).");
        }
    }

    /// <summary>
    /// Threads this model's calls may use, the calling thread included: <see cref="NeuralDslThreads.MaxThreads"/> until
    /// set; 0 follows the process setting again. The results are the same bits for every count.
    /// </summary>
    /// <remarks>Generated models implement it; the default (for hand-written implementations) follows the process setting and cannot be set.</remarks>
    int MaxThreads
    {
        get => NeuralDslThreads.MaxThreads;
        set => throw new NotSupportedException($"{GetType().Name} has no thread-count setting of its own (generated models have one); use NeuralDslThreads.");
    }

    /// <summary>Inference: <paramref name="input"/> is [batch, InputSize], <paramref name="output"/> [batch, OutputSize].</summary>
    void Predict(ReadOnlySpan<T> input, Span<T> output);

    /// <summary>
    /// Forward pass keeping the activations for <see cref="Backward"/>. <paramref name="training"/> turns on dropout.
    /// </summary>
    void Forward(ReadOnlySpan<T> input, Span<T> output, bool training);

    /// <summary>
    /// Back-propagates <paramref name="outputGradient"/> through the last <see cref="Forward"/>: adds the parameter
    /// gradients to <see cref="Gradients"/> and writes the gradient with respect to the input.
    /// </summary>
    void Backward(ReadOnlySpan<T> outputGradient, Span<T> inputGradient);

    /// <summary>Sets <see cref="Gradients"/> to zero.</summary>
    void ZeroGradients();

    /// <summary>
    /// Forward (training mode), loss and backward on one batch: overwrites <see cref="Gradients"/> with the gradient
    /// of the mean loss and returns that loss. The batch's predictions stay readable in <see cref="LastOutput"/>.
    /// </summary>
    T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> target);

    /// <summary>The output of the last forward pass, [batch, OutputSize].</summary>
    ReadOnlySpan<T> LastOutput { get; }
}

/// <summary>One named tensor inside a model's flat parameter vector.</summary>
/// <param name="Name">Keras-style name, e.g. <c>dense_1.kernel</c>.</param>
/// <param name="Offset">First element inside <see cref="IModel{T}.Parameters"/>.</param>
/// <param name="Shape">Keras layout, e.g. (in, units) for a Dense kernel.</param>
public sealed record ParameterInfo(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements.</summary>
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}
