using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NeuralDsl.Plots.Tests;

/// <summary>Every plot is saved through <see cref="PngFile"/>; a save that fails midway must leave the old file whole.</summary>
public sealed class PngFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_write_that_fails_halfway_leaves_the_previous_file_and_no_temporary_file()
    {
        string path = _folder.File("training.png");
        HistoryPlotTests.Logged(["loss"], epochs: 3).SavePlot(path);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => PngFile.Write(path, stream =>
        {
            stream.Write(before.AsSpan(0, before.Length / 2));
            throw new IOException("disk full");
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["training.png"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Saving_again_replaces_the_file_whole()
    {
        string path = _folder.File("grid.png");
        ImageGrid.Save<float>(path, new float[4], height: 2, width: 2, scale: 1);
        ImageGrid.Save<float>(path, new float[8], height: 2, width: 2, scale: 1);

        Assert.Equal((2 * 2 + 3 * ImageGrid.Gap, 2 + 2 * ImageGrid.Gap), Png.Size(path));
        Assert.Single(Directory.GetFiles(_folder.Path));
    }
}
