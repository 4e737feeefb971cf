using System;
using System.IO;
using SkiaSharp;
using Xunit;

namespace NeuralDsl.Plots.Tests;

public sealed class ImageGridTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Twelve_digits_in_rows_of_five_make_the_documented_size()
    {
        string path = _folder.File("digits.png");

        ImageGrid.Save<float>(path, new float[12 * 28 * 28], height: 28, width: 28, columns: 5, scale: 2);

        // 5 columns and 3 rows of 56-pixel images with a 2-pixel gap around each.
        Assert.Equal((5 * 56 + 6 * ImageGrid.Gap, 3 * 56 + 4 * ImageGrid.Gap), Png.Size(path));
    }

    [Fact]
    public void Fewer_images_than_columns_make_one_row_of_that_many()
    {
        string path = _folder.File("three.png");

        ImageGrid.Save<double>(path, new double[3 * 4 * 6], height: 4, width: 6, columns: 10, scale: 1);

        Assert.Equal((3 * 6 + 4 * ImageGrid.Gap, 4 + 2 * ImageGrid.Gap), Png.Size(path));
    }

    [Fact]
    public void The_range_maps_to_black_and_white_and_clips_beyond_it()
    {
        string path = _folder.File("range.png");
        // One 1×4 image over [-1, 1]: -1 black, 0 mid-grey, 1 white, 3 clipped to white.
        ImageGrid.Save<float>(path, [-1f, 0f, 1f, 3f], height: 1, width: 4, minimum: -1, maximum: 1, scale: 1);

        using SKBitmap image = Png.Decode(path);
        int y = ImageGrid.Gap, x = ImageGrid.Gap;
        Assert.Equal(new byte[] { 0, 128, 255, 255 }, new[] { Red(image, x, y), Red(image, x + 1, y), Red(image, x + 2, y), Red(image, x + 3, y) });
    }

    [Fact]
    public void Pixels_of_the_wrong_length_throw_naming_the_image_size_and_the_length()
    {
        string path = _folder.File("x.png");
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save<float>(path, new float[1000], height: 28, width: 28));
        Assert.Contains("Expected a positive multiple of 28×28 = 784 values (one 28×28 image each); got 1000, 1 images and 216 values over", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void No_pixels_throw()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save<float>(_folder.File("x.png"), [], height: 2, width: 2));
        Assert.Contains("got 0.", error.Message);
    }

    [Fact]
    public void A_nan_pixel_throws_naming_its_place()
    {
        var pixels = new float[2 * 3 * 3];
        pixels[9 + 5] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save<float>(_folder.File("x.png"), pixels, height: 3, width: 3));
        Assert.Contains("image 1 has NaN at row 1, column 2 (value index 14)", error.Message);
    }

    [Fact]
    public void An_empty_range_throws()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save<float>(_folder.File("x.png"), new float[4], 2, 2, minimum: 1, maximum: 1));
        Assert.Contains("Expected finite minimum < maximum; got minimum 1 and maximum 1", error.Message);
    }

    [Fact]
    public void Zero_columns_throw_naming_the_argument()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Save<float>(_folder.File("x.png"), new float[4], 2, 2, columns: 0));
        Assert.Equal("columns", error.ParamName);
        Assert.Contains("columns must be at least 1 image per row; got 0", error.Message);
    }

    private static byte Red(SKBitmap image, int x, int y) => image.GetPixel(x, y).Red;
}
