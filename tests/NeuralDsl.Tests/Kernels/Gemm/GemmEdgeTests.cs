using System;
using System.Collections.Generic;
using System.Numerics;
using NeuralDsl;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The blocked product's ragged last panels (a last panel of at most three rows, or of at most one register of
/// columns, has a narrower tile of its own): every element must be the bits of the same product padded with zero rows
/// and columns to whole tiles, which only full tiles compute. Each element is one chain of fused multiply-adds over
/// the depth in both, so equality is exact.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public class GemmEdgeTests
{
    // Shapes that take the blocked path (more than 4 rows, k and n ≥ 16) and stay below the parallel threshold, so
    // neither product is split. Rows: 32 = 5·6 + 2 and 33 = 5·6 + 3 (few-row tile), 34 = 5·6 + 4 and 31 (full-tile
    // edges at 6 rows; at 12 rows 32 and 33 are 8 and 9). Columns: 50 = 3·16 + 2 and 36 = 2·16 + 4 (one-register
    // tile), 200 = 12·16 + 8 and 24 (exactly one register: in place when the rows are whole), 41 and 57 (9 columns:
    // the full tile). k = 300 spans two float depth blocks, so later blocks add to the edges.
    public static IEnumerable<(int M, int K, int N)> Shapes() =>
    [
        (32, 200, 50), (32, 50, 200), (33, 40, 41), (34, 20, 57), (31, 64, 36), (36, 30, 24), (30, 17, 200),
        (12, 300, 50), (33, 300, 36), (32, 300, 24),
    ];

    public static TheoryData<bool, bool, bool> Options()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                    data.Add(ta, tb, acc);
        return data;
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void FloatEdgesGiveThePaddedProductsBits(bool transposeA, bool transposeB, bool accumulate) =>
        CheckAgainstPadded<float>(transposeA, transposeB, accumulate, KernelTestData.ToSingle);

    [Theory]
    [MemberData(nameof(Options))]
    public void DoubleEdgesGiveThePaddedProductsBits(bool transposeA, bool transposeB, bool accumulate) =>
        CheckAgainstPadded<double>(transposeA, transposeB, accumulate, x => x);

    private static void CheckAgainstPadded<T>(bool transposeA, bool transposeB, bool accumulate, Func<double[], T[]> convert)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            foreach ((int m, int k, int n) in Shapes())
            {
                // Whole tiles at both register widths: 12 rows (6 on AVX2) and 32 columns (16, or 8 for double).
                int mp = (m + 11) / 12 * 12, np = (n + 31) / 32 * 32;
                ulong seed = (ulong)(m * 7919 + k * 131 + n);
                T[] a = convert(KernelTestData.Uniform(m * k, -1, 1, seed));
                T[] b = convert(KernelTestData.Uniform(k * n, -1, 1, seed + 1));
                T[] c = convert(KernelTestData.Uniform(m * n, -1, 1, seed + 2));
                var ap = new T[mp * k];
                var bp = new T[k * np];
                var cp = new T[mp * np];
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < k; p++)
                        ap[transposeA ? p * mp + i : i * k + p] = a[transposeA ? p * m + i : i * k + p];
                for (int p = 0; p < k; p++)
                    for (int j = 0; j < n; j++)
                        bp[transposeB ? j * k + p : p * np + j] = b[transposeB ? j * k + p : p * n + j];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                        cp[i * np + j] = c[i * n + j];

                Gemm.Multiply<T>(a, b, c, m, k, n, transposeA, transposeB, accumulate);
                Gemm.Multiply<T>(ap, bp, cp, mp, k, np, transposeA, transposeB, accumulate);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        if (c[i * n + j] != cp[i * np + j])
                        {
                            Assert.Fail($"{typeof(T).Name} m={m} k={k} n={n} tA={transposeA} tB={transposeB} acc={accumulate}: " +
                                $"C[{i},{j}] = {c[i * n + j]:R}, padded product {cp[i * np + j]:R}");
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
