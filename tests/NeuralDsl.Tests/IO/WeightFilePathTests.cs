using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Xunit;

namespace NeuralDsl.Tests.IO;

/// <summary>
/// Weight-file paths that are not plain files: a FIFO, a directory, a missing or non-directory parent, leftover
/// temporary files of an earlier save and a directory that has a temporary file's name.
/// </summary>
public sealed class WeightFilePathTests : IDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_FromAFifo_IsRefusedAtOnce_NamingWhatThePathIs()
    {
        if (!OperatingSystem.IsLinux()) return; // mkfifo and the statx check are Linux-only
        string path = MakeFifo("w.safetensors");
        var model = new TinyModel<float>(seed: 3);
        byte[] before = Bits(model);

        Exception? thrown = RunWithoutHanging(path, () => model.LoadWeights(path));

        IOException e = Assert.IsType<IOException>(thrown);
        Assert.Equal($"Weight file '{path}' is a named pipe (FIFO), expected a regular file.", e.Message);
        Assert.Equal(before, Bits(model));
    }

    [Fact]
    public void Read_FromAFifo_IsRefusedAtOnce()
    {
        if (!OperatingSystem.IsLinux()) return;
        string path = MakeFifo("x.safetensors");

        Exception? thrown = RunWithoutHanging(path, () => SafeTensors.Read(path));

        IOException e = Assert.IsType<IOException>(thrown);
        Assert.Equal($"Safetensors file '{path}' is a named pipe (FIFO), expected a regular file.", e.Message);
    }

    [Fact]
    public void Load_FromADirectory_SaysItIsADirectory()
    {
        string path = _dir.File("weights");
        Directory.CreateDirectory(path);
        var model = new TinyModel<float>(seed: 3);
        byte[] before = Bits(model);

        IOException e = Assert.Throws<IOException>(() => model.LoadWeights(path));

        Assert.Equal($"Weight file '{path}' is a directory, expected a regular file.", e.Message);
        Assert.Equal(before, Bits(model));
    }

    [Fact]
    public void Save_IntoAMissingDirectory_NamesTheTargetNotTheTemporaryFile()
    {
        string path = Path.Combine(_dir.Path, "no-such-dir", "w.safetensors");

        DirectoryNotFoundException e = Assert.Throws<DirectoryNotFoundException>(() => new TinyModel<float>().SaveWeights(path));

        Assert.StartsWith($"Cannot save '{path}': ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_BelowAFile_NamesTheTargetNotTheTemporaryFile()
    {
        string file = _dir.File("plain.txt");
        File.WriteAllText(file, "not a directory");
        string path = Path.Combine(file, "w.safetensors");

        IOException e = Assert.ThrowsAny<IOException>(() => new TinyModel<float>().SaveWeights(path));

        Assert.StartsWith($"Cannot save '{path}': ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
        Assert.Equal("not a directory", File.ReadAllText(file));
    }

    [Fact]
    public void Save_RemovesStaleTemporaryFilesOfTheSameTarget_AndNothingElse()
    {
        // What two killed saves of w.safetensors leave behind: the predictable name and a random-suffix name.
        string path = _dir.File("w.safetensors");
        File.WriteAllBytes(path + ".tmp", new byte[5000]);
        File.WriteAllBytes(_dir.File("w.safetensors.0badf00d.tmp"), new byte[5000]);
        // Look-alikes that this library never writes for w.safetensors: a user's files, another target's temporary file.
        string[] keep =
        [
            "other.safetensors.tmp", "w.safetensors.backup.tmp", "w.safetensors.0BADF00D.tmp", "w.safetensors.0badf00.tmp",
            "w.safetensors.tmp.txt", "xw.safetensors.tmp",
        ];
        foreach (string name in keep) File.WriteAllText(_dir.File(name), name);

        var model = new TinyModel<float>(seed: 9);
        model.SaveWeights(path);

        string[] expected = ["w.safetensors", .. keep];
        Array.Sort(expected, StringComparer.Ordinal);
        Assert.Equal(expected, _dir.FileNames());
        foreach (string name in keep) Assert.Equal(name, File.ReadAllText(_dir.File(name)));
        AssertLoadsAs(model, path);
    }

    [Fact]
    public void Save_LeavesATemporaryFileThatIsStillBeingWrittenAlone()
    {
        // Another save of the same target in progress holds its temporary file open the way AtomicFile does.
        string path = _dir.File("w.safetensors");
        using (var inProgress = new FileStream(path + ".tmp", FileMode.CreateNew, FileAccess.Write, FileShare.Delete))
        {
            inProgress.Write([1, 2, 3]);
            inProgress.Flush();

            var model = new TinyModel<float>(seed: 9);
            model.SaveWeights(path);

            AssertLoadsAs(model, path);
            Assert.Equal(["w.safetensors", "w.safetensors.tmp"], _dir.FileNames());
        }
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path + ".tmp"));
    }

    [Fact]
    public void Save_WithADirectoryNamedLikeTheTemporaryFile_SucceedsAndLeavesTheDirectory()
    {
        string path = _dir.File("w.safetensors");
        Directory.CreateDirectory(path + ".tmp");
        File.WriteAllText(Path.Combine(path + ".tmp", "inside.txt"), "user data");

        var model = new TinyModel<float>(seed: 9);
        model.SaveWeights(path);

        AssertLoadsAs(model, path);
        Assert.Equal(["w.safetensors"], _dir.FileNames());
        Assert.Equal("user data", File.ReadAllText(Path.Combine(path + ".tmp", "inside.txt")));
    }

    [Fact]
    public void Save_WithAFifoNamedLikeTheTemporaryFile_NeitherHangsNorRemovesIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        string path = _dir.File("w.safetensors");
        string fifo = MakeFifo("w.safetensors.tmp");
        var model = new TinyModel<float>(seed: 9);

        Exception? thrown = RunWithoutHanging(fifo, () => model.SaveWeights(path));

        Assert.Null(thrown);
        AssertLoadsAs(model, path);
        Assert.True(File.Exists(fifo));
    }

    private string MakeFifo(string name)
    {
        string path = _dir.File(name);
        using Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns what it threw (null if nothing), failing instead of hanging when it
    /// does not finish in time; a reader stuck on <paramref name="fifo"/> is then released by opening its other end.
    /// </summary>
    private static Exception? RunWithoutHanging(string fifo, Action action)
    {
        Task run = Task.Factory.StartNew(action, TaskCreationOptions.LongRunning);
        if (Task.WaitAny([run], HangLimit) < 0)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail($"The call did not return within {HangLimit.TotalSeconds} s on the FIFO '{fifo}'.");
        }
        return run.Exception?.InnerException;
    }

    private static void AssertLoadsAs(TinyModel<float> saved, string path)
    {
        var loaded = new TinyModel<float>(seed: 123);
        loaded.LoadWeights(path);
        Assert.Equal(Bits(saved), Bits(loaded));
    }

    private static byte[] Bits(IModel<float> model) => MemoryMarshal.AsBytes(model.Parameters).ToArray();
}
