using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// The register kernel of the attention core's small per-(sample, head) products in float with AVX2 and FMA
/// (64×16·16×64, 64×64·64×16 at the benchmark's sizes), used by the forward (<see cref="Attention.Forward{T}"/>: scores
/// and context) and the backward (<see cref="AttentionBackward"/>: dV, dP, dQ, dK). At these sizes the blocked GEMM packs
/// both operands for every product, which costs about as much as the product; this kernel reads them in place. Each
/// output element is one sum over the depth in order with FMA, so its bits depend on neither the thread count nor the
/// buffer addresses.
/// </summary>
internal static unsafe class AttentionProduct
{
    /// <summary>Columns of a strip of the register kernel: two vectors of 8 floats.</summary>
    public const int Strip = 16;

    /// <summary>Whether the register kernel takes per-head depths <paramref name="keyDim"/> and <paramref name="valueDim"/>.</summary>
    public static bool Fits(int keyDim, int valueDim) => Fma.IsSupported && keyDim % Strip == 0 && valueDim % Strip == 0;

    /// <summary>
    /// <c>t[c × r] = xᵀ</c> of a row-major <c>x[r × c]</c>: 8×8 blocks through registers when both sizes are multiples
    /// of 8 (a head's keys or values, 64×16), else one element at a time. A copy: the bits are the input's.
    /// </summary>
    public static void Transpose(float* x, float* t, int rows, int columns)
    {
        if (Avx.IsSupported && rows % 8 == 0 && columns % 8 == 0)
        {
            for (int r = 0; r < rows; r += 8)
            {
                for (int c = 0; c < columns; c += 8)
                    Transpose8x8(x + (nint)r * columns + c, columns, t + (nint)c * rows + r, rows);
            }
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                t[(nint)c * rows + r] = x[(nint)r * columns + c];
        }
    }

    /// <summary>One 8×8 block: rows of <paramref name="x"/> (stride <paramref name="xStride"/>) become columns of <paramref name="t"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* x, nint xStride, float* t, nint tStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(x), r1 = Avx.LoadVector256(x + xStride);
        Vector256<float> r2 = Avx.LoadVector256(x + 2 * xStride), r3 = Avx.LoadVector256(x + 3 * xStride);
        Vector256<float> r4 = Avx.LoadVector256(x + 4 * xStride), r5 = Avx.LoadVector256(x + 5 * xStride);
        Vector256<float> r6 = Avx.LoadVector256(x + 6 * xStride), r7 = Avx.LoadVector256(x + 7 * xStride);
        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped into place.
        Vector256<float> u0 = Avx.UnpackLow(r0, r1), u1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> u2 = Avx.UnpackLow(r2, r3), u3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> u4 = Avx.UnpackLow(r4, r5), u5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> u6 = Avx.UnpackLow(r6, r7), u7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(u0, u2, 0x44), s1 = Avx.Shuffle(u0, u2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(u1, u3, 0x44), s3 = Avx.Shuffle(u1, u3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(u4, u6, 0x44), s5 = Avx.Shuffle(u4, u6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(u5, u7, 0x44), s7 = Avx.Shuffle(u5, u7, 0xEE);
        Avx.Store(t, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(t + tStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(t + 2 * tStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(t + 3 * tStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(t + 4 * tStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(t + 5 * tStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(t + 6 * tStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(t + 7 * tStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>
    /// <c>C[m×n] = A·B</c> (overwritten), A(i, p) = <c>a[i·rowStride + p·columnStride]</c> (either layout), B(p, j) =
    /// <c>b[p·ldb + j]</c>, C(i, j) = <c>c[i·ldc + j]</c> (a head's block inside the [steps, heads·depth] rows of a
    /// projection, or a whole row-major matrix): strips of 16 columns, four rows at a time in eight AVX2 accumulators,
    /// each sum over p in order with FMA; columns past the last whole strip (n not a multiple of 16) by a scalar loop in
    /// the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(float* a, nint rowStride, nint columnStride, float* b, nint ldb, float* c, nint ldc, int m, int k, int n)
    {
        int strips = n / Strip * Strip;
        for (int s = 0; s < strips; s += Strip)
        {
            int i = 0;
            for (; i <= m - 4; i += 4)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
                Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
                float* a0 = a + i * rowStride;
                float* a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
                float* bp = b + s;
                for (int p = 0; p < k; p++)
                {
                    Vector256<float> b0 = Avx.LoadVector256(bp), b1 = Avx.LoadVector256(bp + 8);
                    nint o = p * columnStride;
                    Vector256<float> x = Vector256.Create(a0[o]);
                    c00 = Fma.MultiplyAdd(x, b0, c00);
                    c01 = Fma.MultiplyAdd(x, b1, c01);
                    x = Vector256.Create(a1[o]);
                    c10 = Fma.MultiplyAdd(x, b0, c10);
                    c11 = Fma.MultiplyAdd(x, b1, c11);
                    x = Vector256.Create(a2[o]);
                    c20 = Fma.MultiplyAdd(x, b0, c20);
                    c21 = Fma.MultiplyAdd(x, b1, c21);
                    x = Vector256.Create(a3[o]);
                    c30 = Fma.MultiplyAdd(x, b0, c30);
                    c31 = Fma.MultiplyAdd(x, b1, c31);
                    bp += ldb;
                }
                float* cr = c + i * ldc + s;
                Avx.Store(cr, c00);
                Avx.Store(cr + 8, c01);
                Avx.Store(cr + ldc, c10);
                Avx.Store(cr + ldc + 8, c11);
                Avx.Store(cr + 2 * ldc, c20);
                Avx.Store(cr + 2 * ldc + 8, c21);
                Avx.Store(cr + 3 * ldc, c30);
                Avx.Store(cr + 3 * ldc + 8, c31);
            }
            for (; i < m; i++)
            {
                Vector256<float> c0 = default, c1 = default;
                float* ai = a + i * rowStride;
                float* bp = b + s;
                for (int p = 0; p < k; p++)
                {
                    Vector256<float> x = Vector256.Create(ai[p * columnStride]);
                    c0 = Fma.MultiplyAdd(x, Avx.LoadVector256(bp), c0);
                    c1 = Fma.MultiplyAdd(x, Avx.LoadVector256(bp + 8), c1);
                    bp += ldb;
                }
                Avx.Store(c + i * ldc + s, c0);
                Avx.Store(c + i * ldc + s + 8, c1);
            }
        }
        for (int i = 0; i < m; i++)
        {
            for (int j = strips; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                    sum = MathF.FusedMultiplyAdd(a[i * rowStride + p * columnStride], b[p * ldb + j], sum);
                c[i * ldc + j] = sum;
            }
        }
    }
}
