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
    /// Column elements from which <see cref="Im2ColShared{T}"/> hands a block's gather to the pool (128 KB of float):
    /// ResNet-18's stride-2 3×3 layers at batch 1 gather blocks of 64,512, 225,792 and 112,896 elements, one part each,
    /// which the calling thread gathered alone while the worker waited for the product.
    /// </summary>
    internal const int SharedGatherElements = 1 << 15;

    /// <summary>
    /// <see cref="Im2Col{T}"/> of output rows <paramref name="firstRow"/> ≤ r &lt; <paramref name="firstRow"/> +
    /// <paramref name="rowCount"/>, in chunks of whole output rows shared with the worker pool once the block holds
    /// <see cref="SharedGatherElements"/> column elements (each chunk at least half that); smaller blocks stay on
    /// the calling thread. A gather is a copy, so no bit depends on the cut or the thread count. For a call that
    /// runs as one part (<see cref="ConvolutionParts"/>): with several parts every thread already has a part.
    /// </summary>
    // See docs/kernels.md#element-wise-passes-on-the-pool
    public static unsafe void Im2ColShared<T>(T* x, long xLength, T* col, in Conv2DGeometry g, int firstRow, int rowCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long rowLength = (long)g.OutputWidth * g.PatchSize;
        int chunk = rowCount;
        if (NeuralDslThreads.Current >= 2 && rowCount >= 2 && rowCount * rowLength >= SharedGatherElements)
        {
            int perThread = (rowCount + NeuralDslThreads.Current - 1) / NeuralDslThreads.Current;
            int least = (int)Math.Min(rowCount, (SharedGatherElements / 2 + rowLength - 1) / rowLength);
            chunk = Math.Max(perThread, least);
        }
        if (chunk >= rowCount)
        {
            Im2Col(new ReadOnlySpan<T>(x, checked((int)xLength)), new Span<T>(col, checked((int)(rowCount * rowLength))), g, firstRow, rowCount);
            return;
        }
        var job = new GatherJob<T> { X = x, XLength = xLength, Columns = col, G = g, FirstRow = firstRow };
        WorkerPool.Run(&GatherRows<T>, &job, rowCount, chunk);
    }

    private unsafe struct GatherJob<T>
        where T : unmanaged
    {
        public T* X;
        public long XLength;
        public T* Columns;
        public Conv2DGeometry G;
        public int FirstRow;
    }

    /// <summary>Gathers the block's output rows [<paramref name="start"/>, <paramref name="end"/>) into their place in the block.</summary>
    private static unsafe void GatherRows<T>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref GatherJob<T> job = ref *(GatherJob<T>*)context;
        long rowLength = (long)job.G.OutputWidth * job.G.PatchSize;
        var columns = new Span<T>(job.Columns + start * rowLength, checked((int)((end - start) * rowLength)));
        Im2Col(new ReadOnlySpan<T>(job.X, checked((int)job.XLength)), columns, job.G, job.FirstRow + start, end - start);
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
