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

    /// <summary>(k, n) whose B rows all share one alignment (n·4 bytes a multiple of 32), so a B that starts between
    /// vector boundaries gets its passes shifted to the first aligned column (see <c>GemmRow.AlignedShift</c>).</summary>
    public static TheoryData<int, int> AlignedShapes() => new()
    {
        { 50, 200 }, { 8, 200 }, { 64, 256 }, { 17, 136 }, { 3, 1000 }, { 700, 200 },
    };

    /// <summary>
    /// B placed at every float offset 0–15 of a pinned buffer (every phase against a 32- and a 64-byte boundary):
    /// the row alone, forward and with the passes backward, equals row 0 of the batch product bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(AlignedShapes))]
    public void FloatRowMatchesBatchAtEveryAlignmentOfB(int k, int n)
    {
        const int Batch = 7;
        ulong seed = (ulong)(k * 7919 + n);
        float[] a = Array.ConvertAll(KernelTestData.Uniform(Batch * k, -1, 1, seed), v => (float)v);
        float[] b = Array.ConvertAll(KernelTestData.Uniform(k * n, -1, 1, seed + 1), v => (float)v);
        float[] c0 = Array.ConvertAll(KernelTestData.Uniform(Batch * n, -1, 1, seed + 2), v => (float)v);
        float[] batchC = (float[])c0.Clone();
        Gemm.Multiply<float>(a, b, batchC, Batch, k, n, accumulate: true);
        float[] buffer = GC.AllocateArray<float>(k * n + 16, pinned: true);
        for (int offset = 0; offset < 16; offset++)
        {
            b.CopyTo(buffer, offset);
            ReadOnlySpan<float> shifted = buffer.AsSpan(offset, k * n);
            for (int step = 0; step < 2; step++)
            {
                float[] rowC = c0.AsSpan(0, n).ToArray();
                if (step == 0)
                    Gemm.Multiply<float>(a.AsSpan(0, k), shifted, rowC, 1, k, n, accumulate: true);
                else
                    Recurrent.AddRecurrentProduct<float>(a.AsSpan(0, k), shifted, rowC, 1, k, n, step);
                for (int j = 0; j < n; j++)
                {
                    if (BitConverter.SingleToInt32Bits(rowC[j]) != BitConverter.SingleToInt32Bits(batchC[j]))
                        Assert.Fail($"k={k} n={n} B at float offset {offset}, step {step}: C[0,{j}] alone {rowC[j]:R} but {batchC[j]:R} in a batch of {Batch}.");
                }
            }
        }
    }

    private static void AssertRowMatchesBatch<T>(int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Batch = 7;
        ulong seed = (ulong)(k * 10007 + n);
        T[] a = KernelTestData.Convert<T>(KernelTestData.Uniform(Batch * k, -1, 1, seed));
        T[] b = KernelTestData.Convert<T>(KernelTestData.Uniform(k * n, -1, 1, seed + 1));
        T[] c0 = KernelTestData.Convert<T>(KernelTestData.Uniform(Batch * n, -1, 1, seed + 2));
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
                    if (!KernelTestData.BitEquals(rowC[j], batchC[j]))
                    {
                        Assert.Fail($"{typeof(T).Name} k={k} n={n} tA={transposeA} acc={accumulate}: C[0,{j}] alone " +
                            $"{rowC[j]:R} but {batchC[j]:R} in a batch of {Batch}.");
                    }
                }
            }
        }
    }

    private static T[] Transpose<T>(T[] src, int rows, int cols)
    {
        var dst = new T[src.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * rows + i] = src[i * cols + j];
        return dst;
    }
}
