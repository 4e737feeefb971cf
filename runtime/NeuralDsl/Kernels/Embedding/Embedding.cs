using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// Keras <c>Embedding</c>: token ids [batch, steps] → rows of the embeddings (inputDim, outputDim), [batch, steps,
/// outputDim]. Ids are carried exactly in the element type (float holds every integer up to 2^24) or given as
/// <c>int</c>; every id is checked, and a bad one throws naming its batch row, position and value. With a mask buffer
/// (<c>mask_zero</c>) the forward pass writes 1 for a real token and 0 for the padding id 0. No kernel allocates.
/// </summary>
public static class Embedding
{
    /// <summary>
    /// Forward: <c>y[b, t, :] = embeddings[ids[b, t], :]</c>, and <c>mask[b, t] = ids[b, t] == 0 ? 0 : 1</c> when
    /// <paramref name="mask"/> is not empty. Every id is checked before anything is written.
    /// </summary>
    /// <param name="ids">Token ids [batch, steps], integers in [0, <paramref name="inputDim"/>).</param>
    /// <param name="embeddings">The table (inputDim, outputDim).</param>
    /// <param name="y">Output [batch, steps, outputDim].</param>
    /// <param name="mask">Empty, or [batch, steps] to receive the padding mask.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Ids per sample.</param>
    /// <param name="inputDim">The vocabulary size.</param>
    /// <param name="outputDim">The embedding length.</param>
    /// <exception cref="ArgumentException">A length does not match, or an id is not an integer in [0, inputDim).</exception>
    public static void Forward<T>(ReadOnlySpan<T> ids, ReadOnlySpan<T> embeddings, Span<T> y, Span<T> mask, int batch, int steps, int inputDim, int outputDim)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, steps, inputDim, outputDim);
        KernelGuard.SameLength(checked(batch * steps), ids.Length, "Token ids", nameof(ids));
        KernelGuard.SameLength(checked(inputDim * outputDim), embeddings.Length, "Embeddings", nameof(embeddings));
        KernelGuard.SameLength(checked(batch * steps * outputDim), y.Length, "Output", nameof(y));
        KernelGuard.SameLengthOrEmpty(batch * steps, mask.Length, "Mask", nameof(mask));
        CheckIds(ids, steps, inputDim, nameof(ids));
        for (int i = 0; i < ids.Length; i++)
        {
            int id = int.CreateTruncating(ids[i]);
            embeddings.Slice(id * outputDim, outputDim).CopyTo(y.Slice(i * outputDim, outputDim));
        }
        if (!mask.IsEmpty)
        {
            for (int i = 0; i < ids.Length; i++)
                mask[i] = ids[i] == T.Zero ? T.Zero : T.One;
        }
    }

    /// <summary>
    /// Backward: adds <c>dy[b, t, :]</c> to <c>dEmbeddings[ids[b, t], :]</c> (a scatter-add: a repeated id sums its
    /// gradients). Ids have no gradient.
    /// </summary>
    /// <param name="ids">The token ids of the forward pass [batch, steps].</param>
    /// <param name="dy">Output gradient [batch, steps, outputDim].</param>
    /// <param name="dEmbeddings">Accumulates the embeddings' gradient (inputDim, outputDim).</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Ids per sample.</param>
    /// <param name="inputDim">The vocabulary size.</param>
    /// <param name="outputDim">The embedding length.</param>
    /// <exception cref="ArgumentException">A length does not match, or an id is not an integer in [0, inputDim).</exception>
    public static void Backward<T>(ReadOnlySpan<T> ids, ReadOnlySpan<T> dy, Span<T> dEmbeddings, int batch, int steps, int inputDim, int outputDim)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, steps, inputDim, outputDim);
        KernelGuard.SameLength(checked(batch * steps), ids.Length, "Token ids", nameof(ids));
        KernelGuard.SameLength(checked(batch * steps * outputDim), dy.Length, "Output gradient", nameof(dy));
        KernelGuard.SameLength(checked(inputDim * outputDim), dEmbeddings.Length, "Embeddings gradient", nameof(dEmbeddings));
        CheckIds(ids, steps, inputDim, nameof(ids));
        for (int i = 0; i < ids.Length; i++)
        {
            Span<T> row = dEmbeddings.Slice(int.CreateTruncating(ids[i]) * outputDim, outputDim);
            TensorPrimitives.Add(row, dy.Slice(i * outputDim, outputDim), row);
        }
    }

    /// <summary>
    /// Checks <c>int</c> token ids [rows, steps] against [0, <paramref name="inputDim"/>) and writes them, exactly, into
    /// <paramref name="x"/> in the element type: how the generated <c>int</c> overloads of <c>Predict</c> feed the model.
    /// </summary>
    /// <param name="ids">Token ids, whole rows of <paramref name="steps"/>.</param>
    /// <param name="x">Receives the ids, same length.</param>
    /// <param name="steps">Ids per sample.</param>
    /// <param name="inputDim">The vocabulary size.</param>
    /// <param name="paramName">The caller's parameter name, for messages.</param>
    /// <exception cref="ArgumentException">A length does not match, or an id is outside [0, inputDim).</exception>
    public static void ConvertIds<T>(ReadOnlySpan<int> ids, Span<T> x, int steps, int inputDim, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(inputDim, nameof(inputDim));
        KernelGuard.SameLength(ids.Length, x.Length, "Converted ids", nameof(x));
        KernelGuard.WholeRows(ids.Length, steps, "Token ids", paramName);
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)inputDim)
                ThrowBadId(ids[i].ToString(CultureInfo.InvariantCulture), i, steps, inputDim, paramName);
        }
        for (int i = 0; i < ids.Length; i++)
            x[i] = T.CreateTruncating(ids[i]);
    }

    /// <summary>
    /// Throws for the first id that is not an integer in [0, <paramref name="inputDim"/>), naming its batch row,
    /// position and value: how a generated <c>Forward</c> rejects bad ids before it keeps its input for <c>Backward</c>.
    /// </summary>
    /// <param name="ids">Token ids, whole rows of <paramref name="steps"/>.</param>
    /// <param name="steps">Ids per sample.</param>
    /// <param name="inputDim">The vocabulary size.</param>
    /// <param name="paramName">The caller's parameter name, for messages.</param>
    /// <exception cref="ArgumentException">An id is not an integer in [0, inputDim).</exception>
    public static void CheckIds<T>(ReadOnlySpan<T> ids, int steps, int inputDim, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(inputDim, nameof(inputDim));
        T limit = T.CreateTruncating(inputDim);
        for (int i = 0; i < ids.Length; i++)
        {
            T id = ids[i];
            // Written so that NaN fails: it is not an integer.
            if (!(T.IsInteger(id) && id >= T.Zero && id < limit))
                ThrowBadId(id.ToString("R", CultureInfo.InvariantCulture), i, steps, inputDim, paramName);
        }
    }

    private static void CheckSizes(int batch, int steps, int inputDim, int outputDim)
    {
        KernelGuard.NotNegative(batch, nameof(batch));
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(inputDim, nameof(inputDim));
        KernelGuard.Positive(outputDim, nameof(outputDim));
    }

    private static void ThrowBadId(string value, int index, int steps, int inputDim, string paramName) =>
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"Token id {value} at batch row {index / steps}, position {index % steps} is not an integer in [0, {inputDim}) (the Embedding's inputDim)."),
            paramName);
}
