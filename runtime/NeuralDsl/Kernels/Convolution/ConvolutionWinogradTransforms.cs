using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// One Winograd algorithm F(m×m, 3×3): the three transforms (kernel U = G·g·Gᵀ, input V = Bᵀ·d·B, output
/// Y = Aᵀ·M·A) of an α×α transform, α = m + 2. <see cref="ConvolutionWinograd"/> runs either algorithm through this
/// interface and the JIT specializes it for each (the implementations are empty structs). Transformed operands are
/// laid out [α², rows, columns]: element ξ = α·i + j of the transform is one row-major matrix, so the α² products of
/// the algorithm are plain matrix products. Callers have validated every length.
/// </summary>
internal unsafe interface IWinogradTransforms
{
    /// <summary>Outputs per tile side, m: a tile is an m×m block of outputs.</summary>
    static abstract int TileOutputs { get; }

    /// <summary>Points per transform side, α = m + 2: the input patch of a tile is α×α and there are α² products.</summary>
    static abstract int Points { get; }

    /// <summary>
    /// u[ξ·uStride + e] = (G·g·Gᵀ)[ξ] for every element e of a tap (every (c, f)) of the [3, 3, C, F] kernel, rows i
    /// ∈ [<paramref name="firstRow"/>, <paramref name="endRow"/>) of the transform only (ξ = α·i … α·i + α − 1).
    /// </summary>
    static abstract void Kernel<T>(T* kernel, T* u, nint length, nint uStride, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// The input transform of one tile: v[ξ·vStride + c] = (Bᵀ·d·B)[ξ] for every channel c, rows i ∈
    /// [<paramref name="firstRow"/>, <paramref name="endRow"/>) only; <paramref name="cells"/> holds the α² input
    /// pixels of the patch row by row (a pointer to C zeros for a cell outside the padded input).
    /// </summary>
    static abstract void InputTile<T>(T** cells, T* v, nint vStride, int channels, int firstRow, int endRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// The output transform of one tile, Aᵀ·m·A (+ bias, then ReLU if asked) for every filter, storing the
    /// <paramref name="rows"/>×<paramref name="columns"/> outputs that lie inside the image (element ξ of the tile's
    /// products is at m + ξ·<paramref name="mStride"/>; <paramref name="y"/> is the tile's top-left output pixel).
    /// </summary>
    static abstract void OutputTile<T>(T* m, nint mStride, T* bias, T* y, nint rowStride, int filters, int columns,
        int rows, bool relu)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}
