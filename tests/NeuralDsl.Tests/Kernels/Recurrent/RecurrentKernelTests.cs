using System;
using Xunit;

namespace NeuralDsl.Tests.Kernels;

/// <summary>
/// <see cref="Recurrent"/>'s layout helpers, dropout masks and argument checks, index by index. The cells' gate math
/// is checked through generated models (conformance fixtures and gradient checks through time).
/// </summary>
public sealed class RecurrentKernelTests
{
    [Theory]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(1, false)] // one copy of the whole sample
    [InlineData(1, true)]
    public void TimeMajorTransposeMovesEveryStepAndInverts(int batch, bool reverse)
    {
        const int steps = 4, features = 5;
        double[] x = KernelTestData.Uniform(batch * steps * features, -1, 1, 3);
        var xs = new double[x.Length];
        Recurrent.ToTimeMajor<double>(x, xs, steps, features, reverse);
        for (int t = 0; t < steps; t++)
        for (int b = 0; b < batch; b++)
        for (int f = 0; f < features; f++)
        {
            int s = reverse ? steps - 1 - t : t;
            Assert.Equal(x[(b * steps + s) * features + f], xs[(t * batch + b) * features + f]);
        }
        var back = new double[x.Length];
        Recurrent.FromTimeMajor<double>(xs, back, steps, features, reverse);
        Assert.Equal(x, back);
    }

    [Fact]
    public void ColumnBlocksCopyAndAddOnlyTheirColumns()
    {
        const int rows = 3, columns = 9, start = 6, width = 3;
        double[] m = KernelTestData.Uniform(rows * columns, -1, 1, 4);
        var block = new double[rows * width];
        Recurrent.CopyColumns<double>(m, block, columns, start, width);
        for (int r = 0; r < rows; r++)
        for (int j = 0; j < width; j++)
            Assert.Equal(m[r * columns + start + j], block[r * width + j]);

        double[] before = (double[])m.Clone();
        Recurrent.AddColumns<double>(block, m, columns, start, width);
        for (int r = 0; r < rows; r++)
        for (int j = 0; j < columns; j++)
            Assert.Equal(j >= start ? 2 * before[r * columns + j] : before[r * columns + j], m[r * columns + j]);
    }

    [Fact]
    public void DropoutMaskKeepsTheExpectedShareAndScalesIt()
    {
        var mask = new float[20_000];
        var rng = new Rng(7);
        Recurrent.DrawMask<float>(mask, 0.25, ref rng);
        int dropped = 0;
        foreach (float v in mask)
        {
            if (v == 0)
                dropped++;
            else
                Assert.Equal(1f / 0.75f, v);
        }
        // 20,000 draws at p = 0.25: the standard deviation of the share is 0.3 %.
        Assert.InRange(dropped / 20_000.0, 0.24, 0.26);

        var untouched = new Rng(7);
        ulong next = untouched.NextUInt64();
        var zero = new Rng(7);
        Recurrent.DrawMask<float>(mask, 0, ref zero);
        Assert.All(mask, v => Assert.Equal(1f, v));
        Assert.Equal(next, zero.NextUInt64()); // a zero rate draws nothing
    }

    [Fact]
    public void MultiplyStepsAppliesTheSameMaskToEveryStep()
    {
        double[] xs = KernelTestData.Uniform(3 * 4, -1, 1, 9);
        double[] original = (double[])xs.Clone();
        double[] mask = [0, 2, 0.5, 1];
        Recurrent.MultiplySteps<double>(xs, mask);
        for (int i = 0; i < xs.Length; i++)
            Assert.Equal(original[i] * mask[i % 4], xs[i]);
    }

    [Fact]
    public void WrongSizesThrowNamingExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => Recurrent.ToTimeMajor<float>(new float[24], new float[23], 4, 3));
        Assert.Contains("24", e.Message);
        Assert.Contains("23", e.Message);

        var gates = Assert.Throws<ArgumentException>(() =>
            Recurrent.LstmForward<float>(new float[30], new float[8], new float[8], new float[8], new float[8], 4, Activation.Tanh, Activation.Sigmoid));
        Assert.Contains("30", gates.Message);
        Assert.Contains("16", gates.Message);

        var state = Assert.Throws<ArgumentException>(() =>
            Recurrent.GruForward<float>(new float[24], new float[24], new float[7], new float[8], 4, Activation.Tanh, Activation.Sigmoid));
        Assert.Contains("8", state.Message);
        Assert.Contains("7", state.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Recurrent.SimpleForward<float>(new float[4], new float[4], 4, Activation.Softmax));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Recurrent.CopyColumns<float>(new float[12], new float[6], 6, 4, 3));
    }
}
