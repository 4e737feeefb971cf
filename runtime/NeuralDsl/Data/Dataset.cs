using System;
using System.Numerics;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Helpers that turn loaded data into training arrays: one-hot and sparse targets, seeded row shuffles and
/// train/test splits. Matrices are row-major spans of <c>rows × rowLength</c> elements, the layout models take.
/// </summary>
public static class Dataset
{
    /// <summary>One-hot targets [labels.Length, classes]: row i has 1 at column labels[i] and 0 elsewhere.</summary>
    /// <exception cref="ArgumentException">A label is outside [0, classes).</exception>
    public static T[] OneHot<T>(ReadOnlySpan<int> labels, int classes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var result = new T[(long)labels.Length * classes];
        for (int i = 0; i < labels.Length; i++)
        {
            CheckLabel(labels[i], i, classes);
            result[(long)i * classes + labels[i]] = T.One;
        }
        return result;
    }

    /// <summary>One-hot targets [labels.Length, classes] from byte labels (as IDX label files hold them).</summary>
    /// <exception cref="ArgumentException">A label is outside [0, classes).</exception>
    public static T[] OneHot<T>(ReadOnlySpan<byte> labels, int classes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var result = new T[(long)labels.Length * classes];
        for (int i = 0; i < labels.Length; i++)
        {
            CheckLabel(labels[i], i, classes);
            result[(long)i * classes + labels[i]] = T.One;
        }
        return result;
    }

    /// <summary>Class indices as values of <typeparamref name="T"/>: the targets of a sparse categorical cross-entropy model.</summary>
    public static T[] SparseTargets<T>(ReadOnlySpan<int> labels) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new T[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) throw new ArgumentException(Invariant($"Label {labels[i]} at index {i} is negative."), nameof(labels));
            result[i] = T.CreateChecked(labels[i]);
        }
        return result;
    }

    /// <summary>Byte class indices (as IDX label files hold them) as values of <typeparamref name="T"/>.</summary>
    public static T[] SparseTargets<T>(ReadOnlySpan<byte> labels) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new T[labels.Length];
        for (int i = 0; i < labels.Length; i++) result[i] = T.CreateChecked(labels[i]);
        return result;
    }

    /// <summary>A seeded random permutation of 0 .. count − 1 (the same seed gives the same permutation everywhere).</summary>
    public static int[] Permutation(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var permutation = new int[count];
        for (int i = 0; i < count; i++) permutation[i] = i;
        var rng = new Rng(unchecked((ulong)seed));
        rng.Shuffle(permutation.AsSpan());
        return permutation;
    }

    /// <summary>Shuffles the rows of a matrix in place with a seeded permutation.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="rowLength"/>.</exception>
    public static void ShuffleRows<T>(Span<T> rows, int rowLength, int seed)
    {
        int count = RowCount(rows.Length, rowLength, nameof(rows));
        Permute(rows, rowLength, Permutation(count, seed));
    }

    /// <summary>
    /// Shuffles the rows of the inputs <paramref name="x"/> and the targets <paramref name="y"/> in place with the
    /// same seeded permutation, so every sample keeps its target.
    /// </summary>
    /// <exception cref="ArgumentException">A length is not a multiple of its row length, or x and y have different row counts.</exception>
    public static void ShuffleRows<TX, TY>(Span<TX> x, int xRowLength, Span<TY> y, int yRowLength, int seed)
    {
        int count = RowCount(x.Length, xRowLength, nameof(x));
        int yCount = RowCount(y.Length, yRowLength, nameof(y));
        if (yCount != count)
            throw new ArgumentException(Invariant($"Target length {y.Length} holds {yCount} rows of {yRowLength}, but the inputs hold {count} rows (expected [{count}, {yRowLength}])."), nameof(y));
        int[] permutation = Permutation(count, seed);
        Permute(x, xRowLength, permutation);
        Permute(y, yRowLength, permutation);
    }

    /// <summary>
    /// Splits a matrix by rows: the first <paramref name="firstRows"/> rows and the rest, as new arrays (shuffle
    /// first if the data is ordered).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="rowLength"/>, or there are fewer than <paramref name="firstRows"/> rows.</exception>
    public static (T[] First, T[] Remainder) SplitRows<T>(ReadOnlySpan<T> data, int rowLength, int firstRows)
    {
        int count = RowCount(data.Length, rowLength, nameof(data));
        if (firstRows < 0 || firstRows > count)
            throw new ArgumentOutOfRangeException(nameof(firstRows), firstRows, Invariant($"The data has {count} rows; the first part must have 0 to {count}."));
        int split = firstRows * rowLength;
        return (data[..split].ToArray(), data[split..].ToArray());
    }

    private static void Permute<T>(Span<T> rows, int rowLength, int[] permutation)
    {
        // Out of place through one copy: in-place cycle following would save memory but is harder to get right.
        T[] copy = rows.ToArray();
        for (int i = 0; i < permutation.Length; i++)
            copy.AsSpan(permutation[i] * rowLength, rowLength).CopyTo(rows.Slice(i * rowLength, rowLength));
    }

    private static int RowCount(int length, int rowLength, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (length % rowLength != 0)
            throw new ArgumentException(Invariant($"Length {length} is not a multiple of the row length {rowLength} (expected [rows, {rowLength}])."), name);
        return length / rowLength;
    }

    private static void CheckLabel(int label, int index, int classes)
    {
        if ((uint)label >= (uint)classes)
            throw new ArgumentException(Invariant($"Label {label} at index {index} is outside [0, {classes})."), "labels");
    }
}
