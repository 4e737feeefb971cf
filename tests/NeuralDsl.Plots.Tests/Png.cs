using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using SkiaSharp;
using Xunit;

namespace NeuralDsl.Plots.Tests;

/// <summary>Reads back what the plots wrote: the PNG signature, the IHDR size, the closing IEND chunk, and pixels.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts <paramref name="path"/> is a complete PNG and returns its (width, height) from the IHDR chunk.</summary>
    public static (int Width, int Height) Size(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8 + 25 + 12, $"{path}: {bytes.Length} bytes is too short for a PNG.");
        Assert.Equal(Signature, bytes[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)));   // IHDR's data length
        Assert.Equal("IHDR", Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal("IEND", Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4)); // the file is complete
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>The decoded image, to read pixels.</summary>
    public static SKBitmap Decode(string path) =>
        SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} does not decode as an image.");
}

/// <summary>A fresh folder per test, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ndsl-plots-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
