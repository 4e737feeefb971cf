using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// The im2col gather shared with the worker pool (<see cref="ConvolutionIm2Col.Im2ColShared{T}"/>, used by a
/// convolution that runs as one part): the same columns as the one-thread <see cref="ConvolutionIm2Col.Im2Col{T}"/>
/// at 1, 2 and 3 threads, for blocks cut into chunks of whole output rows and blocks kept on the caller.
/// </summary>
[Collection(nameof(GemmThreadsCollection))]
public sealed unsafe class ConvolutionGatherTests
{
    public static TheoryData<string, int, int, int> Blocks() => new()
    {
        // name, batch, first output row, rows
        { "resnet 57x57x64 3x3 s2 (28x28 out)", 1, 0, 4 },         // 64,512 elements: two chunks
        { "resnet 57x57x64 3x3 s2 (28x28 out)", 1, 24, 4 },        // the last block
        { "resnet 29x29x128 3x3 s2 (14x14 out)", 1, 0, 14 },       // 225,792 elements
        { "resnet 15x15x256 3x3 s2 (7x7 out)", 1, 0, 7 },          // 112,896 elements, 7 rows over 2 or 3 chunks
        { "14x14x32 3x3 s2 same, batch 3", 3, 0, 21 },             // zero cells, chunks across samples
        { "14x14x32 3x3 s2 same, batch 3", 3, 5, 4 },              // 8,064 elements: on the caller
        { "13x11x5 3x3 s1 dilation 2 same, batch 2", 2, 1, 20 },   // dilated columns, cell by cell
    };

    private static Conv2DGeometry Geometry(string name) => name switch
    {
        "resnet 57x57x64 3x3 s2 (28x28 out)" => Conv2DGeometry.Create(57, 57, 64, 128, 3, 3, 2, 2, 1, 1, false),
        "resnet 29x29x128 3x3 s2 (14x14 out)" => Conv2DGeometry.Create(29, 29, 128, 256, 3, 3, 2, 2, 1, 1, false),
        "resnet 15x15x256 3x3 s2 (7x7 out)" => Conv2DGeometry.Create(15, 15, 256, 512, 3, 3, 2, 2, 1, 1, false),
        "14x14x32 3x3 s2 same, batch 3" => Conv2DGeometry.Create(14, 14, 32, 16, 3, 3, 2, 2, 1, 1, true),
        "13x11x5 3x3 s1 dilation 2 same, batch 2" => Conv2DGeometry.Create(13, 11, 5, 4, 3, 3, 1, 1, 2, 2, true),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Blocks))]
    public void SharedGatherWritesTheColumnsOfTheOneThreadGather(string name, int batch, int firstRow, int rows)
    {
        Conv2DGeometry g = Geometry(name);
        Assert.True(firstRow + rows <= batch * g.OutputHeight, "the block lies in the output");
        float[] x = KernelTestData.ToSingle(KernelTestData.Uniform(batch * g.InputSize, -2, 2, seed: 91));
        int length = rows * g.OutputWidth * g.PatchSize;
        var expected = new float[length];
        ConvolutionIm2Col.Im2Col<float>(x, expected, g, firstRow, rows);
        int saved = Gemm.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Gemm.MaxThreads = threads;
                // NaN everywhere first: a cell the gather skipped would stay NaN and differ from the expected bits.
                float[] columns = new float[length];
                Array.Fill(columns, float.NaN);
                fixed (float* px = x)
                fixed (float* pc = columns)
                    ConvolutionIm2Col.Im2ColShared(px, x.Length, pc, g, firstRow, rows);
                for (int i = 0; i < length; i++)
                {
                    if (!KernelTestData.BitEquals(expected[i], columns[i]))
                        Assert.Fail($"{name}, rows {firstRow}+{rows}, {threads} threads: [{i}] = {columns[i]:R}, expected {expected[i]:R}");
                }
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }
}
