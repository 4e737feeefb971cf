using System;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// Plain-loop double convolution straight from the Keras formula
/// <c>y[b,i,j,f] = Σ x[b, i·sh + di·dh − top, j·sw + dj·dw − left, c] · kernel[di,dj,c,f]</c> (zeros outside the
/// input), written independently of the runtime's index arithmetic, and its two adjoints.
/// </summary>
internal static class ConvolutionReference
{
    public static double[] Forward(double[] x, double[] kernel, int batch, Conv2DGeometry g)
    {
        var y = new double[batch * g.OutputSize];
        Visit(batch, g, (yi, xi, ki) => y[yi] += x[xi] * kernel[ki]);
        return y;
    }

    public static double[] BackwardKernel(double[] x, double[] dy, int batch, Conv2DGeometry g)
    {
        var dk = new double[g.KernelSize];
        Visit(batch, g, (yi, xi, ki) => dk[ki] += x[xi] * dy[yi]);
        return dk;
    }

    public static double[] BackwardInput(double[] dy, double[] kernel, int batch, Conv2DGeometry g)
    {
        var dx = new double[batch * g.InputSize];
        Visit(batch, g, (yi, xi, ki) => dx[xi] += kernel[ki] * dy[yi]);
        return dx;
    }

    /// <summary>Σ over the formula's terms of |x|·|kernel| per output: the scale of the float rounding error.</summary>
    public static double[] AbsoluteForward(double[] x, double[] kernel, int batch, Conv2DGeometry g)
    {
        var y = new double[batch * g.OutputSize];
        Visit(batch, g, (yi, xi, ki) => y[yi] += Math.Abs(x[xi] * kernel[ki]));
        return y;
    }

    /// <summary>Calls <paramref name="term"/>(output index, input index, kernel index) for every product in the sum.</summary>
    private static void Visit(int batch, Conv2DGeometry g, Action<int, int, int> term)
    {
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < g.OutputHeight; i++)
                for (int j = 0; j < g.OutputWidth; j++)
                    for (int f = 0; f < g.Filters; f++)
                        for (int di = 0; di < g.KernelHeight; di++)
                            for (int dj = 0; dj < g.KernelWidth; dj++)
                            {
                                int r = i * g.StrideHeight + di * g.DilationHeight - g.PadTop;
                                int s = j * g.StrideWidth + dj * g.DilationWidth - g.PadLeft;
                                if (r < 0 || r >= g.Height || s < 0 || s >= g.Width)
                                    continue;
                                for (int c = 0; c < g.Channels; c++)
                                {
                                    int yi = ((b * g.OutputHeight + i) * g.OutputWidth + j) * g.Filters + f;
                                    int xi = ((b * g.Height + r) * g.Width + s) * g.Channels + c;
                                    int ki = ((di * g.KernelWidth + dj) * g.Channels + c) * g.Filters + f;
                                    term(yi, xi, ki);
                                }
                            }
    }
}
