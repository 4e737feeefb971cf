using System;

namespace NeuralDsl;

/// <summary>Checks of the sizes and paths every plot takes, with messages naming what was expected and what came.</summary>
internal static class PlotSize
{
    /// <summary>Skia's surfaces are limited to 2^31 bytes; a plot is far smaller, so anything above this is a mistake.</summary>
    public const int MaxSide = 16_384;

    public static void CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
            throw new ArgumentException("The image path is empty; expected a file name such as \"training.png\".", nameof(path));
    }

    public static void CheckSide(int pixels, string name, int minimum = 1)
    {
        if (pixels < minimum || pixels > MaxSide)
            throw new ArgumentOutOfRangeException(name, pixels, $"{name} must be between {minimum} and {MaxSide} pixels; got {pixels}.");
    }

    /// <summary>Checks a composed image (panels, a grid of images): each side must stay within <see cref="MaxSide"/>.</summary>
    public static void CheckImage(long width, long height, string what)
    {
        if (width > MaxSide || height > MaxSide)
            throw new ArgumentException($"The {what} would be {width}×{height} pixels; each side must be at most {MaxSide}.");
    }
}
