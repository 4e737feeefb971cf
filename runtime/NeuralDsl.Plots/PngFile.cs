using System;
using System.IO;
using SkiaSharp;

namespace NeuralDsl;

/// <summary>
/// Where every plot becomes a file: a PNG encoded from a Skia surface and written through <see cref="AtomicFile"/>
/// (the runtime's source, compiled into this assembly), so a failed or interrupted save leaves the previous file (or
/// none), never half a PNG.
/// </summary>
internal static class PngFile
{
    /// <summary>A white canvas of <paramref name="width"/> × <paramref name="height"/> pixels to draw on.</summary>
    public static SKSurface CreateSurface(int width, int height)
    {
        SKSurface surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {width}×{height} drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        return surface;
    }

    /// <summary>Encodes what was drawn on <paramref name="surface"/> as PNG into <paramref name="path"/>.</summary>
    public static void Save(string path, SKSurface surface)
    {
        using SKImage image = surface.Snapshot();
        Save(path, image);
    }

    /// <summary>Encodes <paramref name="image"/> as PNG into <paramref name="path"/>.</summary>
    public static void Save(string path, SKImage image)
    {
        using SKData png = image.Encode(SKEncodedImageFormat.Png, quality: 100)
            ?? throw new InvalidOperationException($"Skia could not encode the {image.Width}×{image.Height} image as PNG for '{path}'.");
        Write(path, png.SaveTo);
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="writePng"/> atomically (temporary file, then rename).</summary>
    internal static void Write(string path, Action<Stream> writePng) => AtomicFile.Write(path, writePng);
}
