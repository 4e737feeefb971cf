using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>Conv2D(filters, kernel_size, strides, padding, dilation_rate, activation, use_bias, ...)</c> on NHWC
/// (height, width, channels) samples; kernel (kh, kw, in, filters).
/// </summary>
internal sealed partial record Conv2DSpec(
    int Filters,
    int KernelHeight,
    int KernelWidth,
    Activation Activation,
    int StrideHeight,
    int StrideWidth,
    int Dilation,
    Padding Padding,
    bool UseBias,
    Initializer KernelInitializer,
    Initializer BiasInitializer,
    string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location)
    {
        bool square = a.HasParameter("kernelSize");
        int strides = a.NamedInt("Strides", 1);
        return new Conv2DSpec(
            Filters: a.Int("filters"),
            KernelHeight: square ? a.Int("kernelSize") : a.Int("kernelHeight"),
            KernelWidth: square ? a.Int("kernelSize") : a.Int("kernelWidth"),
            Activation: (Activation)a.Int("activation", (int)Activation.Linear),
            StrideHeight: a.NamedInt("StrideHeight", 0) is var sh && sh != 0 ? sh : strides,
            StrideWidth: a.NamedInt("StrideWidth", 0) is var sw && sw != 0 ? sw : strides,
            Dilation: a.NamedInt("Dilation", 1),
            Padding: (Padding)a.NamedInt("Padding", (int)Padding.Valid),
            UseBias: a.NamedBool("UseBias", true),
            KernelInitializer: (Initializer)a.NamedInt("KernelInitializer", (int)Initializer.GlorotUniform),
            BiasInitializer: (Initializer)a.NamedInt("BiasInitializer", (int)Initializer.Zeros),
            ExplicitName: a.NamedString("Name"),
            Location: location);
    }

    public override string KerasType => "Conv2D";

    public override string NamePrefix => "conv2d";

    public override IEnumerable<ConfigEntry> Config =>
    [
        ConfigEntry.Int("filters", Filters), ConfigEntry.Ints("kernel_size", KernelHeight, KernelWidth), ConfigEntry.Ints("strides", StrideHeight, StrideWidth),
        ConfigEntry.Padding(Padding), ConfigEntry.Ints("dilation_rate", Dilation, Dilation), ConfigEntry.Activation("activation", Activation),
        ConfigEntry.Bool("use_bias", UseBias),
    ];

    public override string Describe() =>
        "Conv2D(" + Filters.ToString(CultureInfo.InvariantCulture) + ", " + KernelHeight.ToString(CultureInfo.InvariantCulture) + "×" +
        KernelWidth.ToString(CultureInfo.InvariantCulture) +
        (StrideHeight != 1 || StrideWidth != 1 ? ", strides " + StrideHeight.ToString(CultureInfo.InvariantCulture) + "×" + StrideWidth.ToString(CultureInfo.InvariantCulture) : "") +
        (Dilation != 1 ? ", dilation " + Dilation.ToString(CultureInfo.InvariantCulture) : "") +
        (Padding == Padding.Same ? ", same" : "") +
        (Activation == Activation.Linear ? "" : ", " + Activation) + (UseBias ? "" : ", no bias") + ")";

    public override Activation FinalActivation => Activation;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Activation, Location) | !context.IsDefined(Padding, Location) |
            !context.IsDefined(KernelInitializer, Location) | !context.IsDefined(BiasInitializer, Location))
            return null;
        if (!WindowGeometry.AllPositive(context, Location, ("Conv2D filters", Filters), ("Conv2D kernel height", KernelHeight),
                ("Conv2D kernel width", KernelWidth), ("Conv2D stride", StrideHeight), ("Conv2D stride", StrideWidth), ("Conv2D dilation", Dilation)))
            return null;
        if (Dilation > 1 && (StrideHeight > 1 || StrideWidth > 1))
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "Conv2D dilation", "1 when a stride is greater than 1 (as in Keras)",
                Dilation.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (input.Rank != 3)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, "Conv2D", "3", "height, width, channels", input.ToString());
            return null;
        }
        int? height = WindowGeometry.OutputLength(input.Dimensions[0], KernelHeight, StrideHeight, Dilation, Padding, "Conv2D", "kernel height", Location, context);
        if (height is null)
            return null; // one diagnostic per layer: the width is not checked after the height failed
        int? width = WindowGeometry.OutputLength(input.Dimensions[1], KernelWidth, StrideWidth, Dilation, Padding, "Conv2D", "kernel width", Location, context);
        if (width is null)
            return null;
        // The runtime sizes one sample's im2col matrix (output pixels × patch) in int.
        long im2col = (long)height.Value * width.Value * KernelHeight * KernelWidth * input.Dimensions[2];
        return context.FitsIndex(im2col, Location) ? new Shape(height.Value, width.Value, Filters) : null;
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        int channels = input.Last;
        int receptive = KernelHeight * KernelWidth;
        yield return new ParameterSpec("kernel", new EquatableArray<int>([KernelHeight, KernelWidth, channels, Filters]),
            KernelInitializer, receptive * channels, receptive * Filters);
        if (UseBias)
            yield return new ParameterSpec("bias", new EquatableArray<int>([Filters]), BiasInitializer, receptive * channels, receptive * Filters);
    }
}
