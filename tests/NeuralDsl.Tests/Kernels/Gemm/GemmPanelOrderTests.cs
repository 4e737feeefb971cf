using System;
using System.Collections.Generic;
using System.Numerics;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The blocked product with few rows and a wide B read in place goes B micro-panel by micro-panel (the block's panels
/// packed once, row by row) with every A panel against each: a ResNet-18 7×7-stage im2col product, 49×4608·4608×512, is
/// the case it is for. Only the order of the register tiles changes, so each row must be, bit for bit, the product of
/// that row alone (the row kernel sums each element over the same depth blocks in the same order).
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public class GemmPanelOrderTests
{
    // On one thread these are single blocked products. Rows: 49 = 8·6 + 1 (few-row tile on AVX2; 4·12 + 1 on
    // AVX-512), 20 = 3·6 + 2, 36 = 3·12. Columns: 512 (whole panels), 300 and 257 (a ragged last panel, packed apart
    // from the packed full-width ones). Depths of 600 and 513 span several depth blocks, so later blocks add to the
    // tiles. Every B block (depth block × columns) is at least 256 KB, the size from which the panel order applies.
    // 90 rows are two row blocks on AVX2 (60 + 30), which share one packing of each B block.
    public static IEnumerable<(int M, int K, int N)> Shapes() =>
    [
        (49, 600, 512), (20, 300, 300), (36, 513, 257), (90, 300, 512),
    ];

    public static TheoryData<bool, bool> Options() => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(Options))]
    public void FloatRowsAreTheirOwnProducts(bool transposeA, bool accumulate) =>
        CheckRows<float>(transposeA, accumulate, KernelTestData.ToSingle);

    [Theory]
    [MemberData(nameof(Options))]
    public void DoubleRowsAreTheirOwnProducts(bool transposeA, bool accumulate) =>
        CheckRows<double>(transposeA, accumulate, x => x);

    private static void CheckRows<T>(bool transposeA, bool accumulate, Func<double[], T[]> convert)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            foreach ((int m, int k, int n) in Shapes())
            {
                ulong seed = (ulong)(m * 7919 + k * 131 + n);
                T[] a = convert(KernelTestData.Uniform(m * k, -1, 1, seed));
                T[] b = convert(KernelTestData.Uniform(k * n, -1, 1, seed + 1));
                T[] c0 = convert(KernelTestData.Uniform(m * n, -1, 1, seed + 2));
                T[] c = (T[])c0.Clone();
                Gemm.Multiply<T>(a, b, c, m, k, n, transposeA, false, accumulate);
                var row = new T[k];
                for (int i = 0; i < m; i++)
                {
                    for (int p = 0; p < k; p++)
                        row[p] = a[transposeA ? p * m + i : i * k + p];
                    T[] expected = c0.AsSpan(i * n, n).ToArray();
                    Gemm.Multiply<T>(row, b, expected, 1, k, n, false, false, accumulate);
                    for (int j = 0; j < n; j++)
                    {
                        if (c[i * n + j] != expected[j])
                        {
                            Assert.Fail($"{typeof(T).Name} m={m} k={k} n={n} tA={transposeA} acc={accumulate}: " +
                                $"C[{i},{j}] = {c[i * n + j]:R}, the row alone {expected[j]:R}");
                        }
                    }
                }
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }
}
