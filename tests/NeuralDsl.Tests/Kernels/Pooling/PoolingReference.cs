using System;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// Plain-loop double implementations of the pooling layers, written from the Keras definitions (each output cell
/// visits its whole virtual window and skips the padded cells), independent of the runtime's window clipping.
/// </summary>
internal static class PoolingReference
{
    public static double[] Max(double[] x, int batch, Pool2DGeometry g) => Windowed(x, batch, g, average: false);

    public static double[] Average(double[] x, int batch, Pool2DGeometry g) => Windowed(x, batch, g, average: true);

    private static double[] Windowed(double[] x, int batch, Pool2DGeometry g, bool average)
    {
        int h = g.Height, w = g.Width, ch = g.Channels;
        var y = new double[batch * g.OutputHeight * g.OutputWidth * ch];
        for (int b = 0; b < batch; b++)
        for (int i = 0; i < g.OutputHeight; i++)
        for (int j = 0; j < g.OutputWidth; j++)
        for (int c = 0; c < ch; c++)
        {
            double best = double.NegativeInfinity, sum = 0;
            int count = 0;
            for (int di = 0; di < g.PoolHeight; di++)
            for (int dj = 0; dj < g.PoolWidth; dj++)
            {
                int r = i * g.StrideHeight + di - g.PadTop;
                int col = j * g.StrideWidth + dj - g.PadLeft;
                if (r < 0 || r >= h || col < 0 || col >= w)
                    continue;
                double v = x[((b * h + r) * w + col) * ch + c];
                best = Math.Max(best, v);
                sum += v;
                count++;
            }
            if (count == 0)
                throw new InvalidOperationException("A window without real cells.");
            y[((b * g.OutputHeight + i) * g.OutputWidth + j) * ch + c] = average ? sum / count : best;
        }
        return y;
    }

    public static double[] GlobalAverage(double[] x, int batch, int spatial, int channels) => Global(x, batch, spatial, channels, average: true);

    public static double[] GlobalMax(double[] x, int batch, int spatial, int channels) => Global(x, batch, spatial, channels, average: false);

    private static double[] Global(double[] x, int batch, int spatial, int channels, bool average)
    {
        var y = new double[batch * channels];
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
        {
            double best = double.NegativeInfinity, sum = 0;
            for (int s = 0; s < spatial; s++)
            {
                double v = x[(b * spatial + s) * channels + c];
                best = Math.Max(best, v);
                sum += v;
            }
            y[b * channels + c] = average ? sum / spatial : best;
        }
        return y;
    }

    /// <summary>dL/dx of L = Σ f(x)·G by central differences (step <paramref name="h"/>) in double.</summary>
    public static double[] NumericGradient(Func<double[], double[]> f, double[] x, double[] g, double h = 1e-6)
    {
        var grad = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            probe[i] = x[i] + h;
            double plus = Dot(f(probe), g);
            probe[i] = x[i] - h;
            double minus = Dot(f(probe), g);
            probe[i] = x[i];
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// Distinct values in [−1, 1) spaced at least 1/length apart, shuffled: a central-difference step of 1e-6 never
    /// changes which cell of a window is the maximum.
    /// </summary>
    public static double[] Distinct(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
            values[i] = -1 + 2.0 * (i + 0.25 + 0.5 * rng.NextDouble()) / length;
        for (int i = length - 1; i > 0; i--)
        {
            int k = (int)(rng.NextDouble() * (i + 1));
            (values[i], values[k]) = (values[k], values[i]);
        }
        return values;
    }
}
