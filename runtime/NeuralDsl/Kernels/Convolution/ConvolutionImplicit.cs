using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// The im2col product of an image-input layer (at most <see cref="MaxChannels"/> channels, e.g. ResNet's 7×7 stride-2
/// stem on RGB) with its columns read in place from the input instead of gathered: every kernel row of a window is
/// kw·C contiguous input values, so a tile of 6 output pixels × 16 filters broadcasts its pixels' values straight from
/// x while the kernel rows stream from L1. On such a shallow patch (147 for the stem) the gather plus the GEMM's own
/// packing of the gathered columns cost as much as the multiply-adds.
/// </summary>
/// <remarks>
/// Each output element is one fused multiply-add chain from zero over the patch in (kernel row, kernel column,
/// channel) order, then the epilogue, which is how the blocked GEMM sums a product no deeper than one depth block
/// (<see cref="GemmBlocked.DepthBytes"/>) on more than <see cref="Gemm.SmallRows"/> rows: the result is the im2col
/// path's bit for bit (<c>ConvolutionImplicitTests</c>). Only valid windows (no padding, no dilation) take this path;
/// the kernel of 6 pixels × 2 vectors uses 12 accumulators, 2 kernel vectors and a broadcast of AVX2's 16 registers.
/// </remarks>
// See docs/kernels.md#image-input-layers-columns-read-in-place
internal static unsafe class ConvolutionImplicit
{
    /// <summary>Most input channels of a layer this path takes (an image: grey, RGB, RGBA).</summary>
    public const int MaxChannels = 4;

    /// <summary>Output pixels per tile.</summary>
    private const int Pixels = 6;

    /// <summary>Filters per tile: two 256-bit vectors of float.</summary>
    private const int Filters = 16;

    /// <summary>
    /// Whether the im2col forward pass of <paramref name="g"/> in <typeparamref name="T"/> reads its columns in place:
    /// float on AVX2 with FMA (256-bit <see cref="Vector{T}"/>, as the epilogue's), at most <see cref="MaxChannels"/>
    /// channels, filters a multiple of 16, a patch of 16 to one GEMM depth block, at least 6 output columns, no
    /// padding and no dilation, every window inside the input.
    /// </summary>
    public static bool Applies<T>(in Conv2DGeometry g)
        where T : unmanaged =>
        typeof(T) == typeof(float) && Avx2.IsSupported && Fma.IsSupported && Vector<float>.Count == 8
        && g.Channels <= MaxChannels && g.Filters % Filters == 0
        && g.PatchSize >= Gemm.SmallDimension && g.PatchSize <= GemmBlocked.DepthBytes / sizeof(float)
        && g.OutputWidth >= Pixels && g.PadTop == 0 && g.PadLeft == 0 && g.DilationHeight == 1 && g.DilationWidth == 1
        && (long)(g.OutputHeight - 1) * g.StrideHeight + g.KernelHeight <= g.Height
        && (long)(g.OutputWidth - 1) * g.StrideWidth + g.KernelWidth <= g.Width;

    /// <summary>
    /// y = epilogue(x ⋆ kernel) for the output rows <paramref name="firstRow"/> ≤ r &lt; <paramref name="firstRow"/> +
    /// <paramref name="rowCount"/> (an output row is one (sample, oh) pair, numbered b·OH + oh), where
    /// <see cref="Applies{T}"/>. <paramref name="x"/>, <paramref name="kernel"/> and <paramref name="y"/> are the
    /// whole tensors (NHWC, Keras kernel layout).
    /// </summary>
    public static void Forward(float* x, float* kernel, float* y, in Conv2DGeometry g, int firstRow, int rowCount,
        in ConvolutionEpilogue.Spec<float> epilogue)
    {
        int c = g.Channels, f = g.Filters, ow = g.OutputWidth;
        int rowTaps = g.KernelWidth * c, step = g.StrideWidth * c, rowStride = g.Width * c, kernelRows = g.KernelHeight;
        for (int outputRow = firstRow; outputRow < firstRow + rowCount; outputRow++)
        {
            int b = outputRow / g.OutputHeight, oh = outputRow - b * g.OutputHeight;
            // [kh rows of the windows, W, C] for this output row; [OW, F] of output.
            float* input = x + (long)b * g.InputSize + (long)oh * g.StrideHeight * rowStride;
            float* output = y + (long)outputRow * ow * f;
            for (int f0 = 0; f0 < f; f0 += Filters)
            {
                // The last tile starts at OW − 6 and recomputes a few pixels of the one before it: the same chains,
                // so the same values are stored again.
                for (int p0 = 0; p0 < ow; p0 += Pixels)
                {
                    int p = Math.Min(p0, ow - Pixels);
                    Tile(input + p * step, kernel + f0, output + (long)p * f + f0, f, rowTaps, step, rowStride, kernelRows,
                        epilogue, f0);
                }
            }
        }
    }

    /// <summary>
    /// Six output pixels (windows <paramref name="step"/> apart from <paramref name="input"/>) × 16 filters: for each
    /// kernel row, its <paramref name="rowTaps"/> values of each window against the matching kernel rows
    /// (<paramref name="filters"/> apart), then the epilogue and the stores (<paramref name="filters"/> apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* input, float* kernel, float* output, int filters, int rowTaps, int step, int rowStride,
        int kernelRows, in ConvolutionEpilogue.Spec<float> epilogue, int f0)
    {
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default;
        Vector256<float> a3 = default, b3 = default, a4 = default, b4 = default, a5 = default, b5 = default;
        float* k = kernel;
        for (int r = 0; r < kernelRows; r++, input += rowStride)
        {
            for (int t = 0; t < rowTaps; t++, k += filters)
            {
                Vector256<float> k0 = Avx.LoadVector256(k), k1 = Avx.LoadVector256(k + 8);
                Vector256<float> v = Vector256.Create(input[t]);
                a0 = Fma.MultiplyAdd(v, k0, a0);
                b0 = Fma.MultiplyAdd(v, k1, b0);
                v = Vector256.Create(input[t + step]);
                a1 = Fma.MultiplyAdd(v, k0, a1);
                b1 = Fma.MultiplyAdd(v, k1, b1);
                v = Vector256.Create(input[t + 2 * step]);
                a2 = Fma.MultiplyAdd(v, k0, a2);
                b2 = Fma.MultiplyAdd(v, k1, b2);
                v = Vector256.Create(input[t + 3 * step]);
                a3 = Fma.MultiplyAdd(v, k0, a3);
                b3 = Fma.MultiplyAdd(v, k1, b3);
                v = Vector256.Create(input[t + 4 * step]);
                a4 = Fma.MultiplyAdd(v, k0, a4);
                b4 = Fma.MultiplyAdd(v, k1, b4);
                v = Vector256.Create(input[t + 5 * step]);
                a5 = Fma.MultiplyAdd(v, k0, a5);
                b5 = Fma.MultiplyAdd(v, k1, b5);
            }
        }
        Store(output, a0, b0, epilogue, f0);
        Store(output + filters, a1, b1, epilogue, f0);
        Store(output + 2 * filters, a2, b2, epilogue, f0);
        Store(output + 3 * filters, a3, b3, epilogue, f0);
        Store(output + 4 * filters, a4, b4, epilogue, f0);
        Store(output + 5 * filters, a5, b5, epilogue, f0);
    }

    /// <summary>One pixel's 16 filters through the epilogue (as <see cref="ConvolutionEpilogue.ApplyRows{T}"/> finishes them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* output, Vector256<float> low, Vector256<float> high, in ConvolutionEpilogue.Spec<float> epilogue, int f0)
    {
        if (!epilogue.IsEmpty)
        {
            low = ConvolutionEpilogue.Finish(low.AsVector(), epilogue, f0).AsVector256();
            high = ConvolutionEpilogue.Finish(high.AsVector(), epilogue, f0 + 8).AsVector256();
        }
        Avx.Store(output, low);
        Avx.Store(output + 8, high);
    }
}
