using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras output-size rules for sliding windows (convolution and pooling), one axis at a time: 'valid' drops windows
/// that do not fit, 'same' gives ceil(in / stride) and pads the extra cell at the end. The runtime's geometry records
/// apply the same rules; the conformance tests hold both to the fixtures' padding.
/// </summary>
internal static class WindowGeometry
{
    /// <summary>The output length along one axis, or null after reporting a window that leaves no output.</summary>
    public static int? OutputLength(int input, int window, int stride, int dilation, Padding padding, string layer, string axis,
        LocationInfo? location, ShapeContext context)
    {
        int span = (window - 1) * dilation + 1;
        if (padding == Padding.Same)
            return (input + stride - 1) / stride;
        if (span > input)
        {
            context.Report(DiagnosticDescriptors.WindowLargerThanInput, location, layer, axis,
                span.ToString(CultureInfo.InvariantCulture), input.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        return (input - span) / stride + 1;
    }

    /// <summary>Reports the first non-positive value among the named sizes; true when all are positive.</summary>
    public static bool AllPositive(ShapeContext context, LocationInfo? location, params (string Name, int Value)[] sizes)
    {
        foreach ((string name, int value) in sizes)
        {
            if (value <= 0)
            {
                context.Report(DiagnosticDescriptors.NonPositiveSize, location, name, value.ToString(CultureInfo.InvariantCulture));
                return false;
            }
        }
        return true;
    }
}
