using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// The im2col lowering of a convolution: every output pixel becomes one row of a [batch·OH·OW, kh·kw·C] matrix
/// holding the input patch it sees, in (kernel row, kernel column, channel) order. That is exactly the Keras kernel
/// layout flattened to [kh·kw·C, F], so the forward pass is one GEMM with the kernel as stored. Padding cells are
/// written as zeros. <c>Col2Im</c> is the adjoint: it adds every patch entry back to its input cell.
/// </summary>
internal static class ConvolutionIm2Col
{
    /// <summary>
    /// Gathers the patches of the output rows <paramref name="firstRow"/> ≤ r &lt; <paramref name="firstRow"/> +
    /// <paramref name="rowCount"/> into <paramref name="col"/> [rowCount·OW, kh·kw·C] (overwritten). An output row is
    /// one (sample, oh) pair, numbered b·OH + oh, so a range may cross samples: the blocked passes gather one
    /// cache-sized block of rows at a time.
    /// </summary>
    public static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col, in Conv2DGeometry g, int firstRow, int rowCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = g.Channels, kw = g.KernelWidth, dw = g.DilationWidth;
        int tapRow = kw * c, patch = g.PatchSize;
        int row = 0;
        for (int outputRow = firstRow; outputRow < firstRow + rowCount; outputRow++)
        {
            int b = outputRow / g.OutputHeight, oh = outputRow - b * g.OutputHeight;
            int ih0 = oh * g.StrideHeight - g.PadTop;
            for (int ow = 0; ow < g.OutputWidth; ow++, row++)
            {
                Span<T> patchRow = col.Slice(row * patch, patch);
                int iw0 = ow * g.StrideWidth - g.PadLeft;
                for (int di = 0; di < g.KernelHeight; di++)
                {
                    int ih = ih0 + di * g.DilationHeight;
                    Span<T> segment = patchRow.Slice(di * tapRow, tapRow);
                    if ((uint)ih >= (uint)g.Height)
                    {
                        segment.Clear();
                        continue;
                    }
                    int pixelBase = (b * g.Height + ih) * g.Width;
                    // Undilated and inside the image: the kernel row reads kw·C consecutive input values (NHWC).
                    if (dw == 1 && iw0 >= 0 && iw0 + kw <= g.Width)
                    {
                        Copy(x.Slice((pixelBase + iw0) * c, tapRow), segment);
                        continue;
                    }
                    for (int dj = 0; dj < kw; dj++)
                    {
                        int iw = iw0 + dj * dw;
                        Span<T> cell = segment.Slice(dj * c, c);
                        if ((uint)iw >= (uint)g.Width)
                            cell.Clear();
                        else
                            Copy(x.Slice((pixelBase + iw) * c, c), cell);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <c>Im2Col</c>: adds the columns of output rows <paramref name="firstRow"/> ≤
    /// r &lt; <paramref name="firstRow"/> + <paramref name="rowCount"/> to the cells of <paramref name="dx"/> (the whole
    /// input gradient) they were gathered from.
    /// </summary>
    public static void Col2Im<T>(ReadOnlySpan<T> col, Span<T> dx, in Conv2DGeometry g, int firstRow, int rowCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = g.Channels, kw = g.KernelWidth, dw = g.DilationWidth;
        int tapRow = kw * c, patch = g.PatchSize;
        int row = 0;
        for (int outputRow = firstRow; outputRow < firstRow + rowCount; outputRow++)
        {
            int b = outputRow / g.OutputHeight, oh = outputRow - b * g.OutputHeight;
            int ih0 = oh * g.StrideHeight - g.PadTop;
            for (int ow = 0; ow < g.OutputWidth; ow++, row++)
            {
                ReadOnlySpan<T> patchRow = col.Slice(row * patch, patch);
                int iw0 = ow * g.StrideWidth - g.PadLeft;
                for (int di = 0; di < g.KernelHeight; di++)
                {
                    int ih = ih0 + di * g.DilationHeight;
                    if ((uint)ih >= (uint)g.Height)
                        continue;
                    ReadOnlySpan<T> segment = patchRow.Slice(di * tapRow, tapRow);
                    int pixelBase = (b * g.Height + ih) * g.Width;
                    if (dw == 1 && iw0 >= 0 && iw0 + kw <= g.Width)
                    {
                        AddTo(dx.Slice((pixelBase + iw0) * c, tapRow), segment);
                        continue;
                    }
                    for (int dj = 0; dj < kw; dj++)
                    {
                        int iw = iw0 + dj * dw;
                        if ((uint)iw >= (uint)g.Width)
                            continue;
                        AddTo(dx.Slice((pixelBase + iw) * c, c), segment.Slice(dj * c, c));
                    }
                }
            }
        }
    }

    /// <summary>target = source, with short runs copied in a plain loop for the same reason as <see cref="AddTo{T}"/>.</summary>
    private static void Copy<T>(ReadOnlySpan<T> source, Span<T> target)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (target.Length < 16)
        {
            for (int i = 0; i < target.Length; i++)
                target[i] = source[i];
        }
        else
        {
            source.CopyTo(target);
        }
    }

    /// <summary>target += source. Runs shorter than 16 elements (one to a few channels) add in a plain loop: the
    /// vectorized call costs more than the additions there.</summary>
    // See docs/kernels.md#col2im-short-channel-runs
    private static void AddTo<T>(Span<T> target, ReadOnlySpan<T> source)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (target.Length < 16)
        {
            for (int i = 0; i < target.Length; i++)
                target[i] += source[i];
        }
        else
        {
            TensorPrimitives.Add(target, source, target);
        }
    }
}
