namespace NeuralDsl;

/// <summary>Which side of a product <see cref="GemmWorker.Run"/> cuts into chunks.</summary>
internal enum GemmSplit
{
    /// <summary>Rows of C: each chunk reads all of op(B).</summary>
    Rows,

    /// <summary>Columns of C: each chunk reads all of op(A).</summary>
    Columns,

    /// <summary>The shared depth: each chunk reads its slice of both operands and writes a full-size partial C.</summary>
    Depth,
}
