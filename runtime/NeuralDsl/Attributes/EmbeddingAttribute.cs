using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>Embedding(input_dim, output_dim)</c>: looks up a trainable vector per token id, (steps) → (steps, outputDim).
/// Only as the first layer, right after <c>[Input(steps)]</c>: the model input is then token ids, carried exactly in
/// the element type (and accepted as <c>int</c> by the generated <c>Predict</c> overloads). An id that is not an
/// integer in [0, inputDim) throws, naming its batch row and position. Ids have no gradient: <c>Backward</c> writes
/// zeros into the input gradient. Embeddings (inputDim, outputDim), initialized like Keras' <c>uniform</c>: U(−0.05, 0.05).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>Declares an embedding of <paramref name="inputDim"/> token ids into vectors of <paramref name="outputDim"/>.</summary>
    public EmbeddingAttribute(int inputDim, int outputDim)
    {
        InputDim = inputDim;
        OutputDim = outputDim;
    }

    /// <summary>The vocabulary size: valid ids are 0 to <c>InputDim − 1</c>.</summary>
    public int InputDim { get; }

    /// <summary>The length of each embedding vector.</summary>
    public int OutputDim { get; }

    /// <summary>
    /// Keras <c>mask_zero</c>: id 0 is padding, and the steps holding it are masked for the layers that follow (the
    /// global poolings over time ignore them; Dense, Dropout and Activation pass the mask on). A model whose mask
    /// reaches a layer that cannot honour it, or its output, is a compile-time error (NDSL1011).
    /// </summary>
    public bool MaskZero { get; set; }
}
