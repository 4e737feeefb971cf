using System;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// Pooling over NHWC tensors (batch first) for MaxPooling1D/2D, AveragePooling1D/2D and the global poolings, with
/// Keras semantics: padded cells of a <c>same</c> pooling never count (max never picks them, the average divides by
/// the real cells only). The windowed kernels take a <see cref="Pool2DGeometry"/>; 1-D pooling uses
/// <see cref="Pool2DGeometry.Create1D"/>. Channels are contiguous in NHWC, so every kernel works on whole channel
/// rows. No kernel allocates.
/// </summary>
public static partial class Pooling
{
    /// <summary>Checks the geometry and the buffer lengths of a windowed pooling of <paramref name="batch"/> samples.</summary>
    private static void CheckWindowed(in Pool2DGeometry g, int batch, int inputLength, int outputLength,
        string inputWhat, string inputName, string outputWhat, string outputName)
    {
        CheckGeometry(in g);
        KernelGuard.NotNegative(batch, nameof(batch));
        KernelGuard.SameLength(checked(batch * g.InputSize), inputLength, inputWhat, inputName);
        KernelGuard.SameLength(checked(batch * g.OutputSize), outputLength, outputWhat, outputName);
    }

    /// <summary>
    /// Rejects geometries <see cref="Pool2DGeometry.Create"/> would never produce (for example <c>default</c>):
    /// every size positive, the leading padding shorter than the window, and every window touching at least one
    /// real row and column, which is what lets the kernels skip the empty-window case.
    /// </summary>
    private static void CheckGeometry(in Pool2DGeometry g)
    {
        bool ok = g.Height > 0 && g.Width > 0 && g.Channels > 0 && g.PoolHeight > 0 && g.PoolWidth > 0
            && g.StrideHeight > 0 && g.StrideWidth > 0 && g.OutputHeight > 0 && g.OutputWidth > 0
            && g.PadTop >= 0 && g.PadTop < g.PoolHeight && g.PadLeft >= 0 && g.PadLeft < g.PoolWidth
            && (long)(g.OutputHeight - 1) * g.StrideHeight - g.PadTop < g.Height
            && (long)(g.OutputWidth - 1) * g.StrideWidth - g.PadLeft < g.Width;
        if (!ok)
        {
            throw new ArgumentException(
                $"Inconsistent pooling geometry {g}; create it with Pool2DGeometry.Create or Create1D.", nameof(g));
        }
    }

    /// <summary>Checks the lengths of a global pooling: input [batch, spatial, channels], output [batch, channels].</summary>
    private static void CheckGlobal(int batch, int spatial, int channels, int inputLength, int outputLength,
        string inputWhat, string inputName, string outputWhat, string outputName)
    {
        KernelGuard.NotNegative(batch, nameof(batch));
        KernelGuard.Positive(spatial, nameof(spatial));
        KernelGuard.Positive(channels, nameof(channels));
        KernelGuard.SameLength(checked(batch * spatial * channels), inputLength, inputWhat, inputName);
        KernelGuard.SameLength(checked(batch * channels), outputLength, outputWhat, outputName);
    }

    /// <summary>The real rows (or columns) covered by window <paramref name="index"/>: [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Start, int End) Window(int index, int stride, int pad, int pool, int size)
    {
        int first = index * stride - pad;
        return (Math.Max(first, 0), Math.Min(first + pool, size));
    }
}
