using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Keras' <c>sample_weight</c> and <c>class_weight</c>: one weight per sample, checked up front, and the
/// weighted training step.
/// </summary>
/// <remarks>
/// A batch's loss is Keras' <c>sum_over_batch_size</c> reduction: <c>Σ wᵢ·lossᵢ / batch</c>, with lossᵢ the
/// sample's mean loss; its gradient is each sample's gradient times its weight. Metrics are weighted means
/// (<c>Σ wᵢ·mᵢ / Σ wᵢ</c>) or weighted confusion counts, as Keras passes the weights to its metrics.
/// </remarks>
internal static class SampleWeights
{
    /// <summary>
    /// The per-sample weights from <paramref name="sampleWeight"/> or <paramref name="classWeight"/>, or null when
    /// neither is given. Every weight must be finite and not negative; a class weight applies to a sample by its
    /// class: the class index of sparse targets, the argmax of one-hot targets, the rounded target of a single
    /// output.
    /// </summary>
    public static double[]? Resolve<T>(ReadOnlySpan<double> sampleWeight, IReadOnlyDictionary<int, double>? classWeight,
        ReadOnlySpan<T> y, int samples, int targetSize, int outputSize, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!sampleWeight.IsEmpty && classWeight is not null)
            throw new ArgumentException("Pass either sampleWeight or classWeight, not both (as Keras).", nameof(classWeight));
        if (!sampleWeight.IsEmpty)
        {
            if (sampleWeight.Length != samples)
                throw new ArgumentException(
                    $"sampleWeight holds {sampleWeight.Length} weights but the data holds {samples} samples; give one weight per sample.", nameof(sampleWeight));
            for (int i = 0; i < sampleWeight.Length; i++)
                CheckWeight(sampleWeight[i], nameof(sampleWeight), $"sampleWeight[{i}]");
            return sampleWeight.ToArray();
        }
        if (classWeight is null)
            return null;
        if (outputSize != lastAxis)
            throw new ArgumentException(
                $"classWeight needs one class per sample, but this model's output holds {outputSize / lastAxis} rows of {lastAxis} per sample; use sampleWeight.",
                nameof(classWeight));
        foreach (KeyValuePair<int, double> entry in classWeight)
        {
            if (entry.Key < 0)
                throw new ArgumentException($"classWeight names class {entry.Key}; classes are numbered from 0.", nameof(classWeight));
            CheckWeight(entry.Value, nameof(classWeight), $"classWeight[{entry.Key}]");
        }
        bool sparse = targetSize != outputSize;
        var weights = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            ReadOnlySpan<T> target = y.Slice(i * targetSize, targetSize);
            int label = sparse ? int.CreateTruncating(target[0])
                : lastAxis == 1 ? int.CreateTruncating(T.Round(target[0]))
                : Metrics.ArgMax(target);
            // Keras fills classes missing from the dictionary with 1.
            weights[i] = classWeight.TryGetValue(label, out double w) ? w : 1;
        }
        return weights;
    }

    private static void CheckWeight(double value, string argument, string what)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{what} is {value}; weights must be finite and not negative."), argument);
    }

    /// <summary>
    /// One weighted training step's gradients: forward in training mode, the loss's gradient with respect to the
    /// output, each sample's part times its weight, backward. Overwrites the model's gradients and returns
    /// <c>Σ wᵢ·lossᵢ / batch</c>. The buffers hold at least one batch; nothing is allocated.
    /// </summary>
    /// <remarks>
    /// The gradient goes through the final activation's own derivative rather than the fused
    /// activation-and-loss gradient of <see cref="IModel{T}.ComputeGradients"/>; the two agree except where the
    /// cross-entropy's clip at ε holds the loss constant (a saturated sigmoid or softmax), where this one is 0.
    /// </remarks>
    public static T ComputeGradients<T>(IModel<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<double> weights,
        Span<T> predictions, Span<T> outputGradient, Span<T> inputGradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int count = weights.Length, outputSize = model.OutputSize, targetSize = model.TargetSize, lastAxis = model.OutputLastAxis;
        Span<T> p = predictions[..(count * outputSize)];
        Span<T> d = outputGradient[..(count * outputSize)];
        model.Forward(x, p, training: true);
        Losses.Gradient<T>(model.Loss, p, y, d, lastAxis);
        double loss = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<T> pi = p.Slice(i * outputSize, outputSize);
            loss += weights[i] * double.CreateTruncating(Losses.Compute<T>(model.Loss, pi, y.Slice(i * targetSize, targetSize), lastAxis));
            System.Numerics.Tensors.TensorPrimitives.Multiply(d.Slice(i * outputSize, outputSize), T.CreateTruncating(weights[i]), d.Slice(i * outputSize, outputSize));
        }
        model.ZeroGradients();
        model.Backward(d, inputGradient[..(count * model.InputSize)]);
        return T.CreateTruncating(loss / count);
    }
}
