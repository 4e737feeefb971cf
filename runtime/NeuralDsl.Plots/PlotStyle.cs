using System;
using System.Linq;
using ScottPlot;
using SkiaSharp;

namespace NeuralDsl;

/// <summary>The look shared by every plot: a sans-serif font where one is installed.</summary>
internal static class PlotStyle
{
    /// <summary>
    /// Sans-serif families in order of preference. ScottPlot takes Skia's default typeface, which on Linux without
    /// fontconfig is the first family found in the font folders (DejaVu Serif on Debian), so one is chosen here.
    /// </summary>
    private static readonly string[] SansFamilies = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI", "Noto Sans", "Open Sans"];

    private static readonly Lazy<string?> Sans = new(() =>
    {
        string[] installed = SKFontManager.Default.GetFontFamilies();
        return SansFamilies.FirstOrDefault(family => installed.Contains(family, StringComparer.OrdinalIgnoreCase));
    });

    /// <summary>The sans-serif family used for all text, or null to keep ScottPlot's default.</summary>
    public static string? FontName => Sans.Value;

    /// <summary>Applies the font to the titles, axis labels, tick labels and legend drawn so far.</summary>
    public static void ApplyFont(Plot plot)
    {
        if (FontName is not null) plot.Font.Set(FontName);
    }

    /// <summary>Renders <paramref name="plot"/> into its own surface and draws it at (left, top) of <paramref name="canvas"/>.</summary>
    /// <remarks>ScottPlot clears the whole canvas before drawing, so panels cannot share one canvas directly.</remarks>
    public static void RenderAt(Plot plot, SKCanvas canvas, int left, int top, int width, int height)
    {
        using SKSurface panel = PngFile.CreateSurface(width, height);
        plot.Render(panel);
        using SKImage image = panel.Snapshot();
        canvas.DrawImage(image, left, top);
    }
}
