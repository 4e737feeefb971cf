// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

// See docs/kernels.md#convolution-strategy-rule for the measurements behind each threshold.
/// <summary>
/// The one rule that picks a convolution's forward strategy from its shape and element size, on plain integers so
/// that the generator evaluates it at compile time (and writes the choice into the generated call) and the runtime
/// evaluates it for the calls that do not name a strategy. Pointwise where the kernel sees one pixel; Winograd for a
/// 3×3 stride-1 undilated kernel on at least <see cref="WinogradMinChannels"/> channels whose C·F is at most
/// <see cref="WinogradMaxKernel"/> (4×4 tiles up to <see cref="LargeTilesMaxKernel"/>); direct loops for a patch of
/// at most <see cref="DirectPatchLimit"/> (the register kernel where <see cref="FitsSmallPatch"/>); im2col + GEMM for
/// the rest. The rule reads the shape only, never the batch size: a layer runs the strategy its generated call names at
/// every batch.
/// </summary>
internal static class ConvolutionStrategyRule
{
    /// <summary>Patches (kh·kw·C) up to this length take the direct forward loops.</summary>
    public const int DirectPatchLimit = 32;

    /// <summary>Input channels from which a Winograd-shaped convolution takes Winograd.</summary>
    public const int WinogradMinChannels = 8;

    /// <summary>
    /// Largest C·F (channels × filters, the size of each of the α² transformed-kernel matrices) that takes Winograd
    /// F(4×4, 3×3); above it F(2×2, 3×3). Each chunk of tiles streams all 36 matrices from beyond L2 while the
    /// chunk's tiles shrink as C + F grows, so the large tiles' saving in products is lost to the kernel's traffic:
    /// at C = F = 128 F(4×4) is still faster, at 256 F(2×2) is (1-thread CPU time on Zen 3, 7×7 to 28×28 outputs,
    /// batch 1 to 16). Between the two: 2¹⁵.
    /// </summary>
    // See docs/kernels.md#convolution-strategy-rule
    public const long LargeTilesMaxKernel = 1L << 15;

    /// <summary>
    /// Largest C·F that takes Winograd at all; above it im2col + GEMM, whose kernel of C·F·9 values is read once per
    /// block of output pixels instead of α² matrices of C·F per few tiles. At C = F = 256 F(2×2) is faster than
    /// im2col, at 512 im2col is 1.6–2.1× faster than either Winograd at every batch measured (1 to 16), on 7×7 and
    /// 14×14 outputs (ResNet-18's last stage). Between the two: 2¹⁷.
    /// </summary>
    // See docs/kernels.md#convolution-strategy-rule
    public const long WinogradMaxKernel = 1L << 17;

    /// <summary>The patch length (kh·kw·C) of the small-patch register kernel.</summary>
    public const int SmallPatchLength = 9;

    /// <summary>The filters of the small-patch register kernel, in bytes: two 512-bit vectors.</summary>
    public const int SmallPatchFilterBytes = 2 * 64;

    /// <summary>The shapes Winograd F(2×2, 3×3) computes: a 3×3 kernel with stride 1 and dilation 1 (any padding).</summary>
    public static bool IsWinogradShape(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth) =>
        kernelHeight == 3 && kernelWidth == 3 && strideHeight == 1 && strideWidth == 1 && dilationHeight == 1 && dilationWidth == 1;

    /// <summary>A 1×1 kernel with stride 1 (whose padding is necessarily 0): every output pixel is its input pixel times the kernel.</summary>
    public static bool IsPointwise(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) =>
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1;

    /// <summary>
    /// Whether the small-patch register kernel computes this patch and these filters for elements of
    /// <paramref name="elementSize"/> bytes (4 for float, 8 for double): a patch of 9 and filters filling exactly two
    /// 512-bit vectors. Any geometry qualifies (padding, stride, dilation, a 1×9 row, nine channels of a 1×1 kernel).
    /// </summary>
    public static bool FitsSmallPatch(long patch, int filters, int elementSize) =>
        patch == SmallPatchLength && (elementSize == sizeof(float) || elementSize == sizeof(double))
        && (long)filters * elementSize == SmallPatchFilterBytes;

    /// <summary>
    /// The forward strategy for a shape and an element size in bytes (4 for float, 8 for double): pointwise, else
    /// Winograd for a 3×3 stride-1 undilated kernel on at least 8 channels with C·F at most
    /// <see cref="WinogradMaxKernel"/> (with 4×4 tiles where <see cref="PreferLargeTiles"/> and C·F is at most
    /// <see cref="LargeTilesMaxKernel"/>), else for a patch of at most 32 the small-patch register kernel where
    /// <see cref="FitsSmallPatch"/> and the direct loops elsewhere, else im2col.
    /// </summary>
    public static ConvolutionStrategy Choose(int kernelHeight, int kernelWidth, int channels, int filters, int strideHeight,
        int strideWidth, int dilationHeight, int dilationWidth, int outputHeight, int outputWidth, int elementSize) =>
        WithElementSize(
            ChooseByShape(kernelHeight, kernelWidth, channels, filters, strideHeight, strideWidth, dilationHeight, dilationWidth, outputHeight, outputWidth),
            (long)kernelHeight * kernelWidth * channels, filters, elementSize);

    /// <summary>
    /// Completes a <see cref="ChooseByShape"/> result into <see cref="Choose"/>'s: <see cref="ConvolutionStrategy.Direct"/>
    /// becomes <see cref="ConvolutionStrategy.SmallPatch"/> where <see cref="FitsSmallPatch"/>; the others stay.
    /// </summary>
    public static ConvolutionStrategy WithElementSize(ConvolutionStrategy byShape, long patch, int filters, int elementSize) =>
        byShape == ConvolutionStrategy.Direct && FitsSmallPatch(patch, filters, elementSize) ? ConvolutionStrategy.SmallPatch : byShape;

    /// <summary>
    /// <see cref="Choose"/> before the element size is known: <see cref="ConvolutionStrategy.SmallPatch"/>
    /// reads <see cref="ConvolutionStrategy.Direct"/> (the filters count only for the Winograd kernel-size limits).
    /// What sizes a layer's buffers (scratch, kernel cache) follows from this alone, since the two direct kernels need
    /// the same (nothing in the forward pass).
    /// </summary>
    public static ConvolutionStrategy ChooseByShape(int kernelHeight, int kernelWidth, int channels, int filters, int strideHeight,
        int strideWidth, int dilationHeight, int dilationWidth, int outputHeight, int outputWidth) =>
        IsPointwise(kernelHeight, kernelWidth, strideHeight, strideWidth) ? ConvolutionStrategy.Pointwise
        : TakesWinograd(kernelHeight, kernelWidth, channels, filters, strideHeight, strideWidth, dilationHeight, dilationWidth)
            ? (PreferLargeTiles(outputHeight, outputWidth) && (long)channels * filters <= LargeTilesMaxKernel
                ? ConvolutionStrategy.Winograd4x4 : ConvolutionStrategy.Winograd)
        : (long)kernelHeight * kernelWidth * channels <= DirectPatchLimit ? ConvolutionStrategy.Direct
        : ConvolutionStrategy.Im2Col;

    /// <summary>
    /// Whether a layer takes one of the Winograd strategies: a Winograd shape (<see cref="IsWinogradShape"/>) on at
    /// least <see cref="WinogradMinChannels"/> channels with C·F at most <see cref="WinogradMaxKernel"/>.
    /// </summary>
    public static bool TakesWinograd(int kernelHeight, int kernelWidth, int channels, int filters, int strideHeight,
        int strideWidth, int dilationHeight, int dilationWidth) =>
        IsWinogradShape(kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth)
        && channels >= WinogradMinChannels && (long)channels * filters <= WinogradMaxKernel;

    /// <summary>
    /// Whether F(4×4, 3×3) needs fewer products than F(2×2, 3×3) on this output: 36 per 4×4 tile against 16 per 2×2
    /// tile, counting the tiles that overhang the edge (11×11: 9·36 = 324 against 36·16 = 576; 5×5: 4·36 against 9·16,
    /// a tie, which keeps the cheaper transforms of 2×2 tiles).
    /// </summary>
    public static bool PreferLargeTiles(int outputHeight, int outputWidth)
    {
        long large = 36L * ((outputHeight + 3L) / 4) * ((outputWidth + 3L) / 4);
        long small = 16L * ((outputHeight + 1L) / 2) * ((outputWidth + 1L) / 2);
        return large < small;
    }
}
