using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// Runs the passes of <see cref="Convolution"/> over the output rows (one (sample, oh) pair each, numbered b·OH + oh)
/// in a number of ranges ("parts") fixed by the shape, which the caller and the <see cref="WorkerPool"/> share. Within a
/// part the output rows go in blocks small enough that a block's im2col columns stay in that core's L2 between being written
/// and being multiplied: each part owns one column block of scratch and reuses it for all its blocks, so a step
/// touches a few hundred kilobytes of columns instead of streaming the whole-batch matrix through L3 twice. A GEMM
/// inside one of several parts stays below the parallel threshold, so it runs on the thread that runs the part, which
/// is what a per-core block wants. The forward epilogue (bias, ReLU) is applied to each block right after its product, while it is hot.
/// An image-input layer's im2col forward pass reads its columns in place instead (<see cref="ConvolutionImplicit"/>).
/// </summary>
/// <remarks>
/// The parts and blocks follow from the geometry and the batch alone, never from the thread count, and every part
/// after the first sums its kernel gradient apart, added to dKernel after the first part's in part order, so every
/// result is the same whichever thread ran which part, with any number of threads. The forward pass and the kernel
/// gradient split the rows evenly (so a single sample, as in batch-1 inference, still uses several cores); the input
/// gradient splits on sample boundaries so that two parts never add into the same input cell, and runs as one part
/// for one sample.
/// </remarks>
internal static unsafe class ConvolutionParts
{
    /// <summary>Column elements one block aims at (256 KB of float, 512 KB of double, within a 1 MB L2 with the
    /// kernel and the output block beside it).</summary>
    internal const int ColumnBlockElements = 64 * 1024;

    /// <summary>Most parts per call (enough for 16 threads; each part past the first keeps a kernel-gradient partial).</summary>
    internal const int MaxParts = 16;

    /// <summary>
    /// Fewest output pixels per part when there are several. A part reads the whole kernel (and in the kernel gradient
    /// clears and adds a kernel-sized partial), so its overhead grows with the kernel and its work with its pixels times
    /// the kernel: this bounds the overhead's share whatever the kernel. MnistCnn's second layer at batch 32 (3,872
    /// pixels) takes 6 parts instead of 16; ResNet-18's stride-2 layers at batch 1 (784, 196 and 49 output pixels) one
    /// part, whose products share themselves with the pool by columns, instead of 7 to 16 parts each re-reading a
    /// kernel of up to 4.7 MB.
    /// </summary>
    internal const int MinPartPixels = 512;

    /// <summary>
    /// The parts of a call: one below <see cref="Gemm.ParallelThreshold"/> multiply-adds, otherwise one per
    /// threshold's worth of work, at least two, at most <see cref="MaxParts"/>, the output rows and one per
    /// <see cref="MinPartPixels"/> output pixels (at least one); an even count when above one, so two threads share
    /// the parts evenly. Shape only: never the thread count.
    /// </summary>
    // See docs/kernels.md#threads
    public static int Parts(in Conv2DGeometry g, int batch)
    {
        long rows = (long)batch * g.OutputHeight;
        if (rows <= 1)
            return (int)rows;
        long pixels = rows * g.OutputWidth;
        long work = pixels * g.PatchSize * g.Filters;
        if (work < Gemm.ParallelThreshold)
            return 1;
        long parts = Math.Clamp(work / Gemm.ParallelThreshold, 2, Math.Min(MaxParts, rows));
        parts = Math.Min(parts, Math.Max(1, pixels / MinPartPixels));
        return (int)(parts > 1 ? parts & ~1L : parts);
    }

    /// <summary>
    /// Output rows per column block: as many as fit the block target (or the kernel's size, when the kernel is larger),
    /// at least one, at most a part's rows. With several parts a block's product also stays below
    /// <see cref="Gemm.ParallelThreshold"/>, so a GEMM inside a part never shares itself (the threads are already busy
    /// with the parts), unless that leaves a block fewer pixels than filters: every block reads the whole kernel, so a
    /// block keeps at least one pixel per filter (at least as many column elements as kernel elements). A single part
    /// keeps whole blocks and lets its GEMM use the pool.
    /// </summary>
    public static int BlockRows(in Conv2DGeometry g, int batch)
    {
        int parts = Parts(g, batch);
        if (parts == 0)
            return 0;
        long perRow = (long)g.OutputWidth * g.PatchSize;
        long rows = Math.Max(ColumnBlockElements, g.KernelSize) / perRow;
        if (parts > 1)
            rows = Math.Min(rows, (Gemm.ParallelThreshold - 1) / (perRow * g.Filters));
        // At least one pixel per filter, so the kernel read by each block's product is no larger than its columns.
        rows = Math.Max(rows, ((long)g.Filters + g.OutputWidth - 1) / g.OutputWidth);
        // The input gradient's sample-aligned parts are at most one sample larger than the even row split.
        long largestPart = ((long)batch * g.OutputHeight + parts - 1) / parts + (parts > 1 ? g.OutputHeight : 0);
        return (int)Math.Clamp(rows, 1, Math.Min(largestPart, (long)batch * g.OutputHeight));
    }

    /// <summary>Scratch elements: one column block per part, then the kernel- and bias-gradient partials of every part after the first.</summary>
    public static long ScratchLength(in Conv2DGeometry g, int batch)
    {
        int parts = Parts(g, batch);
        if (parts == 0)
            return 0;
        long block = (long)BlockRows(g, batch) * g.OutputWidth * g.PatchSize;
        return parts * block + (long)(parts - 1) * (g.KernelSize + g.Filters);
    }

    /// <summary>Everything a part needs, on the caller's stack for the duration of the call.</summary>
    private struct Job<T>
        where T : unmanaged
    {
        public T* Input;      // x (forward, kernel gradient) or dy (input gradient)
        public T* Kernel;     // kernel (forward, input gradient) or dKernel (kernel gradient)
        public T* Output;     // y (forward), dy (kernel gradient) or dx (input gradient)
        public T* Scratch;
        public T* BiasGradient; // dBias (kernel gradient), or null
        public T* ReluOutput;   // the layer output whose sign masks dy in place (kernel gradient), or null
        public ConvolutionEpilogue.Spec<T> Epilogue;
        public Conv2DGeometry G;
        public int Batch;
        public int Parts;
        public int BlockRows;
        public ConvolutionStrategy Strategy;

        /// <summary>The first output row of part <paramref name="part"/> (part = Parts gives the end): an even split of the rows.</summary>
        public readonly int PartStart(int part) => (int)((long)Batch * G.OutputHeight * part / Parts);

        /// <summary>The input gradient's parts: as many as there are samples, up to <see cref="Parts"/>.</summary>
        public readonly int SampleParts => Math.Min(Parts, Batch);

        /// <summary>The first output row of the input gradient's part <paramref name="part"/>: whole samples.</summary>
        public readonly int SamplePartStart(int part) => (int)((long)Batch * part / SampleParts) * G.OutputHeight;

        /// <summary>The column block owned by part <paramref name="part"/>.</summary>
        public readonly T* Columns(int part) => Scratch + (long)part * BlockRows * G.OutputWidth * G.PatchSize;

        /// <summary>The kernel-gradient partial of part <paramref name="part"/> (from 1), after the column blocks.</summary>
        public readonly T* KernelPartial(int part) =>
            Scratch + (long)Parts * BlockRows * G.OutputWidth * G.PatchSize + (long)(part - 1) * (G.KernelSize + G.Filters);

        /// <summary>The bias-gradient partial of part <paramref name="part"/> (from 1), after its kernel partial.</summary>
        public readonly T* BiasPartial(int part) => KernelPartial(part) + G.KernelSize;
    }

    /// <summary>
    /// y = epilogue(x ⋆ kernel) with <paramref name="strategy"/> (direct, small patch or im2col); scratch is checked by
    /// the caller.
    /// </summary>
    public static void Forward<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> y,
        int batch, in Conv2DGeometry g, Span<T> scratch, T* bias, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* px = x)
        fixed (T* pk = kernel)
        fixed (T* py = y)
        fixed (T* ps = scratch)
        {
            var job = NewJob(strategy, px, pk, py, ps, batch, g);
            job.Epilogue = new ConvolutionEpilogue.Spec<T>(bias, relu);
            Run(&ForwardParts<T>, &job, job.Parts);
        }
    }

    /// <summary>
    /// dKernel += im2col(x)ᵀ · dz and dBias += Σ rows of dz, every part after the first summed apart and added in part order. dz is
    /// dy, or with <paramref name="reluOutput"/> given dy ⊙ (output &gt; 0), written back into dy block by block while
    /// it is in cache. <paramref name="dBias"/> and <paramref name="reluOutput"/> may be empty. With
    /// <paramref name="strategy"/> <see cref="ConvolutionStrategy.SmallPatch"/> the register kernel sums the gradients
    /// without columns; with <see cref="ConvolutionStrategy.Im2Col"/> the blocks go through im2col and GEMM.
    /// </summary>
    public static void BackwardKernel<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> reluOutput, Span<T> dKernel,
        Span<T> dBias, int batch, in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* px = x)
        fixed (T* pdk = dKernel)
        fixed (T* pdy = dy)
        fixed (T* pa = reluOutput)
        fixed (T* pdb = dBias)
        fixed (T* ps = scratch)
        {
            var job = NewJob(strategy, px, pdk, pdy, ps, batch, g);
            job.ReluOutput = reluOutput.IsEmpty ? null : pa;
            job.BiasGradient = dBias.IsEmpty ? null : pdb;
            Run(&BackwardKernelParts<T>, &job, job.Parts);
            for (int part = 1; part < job.Parts; part++)
            {
                TensorPrimitives.Add(dKernel, new ReadOnlySpan<T>(job.KernelPartial(part), g.KernelSize), dKernel);
                if (!dBias.IsEmpty)
                    TensorPrimitives.Add(dBias, new ReadOnlySpan<T>(job.BiasPartial(part), g.Filters), dBias);
            }
        }
    }

    /// <summary>dx = col2im(dy · kernelᵀ), each part clearing and filling the input gradient of its own samples.</summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> kernel, Span<T> dx, int batch,
        in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pdy = dy)
        fixed (T* pk = kernel)
        fixed (T* pdx = dx)
        fixed (T* ps = scratch)
        {
            var job = NewJob(ConvolutionStrategy.Im2Col, pdy, pk, pdx, ps, batch, g);
            Run(&BackwardInputParts<T>, &job, job.SampleParts);
        }
    }

    private static Job<T> NewJob<T>(ConvolutionStrategy strategy, T* input, T* kernel, T* output, T* scratch, int batch,
        in Conv2DGeometry g)
        where T : unmanaged
    {
        return new Job<T>
        {
            Input = input,
            Kernel = kernel,
            Output = output,
            Scratch = scratch,
            G = g,
            Batch = batch,
            Parts = Parts(g, batch),
            BlockRows = BlockRows(g, batch),
            Strategy = strategy,
        };
    }

    /// <summary>
    /// Runs every part through the pool: on as many threads as the call may use and are free, or all on the caller
    /// (the parts are the same either way, only the thread that computes them differs).
    /// </summary>
    private static void Run<T>(delegate*<void*, int, int, void> body, Job<T>* job, int parts)
        where T : unmanaged =>
        WorkerPool.Run(body, job, parts, 1);

    private static void ForwardParts<T>(void* context, int firstPart, int endPart)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        Conv2DGeometry g = job.G;
        var x = new ReadOnlySpan<T>(job.Input, job.Batch * g.InputSize);
        var y = new Span<T>(job.Output, job.Batch * g.OutputSize);
        int ow = g.OutputWidth, patch = g.PatchSize, f = g.Filters;
        for (int part = firstPart; part < endPart; part++)
        {
            int start = job.PartStart(part), end = job.PartStart(part + 1);
            if (job.Strategy is ConvolutionStrategy.Direct or ConvolutionStrategy.SmallPatch)
            {
                var kernel = new ReadOnlySpan<T>(job.Kernel, g.KernelSize);
                if (job.Strategy == ConvolutionStrategy.SmallPatch && ConvolutionSmallPatch.IsAccelerated<T>())
                    ConvolutionSmallPatch.Forward(x, kernel, y, g, start, end - start, job.Epilogue);
                else
                    ConvolutionDirect.Forward(x, kernel, y, g, start, end - start, job.Epilogue);
                continue;
            }
            if (typeof(T) == typeof(float) && ConvolutionImplicit.Applies<T>(g))
            {
                // An image-input layer: the same product with its columns read in place from x (same bits).
                var epilogue = new ConvolutionEpilogue.Spec<float>((float*)job.Epilogue.Bias, job.Epilogue.Relu);
                ConvolutionImplicit.Forward((float*)job.Input, (float*)job.Kernel, (float*)job.Output, g, start, end - start, epilogue);
                continue;
            }
            T* columns = job.Columns(part);
            for (int row = start; row < end; row += job.BlockRows)
            {
                int rows = Math.Min(job.BlockRows, end - row), pixels = rows * ow;
                // One part: the gather is shared with the pool as the product is (several parts keep every thread busy).
                if (job.Parts == 1)
                    ConvolutionIm2Col.Im2ColShared(job.Input, (long)job.Batch * g.InputSize, columns, g, row, rows);
                else
                    ConvolutionIm2Col.Im2Col(x, new Span<T>(columns, pixels * patch), g, row, rows);
                T* block = job.Output + (long)row * ow * f;
                Gemm.MultiplyUnchecked(columns, job.Kernel, block, pixels, patch, f, false, false, false);
                ConvolutionEpilogue.ApplyRows(block, pixels, f, job.Epilogue);
            }
        }
    }

    private static void BackwardKernelParts<T>(void* context, int firstPart, int endPart)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        Conv2DGeometry g = job.G;
        var x = new ReadOnlySpan<T>(job.Input, job.Batch * g.InputSize);
        int ow = g.OutputWidth, patch = g.PatchSize, f = g.Filters;
        for (int part = firstPart; part < endPart; part++)
        {
            // The first part adds into dKernel and dBias themselves; each later one into its own partials, added in
            // part order after all finish.
            T* target = job.Kernel, biasTarget = job.BiasGradient;
            if (part > 0)
            {
                target = job.KernelPartial(part);
                new Span<T>(target, g.KernelSize).Clear();
                if (biasTarget != null)
                {
                    biasTarget = job.BiasPartial(part);
                    new Span<T>(biasTarget, f).Clear();
                }
            }
            T* columns = job.Columns(part);
            int start = job.PartStart(part), end = job.PartStart(part + 1);
            if (job.Strategy == ConvolutionStrategy.SmallPatch && ConvolutionSmallPatch.IsAccelerated<T>())
            {
                // A 9-tap patch: the gradients stay in registers over the whole range, no columns are built.
                ConvolutionSmallPatch.BackwardKernel(job.Input, job.Output, job.ReluOutput, target, biasTarget, g, start, end - start);
                continue;
            }
            for (int row = start; row < end; row += job.BlockRows)
            {
                int rows = Math.Min(job.BlockRows, end - row), pixels = rows * ow;
                T* dz = job.Output + (long)row * ow * f;
                ConvolutionEpilogue.ReluBackwardAndBiasGradient(dz, job.ReluOutput == null ? null : job.ReluOutput + (long)row * ow * f,
                    biasTarget, pixels, f);
                if (job.Parts == 1)
                    ConvolutionIm2Col.Im2ColShared(job.Input, (long)job.Batch * g.InputSize, columns, g, row, rows);
                else
                    ConvolutionIm2Col.Im2Col(x, new Span<T>(columns, pixels * patch), g, row, rows);
                // dK [kh·kw·C, F] += colᵀ · dy: the column block is stored [pixels, kh·kw·C], hence transposeA.
                Gemm.MultiplyUnchecked(columns, job.Output + (long)row * ow * f, target, patch, pixels, f, true, false, true);
            }
        }
    }

    private static void BackwardInputParts<T>(void* context, int firstPart, int endPart)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)context;
        Conv2DGeometry g = job.G;
        var dx = new Span<T>(job.Output, job.Batch * g.InputSize);
        int ow = g.OutputWidth, patch = g.PatchSize, f = g.Filters;
        // With fewer sample parts than parts (one sample) the single part may use every column block, which lie one
        // after another: larger blocks whose product can then use the pool itself.
        int blockRows = job.SampleParts < job.Parts ? job.BlockRows * job.Parts : job.BlockRows;
        for (int part = firstPart; part < endPart; part++)
        {
            T* columns = job.Columns(part);
            int start = job.SamplePartStart(part), end = job.SamplePartStart(part + 1);
            // The part's samples are whole, so this part alone writes their input gradient.
            int firstSample = start / g.OutputHeight, samples = (end - start) / g.OutputHeight;
            dx.Slice(firstSample * g.InputSize, samples * g.InputSize).Clear();
            for (int row = start; row < end; row += blockRows)
            {
                int rows = Math.Min(blockRows, end - row), pixels = rows * ow;
                // col [pixels, kh·kw·C] = dy · kernelᵀ, then every patch entry is added back to the cell it came from.
                Gemm.MultiplyUnchecked(job.Input + (long)row * ow * f, job.Kernel, columns, pixels, f, patch, false, true, false);
                ConvolutionIm2Col.Col2Im<T>(new ReadOnlySpan<T>(columns, pixels * patch), dx, g, row, rows);
            }
        }
    }
}
