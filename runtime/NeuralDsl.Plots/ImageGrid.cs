using System;
using System.Numerics;
using SkiaSharp;

namespace NeuralDsl;

/// <summary>A grid of grayscale images as one PNG: a batch of digits, a GAN's samples, a layer's filters.</summary>
public static class ImageGrid
{
    /// <summary>Pixels between neighbouring images and around the grid.</summary>
    public const int Gap = 2;

    /// <summary>
    /// Saves N grayscale images of <paramref name="height"/> × <paramref name="width"/> pixels, row-major one after
    /// another in <paramref name="pixels"/> (N = pixels.Length / (height · width), e.g. a slice of
    /// <c>IdxImages.Pixels</c> or a generator's output), as a grid of <paramref name="columns"/> images per row.
    /// </summary>
    /// <remarks>
    /// <paramref name="minimum"/> is drawn black and <paramref name="maximum"/> white (values beyond them are clipped),
    /// so a tanh generator's samples take (−1, 1). Each image pixel becomes a <paramref name="scale"/> ×
    /// <paramref name="scale"/> square, and <see cref="Gap"/> mid-grey pixels separate the images, so the image is
    /// <c>c · width · scale + (c + 1) · Gap</c> by <c>r · height · scale + (r + 1) · Gap</c> pixels for
    /// <c>c = min(N, columns)</c> columns and <c>r = ceil(N / c)</c> rows; unused cells of the last row stay grey.
    /// </remarks>
    /// <param name="path">The PNG file to write (replaced if it exists; written to a temporary file and renamed).</param>
    /// <param name="pixels">The images' values, N · height · width of them.</param>
    /// <param name="height">Rows of one image.</param>
    /// <param name="width">Columns of one image.</param>
    /// <param name="columns">Images per grid row.</param>
    /// <param name="minimum">The value drawn black.</param>
    /// <param name="maximum">The value drawn white.</param>
    /// <param name="scale">Screen pixels per image pixel along each side.</param>
    /// <exception cref="ArgumentException">
    /// The length is not a positive multiple of height · width, a value is NaN, minimum ≥ maximum, or a size is out of range.
    /// </exception>
    public static void Save<T>(string path, ReadOnlySpan<T> pixels, int height, int width, int columns = 10,
        double minimum = 0, double maximum = 1, int scale = 2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        PlotSize.CheckPath(path);
        PlotSize.CheckSide(height, nameof(height));
        PlotSize.CheckSide(width, nameof(width));
        if (columns < 1)
            throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns must be at least 1 image per row; got {columns}.");
        if (scale < 1 || scale > 64)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale must be between 1 and 64; got {scale}.");
        if (!(double.IsFinite(minimum) && double.IsFinite(maximum) && minimum < maximum))
            throw new ArgumentException($"Expected finite minimum < maximum; got minimum {minimum} and maximum {maximum}.", nameof(minimum));
        long imageSize = (long)height * width;
        if (pixels.IsEmpty || pixels.Length % imageSize != 0)
            throw new ArgumentException(
                $"Expected a positive multiple of {height}×{width} = {imageSize} values (one {height}×{width} image each); got {pixels.Length}"
                + (pixels.IsEmpty ? "." : $", {pixels.Length / imageSize} images and {pixels.Length % imageSize} values over."),
                nameof(pixels));

        int count = (int)(pixels.Length / imageSize);
        int gridColumns = Math.Min(count, columns);
        int gridRows = (count + gridColumns - 1) / gridColumns;
        long gridWidth = (long)gridColumns * width * scale + (gridColumns + 1L) * Gap;
        long gridHeight = (long)gridRows * height * scale + (gridRows + 1L) * Gap;
        PlotSize.CheckImage(gridWidth, gridHeight, "image grid");

        using var bitmap = new SKBitmap(new SKImageInfo((int)gridWidth, (int)gridHeight, SKColorType.Gray8, SKAlphaType.Opaque));
        Span<byte> canvas = bitmap.GetPixelSpan();
        canvas.Fill(128);
        int stride = bitmap.RowBytes;
        double range = maximum - minimum;
        for (int n = 0; n < count; n++)
        {
            int left = Gap + n % gridColumns * (width * scale + Gap);
            int top = Gap + n / gridColumns * (height * scale + Gap);
            ReadOnlySpan<T> image = pixels.Slice((int)(n * imageSize), (int)imageSize);
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    double value = double.CreateTruncating(image[r * width + c]);
                    if (double.IsNaN(value))
                        throw new ArgumentException($"Expected numbers; image {n} has NaN at row {r}, column {c} (value index {n * imageSize + r * width + c}).", nameof(pixels));
                    byte gray = (byte)Math.Round(255 * Math.Clamp((value - minimum) / range, 0, 1));
                    for (int dy = 0; dy < scale; dy++)
                        canvas.Slice((top + r * scale + dy) * stride + left + c * scale, scale).Fill(gray);
                }
            }
        }
        using SKImage snapshot = SKImage.FromBitmap(bitmap);
        PngFile.Save(path, snapshot);
    }
}
