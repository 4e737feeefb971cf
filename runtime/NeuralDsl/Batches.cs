using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// Argument checks shared by every generated model, so each throws the same clear message naming what was expected
/// and what came. Generated code calls these once per pass, before any buffer is touched.
/// </summary>
public static class Batches
{
    /// <summary>The number of samples in <paramref name="length"/> elements; throws unless it is a whole, non-zero number.</summary>
    public static int Count(int length, int sampleSize, string argument)
    {
        if (length == 0 || length % sampleSize != 0)
        {
            throw new ArgumentException(
                $"Length {length} of '{argument}' is not a positive multiple of the sample size {sampleSize} (expected [batch × {sampleSize}]).",
                argument);
        }
        return length / sampleSize;
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/> = batch × the product of <paramref name="sampleShape"/>.</summary>
    public static void CheckLength(int actual, int expected, string argument, int batch, ReadOnlySpan<int> sampleShape)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"Length {actual} of '{argument}' does not match the batch: expected {expected} = {batch} × [{string.Join(", ", sampleShape.ToArray())}].",
                argument);
        }
    }

    /// <summary>
    /// Throws unless the targets hold <paramref name="targetSize"/> values for each of the <paramref name="batch"/>
    /// samples; <paramref name="expected"/> is a 64-bit product, so a batch too large for the target size cannot wrap
    /// around to a length that matches.
    /// </summary>
    public static void CheckTargetLength(int actual, long expected, string argument, int batch, int targetSize)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"Length {actual} of '{argument}' does not match the batch: expected {expected} = {batch} samples × {targetSize} target value(s).",
                argument);
        }
    }

    /// <summary>
    /// Tensor inference for generated models: checks that <paramref name="input"/> is [batch, ..inputShape], runs the
    /// model and returns a new tensor [batch, ..outputShape].
    /// </summary>
    public static Tensor<T> Predict<T>(IModel<T> model, Tensor<T> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> outputShape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ReadOnlySpan<nint> lengths = input.Lengths;
        bool matches = lengths.Length == inputShape.Length + 1 && input.IsDense;
        for (int i = 0; matches && i < inputShape.Length; i++)
            matches = lengths[i + 1] == inputShape[i];
        if (!matches || lengths[0] <= 0)
        {
            throw new ArgumentException(
                $"Input tensor has shape [{string.Join(", ", lengths.ToArray())}]{(input.IsDense ? "" : " (not dense)")}; expected a dense [batch, {string.Join(", ", inputShape.ToArray())}].",
                nameof(input));
        }

        int batch = checked((int)lengths[0]);
        var outputLengths = new nint[outputShape.Length + 1];
        outputLengths[0] = batch;
        for (int i = 0; i < outputShape.Length; i++)
            outputLengths[i + 1] = outputShape[i];
        var result = new T[checked(batch * model.OutputSize)];
        var source = new T[checked((int)input.FlattenedLength)];
        input.FlattenTo(source);
        model.Predict(source, result);
        return Tensor.Create(result, outputLengths);
    }
}
