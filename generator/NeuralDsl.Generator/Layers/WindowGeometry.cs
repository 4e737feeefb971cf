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
    /// <summary>
    /// The output length along one axis, or null after reporting a window that leaves no output (NDSL1006) or a padded
    /// axis too long to index (NDSL2001). Computed in 64 bits: the arguments may be anything up to <see cref="int.MaxValue"/>.
    /// </summary>
    public static int? OutputLength(int input, int window, int stride, int dilation, Padding padding, string layer, string axis,
        LocationInfo? location, ShapeContext context)
    {
        long span = (long)(window - 1) * dilation + 1;
        long output;
        if (padding == Padding.Same)
            output = (input + (long)stride - 1) / stride;
        else if (span > input)
        {
            context.Report(DiagnosticDescriptors.WindowLargerThanInput, location, layer, axis,
                span.ToString(CultureInfo.InvariantCulture), input.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        else
            output = (input - span) / stride + 1;
        // The runtime geometry pads and walks the padded axis with int offsets: (output − 1)·stride + span (the input
        // plus its 'same' padding) must stay addressable like any tensor.
        long padded = System.Math.Max((output - 1) * stride + span, input);
        return context.FitsIndex(padded, location) ? (int)output : null;
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

    /// <summary>
    /// The shape rule of a 2-D pooling layer (MaxPooling2D, AveragePooling2D): strides default to the pool size, the
    /// input must be (height, width, channels), and the channels pass through. Null after reporting why.
    /// </summary>
    public static Shape? Pool2D(string layer, Shape input, int poolHeight, int poolWidth, int strides, Padding padding,
        LocationInfo? location, ShapeContext context)
    {
        if (!context.IsDefined(padding, location))
            return null;
        if (strides < 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, location, layer + " stride", strides.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (!AllPositive(context, location, (layer + " pool height", poolHeight), (layer + " pool width", poolWidth)))
            return null;
        if (input.Rank != 3)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, location, layer, "3", "height, width, channels", input.ToString());
            return null;
        }
        int? height = OutputLength(input.Dimensions[0], poolHeight, strides == 0 ? poolHeight : strides, 1, padding, layer, "pool height", location, context);
        if (height is null)
            return null; // one diagnostic per layer: the width is not checked after the height failed
        int? width = OutputLength(input.Dimensions[1], poolWidth, strides == 0 ? poolWidth : strides, 1, padding, layer, "pool width", location, context);
        return width is { } w ? new Shape(height.Value, w, input.Dimensions[2]) : null;
    }

    /// <summary>Summary text of a 2-D pooling layer: <c>MaxPooling2D(2×2, strides 1, same)</c>.</summary>
    public static string DescribePool2D(string layer, int poolHeight, int poolWidth, int strides, Padding padding) =>
        layer + "(" + poolHeight.ToString(CultureInfo.InvariantCulture) + "×" + poolWidth.ToString(CultureInfo.InvariantCulture) +
        (strides != 0 ? ", strides " + strides.ToString(CultureInfo.InvariantCulture) : "") + (padding == Padding.Same ? ", same" : "") + ")";
}
