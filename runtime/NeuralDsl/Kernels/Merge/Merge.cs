using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// The merge layers' kernels (Keras <c>Add</c>, <c>Subtract</c>, <c>Multiply</c>, <c>Average</c>, <c>Maximum</c>,
/// <c>Concatenate</c>) on flat batch spans. A merge of n operands is a sequence of calls, one per operand, so no
/// kernel takes a list of spans; element-wise work goes through <see cref="TensorPrimitives"/>. No allocation.
/// </summary>
public static class Merge
{
    /// <summary>
    /// <c>y = a + b</c> element by element (the sum of an <c>Add</c> merge, one operand at a time). A long sum (a
    /// convolution stage's residual add at batch 1 and up) runs in chunks of whole cache lines shared with the worker
    /// pool (<see cref="ElementwiseParts"/>); each element is the one rounded addition wherever the cut falls, so no bit
    /// depends on the thread count. <paramref name="y"/> may be the same memory as either operand.
    /// </summary>
    /// <param name="a">The first operand.</param>
    /// <param name="b">The second operand.</param>
    /// <param name="y">The sum (overwritten).</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    // See docs/kernels.md#element-wise-passes-on-the-pool
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(y.Length, a.Length, "Operand", nameof(a));
        KernelGuard.SameLength(y.Length, b.Length, "Operand", nameof(b));
        const int Line = 16;
        int lines = (int)(((long)y.Length + Line - 1) / Line);
        int chunk = ElementwiseParts.RowsPerChunk(lines, Line);
        if (chunk >= lines)
        {
            TensorPrimitives.Add(a, b, y);
            return;
        }
        unsafe
        {
            fixed (T* pa = a)
            fixed (T* pb = b)
            fixed (T* py = y)
            {
                var job = new AddJob<T> { A = pa, B = pb, Y = py, Length = y.Length, Line = Line };
                WorkerPool.Run(&AddLines<T>, &job, lines, chunk);
            }
        }
    }

    private unsafe struct AddJob<T>
        where T : unmanaged
    {
        public T* A, B, Y;
        public int Length, Line;
    }

    private static unsafe void AddLines<T>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref AddJob<T> job = ref *(AddJob<T>*)context;
        int first = start * job.Line, last = (int)Math.Min(job.Length, (long)end * job.Line);
        TensorPrimitives.Add(new ReadOnlySpan<T>(job.A + first, last - first), new ReadOnlySpan<T>(job.B + first, last - first),
            new Span<T>(job.Y + first, last - first));
    }

    /// <summary>
    /// The maximum's gradient for one operand, in operand order: where <c>x == y</c> and the rest of
    /// <paramref name="dy"/> is still unclaimed, <c>dx = dy</c> and that element of <paramref name="dy"/> is cleared
    /// (claimed); elsewhere <c>dx = 0</c>. Called for operands 0, 1, ... in turn, a tie sends the whole gradient to the
    /// first operand that attains the maximum (TensorFlow's rule, which Keras' <c>Maximum</c> inherits).
    /// </summary>
    /// <param name="x">The operand.</param>
    /// <param name="y">The maximum the forward pass computed.</param>
    /// <param name="dy">The output gradient not yet claimed by an earlier operand (claimed elements are set to zero).</param>
    /// <param name="dx">The operand's gradient (overwritten); empty when nobody needs it (the claim still happens).</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void MaximumBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(y.Length, x.Length, "Operand", nameof(x));
        KernelGuard.SameLength(y.Length, dy.Length, "Output gradient", nameof(dy));
        KernelGuard.SameLengthOrEmpty(y.Length, dx.Length, "Operand gradient", nameof(dx));
        bool write = !dx.IsEmpty;
        for (int i = 0; i < y.Length; i++)
        {
            if (x[i] == y[i])
            {
                if (write)
                    dx[i] = dy[i];
                dy[i] = T.Zero;
            }
            else if (write)
            {
                dx[i] = T.Zero;
            }
        }
    }

    /// <summary>
    /// Writes one operand of a concatenation: <paramref name="y"/> is <paramref name="rows"/> rows of
    /// <paramref name="outputRow"/> elements, and row r of <paramref name="x"/> (<paramref name="operandRow"/> elements)
    /// goes to elements <paramref name="offset"/> ... of row r. Rows are the batch times the axes before the joined one.
    /// </summary>
    /// <param name="x">The operand, [rows × operandRow].</param>
    /// <param name="y">The output, [rows × outputRow].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="operandRow">Elements of a row of the operand: its joined axis and the axes after it.</param>
    /// <param name="outputRow">Elements of a row of the output.</param>
    /// <param name="offset">Where the operand's part starts in an output row.</param>
    /// <exception cref="ArgumentException">A length does not match, or the part does not fit the row.</exception>
    public static void ConcatenateForward<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int operandRow, int outputRow, int offset)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckConcatenate(x.Length, y.Length, rows, operandRow, outputRow, offset, "Operand", nameof(x), "Output", nameof(y));
        for (int r = 0; r < rows; r++)
            x.Slice(r * operandRow, operandRow).CopyTo(y.Slice(r * outputRow + offset, operandRow));
    }

    /// <summary>
    /// The gradient of <see cref="ConcatenateForward"/> for that operand: its part of each row of
    /// <paramref name="dy"/> copied into <paramref name="dx"/> (overwritten).
    /// </summary>
    /// <param name="dy">The output gradient, [rows × outputRow].</param>
    /// <param name="dx">The operand gradient, [rows × operandRow].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="operandRow">Elements of a row of the operand.</param>
    /// <param name="outputRow">Elements of a row of the output.</param>
    /// <param name="offset">Where the operand's part starts in an output row.</param>
    /// <exception cref="ArgumentException">A length does not match, or the part does not fit the row.</exception>
    public static void ConcatenateBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int rows, int operandRow, int outputRow, int offset)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckConcatenate(dx.Length, dy.Length, rows, operandRow, outputRow, offset, "Operand gradient", nameof(dx), "Output gradient", nameof(dy));
        for (int r = 0; r < rows; r++)
            dy.Slice(r * outputRow + offset, operandRow).CopyTo(dx.Slice(r * operandRow, operandRow));
    }

    private static void CheckConcatenate(int operandLength, int outputLength, int rows, int operandRow, int outputRow, int offset,
        string operandWhat, string operandName, string outputWhat, string outputName)
    {
        if (rows < 0 || operandRow <= 0 || outputRow <= 0 || offset < 0 || offset + operandRow > outputRow)
        {
            throw new ArgumentException("Concatenate needs rows >= 0 and an operand part that fits the output row; got rows " + rows +
                ", operand row " + operandRow + ", output row " + outputRow + ", offset " + offset + ".");
        }
        KernelGuard.SameLength(rows * operandRow, operandLength, operandWhat, operandName);
        KernelGuard.SameLength(rows * outputRow, outputLength, outputWhat, outputName);
    }
}
