using System;
using System.Collections.Generic;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// What the convolution test classes share about their tables of named shapes: theory data from the names, the
/// look-up by name, the strategies that apply to a geometry and the scratch a forced strategy needs.
/// </summary>
internal static class ConvolutionTestShapes
{
    public static TheoryData<string> Names((string Name, int Batch, Conv2DGeometry G)[] shapes)
    {
        var data = new TheoryData<string>();
        foreach (var shape in shapes)
            data.Add(shape.Name);
        return data;
    }

    public static (int Batch, Conv2DGeometry G) Find((string Name, int Batch, Conv2DGeometry G)[] shapes, string name)
    {
        int index = Array.FindIndex(shapes, s => s.Name == name);
        Assert.True(index >= 0, $"Unknown shape '{name}'.");
        return (shapes[index].Batch, shapes[index].G);
    }

    /// <summary>
    /// The strategies that apply to a geometry for element type <typeparamref name="T"/> (1×1 GEMM only where it is
    /// pointwise, Winograd only for 3×3 stride 1, the small-patch register kernel only where it fits).
    /// </summary>
    public static IEnumerable<ConvolutionStrategy> Strategies<T>(in Conv2DGeometry g)
        where T : unmanaged
    {
        List<ConvolutionStrategy> strategies = Convolution.IsPointwise(g)
            ? [ConvolutionStrategy.Pointwise, ConvolutionStrategy.Direct, ConvolutionStrategy.Im2Col]
            : ConvolutionWinograd.Supports(g)
                ? [ConvolutionStrategy.Direct, ConvolutionStrategy.Im2Col, ConvolutionStrategy.Winograd, ConvolutionStrategy.Winograd4x4]
                : [ConvolutionStrategy.Direct, ConvolutionStrategy.Im2Col];
        if (ConvolutionSmallPatch.Fits<T>(g))
            strategies.Add(ConvolutionStrategy.SmallPatch);
        return strategies;
    }

    /// <summary>
    /// The strategies of the kernel gradient: the one GEMM where the geometry is pointwise (and im2col forced on it),
    /// else im2col, and the small-patch register kernel where it fits. The input gradient takes the first two only.
    /// </summary>
    public static IEnumerable<ConvolutionStrategy> BackwardStrategies<T>(in Conv2DGeometry g)
        where T : unmanaged
    {
        List<ConvolutionStrategy> strategies = Convolution.IsPointwise(g) ? [ConvolutionStrategy.Pointwise, ConvolutionStrategy.Im2Col] : [ConvolutionStrategy.Im2Col];
        if (ConvolutionSmallPatch.Fits<T>(g))
            strategies.Add(ConvolutionStrategy.SmallPatch);
        return strategies;
    }

    /// <summary>
    /// The Winograd strategies of the input gradient (the transposed convolution run forward by Winograd): both
    /// algorithms for a 3×3, stride-1, undilated geometry, none otherwise. The kernel gradient has no Winograd form.
    /// </summary>
    public static IEnumerable<ConvolutionStrategy> WinogradInputGradientStrategies(in Conv2DGeometry g) =>
        ConvolutionWinograd.Supports(g) ? [ConvolutionStrategy.Winograd, ConvolutionStrategy.Winograd4x4] : [];

    /// <summary>
    /// Scratch for any forced strategy: the blocked passes' (also for a 1×1 geometry, whose public entry points need
    /// none, when a test forces im2col on it), either Winograd algorithm's, or either's on the transposed convolution
    /// of the input gradient plus the turned kernel, whichever is largest.
    /// </summary>
    public static int ScratchFor(in Conv2DGeometry g, int batch)
    {
        long length = ConvolutionParts.ScratchLength(g, batch);
        if (ConvolutionWinograd.Supports(g))
        {
            Conv2DGeometry t = Convolution.TransposedGeometry(g);
            foreach (ConvolutionStrategy s in new[] { ConvolutionStrategy.Winograd, ConvolutionStrategy.Winograd4x4 })
            {
                length = Math.Max(length, ConvolutionWinograd.ScratchLength(g, batch, s));
                length = Math.Max(length, (long)ConvolutionWinograd.ScratchLength(t, batch, s) + g.KernelSize);
            }
        }
        return (int)length;
    }
}
