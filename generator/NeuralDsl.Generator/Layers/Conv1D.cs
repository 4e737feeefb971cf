using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Keras <c>Conv1D(filters, kernel_size, strides, padding, dilation_rate, activation, use_bias, ...)</c> on
/// (steps, channels) samples; kernel (k, in, filters). The runtime runs it as a Conv2D with one row.
/// </summary>
internal sealed partial record Conv1DSpec(
    int Filters,
    int KernelSize,
    Activation Activation,
    int Strides,
    int Dilation,
    Padding Padding,
    bool UseBias,
    Initializer KernelInitializer,
    Initializer BiasInitializer,
    string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec Parse(AttributeArguments a, LocationInfo? location) =>
        new Conv1DSpec(
            Filters: a.Int("filters"),
            KernelSize: a.Int("kernelSize"),
            Activation: (Activation)a.Int("activation", (int)Activation.Linear),
            Strides: a.NamedInt("Strides", 1),
            Dilation: a.NamedInt("Dilation", 1),
            Padding: (Padding)a.NamedInt("Padding", (int)Padding.Valid),
            UseBias: a.NamedBool("UseBias", true),
            KernelInitializer: (Initializer)a.NamedInt("KernelInitializer", (int)Initializer.GlorotUniform),
            BiasInitializer: (Initializer)a.NamedInt("BiasInitializer", (int)Initializer.Zeros),
            ExplicitName: a.NamedString("Name"),
            Location: location);

    public override string KerasType => "Conv1D";

    public override string NamePrefix => "conv1d";

    public override IEnumerable<ConfigEntry> Config =>
    [
        ConfigEntry.Int("filters", Filters), ConfigEntry.Ints("kernel_size", KernelSize), ConfigEntry.Ints("strides", Strides),
        ConfigEntry.Padding(Padding), ConfigEntry.Ints("dilation_rate", Dilation), ConfigEntry.Activation("activation", Activation),
        ConfigEntry.Bool("use_bias", UseBias),
    ];

    public override string Describe() =>
        "Conv1D(" + Filters.ToString(CultureInfo.InvariantCulture) + ", " + KernelSize.ToString(CultureInfo.InvariantCulture) +
        (Strides != 1 ? ", strides " + Strides.ToString(CultureInfo.InvariantCulture) : "") +
        (Dilation != 1 ? ", dilation " + Dilation.ToString(CultureInfo.InvariantCulture) : "") +
        (Padding == Padding.Same ? ", same" : "") +
        (Activation == Activation.Linear ? "" : ", " + Activation) + (UseBias ? "" : ", no bias") + ")";

    public override Activation FinalActivation => Activation;

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Activation, Location) | !context.IsDefined(Padding, Location) |
            !context.IsDefined(KernelInitializer, Location) | !context.IsDefined(BiasInitializer, Location))
            return null;
        if (!WindowGeometry.AllPositive(context, Location, ("Conv1D filters", Filters), ("Conv1D kernel size", KernelSize),
                ("Conv1D stride", Strides), ("Conv1D dilation", Dilation)))
            return null;
        if (Dilation > 1 && Strides > 1)
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, "Conv1D dilation", "1 when the stride is greater than 1 (as in Keras)",
                Dilation.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (input.Rank != 2)
        {
            context.Report(DiagnosticDescriptors.WrongInputRank, Location, "Conv1D", "2", "steps, channels", input.ToString());
            return null;
        }
        int? steps = WindowGeometry.OutputLength(input.Dimensions[0], KernelSize, Strides, Dilation, Padding, "Conv1D", "kernel size", Location, context);
        if (steps is not { } s)
            return null;
        // The runtime sizes one sample's im2col matrix (output steps × patch) in int.
        return context.FitsIndex((long)s * KernelSize * input.Dimensions[1], Location) ? new Shape(s, Filters) : null;
    }

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        int channels = input.Last;
        yield return new ParameterSpec("kernel", new EquatableArray<int>([KernelSize, channels, Filters]),
            KernelInitializer, KernelSize * channels, KernelSize * Filters);
        if (UseBias)
            yield return new ParameterSpec("bias", new EquatableArray<int>([Filters]), BiasInitializer, KernelSize * channels, KernelSize * Filters);
    }
}
