// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>
/// The one rule that picks a convolution's forward strategy from its shape, on plain integers so that the generator
/// evaluates it at compile time (and writes the choice into the generated call) and the runtime evaluates it for the
/// calls that do not name a strategy. Measured at batch 32, float, one core: a short patch (a first layer on 1–3
/// channels, e.g. 3×3×1 or 3×3×3) gives a GEMM too shallow to reach its speed while gathering the column matrix costs
/// as much as the product, so the direct loops are faster (28×28×1 → 32 3×3: 0.26–0.30 vs 0.42 ms; 64×64×3 → 32 3×3:
/// 3.6–3.8 vs 5.2 ms); from a patch of 72 on, im2col + GEMM wins and keeps winning as the patch grows
/// (13×13×32 → 64 3×3: 1.6 vs 2.5 ms). A 3×3, stride-1, undilated kernel on at least 8 channels takes Winograd
/// F(2×2, 3×3) instead, measured 1.25–2.7× faster than im2col on every such shape tried and slower below 8 channels
/// (13×13×32 → 64, two threads: batch 1 19–22 vs 28.5 µs, batch 32 0.52–0.65 vs 0.83–0.96 ms; 28×28×1 → 32: 18 vs
/// 5 µs at batch 1, so a one-channel first layer stays direct). Where 4×4 tiles need fewer products than 2×2 tiles
/// (<see cref="PreferLargeTiles"/>) it takes F(4×4, 3×3): on 13×13×32 → 64 (11×11 outputs) 16.5 against 27 µs at
/// batch 1 on one core and 0.37 against 0.57 ms at batch 32 on two.
/// </summary>
internal static class ConvolutionStrategyRule
{
    /// <summary>Patches (kh·kw·C) up to this length take the direct forward loops.</summary>
    public const int DirectPatchLimit = 32;

    /// <summary>Input channels from which a Winograd-shaped convolution takes Winograd.</summary>
    public const int WinogradMinChannels = 8;

    /// <summary>The shapes Winograd F(2×2, 3×3) computes: a 3×3 kernel with stride 1 and dilation 1 (any padding).</summary>
    public static bool IsWinogradShape(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth) =>
        kernelHeight == 3 && kernelWidth == 3 && strideHeight == 1 && strideWidth == 1 && dilationHeight == 1 && dilationWidth == 1;

    /// <summary>A 1×1 kernel with stride 1 (whose padding is necessarily 0): every output pixel is its input pixel times the kernel.</summary>
    public static bool IsPointwise(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) =>
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1;

    /// <summary>
    /// The forward strategy for a shape: pointwise, else Winograd for a 3×3 stride-1 undilated kernel on at least 8
    /// channels (with 4×4 tiles where <see cref="PreferLargeTiles"/>), else direct for a patch of at most 32, else im2col.
    /// </summary>
    public static ConvolutionStrategy Choose(int kernelHeight, int kernelWidth, int channels, int strideHeight, int strideWidth,
        int dilationHeight, int dilationWidth, int outputHeight, int outputWidth) =>
        IsPointwise(kernelHeight, kernelWidth, strideHeight, strideWidth) ? ConvolutionStrategy.Pointwise
        : IsWinogradShape(kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth)
            && channels >= WinogradMinChannels
            ? (PreferLargeTiles(outputHeight, outputWidth) ? ConvolutionStrategy.Winograd4x4 : ConvolutionStrategy.Winograd)
        : (long)kernelHeight * kernelWidth * channels <= DirectPatchLimit ? ConvolutionStrategy.Direct
        : ConvolutionStrategy.Im2Col;

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
