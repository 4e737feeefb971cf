using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// Keras 3 losses with <c>reduction="sum_over_batch_size"</c> on probabilities (<c>from_logits=False</c>): each
/// row of <c>lastAxis</c> prediction elements gives one per-sample loss, and the result is the mean over rows.
/// Nothing here allocates. The exact formulas are those of <c>shared/conformance/README.md</c> ("Losses").
/// </summary>
/// <remarks>
/// Values are accumulated in <see cref="double"/> even for <see cref="float"/> models: a float sum over a large
/// batch loses digits, and the loss is what users read and compare against Keras. Gradients are computed in
/// the model's element type, element by element, reading each prediction before writing its gradient, so the
/// gradient span may be the same memory as the prediction span.
/// </remarks>
public static class Losses
{
    /// <summary>Keras <c>backend.epsilon()</c>: cross-entropies clip probabilities to [ε, 1 − ε].</summary>
    private const double Epsilon = 1e-7;

    /// <summary>
    /// The mean loss of a batch: per row of <paramref name="lastAxis"/> elements, then the mean over the rows.
    /// An empty batch gives zero (Keras divides with <c>divide_no_nan</c>).
    /// </summary>
    /// <param name="loss">The loss; <see cref="Loss.None"/> is rejected.</param>
    /// <param name="yPred">Predictions (probabilities for the cross-entropies), [rows, lastAxis].</param>
    /// <param name="yTrue">Targets of the same shape, or one class index per row (as <typeparamref name="T"/>) for <see cref="Loss.SparseCategoricalCrossEntropy"/>.</param>
    /// <param name="lastAxis">Length of the last (class) axis.</param>
    public static T Compute<T>(Loss loss, ReadOnlySpan<T> yPred, ReadOnlySpan<T> yTrue, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = CheckShapes<T>(loss, yPred.Length, yTrue.Length, lastAxis);
        if (rows == 0)
            return T.Zero;
        if (loss == Loss.SparseCategoricalCrossEntropy)
            CheckLabels(yTrue, lastAxis);

        // Clip bounds in T first, so a float model clips where Keras' float32 clip does (1 − 1e-7 rounds to
        // 0.99999988f) and the value agrees with the gradient about which entries are clipped.
        double lo = double.CreateTruncating(T.CreateTruncating(Epsilon));
        double hi = double.CreateTruncating(T.One - T.CreateTruncating(Epsilon));

        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> p = yPred.Slice(r * lastAxis, lastAxis);
            double rowLoss = 0;
            switch (loss)
            {
                case Loss.BinaryCrossEntropy:
                {
                    ReadOnlySpan<T> y = yTrue.Slice(r * lastAxis, lastAxis);
                    for (int j = 0; j < p.Length; j++)
                    {
                        double pj = Math.Clamp(double.CreateTruncating(p[j]), lo, hi);
                        double yj = double.CreateTruncating(y[j]);
                        rowLoss -= yj * Math.Log(pj) + (1 - yj) * Math.Log(1 - pj);
                    }
                    rowLoss /= lastAxis;
                    break;
                }
                case Loss.CategoricalCrossEntropy:
                {
                    ReadOnlySpan<T> y = yTrue.Slice(r * lastAxis, lastAxis);
                    double sum = SumAsDouble(p);
                    for (int j = 0; j < p.Length; j++)
                    {
                        double yj = double.CreateTruncating(y[j]);
                        if (yj != 0)
                            rowLoss -= yj * Math.Log(Math.Clamp(double.CreateTruncating(p[j]) / sum, lo, hi));
                    }
                    break;
                }
                case Loss.SparseCategoricalCrossEntropy:
                {
                    int k = int.CreateTruncating(yTrue[r]);
                    double q = double.CreateTruncating(p[k]) / SumAsDouble(p);
                    rowLoss = -Math.Log(Math.Clamp(q, lo, hi));
                    break;
                }
                case Loss.MeanSquaredError:
                {
                    ReadOnlySpan<T> y = yTrue.Slice(r * lastAxis, lastAxis);
                    for (int j = 0; j < p.Length; j++)
                    {
                        double e = double.CreateTruncating(p[j]) - double.CreateTruncating(y[j]);
                        rowLoss += e * e;
                    }
                    rowLoss /= lastAxis;
                    break;
                }
                case Loss.MeanAbsoluteError:
                {
                    ReadOnlySpan<T> y = yTrue.Slice(r * lastAxis, lastAxis);
                    for (int j = 0; j < p.Length; j++)
                        rowLoss += Math.Abs(double.CreateTruncating(p[j]) - double.CreateTruncating(y[j]));
                    rowLoss /= lastAxis;
                    break;
                }
                case Loss.Huber:
                {
                    ReadOnlySpan<T> y = yTrue.Slice(r * lastAxis, lastAxis);
                    for (int j = 0; j < p.Length; j++)
                    {
                        double a = Math.Abs(double.CreateTruncating(p[j]) - double.CreateTruncating(y[j]));
                        // delta = 1: quadratic inside, linear outside; both pieces meet at |e| = 1.
                        rowLoss += a <= 1 ? 0.5 * a * a : a - 0.5;
                    }
                    rowLoss /= lastAxis;
                    break;
                }
            }
            total += rowLoss;
        }
        return T.CreateTruncating(total / rows);
    }

    /// <summary>
    /// Writes d(mean loss)/d<paramref name="yPred"/> into <paramref name="dPred"/> (overwriting it). Entries the
    /// cross-entropy clip holds at a bound get zero, as the clip's own gradient does in Keras.
    /// </summary>
    /// <param name="loss">The loss; <see cref="Loss.None"/> is rejected.</param>
    /// <param name="yPred">Predictions, [rows, lastAxis].</param>
    /// <param name="yTrue">Targets (see <see cref="Compute{T}"/>).</param>
    /// <param name="dPred">Receives the gradient, same length as <paramref name="yPred"/>; may be the same memory.</param>
    /// <param name="lastAxis">Length of the last (class) axis.</param>
    public static void Gradient<T>(Loss loss, ReadOnlySpan<T> yPred, ReadOnlySpan<T> yTrue, Span<T> dPred, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = CheckShapes<T>(loss, yPred.Length, yTrue.Length, lastAxis);
        CheckGradientLength(dPred.Length, yPred.Length);
        if (rows == 0)
            return;
        if (loss == Loss.SparseCategoricalCrossEntropy)
            CheckLabels(yTrue, lastAxis);

        T lo = T.CreateTruncating(Epsilon);
        T hi = T.One - lo;
        T perElement = T.One / T.CreateTruncating(yPred.Length);   // 1 / (rows · lastAxis)
        T perRow = T.One / T.CreateTruncating(rows);

        switch (loss)
        {
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < yPred.Length; i++)
                {
                    T p = yPred[i];
                    T y = yTrue[i];
                    // d/dp −(y log p + (1 − y) log(1 − p)) = (p − y) / (p (1 − p)); zero where the clip is active.
                    dPred[i] = p < lo || p > hi ? T.Zero : (p - y) / (p * (T.One - p)) * perElement;
                }
                break;
            case Loss.CategoricalCrossEntropy:
            case Loss.SparseCategoricalCrossEntropy:
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<T> p = yPred.Slice(r * lastAxis, lastAxis);
                    Span<T> d = dPred.Slice(r * lastAxis, lastAxis);
                    if (loss == Loss.CategoricalCrossEntropy)
                        CrossEntropyRowGradient(p, yTrue.Slice(r * lastAxis, lastAxis), -1, d, lo, hi, perRow);
                    else
                        CrossEntropyRowGradient(p, default, int.CreateTruncating(yTrue[r]), d, lo, hi, perRow);
                }
                break;
            case Loss.MeanSquaredError:
                TensorPrimitives.Subtract(yPred, yTrue, dPred);
                TensorPrimitives.Multiply(dPred, T.CreateTruncating(2) * perElement, dPred);
                break;
            case Loss.MeanAbsoluteError:
                for (int i = 0; i < yPred.Length; i++)
                {
                    T e = yPred[i] - yTrue[i];
                    // sign(e), and 0 at e = 0 like the subgradient TF and libtorch pick.
                    dPred[i] = e > T.Zero ? perElement : e < T.Zero ? -perElement : T.Zero;
                }
                break;
            case Loss.Huber:
                for (int i = 0; i < yPred.Length; i++)
                {
                    T e = yPred[i] - yTrue[i];
                    dPred[i] = T.Clamp(e, -T.One, T.One) * perElement;
                }
                break;
        }
    }

    /// <summary>
    /// Sigmoid output followed by binary cross-entropy, differentiated with respect to the sigmoid's input:
    /// <c>dz = (p − y) / (rows · lastAxis)</c>. Unlike <see cref="Gradient{T}"/> this never clips, which is what
    /// Keras computes when it sees the sigmoid's logits.
    /// </summary>
    /// <param name="p">Sigmoid outputs, [rows, lastAxis].</param>
    /// <param name="y">Targets of the same shape.</param>
    /// <param name="dz">Receives the gradient (overwritten); may be the same memory as <paramref name="p"/>.</param>
    /// <param name="lastAxis">Length of the last axis.</param>
    public static void SigmoidBinaryCrossEntropyGradient<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> y, Span<T> dz, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes<T>(Loss.BinaryCrossEntropy, p.Length, y.Length, lastAxis);
        CheckGradientLength(dz.Length, p.Length);
        if (p.Length == 0)
            return;
        TensorPrimitives.Subtract(p, y, dz);
        TensorPrimitives.Multiply(dz, T.One / T.CreateTruncating(p.Length), dz);
    }

    /// <summary>
    /// Softmax output followed by categorical cross-entropy, differentiated with respect to the softmax's input:
    /// <c>dz = (p − y) / rows</c> (targets are assumed to sum to one per row, as Keras' fused path assumes).
    /// </summary>
    /// <param name="p">Softmax outputs, [rows, lastAxis].</param>
    /// <param name="y">One-hot (or soft) targets of the same shape.</param>
    /// <param name="dz">Receives the gradient (overwritten); may be the same memory as <paramref name="p"/>.</param>
    /// <param name="lastAxis">Number of classes.</param>
    public static void SoftmaxCategoricalCrossEntropyGradient<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> y, Span<T> dz, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = CheckShapes<T>(Loss.CategoricalCrossEntropy, p.Length, y.Length, lastAxis);
        CheckGradientLength(dz.Length, p.Length);
        if (rows == 0)
            return;
        TensorPrimitives.Subtract(p, y, dz);
        TensorPrimitives.Multiply(dz, T.One / T.CreateTruncating(rows), dz);
    }

    /// <summary>
    /// Softmax output followed by sparse categorical cross-entropy, differentiated with respect to the softmax's
    /// input: <c>dz = (p − onehot(label)) / rows</c>.
    /// </summary>
    /// <param name="p">Softmax outputs, [rows, lastAxis].</param>
    /// <param name="labels">One class index per row, stored as <typeparamref name="T"/>.</param>
    /// <param name="dz">Receives the gradient (overwritten); may be the same memory as <paramref name="p"/>.</param>
    /// <param name="lastAxis">Number of classes.</param>
    /// <exception cref="ArgumentException">A label is not an integer in [0, <paramref name="lastAxis"/>).</exception>
    public static void SoftmaxSparseCategoricalCrossEntropyGradient<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> labels, Span<T> dz, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = CheckShapes<T>(Loss.SparseCategoricalCrossEntropy, p.Length, labels.Length, lastAxis);
        CheckGradientLength(dz.Length, p.Length);
        if (rows == 0)
            return;
        // Every label is checked before anything is written, so bad input leaves dz (and an aliased p) intact.
        CheckLabels(labels, lastAxis);
        T perRow = T.One / T.CreateTruncating(rows);
        TensorPrimitives.Multiply(p, perRow, dz);
        for (int r = 0; r < rows; r++)
            dz[r * lastAxis + int.CreateTruncating(labels[r])] -= perRow;
    }

    /// <summary>
    /// One row of Keras' cross-entropy on probabilities: q = p / Σp, clipped to [lo, hi], loss −Σ y log q. With
    /// g_k = ∂L/∂q_k (−y_k / q_k, or 0 where the clip is active) the division gives
    /// ∂L/∂p_j = (g_j − Σ_k g_k q_k) / Σp. A sparse row passes its label and an empty <paramref name="y"/>.
    /// </summary>
    private static void CrossEntropyRowGradient<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> y, int label, Span<T> d, T lo, T hi, T perRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T sum = TensorPrimitives.Sum(p);
        T invSum = T.One / sum;
        // First pass: Σ_k g_k q_k, reading only p, so d may alias p.
        T dot = T.Zero;
        for (int k = 0; k < p.Length; k++)
        {
            T yk = label >= 0 ? (k == label ? T.One : T.Zero) : y[k];
            if (yk == T.Zero)
                continue;
            T q = p[k] * invSum;
            if (q >= lo && q <= hi)
                dot -= yk;   // g_k q_k = (−y_k / q_k) q_k
        }
        T scale = invSum * perRow;
        for (int j = 0; j < p.Length; j++)
        {
            T yj = label >= 0 ? (j == label ? T.One : T.Zero) : y[j];
            T g = T.Zero;
            if (yj != T.Zero)
            {
                T q = p[j] * invSum;
                if (q >= lo && q <= hi)
                    g = -yj / q;
            }
            d[j] = (g - dot) * scale;
        }
    }

    private static double SumAsDouble<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T v in values)
            sum += double.CreateTruncating(v);
        return sum;
    }

    /// <summary>Validates the element type, the loss and the lengths; returns the number of rows.</summary>
    private static int CheckShapes<T>(Loss loss, int predLength, int trueLength, int lastAxis)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Losses support float and double, not {typeof(T).Name}.");
        if (loss is < Loss.BinaryCrossEntropy or > Loss.Huber)
            throw new ArgumentException($"Loss {loss} cannot be computed; the model needs a declared loss.", nameof(loss));
        if (lastAxis <= 0)
            throw new ArgumentOutOfRangeException(nameof(lastAxis), lastAxis, "The last axis must have a positive length.");
        if (predLength % lastAxis != 0)
            throw new ArgumentException(
                $"Prediction length {predLength} is not a multiple of the last axis {lastAxis} (expected [batch, {lastAxis}]).", "yPred");
        int rows = predLength / lastAxis;
        int expected = loss == Loss.SparseCategoricalCrossEntropy ? rows : predLength;
        if (trueLength != expected)
            throw new ArgumentException(loss == Loss.SparseCategoricalCrossEntropy
                ? $"Label count {trueLength} does not match the {rows} prediction rows (expected one class index per row)."
                : $"Target length {trueLength} does not match the prediction length {predLength}.", "yTrue");
        return rows;
    }

    private static void CheckGradientLength(int gradientLength, int predLength)
    {
        if (gradientLength != predLength)
            throw new ArgumentException(
                $"Gradient length {gradientLength} does not match the prediction length {predLength}.", "dPred");
    }

    /// <summary>Sparse labels arrive as T; each must be a whole number in [0, lastAxis).</summary>
    private static void CheckLabels<T>(ReadOnlySpan<T> labels, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0; r < labels.Length; r++)
        {
            T v = labels[r];
            if (!IsClassIndex(v, lastAxis))
                throw new ArgumentException(
                    $"Label {Format(v)} of row {r} is not a class index in [0, {lastAxis}).",
                    "yTrue");
        }
    }

    /// <summary>
    /// Throws unless every value in <paramref name="target"/> is one <paramref name="loss"/> can learn from: finite
    /// for every loss, a probability in [0, 1] for binary cross-entropy, a class index in [0,
    /// <paramref name="lastAxis"/>) for sparse categorical cross-entropy. Training calls it before the forward pass, so
    /// a rejected call leaves the model (moving statistics, dropout stream, parameters) as it was.
    /// </summary>
    /// <param name="loss">The model's loss.</param>
    /// <param name="target">Targets, [samples × <paramref name="targetSize"/>].</param>
    /// <param name="targetSize">Target values per sample: the message names the sample of a bad value.</param>
    /// <param name="lastAxis">Length of the output's last (class) axis.</param>
    /// <param name="argument">The caller's parameter name, used in the message and as <see cref="ArgumentException.ParamName"/>.</param>
    /// <exception cref="ArgumentException">A target is NaN or infinite, or outside what the loss accepts.</exception>
    public static void ValidateTargets<T>(Loss loss, ReadOnlySpan<T> target, int targetSize, int lastAxis, string argument)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int bad = FirstInvalidTarget(loss, target, lastAxis);
        if (bad < 0)
            return;
        string rule = loss switch
        {
            Loss.SparseCategoricalCrossEntropy => $"a class index in [0, {lastAxis})",
            Loss.BinaryCrossEntropy => "a probability in [0, 1], as binary cross-entropy needs",
            _ => "finite",
        };
        throw new ArgumentException(
            $"Target {argument}[{bad}] = {Format(target[bad])} of sample {bad / Math.Max(targetSize, 1)} is not {rule}.", argument);
    }

    /// <summary>The index of the first target <paramref name="loss"/> cannot use, or −1.</summary>
    private static int FirstInvalidTarget<T>(Loss loss, ReadOnlySpan<T> target, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (loss == Loss.SparseCategoricalCrossEntropy)
        {
            for (int i = 0; i < target.Length; i++)
            {
                if (!IsClassIndex(target[i], lastAxis))
                    return i;
            }
            return -1;
        }

        if (loss != Loss.BinaryCrossEntropy)
        {
            // Finite for every other loss: the optimizers' one-pass check, then a search only when it fails.
            if (UpdateDriver.AllFinite(target))
                return -1;
            for (int i = 0; i < target.Length; i++)
            {
                if (!T.IsFinite(target[i]))
                    return i;
            }
            return -1;
        }

        int start = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Whole vectors first; a vector holding a value outside [0, 1] (NaN fails both comparisons) is searched
            // element by element below.
            for (; start <= target.Length - Vector<T>.Count; start += Vector<T>.Count)
            {
                var v = new Vector<T>(target.Slice(start, Vector<T>.Count));
                if (!(Vector.GreaterThanOrEqualAll(v, Vector<T>.Zero) && Vector.LessThanOrEqualAll(v, Vector<T>.One)))
                    break;
            }
        }
        for (int i = start; i < target.Length; i++)
        {
            T v = target[i];
            if (!(v >= T.Zero && v <= T.One))
                return i;
        }
        return -1;
    }

    private static bool IsClassIndex<T>(T value, int lastAxis)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        value >= T.Zero && value < T.CreateTruncating(lastAxis) && T.IsInteger(value);

    private static string Format<T>(T value)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        double.CreateTruncating(value).ToString("R", CultureInfo.InvariantCulture);
}
