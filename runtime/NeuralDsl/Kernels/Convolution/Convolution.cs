using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// Conv2D / Conv1D kernels in NHWC layout with the Keras kernel layout [kh, kw, C, F]. The forward pass can apply the
/// layer's bias and ReLU itself, to each block of output while it is still in cache (the generated code does, so a
/// ReLU layer writes its output in one pass); other activations follow with <see cref="Activations"/>. Likewise the
/// kernel gradient can apply ReLU's derivative (from the output) and sum the bias gradient in the same pass. The strategy
/// follows from the geometry and the element type (<see cref="ConvolutionStrategyRule"/>): a 1×1, stride-1 convolution
/// is a plain GEMM on the input for all three passes. Otherwise the backward passes use im2col + <see cref="Gemm"/>
/// (the kernel gradient of a <see cref="ConvolutionStrategy.SmallPatch"/> layer its register kernel; the input gradient
/// of a 3×3, stride-1 layer on at least 8 channels and 8 filters Winograd on the transposed convolution) and the forward
/// pass the strategy named by the caller or the rule: Winograd, im2col, or when <see cref="PreferDirect"/> says so,
/// direct loops vectorized over the filters or the small-patch register kernel. The im2col passes run in cache-sized
/// blocks of output rows, in ranges of rows (fixed by the shape) shared with the worker pool when the work is large enough
/// (see <see cref="ConvolutionParts"/>); results do not depend on which thread ran which range. No call allocates.
/// </summary>
public static class Convolution
{
    /// <summary>
    /// Whether the forward pass runs direct loops for this geometry rather than im2col + GEMM or Winograd: a patch
    /// (kh·kw·C, the depth of the product) of at most 32 elements that is not the 1×1, stride-1 case, computed by
    /// <see cref="ConvolutionStrategy.Direct"/> or, where it fits, <see cref="ConvolutionStrategy.SmallPatch"/>; neither
    /// needs scratch in the forward pass. The rule is <see cref="ConvolutionStrategyRule"/>, which the generator also
    /// evaluates at compile time to write the strategy into the generated call.
    /// </summary>
    public static bool PreferDirect(in Conv2DGeometry g) => ChooseByShape(g) == ConvolutionStrategy.Direct;

    /// <summary>
    /// Elements of scratch that the forward and backward passes need for <paramref name="batch"/> samples: one
    /// cache-sized block of im2col columns per range of output rows (the backward passes use it even where the forward pass is
    /// direct) and, with several ranges, the kernel- and bias-gradient partials of every range after the first; 0 for a 1×1, stride-1
    /// convolution. Where the forward pass or the input gradient runs Winograd, at least what that needs (for the
    /// input gradient, the transposed convolution's scratch and the turned kernel).
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not valid, the batch is negative, or the buffer would exceed <see cref="int.MaxValue"/> elements.</exception>
    public static int ScratchLength(in Conv2DGeometry g, int batch)
    {
        CheckGeometry(g);
        CheckBatch(batch);
        if (IsPointwise(g))
            return 0;
        long length = ConvolutionParts.ScratchLength(g, batch);
        // One buffer serves both directions of a layer: Winograd's forward pass needs more than im2col's passes.
        ConvolutionStrategy strategy = ChooseByShape(g);
        if (IsWinograd(strategy))
            length = Math.Max(length, ConvolutionWinograd.ScratchLength(g, batch, strategy));
        // A Winograd input gradient needs the transposed convolution's scratch and the turned kernel after it.
        ConvolutionStrategy backward = ChooseBackward(g);
        if (IsWinograd(backward))
            length = Math.Max(length, (long)ConvolutionWinograd.ScratchLength(TransposedGeometry(g), batch, backward) + g.KernelSize);
        if (length > int.MaxValue)
            throw new ArgumentException(Invariant($"The im2col buffer for batch {batch} would hold {length} elements, more than {int.MaxValue}; use smaller batches."), nameof(batch));
        return (int)length;
    }

    /// <summary>y [batch, OH, OW, F] = x [batch, H, W, C] ⋆ kernel [kh, kw, C, F] (cross-correlation, overwritten).</summary>
    /// <param name="x">Input, NHWC.</param>
    /// <param name="kernel">Kernel in Keras layout.</param>
    /// <param name="y">Output; must not overlap the inputs.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements; contents are not preserved. May be empty
    /// when <see cref="PreferDirect"/> is true (the direct forward pass needs none), e.g. for inference only.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, or the output overlaps an input.</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> y, int batch, in Conv2DGeometry g,
        Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Forward(x, kernel, [], y, batch, g, scratch, Activation.Linear);

    /// <summary>
    /// y [batch, OH, OW, F] = activation(x [batch, H, W, C] ⋆ kernel [kh, kw, C, F] + bias) (overwritten), with the
    /// bias and the activation applied to each block of output while it is in registers or cache: one pass over y
    /// instead of three. The result is bit for bit that of the plain <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, in Conv2DGeometry, Span{T})"/>
    /// followed by <see cref="Bias.AddRows{T}"/> and <see cref="Activations.Relu{T}"/>.
    /// </summary>
    /// <param name="x">Input, NHWC.</param>
    /// <param name="kernel">Kernel in Keras layout.</param>
    /// <param name="bias">One value per filter, or empty for a layer without bias.</param>
    /// <param name="y">Output; must not overlap the inputs.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements; contents are not preserved. May be empty
    /// when <see cref="PreferDirect"/> is true (the direct forward pass needs none), e.g. for inference only.</param>
    /// <param name="activation"><see cref="Activation.Linear"/> or <see cref="Activation.ReLU"/>; the others need
    /// the pre-activation for their derivative and are applied after a linear call.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, the output overlaps an input,
    /// or the activation is not one of the two fused here.</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y,
        int batch, in Conv2DGeometry g, Span<T> scratch, Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        Forward(x, kernel, bias, y, batch, g, scratch, activation, Choose<T>(g));
    }

    /// <summary>
    /// The fused forward pass with the strategy given, as the generated code calls it: the generator evaluates
    /// <see cref="ConvolutionStrategyRule"/> on the layer's literal shape and element type at compile time, so the choice
    /// is visible in the generated source, and the strategy named is the one that runs. Any strategy that applies to the
    /// geometry is accepted.
    /// </summary>
    /// <param name="x">Input, NHWC.</param>
    /// <param name="kernel">Kernel in Keras layout.</param>
    /// <param name="bias">One value per filter, or empty for a layer without bias.</param>
    /// <param name="y">Output; must not overlap the inputs.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements for <see cref="ConvolutionStrategy.Im2Col"/> and
    /// the Winograd strategies; the others need none in the forward pass.</param>
    /// <param name="activation"><see cref="Activation.Linear"/> or <see cref="Activation.ReLU"/>.</param>
    /// <param name="strategy">How to compute the product; <see cref="ConvolutionStrategy.Pointwise"/> only for a 1×1, stride-1 kernel,
    /// <see cref="ConvolutionStrategy.SmallPatch"/> only where <see cref="ConvolutionStrategyRule.FitsSmallPatch"/>.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, the output overlaps an input,
    /// the activation is not one of the two fused here, or the strategy does not apply to the geometry.</exception>
    public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y,
        int batch, in Conv2DGeometry g, Span<T> scratch, Activation activation, ConvolutionStrategy strategy)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Forward(x, kernel, bias, y, batch, g, scratch, activation, strategy, []);

    /// <summary>
    /// The fused forward pass with the strategy given and a kernel cache, as the generated code calls it for a
    /// Winograd layer: the layer keeps <paramref name="kernelCache"/> (<see cref="KernelCacheLength"/> elements, zeroed
    /// at first) between calls, so inference on unchanged weights skips the kernel transform. The result is bit for bit
    /// that of the call without a cache.
    /// </summary>
    /// <param name="x">Input, NHWC.</param>
    /// <param name="kernel">Kernel in Keras layout.</param>
    /// <param name="bias">One value per filter, or empty for a layer without bias.</param>
    /// <param name="y">Output; must not overlap the inputs.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements for the Winograd and im2col strategies.</param>
    /// <param name="activation"><see cref="Activation.Linear"/> or <see cref="Activation.ReLU"/>.</param>
    /// <param name="strategy">How to compute the product.</param>
    /// <param name="kernelCache">Empty, or <see cref="KernelCacheLength"/> elements used by this layer only.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, a span overlaps another, the
    /// activation is not one of the two fused here, or the strategy does not apply to the geometry.</exception>
    public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y,
        int batch, in Conv2DGeometry g, Span<T> scratch, Activation activation, ConvolutionStrategy strategy, Span<T> kernelCache)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        if (activation != Activation.Linear && activation != Activation.ReLU)
            throw new ArgumentException(Invariant($"Convolution.Forward applies only Activation.Linear or Activation.ReLU, not {activation}; call it with Linear and apply {activation} with Activations afterwards."), nameof(activation));
        CheckGeometry(g);
        if (strategy is not (ConvolutionStrategy.Pointwise or ConvolutionStrategy.Direct or ConvolutionStrategy.Im2Col
            or ConvolutionStrategy.Winograd or ConvolutionStrategy.Winograd4x4 or ConvolutionStrategy.SmallPatch))
            throw new ArgumentException(Invariant($"Unknown convolution strategy {(int)strategy}."), nameof(strategy));
        if (IsWinograd(strategy) && !ConvolutionWinograd.Supports(g))
            throw new ArgumentException(Invariant($"ConvolutionStrategy.{strategy} needs a 3×3 kernel with stride 1 and dilation 1, but the geometry has a {g.KernelHeight}×{g.KernelWidth} kernel with stride {g.StrideHeight}×{g.StrideWidth} and dilation {g.DilationHeight}×{g.DilationWidth}; its strategy is {Choose<T>(g)}."), nameof(strategy));
        if (strategy == ConvolutionStrategy.Pointwise && !IsPointwise(g))
            throw new ArgumentException(Invariant($"ConvolutionStrategy.Pointwise needs a 1×1 kernel with stride 1, but the geometry has a {g.KernelHeight}×{g.KernelWidth} kernel with stride {g.StrideHeight}×{g.StrideWidth}; its strategy is {Choose<T>(g)}."), nameof(strategy));
        if (strategy == ConvolutionStrategy.SmallPatch && !ConvolutionSmallPatch.Fits<T>(g))
            throw new ArgumentException(Invariant($"ConvolutionStrategy.SmallPatch needs a patch (kh·kw·C) of {ConvolutionStrategyRule.SmallPatchLength} and {ConvolutionStrategyRule.SmallPatchFilterBytes / Unsafe.SizeOf<T>()} filters of {typeof(T).Name}, but the geometry has a patch of {g.PatchSize} and {g.Filters} filters; its strategy is {Choose<T>(g)}."), nameof(strategy));
        CheckBatch(batch);
        long scratchNeeded = strategy switch
        {
            ConvolutionStrategy.Im2Col => ConvolutionParts.ScratchLength(g, batch),
            ConvolutionStrategy.Winograd or ConvolutionStrategy.Winograd4x4 => ConvolutionWinograd.ScratchLength(g, batch, strategy),
            _ => 0,
        };
        if (!kernelCache.IsEmpty)
        {
            int cacheNeeded = KernelCacheLength(g, strategy);
            if (cacheNeeded == 0)
                throw new ArgumentException(Invariant($"ConvolutionStrategy.{strategy} keeps no kernel cache, but kernelCache has {kernelCache.Length} elements; pass an empty span."), nameof(kernelCache));
            if (kernelCache.Length != cacheNeeded)
                throw new ArgumentException(Invariant($"kernelCache length {kernelCache.Length} is not the {cacheNeeded} elements ConvolutionStrategy.{strategy} needs for this geometry (Convolution.KernelCacheLength), nor 0 for no cache."), nameof(kernelCache));
        }
        CheckCall(x.Length, kernel.Length, y.Length, scratch.Length, batch, g, "x", "kernel", "y", scratchNeeded);
        if (!bias.IsEmpty && bias.Length != g.Filters)
            throw new ArgumentException(Invariant($"bias length {bias.Length} does not match the {g.Filters} filters (or 0 for no bias)."), nameof(bias));
        CheckNoOverlap(y, x, kernel, nameof(y));
        if (y.Overlaps(bias))
            throw new ArgumentException("The output overlaps the bias; the convolution cannot be computed in place.", nameof(y));
        if (kernelCache.Overlaps(x) || kernelCache.Overlaps(kernel) || kernelCache.Overlaps(bias) || kernelCache.Overlaps(y) || kernelCache.Overlaps(scratch))
            throw new ArgumentException("The kernel cache overlaps an input, the output or the scratch.", nameof(kernelCache));
        ForwardWith(strategy, x, kernel, bias, y, batch, g, scratch, activation == Activation.ReLU, kernelCache);
    }

    /// <summary>
    /// Elements of the kernel cache a layer keeps for <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, in Conv2DGeometry, Span{T}, Activation, ConvolutionStrategy, Span{T})"/>
    /// with this strategy: for the Winograd strategies a copy of the kernel and its transform, reused while the kernel
    /// is unchanged; 0 for the others, which compute on the kernel as it is.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not valid or the strategy does not apply to it.</exception>
    public static int KernelCacheLength(in Conv2DGeometry g, ConvolutionStrategy strategy)
    {
        CheckGeometry(g);
        if (!IsWinograd(strategy))
            return 0;
        if (!ConvolutionWinograd.Supports(g))
            throw new ArgumentException(Invariant($"ConvolutionStrategy.{strategy} needs a 3×3 kernel with stride 1 and dilation 1, but the geometry has a {g.KernelHeight}×{g.KernelWidth} kernel with stride {g.StrideHeight}×{g.StrideWidth} and dilation {g.DilationHeight}×{g.DilationWidth}."), nameof(strategy));
        return ConvolutionWinograd.KernelCacheLength(g, strategy);
    }

    /// <summary>
    /// The forward pass with the strategy given, without checks (the tests and benchmarks force each strategy on the
    /// same geometry; <see cref="ConvolutionStrategy.Im2Col"/> needs <see cref="ScratchLength"/> scratch).
    /// </summary>
    internal static void ForwardWith<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, Span<T> y,
        int batch, in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ForwardWith(strategy, x, kernel, [], y, batch, g, scratch, relu: false);

    /// <summary>The fused forward pass with the strategy given, without checks (<paramref name="bias"/> may be empty).</summary>
    internal static unsafe void ForwardWith<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> x, ReadOnlySpan<T> kernel,
        ReadOnlySpan<T> bias, Span<T> y, int batch, in Conv2DGeometry g, Span<T> scratch, bool relu, Span<T> kernelCache = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pinnedBias = bias)
        {
            T* biasOrNull = bias.IsEmpty ? null : pinnedBias;
            if (IsWinograd(strategy))
            {
                ConvolutionWinograd.Forward(x, kernel, bias, y, batch, g, scratch, relu, strategy, kernelCache);
            }
            else if (strategy == ConvolutionStrategy.Pointwise)
            {
                // A 1×1, stride-1 kernel sees one pixel: x viewed as [batch·H·W, C] is already the column matrix.
                int rows = batch * g.OutputHeight * g.OutputWidth;
                Gemm.Multiply(x, kernel, y, rows, g.Channels, g.Filters);
                fixed (T* py = y)
                    ConvolutionEpilogue.ApplyRows(py, rows, g.Filters, new ConvolutionEpilogue.Spec<T>(biasOrNull, relu));
            }
            else
            {
                ConvolutionParts.Forward(strategy, x, kernel, y, batch, g, scratch, biasOrNull, relu);
            }
        }
    }

    /// <summary>dKernel [kh, kw, C, F] += ∂L/∂kernel for the output gradient dy (accumulated, so several batches or
    /// time steps can add into one gradient).</summary>
    /// <param name="x">The forward input, NHWC.</param>
    /// <param name="dy">∂L/∂y, [batch, OH, OW, F].</param>
    /// <param name="dKernel">Kernel gradient in Keras layout; added to. Must not overlap the inputs.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements; contents are not preserved.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, or the output overlaps an input.</exception>
    public static void BackwardKernel<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dKernel, int batch,
        in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckCall(x.Length, dKernel.Length, dy.Length, scratch.Length, batch, g, "x", "dKernel", "dy", ScratchLength(g, batch));
        CheckNoOverlap(dKernel, x, dy, nameof(dKernel));
        BackwardKernelWith(ChooseBackwardKernel<T>(g), x, dy, dKernel, batch, g, scratch);
    }

    /// <summary>
    /// The plain kernel gradient with a backward strategy (<see cref="ChooseBackwardKernel{T}"/>'s, or im2col forced by
    /// the tests), without checks.
    /// </summary>
    internal static void BackwardKernelWith<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> x, ReadOnlySpan<T> dy,
        Span<T> dKernel, int batch, in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = batch * g.OutputHeight * g.OutputWidth;
        if (strategy == ConvolutionStrategy.Pointwise)
        {
            Gemm.Multiply(x, dy, dKernel, g.Channels, rows, g.Filters, transposeA: true, accumulate: true);
        }
        else
        {
            ConvolutionParts.BackwardKernel(strategy, x, dy, [], dKernel, [], batch, g, scratch);
        }
    }

    /// <summary>
    /// The kernel and bias gradients of a Linear or ReLU layer in one pass over the output gradient. With
    /// <see cref="Activation.ReLU"/>, <paramref name="dy"/> is first turned into dz = dy ⊙ ReLU'(z), in place, read from
    /// the layer output (positive exactly where z is), so a following <see cref="BackwardInput{T}"/> on dy sees dz;
    /// with <see cref="Activation.Linear"/> dz is dy and dy is not written. Then dKernel += ∂L/∂kernel and
    /// dBias += Σ dz over the pixels (both accumulated), while each block of dz is in cache. This is what
    /// <see cref="Activations.ReluBackward{T}"/>, <see cref="BackwardKernel{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, in Conv2DGeometry, Span{T})"/>
    /// and <see cref="Bias.AccumulateGradient{T}"/> compute in three passes, up to the order of the additions.
    /// </summary>
    /// <param name="x">The forward input, NHWC.</param>
    /// <param name="dy">∂L/∂y, [batch, OH, OW, F]; with ReLU overwritten by dz.</param>
    /// <param name="output">With ReLU, the layer output y = ReLU(z) [batch, OH, OW, F]; not read with Linear (may be empty).</param>
    /// <param name="dKernel">Kernel gradient in Keras layout; added to.</param>
    /// <param name="dBias">Bias gradient, one value per filter, added to; empty for a layer without bias.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements; contents are not preserved.</param>
    /// <param name="activation"><see cref="Activation.Linear"/> or <see cref="Activation.ReLU"/>.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, the activation is not one of
    /// the two fused here, or an output overlaps an input.</exception>
    public static void BackwardKernel<T>(ReadOnlySpan<T> x, Span<T> dy, ReadOnlySpan<T> output, Span<T> dKernel, Span<T> dBias,
        int batch, in Conv2DGeometry g, Span<T> scratch, Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        if (activation != Activation.Linear && activation != Activation.ReLU)
            throw new ArgumentException(Invariant($"Convolution.BackwardKernel applies only Activation.Linear or Activation.ReLU, not {activation}; apply its derivative with Activations first and call it with Linear."), nameof(activation));
        CheckCall(x.Length, dKernel.Length, dy.Length, scratch.Length, batch, g, "x", "dKernel", "dy", ScratchLength(g, batch));
        bool relu = activation == Activation.ReLU;
        if (relu && output.Length != dy.Length)
            throw new ArgumentException(Invariant($"output length {output.Length} does not match dy length {dy.Length}: ReLU's derivative is read from the layer output."), nameof(output));
        if (!dBias.IsEmpty && dBias.Length != g.Filters)
            throw new ArgumentException(Invariant($"dBias length {dBias.Length} does not match the {g.Filters} filters (or 0 for no bias)."), nameof(dBias));
        CheckNoOverlap(dKernel, x, dy, nameof(dKernel));
        if (dKernel.Overlaps(output) || dKernel.Overlaps(dBias))
            throw new ArgumentException("dKernel overlaps the output or dBias.", nameof(dKernel));
        if (dBias.Overlaps(x) || dBias.Overlaps(dy) || dBias.Overlaps(output))
            throw new ArgumentException("dBias overlaps an input; the gradients cannot be computed in place.", nameof(dBias));
        if (relu && (dy.Overlaps(x) || dy.Overlaps(output)))
            throw new ArgumentException("dy is rewritten in place and must not overlap x or the output.", nameof(dy));
        ReadOnlySpan<T> mask = relu ? output : [];
        if (IsPointwise(g))
        {
            // The 1×1 product reads the whole of dz at once, so the epilogue runs over all of it first.
            unsafe
            {
                fixed (T* pdy = dy)
                fixed (T* pa = mask)
                fixed (T* pdb = dBias)
                    ConvolutionEpilogue.ReluBackwardAndBiasGradient(pdy, relu ? pa : null, dBias.IsEmpty ? null : pdb,
                        batch * g.OutputHeight * g.OutputWidth, g.Filters);
            }
            Gemm.Multiply(x, dy, dKernel, g.Channels, batch * g.OutputHeight * g.OutputWidth, g.Filters, transposeA: true, accumulate: true);
            return;
        }
        ConvolutionParts.BackwardKernel(ChooseBackwardKernel<T>(g), x, dy, mask, dKernel, dBias, batch, g, scratch);
    }

    /// <summary>dx [batch, H, W, C] = ∂L/∂x for the output gradient dy (overwritten).</summary>
    /// <param name="dy">∂L/∂y, [batch, OH, OW, F].</param>
    /// <param name="kernel">Kernel in Keras layout.</param>
    /// <param name="dx">Input gradient, NHWC; must not overlap the inputs.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="g">The layer geometry.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> elements; contents are not preserved.</param>
    /// <exception cref="ArgumentException">A span length does not match the geometry, or the output overlaps an input.</exception>
    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> kernel, Span<T> dx, int batch,
        in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckCall(dx.Length, kernel.Length, dy.Length, scratch.Length, batch, g, "dx", "kernel", "dy", ScratchLength(g, batch));
        CheckNoOverlap(dx, dy, kernel, nameof(dx));
        BackwardInputWith(ChooseBackward(g), dy, kernel, dx, batch, g, scratch);
    }

    /// <summary>
    /// <see cref="BackwardInput{T}"/> with a backward strategy (<see cref="ChooseBackward"/>'s, or im2col forced on a
    /// 1×1 geometry by the tests), without checks.
    /// </summary>
    internal static void BackwardInputWith<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> dy, ReadOnlySpan<T> kernel,
        Span<T> dx, int batch, in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = batch * g.OutputHeight * g.OutputWidth;
        if (strategy == ConvolutionStrategy.Pointwise)
        {
            Gemm.Multiply(dy, kernel, dx, rows, g.Filters, g.Channels, transposeB: true);
        }
        else if (IsWinograd(strategy))
        {
            BackwardInputWinograd(strategy, dy, kernel, dx, batch, g, scratch);
        }
        else
        {
            ConvolutionParts.BackwardInput(dy, kernel, dx, batch, g, scratch);
        }
    }

    /// <summary>
    /// The input gradient of a 3×3, stride-1, undilated kernel as a forward convolution, run by Winograd: dx[i] =
    /// Σₖ dy[i − k + p]·kernel[k] is dy ⋆ kernel′ with kernel′ the kernel turned by 180° and its channel and filter
    /// axes swapped ([3, 3, F, C]) and a padding of 2 − p (<see cref="TransposedGeometry"/>). kernel′ is written into
    /// the scratch after the Winograd part. With few filters im2col's product is shallow (16 filters: a depth of 16)
    /// and its col2im scatter costs as much again, so this is 3–4× faster there (docs/kernels.md#winograd-input-gradient).
    /// </summary>
    private static void BackwardInputWinograd<T>(ConvolutionStrategy strategy, ReadOnlySpan<T> dy, ReadOnlySpan<T> kernel,
        Span<T> dx, int batch, in Conv2DGeometry g, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Conv2DGeometry transposed = TransposedGeometry(g);
        int winograd = ConvolutionWinograd.ScratchLength(transposed, batch, strategy);
        Span<T> turned = scratch.Slice(winograd, g.KernelSize);
        int c = g.Channels, f = g.Filters;
        for (int kh = 0; kh < 3; kh++)
        {
            for (int kw = 0; kw < 3; kw++)
            {
                ReadOnlySpan<T> tap = kernel.Slice((kh * 3 + kw) * c * f, c * f); // [C, F]
                Span<T> target = turned.Slice(((2 - kh) * 3 + (2 - kw)) * f * c, f * c); // [F, C]
                for (int ci = 0; ci < c; ci++)
                {
                    ReadOnlySpan<T> row = tap.Slice(ci * f, f);
                    for (int fi = 0; fi < f; fi++)
                        target[fi * c + ci] = row[fi];
                }
            }
        }
        ConvolutionWinograd.Forward(dy, turned, [], dx, batch, transposed, scratch[..winograd], relu: false, strategy);
    }

    /// <summary>
    /// The forward geometry whose output is the input gradient of a 3×3, stride-1, undilated geometry: input
    /// [OH, OW, F], output [H, W, C], padding 2 − the layer's before each axis (so 2 − its padding after, too).
    /// </summary>
    internal static Conv2DGeometry TransposedGeometry(in Conv2DGeometry g) =>
        new(g.OutputHeight, g.OutputWidth, g.Filters, g.Channels, 3, 3, 1, 1, 1, 1, 2 - g.PadTop, 2 - g.PadLeft,
            g.Height, g.Width);

    /// <summary>
    /// The strategy of the input gradient: one GEMM for a 1×1, stride-1 kernel; Winograd on the transposed
    /// convolution (<see cref="BackwardInputWinograd"/>) for a 3×3, stride-1, undilated kernel with at least 8
    /// channels and 8 filters (the transposed convolution's channels) and C·F within the rule's Winograd limit (so the
    /// forward pass is Winograd too), with the tile size the forward rule picks for that convolution; else im2col. A
    /// layer of 1 to 7 channels (an image input) keeps im2col: its product would have as few columns, and a first
    /// layer needs no input gradient.
    /// </summary>
    internal static ConvolutionStrategy ChooseBackward(in Conv2DGeometry g)
    {
        if (IsPointwise(g))
            return ConvolutionStrategy.Pointwise;
        if (ConvolutionWinograd.Supports(g) && g.Channels >= ConvolutionStrategyRule.WinogradMinChannels && g.PadTop <= 2 && g.PadLeft <= 2)
        {
            Conv2DGeometry t = TransposedGeometry(g);
            ConvolutionStrategy strategy = ChooseByShape(t);
            if (IsWinograd(strategy))
                return strategy;
        }
        return ConvolutionStrategy.Im2Col;
    }

    /// <summary>
    /// The strategy of the kernel gradient: the small-patch register kernel exactly where the forward pass takes it,
    /// one GEMM for a 1×1, stride-1 kernel, else im2col.
    /// </summary>
    internal static ConvolutionStrategy ChooseBackwardKernel<T>(in Conv2DGeometry g)
        where T : unmanaged =>
        Choose<T>(g) == ConvolutionStrategy.SmallPatch ? ConvolutionStrategy.SmallPatch
        : IsPointwise(g) ? ConvolutionStrategy.Pointwise : ConvolutionStrategy.Im2Col;

    /// <summary>The strategy of the forward pass for a geometry and element type (the rule the generator applies at compile time).</summary>
    internal static ConvolutionStrategy Choose<T>(in Conv2DGeometry g)
        where T : unmanaged =>
        ConvolutionStrategyRule.Choose(g.KernelHeight, g.KernelWidth, g.Channels, g.Filters, g.StrideHeight, g.StrideWidth,
            g.DilationHeight, g.DilationWidth, g.OutputHeight, g.OutputWidth, Unsafe.SizeOf<T>());

    /// <summary>
    /// <see cref="Choose{T}"/> up to the element type (<see cref="ConvolutionStrategy.SmallPatch"/> reads
    /// <see cref="ConvolutionStrategy.Direct"/>): enough to size the scratch.
    /// </summary>
    internal static ConvolutionStrategy ChooseByShape(in Conv2DGeometry g) =>
        ConvolutionStrategyRule.ChooseByShape(g.KernelHeight, g.KernelWidth, g.Channels, g.Filters, g.StrideHeight, g.StrideWidth,
            g.DilationHeight, g.DilationWidth, g.OutputHeight, g.OutputWidth);

    /// <summary>Either Winograd algorithm.</summary>
    internal static bool IsWinograd(ConvolutionStrategy strategy) =>
        strategy is ConvolutionStrategy.Winograd or ConvolutionStrategy.Winograd4x4;

    /// <summary>1×1 kernel, stride 1 (a valid geometry then has no padding): every output pixel is its input pixel times the kernel.</summary>
    internal static bool IsPointwise(in Conv2DGeometry g) =>
        ConvolutionStrategyRule.IsPointwise(g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth);

    /// <summary>Validates the geometry (the callers' ScratchLength did) and every length once.</summary>
    private static void CheckCall(int inputLength, int kernelLength, int outputLength, int scratchLength, int batch,
        in Conv2DGeometry g, string inputName, string kernelName, string outputName, long scratchNeeded)
    {
        long inputNeeded = (long)batch * g.InputSize;
        long outputNeeded = (long)batch * g.OutputSize;
        if (inputLength != inputNeeded)
            throw new ArgumentException(Invariant($"{inputName} length {inputLength} does not match [batch {batch}, {g.Height}, {g.Width}, {g.Channels}] = {inputNeeded}."), inputName);
        if (kernelLength != g.KernelSize)
            throw new ArgumentException(Invariant($"{kernelName} length {kernelLength} does not match [{g.KernelHeight}, {g.KernelWidth}, {g.Channels}, {g.Filters}] = {g.KernelSize}."), kernelName);
        if (outputLength != outputNeeded)
            throw new ArgumentException(Invariant($"{outputName} length {outputLength} does not match [batch {batch}, {g.OutputHeight}, {g.OutputWidth}, {g.Filters}] = {outputNeeded}."), outputName);
        if (scratchLength < scratchNeeded)
            throw new ArgumentException(Invariant($"scratch length {scratchLength} is less than the {scratchNeeded} elements this geometry needs (Convolution.ScratchLength)."), "scratch");
    }

    /// <summary>
    /// Rejects geometries built with the record's constructor that <see cref="Conv2DGeometry.Create"/> would not
    /// produce: the loops trust these fields.
    /// </summary>
    private static void CheckGeometry(in Conv2DGeometry g)
    {
        if (g.Height <= 0 || g.Width <= 0 || g.Channels <= 0 || g.Filters <= 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0
            || g.StrideHeight <= 0 || g.StrideWidth <= 0 || g.DilationHeight <= 0 || g.DilationWidth <= 0
            || g.PadTop < 0 || g.PadLeft < 0 || g.OutputHeight <= 0 || g.OutputWidth <= 0
            || g.PadTop >= g.EffectiveKernelHeight || g.PadLeft >= g.EffectiveKernelWidth
            || (long)(g.OutputHeight - 1) * g.StrideHeight + (long)(g.KernelHeight - 1) * g.DilationHeight >= int.MaxValue
            || (long)(g.OutputWidth - 1) * g.StrideWidth + (long)(g.KernelWidth - 1) * g.DilationWidth >= int.MaxValue
            || (long)g.Height * g.Width * g.Channels > int.MaxValue
            || (long)g.KernelHeight * g.KernelWidth * g.Channels * g.Filters > int.MaxValue
            || (long)g.OutputHeight * g.OutputWidth * g.Filters > int.MaxValue
            || (long)g.OutputHeight * g.OutputWidth * g.KernelHeight * g.KernelWidth * g.Channels > int.MaxValue)
        {
            throw new ArgumentException(Invariant($"The geometry {g} is not one Conv2DGeometry.Create produces (a non-positive size, a padding outside [0, dilated kernel) or an index range beyond int)."), "g");
        }
    }

    private static void CheckBatch(int batch)
    {
        if (batch < 0)
            throw new ArgumentException(Invariant($"The batch size must not be negative, but it is {batch}."), nameof(batch));
    }

    private static void CheckNoOverlap<T>(Span<T> output, ReadOnlySpan<T> first, ReadOnlySpan<T> second, string paramName)
    {
        if (output.Overlaps(first) || output.Overlaps(second))
            throw new ArgumentException("The output overlaps an input; the convolution cannot be computed in place.", paramName);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
