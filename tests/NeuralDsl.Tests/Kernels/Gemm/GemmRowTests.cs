using System;
using System.Numerics;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The row-vector path (m = 1) sums each element exactly as the many-rows paths sum the same row: a row computed
/// alone equals, bit for bit, row 0 of the same product computed in a batch of 7 (the blocked kernel when k and n
/// are at least 16, the few-rows kernel otherwise). No shape here is large enough for the two-thread depth split.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public class GemmRowTests
{
    /// <summary>(k, n): the LSTM/GRU recurrent shapes, column tails of every kind, depths below 16 (few-rows path),
    /// widths below 16, and depths past one block (256 floats, 128 doubles), whose sums restart per block.</summary>
    public static TheoryData<int, int> RowShapes() => new()
    {
        { 50, 200 }, { 50, 150 }, { 8, 200 }, { 50, 8 }, { 16, 16 }, { 17, 33 }, { 64, 256 }, { 1, 300 },
        { 300, 70 }, { 129, 257 }, { 257, 1 }, { 513, 129 }, { 1000, 40 }, { 700, 200 },
    };

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void FloatRowAloneMatchesRowInBatch(int k, int n) => AssertRowMatchesBatch<float>(k, n);

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void DoubleRowAloneMatchesRowInBatch(int k, int n) => AssertRowMatchesBatch<double>(k, n);

    private static void AssertRowMatchesBatch<T>(int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Batch = 7;
        ulong seed = (ulong)(k * 10007 + n);
        T[] a = Convert<T>(KernelTestData.Uniform(Batch * k, -1, 1, seed));
        T[] b = Convert<T>(KernelTestData.Uniform(k * n, -1, 1, seed + 1));
        T[] c0 = Convert<T>(KernelTestData.Uniform(Batch * n, -1, 1, seed + 2));
        foreach (bool transposeA in new[] { false, true })
        {
            // A stored [k×7] when transposed: row 0 of op(A) is then column 0 of the stored matrix.
            T[] batchA = transposeA ? Transpose(a, Batch, k) : a;
            T[] rowA = a.AsSpan(0, k).ToArray();
            foreach (bool accumulate in new[] { false, true })
            {
                T[] batchC = (T[])c0.Clone();
                T[] rowC = c0.AsSpan(0, n).ToArray();
                Gemm.Multiply<T>(batchA, b, batchC, Batch, k, n, transposeA: transposeA, accumulate: accumulate);
                Gemm.Multiply<T>(rowA, b, rowC, 1, k, n, transposeA: transposeA, accumulate: accumulate);
                for (int j = 0; j < n; j++)
                {
                    if (!BitEquals(rowC[j], batchC[j]))
                    {
                        Assert.Fail($"{typeof(T).Name} k={k} n={n} tA={transposeA} acc={accumulate}: C[0,{j}] alone " +
                            $"{rowC[j]:R} but {batchC[j]:R} in a batch of {Batch}.");
                    }
                }
            }
        }
    }

    private static bool BitEquals<T>(T x, T y)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? BitConverter.SingleToInt32Bits((float)(object)x) == BitConverter.SingleToInt32Bits((float)(object)y)
            : BitConverter.DoubleToInt64Bits((double)(object)x) == BitConverter.DoubleToInt64Bits((double)(object)y);

    private static T[] Convert<T>(double[] values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Array.ConvertAll(values, T.CreateTruncating);

    private static T[] Transpose<T>(T[] src, int rows, int cols)
    {
        var dst = new T[src.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * rows + i] = src[i * cols + j];
        return dst;
    }
}
