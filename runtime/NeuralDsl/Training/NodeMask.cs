using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// The training mask of semi-supervised node classification (Kipf &amp; Welling; PyTorch Geometric's
/// <c>loss[train_mask]</c>): only the samples (nodes) whose mask entry is true contribute, and the loss is the mean
/// over them alone. The targets of the other samples are never read, so any placeholder may stand there.
/// </summary>
public static class NodeMask
{
    /// <summary>
    /// Checks a mask against the batch and the targets of its labelled samples against the loss; returns how many
    /// samples are labelled.
    /// </summary>
    /// <param name="loss">The model's loss.</param>
    /// <param name="target">Targets, [samples × <paramref name="targetSize"/>].</param>
    /// <param name="mask">One entry per sample: true for a labelled sample.</param>
    /// <param name="samples">The batch (the graph's nodes).</param>
    /// <param name="targetSize">Target values per sample.</param>
    /// <param name="lastAxis">Length of the output's last (class) axis.</param>
    /// <returns>The number of labelled samples, at least 1.</returns>
    /// <exception cref="ArgumentException">The mask's length is not the batch, no sample is labelled, or a labelled
    /// sample's target is not one the loss accepts.</exception>
    public static int Validate<T>(Loss loss, ReadOnlySpan<T> target, ReadOnlySpan<bool> mask, int samples, int targetSize, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (mask.Length != samples)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The mask needs one entry per sample ({samples}), but holds {mask.Length}."), nameof(mask));
        }
        int labelled = 0;
        for (int i = 0; i < samples; i++)
        {
            if (!mask[i])
                continue;
            labelled++;
            try
            {
                Losses.ValidateTargets(loss, target.Slice(i * targetSize, targetSize), targetSize, lastAxis, nameof(target));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The target of labelled sample {i} is not one {loss} accepts: {e.Message}"), nameof(target), e);
            }
        }
        if (labelled == 0)
            throw new ArgumentException("The mask labels no sample: at least one entry must be true.", nameof(mask));
        return labelled;
    }

    /// <summary>The mean loss over the labelled samples: <c>Σ_{mask i} lossᵢ / count(mask)</c>.</summary>
    /// <param name="loss">The loss.</param>
    /// <param name="output">Predictions, [samples × outputSize].</param>
    /// <param name="target">Targets, [samples × targetSize]; only the labelled ones are read.</param>
    /// <param name="mask">One entry per sample, at least one true (see <see cref="Validate{T}"/>).</param>
    /// <param name="lastAxis">Length of the output's last (class) axis.</param>
    /// <returns>The mean over the labelled samples.</returns>
    public static T MeanLoss<T>(Loss loss, ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<bool> mask, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int samples = mask.Length, outputSize = output.Length / samples, targetSize = target.Length / samples;
        double sum = 0;
        int labelled = 0;
        for (int i = 0; i < samples; i++)
        {
            if (!mask[i])
                continue;
            labelled++;
            sum += double.CreateTruncating(Losses.Compute(loss, output.Slice(i * outputSize, outputSize), target.Slice(i * targetSize, targetSize), lastAxis));
        }
        return T.CreateTruncating(sum / labelled);
    }

    /// <summary>
    /// The gradient of <see cref="MeanLoss{T}"/>: each labelled sample's own loss gradient divided by the labelled
    /// count, zero for the others.
    /// </summary>
    /// <param name="loss">The loss.</param>
    /// <param name="fusedWithActivation">True when <paramref name="gradient"/> is taken with respect to the final
    /// activation's input, fused with the loss as <see cref="IModel{T}.ComputeGradients"/> does (sigmoid with binary
    /// cross-entropy, softmax with the categorical cross-entropies); false for the gradient with respect to the output.</param>
    /// <param name="output">Predictions, [samples × outputSize].</param>
    /// <param name="target">Targets, [samples × targetSize]; only the labelled ones are read.</param>
    /// <param name="mask">One entry per sample, at least one true.</param>
    /// <param name="gradient">Receives the gradient, [samples × outputSize] (overwritten).</param>
    /// <param name="lastAxis">Length of the output's last (class) axis.</param>
    public static void Gradient<T>(Loss loss, bool fusedWithActivation, ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<bool> mask,
        Span<T> gradient, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int samples = mask.Length, outputSize = output.Length / samples, targetSize = target.Length / samples;
        int labelled = 0;
        foreach (bool m in mask)
        {
            if (m)
                labelled++;
        }
        T scale = T.One / T.CreateTruncating(labelled);
        for (int i = 0; i < samples; i++)
        {
            Span<T> d = gradient.Slice(i * outputSize, outputSize);
            if (!mask[i])
            {
                d.Clear();
                continue;
            }
            ReadOnlySpan<T> p = output.Slice(i * outputSize, outputSize);
            ReadOnlySpan<T> y = target.Slice(i * targetSize, targetSize);
            if (!fusedWithActivation)
                Losses.Gradient(loss, p, y, d, lastAxis);
            else if (loss == Loss.BinaryCrossEntropy)
                Losses.SigmoidBinaryCrossEntropyGradient(p, y, d, lastAxis);
            else if (loss == Loss.CategoricalCrossEntropy)
                Losses.SoftmaxCategoricalCrossEntropyGradient(p, y, d, lastAxis);
            else if (loss == Loss.SparseCategoricalCrossEntropy)
                Losses.SoftmaxSparseCategoricalCrossEntropyGradient(p, y, d, lastAxis);
            else
                throw new ArgumentException($"{loss} has no gradient fused with an activation.", nameof(fusedWithActivation));
            TensorPrimitives.Multiply(d, scale, d);
        }
    }
}
