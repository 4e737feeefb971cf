using System;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// Argument checks shared by the public kernels. Every message names the expected and the actual size so a
/// wrong shape is diagnosed from the exception alone; the throwing paths are kept out of line so the checks
/// cost one compare each on the hot path.
/// </summary>
internal static class KernelGuard
{
    /// <summary>Rejects element types other than float and double (the JIT folds the check away for those).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EnsureSupported<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            ThrowNotSupported(typeof(T));
    }

    /// <summary>Throws when <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength(int expected, int actual, string what, string paramName)
    {
        if (expected != actual)
            ThrowLength(expected, actual, what, paramName);
    }

    /// <summary>
    /// Throws unless <paramref name="actual"/> is <paramref name="expected"/> or zero: used for inputs a kernel
    /// does not read, which callers may pass empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLengthOrEmpty(int expected, int actual, string what, string paramName)
    {
        if (actual != 0 && expected != actual)
            ThrowLength(expected, actual, what, paramName);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless <paramref name="value"/> &gt; 0.</summary>
    public static void Positive(int value, string name)
    {
        if (value <= 0)
            ThrowOutOfRange(value, name, "must be positive");
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> when <paramref name="value"/> &lt; 0.</summary>
    public static void NotNegative(int value, string name)
    {
        if (value < 0)
            ThrowOutOfRange(value, name, "must not be negative");
    }

    /// <summary>Throws when <paramref name="length"/> is not a whole number of rows of <paramref name="rowLength"/>.</summary>
    public static void WholeRows(int length, int rowLength, string what, string paramName)
    {
        if (rowLength <= 0)
        {
            if (length == 0)
                return;
            throw new ArgumentException(
                $"The row length must be positive, but it is {rowLength} for a {what} of length {length}.", paramName);
        }
        if (length % rowLength != 0)
        {
            throw new ArgumentException(
                $"{what} length {length} is not a multiple of the row length {rowLength} (expected [rows, {rowLength}]).",
                paramName);
        }
    }

    /// <summary>
    /// Throws when two spans overlap without starting at the same element: element-wise kernels support exact
    /// in-place use, but a shifted overlap would read values they have already overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoPartialOverlap<T>(ReadOnlySpan<T> input, Span<T> output, string paramName)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
            ThrowPartialOverlap(offset, paramName);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange(int value, string name, string rule) =>
        throw new ArgumentOutOfRangeException(name, value,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name} {rule}, but it is {value}."));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int expected, int actual, string what, string paramName) =>
        throw new ArgumentException($"{what} length {actual} does not match the expected length {expected}.", paramName);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPartialOverlap(int offset, string paramName) =>
        throw new ArgumentException(
            $"The output overlaps an input shifted by {offset} elements; use the same span for in-place work or separate memory.",
            paramName);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotSupported(Type type) =>
        throw new NotSupportedException($"Element type {type.Name} is not supported; use float or double.");
}
