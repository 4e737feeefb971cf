using System;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The im2col forward pass of an image-input layer with its columns read in place (<see cref="ConvolutionImplicit"/>):
/// on every shape it takes, the same bits as the gathered im2col columns times the kernel through <see cref="Gemm"/>
/// followed by the bias and ReLU (the path it replaces), at 1, 2 and 3 threads.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed class ConvolutionImplicitTests
{
    /// <summary>(name, batch, geometry): ResNet's stem (7×7 stride 2 on RGB, 64 filters) at batch 1 and the image shapes around it.</summary>
    private static readonly (string Name, int Batch, Conv2DGeometry G)[] Shapes =
    [
        ("resnet stem 229x229x3 7x7 s2 F=64", 1, Conv2DGeometry.Create(229, 229, 3, 64, 7, 7, 2, 2, 1, 1, false)),
        ("7x7 s2 C=3 F=16 batch 3", 3, Conv2DGeometry.Create(29, 31, 3, 16, 7, 7, 2, 2, 1, 1, false)),
        ("5x5 C=1 F=32 (OW 6: one tile)", 2, Conv2DGeometry.Create(12, 10, 1, 32, 5, 5, 1, 1, 1, 1, false)),
        ("3x3 s2 C=4 F=48, OW 7: overlapping last tile", 3, Conv2DGeometry.Create(15, 15, 4, 48, 3, 3, 2, 2, 1, 1, false)),
        ("5x3 C=3 F=16 strides 2x1", 2, Conv2DGeometry.Create(17, 20, 3, 16, 5, 3, 2, 1, 1, 1, false)),
    ];

    public static TheoryData<string> ShapeNames() => ConvolutionTestShapes.Names(Shapes);

    /// <summary>Gathered columns [batch·OH·OW, patch] · kernel, then bias and ReLU in separate passes.</summary>
    private static float[] Gathered(float[] x, float[] k, float[] bias, bool relu, int batch, Conv2DGeometry g)
    {
        int pixels = batch * g.OutputHeight * g.OutputWidth;
        var columns = new float[pixels * g.PatchSize];
        ConvolutionIm2Col.Im2Col<float>(x, columns, g, 0, batch * g.OutputHeight);
        var y = new float[pixels * g.Filters];
        Gemm.Multiply<float>(columns, k, y, pixels, g.PatchSize, g.Filters);
        if (bias.Length > 0)
            Bias.AddRows<float>(y, bias);
        if (relu)
            Activations.Relu<float>(y, y);
        return y;
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void ReadingTheColumnsInPlaceGivesTheGatheredProductsBits(string name)
    {
        (int batch, Conv2DGeometry g) = ConvolutionTestShapes.Find(Shapes, name);
        // The path is taken on float with AVX2 and FMA; elsewhere the im2col strategy gathers as before.
        Assert.Equal(Avx2.IsSupported && Fma.IsSupported && System.Numerics.Vector<float>.Count == 8, ConvolutionImplicit.Applies<float>(g));
        Assert.False(ConvolutionImplicit.Applies<double>(g));
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -1, 1, seed: 71));
        float[] k = KernelTestData.ToSingle(KernelTestData.Uniform(g.KernelSize, -1, 1, seed: 72));
        float[] bias = KernelTestData.ToSingle(KernelTestData.Uniform(g.Filters, -1, 1, seed: 73));
        var scratch = new float[Convolution.ScratchLength(g, batch)];
        int saved = Gemm.MaxThreads;
        try
        {
            foreach (bool withBias in new[] { false, true })
            {
                foreach (bool relu in new[] { false, true })
                {
                    float[] b = withBias ? bias : [];
                    Gemm.MaxThreads = 1;
                    float[] expected = Gathered(x, k, b, relu, batch, g);
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        Gemm.MaxThreads = threads;
                        var y = new float[expected.Length];
                        Convolution.Forward<float>(x, k, b, y, batch, g, scratch, relu ? Activation.ReLU : Activation.Linear,
                            ConvolutionStrategy.Im2Col);
                        for (int i = 0; i < y.Length; i++)
                        {
                            if (!KernelTestData.BitEquals(expected[i], y[i]))
                                Assert.Fail($"{name}, bias {withBias}, ReLU {relu}, {threads} threads: y[{i}] = {y[i]:R}, gathered {expected[i]:R}");
                        }
                    }
                }
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void PaddedDilatedDeepOrNarrowLayersGatherTheirColumns()
    {
        Assert.False(ConvolutionImplicit.Applies<float>(Conv2DGeometry.Create(224, 224, 3, 64, 7, 7, 2, 2, 1, 1, true)));
        Assert.False(ConvolutionImplicit.Applies<float>(Conv2DGeometry.Create(32, 32, 3, 64, 5, 5, 1, 1, 2, 2, false)));
        Assert.False(ConvolutionImplicit.Applies<float>(Conv2DGeometry.Create(32, 32, 8, 64, 5, 5, 1, 1, 1, 1, false)));
        Assert.False(ConvolutionImplicit.Applies<float>(Conv2DGeometry.Create(32, 32, 3, 40, 5, 5, 1, 1, 1, 1, false)));
        Assert.False(ConvolutionImplicit.Applies<float>(Conv2DGeometry.Create(9, 9, 3, 64, 5, 5, 1, 1, 1, 1, false)));
        Assert.False(ConvolutionImplicit.Applies<float>(Conv2DGeometry.Create(64, 64, 4, 64, 9, 9, 1, 1, 1, 1, false)));
    }
}
