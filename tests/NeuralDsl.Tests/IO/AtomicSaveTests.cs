using System;
using System.IO;
using System.Runtime.InteropServices;
using Xunit;

namespace NeuralDsl.Tests.IO;

public sealed class AtomicSaveTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Save_LeavesOnlyTheTargetFile()
    {
        new TinyModel<float>().SaveWeights(_dir.File("w.safetensors"));
        Assert.Equal(["w.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void Save_ReplacesAnExistingFileWhole()
    {
        string path = _dir.File("w.safetensors");
        File.WriteAllBytes(path, new byte[100_000]); // longer than the new file: no stale tail may survive
        var model = new TinyModel<double>(seed: 7);
        model.SaveWeights(path);
        var loaded = new TinyModel<double>(seed: 8);
        loaded.LoadWeights(path);
        Assert.Equal(MemoryMarshal.AsBytes(model.Parameters).ToArray(), MemoryMarshal.AsBytes(loaded.Parameters).ToArray());
        Assert.Equal(["w.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void Save_IntoAMissingDirectory_ThrowsAndCreatesNothing()
    {
        string missing = Path.Combine(_dir.Path, "no-such-dir");
        Assert.Throws<DirectoryNotFoundException>(() => new TinyModel<float>().SaveWeights(Path.Combine(missing, "w.safetensors")));
        Assert.False(Directory.Exists(missing));
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void Save_OntoADirectory_ThrowsAndLeavesNoTemporaryFile()
    {
        string target = _dir.File("w.safetensors");
        Directory.CreateDirectory(target);
        IOException e = Assert.Throws<IOException>(() => new TinyModel<float>().SaveWeights(target));
        Assert.Contains("it is a directory", e.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void FailedWrite_KeepsTheOldFileAndRemovesTheTemporaryFile()
    {
        string path = _dir.File("w.safetensors");
        byte[] old = [1, 2, 3];
        File.WriteAllBytes(path, old);
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[5000]);
            throw new InvalidOperationException("disk full (simulated)");
        }));
        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(["w.safetensors"], _dir.FileNames());
    }
}
