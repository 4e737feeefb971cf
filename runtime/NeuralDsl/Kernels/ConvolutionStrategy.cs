namespace NeuralDsl;

/// <summary>How a convolution is computed; <see cref="Convolution.Choose"/> picks one from the geometry.</summary>
internal enum ConvolutionStrategy
{
    /// <summary>1×1, stride 1: the input is the column matrix, one GEMM.</summary>
    Pointwise,

    /// <summary>Direct loops vectorized over the filters, no scratch.</summary>
    Direct,

    /// <summary>im2col into scratch, then GEMM (col2im after it for the input gradient).</summary>
    Im2Col,
}
