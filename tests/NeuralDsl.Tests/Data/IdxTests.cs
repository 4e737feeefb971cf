using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using NeuralDsl.Tests.IO;
using Xunit;

namespace NeuralDsl.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_SmallFile_ScalesBytesBy1Over255(bool gzip)
    {
        byte[] pixels = [0, 255, 128, 1, 2, 3, 10, 20, 30, 40, 50, 60];
        string path = WriteIdx("images", Idx.ImagesMagic, [2, 2, 3], pixels, gzip);

        IdxImages<float> images = Idx.ReadImages(path);

        Assert.Equal((2, 2, 3, 6), (images.Count, images.Rows, images.Columns, images.ImageSize));
        Assert.Equal(12, images.Pixels.Length);
        Assert.Equal(0f, images.Pixels[0]);
        Assert.Equal(1f, images.Pixels[1]);
        Assert.Equal(128f / 255f, images.Pixels[2]);
        Assert.Equal(60f / 255f, images.Pixels[11]);

        IdxImages<double> doubles = Idx.ReadImages<double>(path);
        Assert.Equal(128.0 / 255.0, doubles.Pixels[2]);
        Assert.Equal(1.0, doubles.Pixels[1]);

        (byte[] raw, int count, int rows, int columns) = Idx.ReadImageBytes(path);
        Assert.Equal(pixels, raw);
        Assert.Equal((2, 2, 3), (count, rows, columns));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_SmallFile(bool gzip)
    {
        string path = WriteIdx("labels", Idx.LabelsMagic, [5], [3, 1, 4, 1, 5], gzip);
        Assert.Equal([3, 1, 4, 1, 5], Idx.ReadLabels(path));
    }

    [Fact]
    public void GzipIsRecognisedByContentNotName()
    {
        string path = WriteIdx("labels", Idx.LabelsMagic, [2], [7, 9], gzip: true);
        string renamed = _dir.File("labels.idx");
        File.Move(path, renamed);
        Assert.Equal([7, 9], Idx.ReadLabels(renamed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImages_NameExpectedAndActualByteCounts(bool gzip)
    {
        // Header says 3 images of 2×2 (16 + 12 bytes) but only 10 pixel bytes follow.
        string path = WriteIdx("images", Idx.ImagesMagic, [3, 2, 2], new byte[10], gzip);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        string unit = gzip ? "decompressed bytes" : "bytes";
        Assert.Equal($"IDX file '{path}': truncated: the header (3 images of 2×2) needs 28 {unit}, but the file has 26.", e.Message);
    }

    [Fact]
    public void TruncatedLabels_NameExpectedAndActualByteCounts()
    {
        string path = WriteIdx("labels", Idx.LabelsMagic, [100], new byte[60], gzip: false);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("the header (100 labels) needs 108 bytes, but the file has 68", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CutGzipStream_IsRejected()
    {
        string path = WriteIdx("images", Idx.ImagesMagic, [4, 8, 8], RandomBytes(256), gzip: true);
        byte[] compressed = File.ReadAllBytes(path);
        File.WriteAllBytes(path, compressed.AsSpan(0, compressed.Length / 2).ToArray());
        // Depending on where the cut falls, the decompressor reports corruption or the data simply ends early.
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.StartsWith($"IDX file '{path}': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraBytes_AreRejected()
    {
        string path = WriteIdx("labels", Idx.LabelsMagic, [3], [1, 2, 3, 4, 5], gzip: false);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("the header (3 labels) needs 11 bytes, but the file has 13", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongMagic_IsRejected()
    {
        string labels = WriteIdx("labels", Idx.LabelsMagic, [3], [1, 2, 3], gzip: true);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(labels));
        Assert.Equal($"IDX file '{labels}': magic number 0x00000801, expected 0x00000803 (images: unsigned bytes, 3 dimensions). This is a label file.", e.Message);

        string images = WriteIdx("images", Idx.ImagesMagic, [1, 1, 1], [9], gzip: false);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(images));
        Assert.Contains("magic number 0x00000803, expected 0x00000801 (labels: unsigned bytes, 1 dimension). This is an image file.", e.Message, StringComparison.Ordinal);

        // A float IDX array (type code 0x0D) is valid IDX but not what these readers handle.
        string floats = WriteIdx("floats", 0x00000D01, [1], [0, 0, 0, 0], gzip: false);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(floats));
        Assert.Contains("magic number 0x00000D01", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TinyFiles_AreRejected()
    {
        string path = _dir.File("tiny");
        File.WriteAllBytes(path, [0, 0]);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("the file has 2 bytes, too short for the 4-byte magic number", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 1]);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("truncated header: 8 bytes, expected 16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeDimension_IsRejected()
    {
        string path = WriteIdx("images", Idx.ImagesMagic, [2, -28, 28], [], gzip: false);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("dimension 1 is -28, which is negative", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedMnist_Has10000ImagesOf28x28AndBalancedLabels()
    {
        IdxImages<float> images = Idx.ReadImages(SampleData.File("mnist-10k-images-idx3-ubyte.gz"));
        byte[] labels = Idx.ReadLabels(SampleData.File("mnist-10k-labels-idx1-ubyte.gz"));

        Assert.Equal((10_000, 28, 28), (images.Count, images.Rows, images.Columns));
        Assert.Equal(10_000 * 784, images.Pixels.Length);
        Assert.Equal(10_000, labels.Length);

        // Fingerprints computed independently (Python's gzip and struct modules) from the same files.
        (byte[] raw, _, _, _) = Idx.ReadImageBytes(SampleData.File("mnist-10k-images-idx3-ubyte.gz"));
        long sum = 0, first = 0, last = 0;
        for (int i = 0; i < raw.Length; i++) sum += raw[i];
        for (int i = 0; i < 784; i++)
        {
            first += raw[i];
            last += raw[raw.Length - 784 + i];
        }
        Assert.Equal(262_146_600L, sum);
        Assert.Equal(25_376L, first);
        Assert.Equal(37_947L, last);
        Assert.Equal([3, 2, 0, 8, 6, 2, 5, 8, 0, 3], labels[..10]);

        var counts = new int[10];
        foreach (byte label in labels) counts[label]++;
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], counts);

        float min = float.MaxValue, max = float.MinValue;
        foreach (float p in images.Pixels)
        {
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }
        Assert.Equal((0f, 1f), (min, max));
    }

    private string WriteIdx(string name, int magic, int[] dims, byte[] payload, bool gzip)
    {
        var bytes = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        payload.CopyTo(bytes, 4 + 4 * dims.Length);
        string path = _dir.File(name + (gzip ? ".gz" : ""));
        if (gzip)
        {
            using FileStream file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Optimal);
            zip.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    private static byte[] RandomBytes(int count)
    {
        var rng = new Rng(11);
        var bytes = new byte[count];
        for (int i = 0; i < count; i++) bytes[i] = (byte)rng.NextUInt64();
        return bytes;
    }
}
