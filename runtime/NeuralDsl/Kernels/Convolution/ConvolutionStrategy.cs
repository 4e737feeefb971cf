// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>
/// How a convolution's forward pass is computed. The generator picks one from the literal shape and element type with
/// <c>ConvolutionStrategyRule.Choose</c> and passes it to <c>Convolution.Forward</c>, which checks it against the
/// geometry; the overloads without a strategy apply the same rule at run time.
/// </summary>
public enum ConvolutionStrategy
{
    /// <summary>1×1, stride 1: the input is the column matrix, one GEMM.</summary>
    Pointwise,

    /// <summary>Direct loops vectorized over the filters, no scratch: for short patches (kh·kw·C ≤ 32).</summary>
    Direct,

    /// <summary>im2col into scratch, then GEMM (col2im after it for the input gradient).</summary>
    Im2Col,

    /// <summary>
    /// Winograd F(2×2, 3×3) for a 3×3, stride-1, undilated kernel on 8 or more channels with C·F at most 2¹⁷ (above it,
    /// im2col): 2.25× fewer multiplications, forward only (the backward passes use im2col).
    /// </summary>
    Winograd,

    /// <summary>
    /// Winograd F(4×4, 3×3) for the same kernels where its 4×4 tiles fit the output well enough to need fewer
    /// multiplications than 2×2 tiles (up to 4× fewer than direct) and C·F is at most 2¹⁵, forward only.
    /// </summary>
    Winograd4x4,

    /// <summary>
    /// The register kernel for a patch of 9 (e.g. 3×3 on one channel) with filters filling two 512-bit vectors (32
    /// floats or 16 doubles): the whole kernel stays in registers while the output pixels stream past, no scratch.
    /// The kernel gradient of such a layer stays in registers too. Where <c>Vector512</c> is not hardware-accelerated
    /// it runs the <see cref="Direct"/> loops instead (and im2col for the kernel gradient), so the name the generator
    /// writes is valid on every machine.
    /// </summary>
    SmallPatch,
}
