using System.Collections.Generic;
using System.Globalization;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>The cell of a recurrent layer; the value is the number of gate blocks in its kernels.</summary>
internal enum RecurrentCell
{
    /// <summary>SimpleRNN: one block.</summary>
    Simple = 1,

    /// <summary>GRU: z, r, h.</summary>
    Gru = 3,

    /// <summary>LSTM: i, f, c, o.</summary>
    Lstm = 4,
}

/// <summary>
/// Keras <c>SimpleRNN</c>, <c>LSTM</c> and <c>GRU</c> on (steps, features) samples: kernel (features, G·units),
/// recurrent_kernel (units, G·units), bias (G·units), or (2, 3·units) for a GRU with <c>reset_after</c>. One record
/// because the three share the time loop, the layouts and the shape rule and differ only in the cell's gate math; each
/// keeps its own attribute and Keras name. Output (units), or (steps, units) with <see cref="ReturnSequences"/>.
/// </summary>
internal sealed partial record RecurrentSpec(
    RecurrentCell Cell,
    int Units,
    Activation Activation,
    Activation RecurrentActivation,
    bool UseBias,
    bool ReturnSequences,
    bool GoBackwards,
    Initializer KernelInitializer,
    Initializer RecurrentInitializer,
    Initializer BiasInitializer,
    bool UnitForgetBias,
    bool ResetAfter,
    double DropoutRate,
    double RecurrentDropoutRate,
    string? ExplicitName,
    LocationInfo? Location) : LayerSpec(ExplicitName, Location)
{
    public static LayerSpec ParseSimpleRnn(AttributeArguments a, LocationInfo? location) => Parse(RecurrentCell.Simple, a, location);

    public static LayerSpec ParseLstm(AttributeArguments a, LocationInfo? location) => Parse(RecurrentCell.Lstm, a, location);

    public static LayerSpec ParseGru(AttributeArguments a, LocationInfo? location) => Parse(RecurrentCell.Gru, a, location);

    private static RecurrentSpec Parse(RecurrentCell cell, AttributeArguments a, LocationInfo? location) => new(
        Cell: cell,
        Units: a.Int(0),
        Activation: (Activation)a.NamedInt("Activation", (int)Activation.Tanh),
        RecurrentActivation: cell == RecurrentCell.Simple ? Activation.Sigmoid : (Activation)a.NamedInt("RecurrentActivation", (int)Activation.Sigmoid),
        UseBias: a.NamedBool("UseBias", true),
        ReturnSequences: a.NamedBool("ReturnSequences", false),
        GoBackwards: a.NamedBool("GoBackwards", false),
        KernelInitializer: (Initializer)a.NamedInt("KernelInitializer", (int)Initializer.GlorotUniform),
        RecurrentInitializer: (Initializer)a.NamedInt("RecurrentInitializer", (int)Initializer.Orthogonal),
        BiasInitializer: (Initializer)a.NamedInt("BiasInitializer", (int)Initializer.Zeros),
        UnitForgetBias: cell == RecurrentCell.Lstm && a.NamedBool("UnitForgetBias", true),
        ResetAfter: cell == RecurrentCell.Gru && a.NamedBool("ResetAfter", true),
        DropoutRate: a.NamedDouble("Dropout", 0),
        RecurrentDropoutRate: a.NamedDouble("RecurrentDropout", 0),
        ExplicitName: a.NamedString("Name"),
        Location: location);

    /// <summary>
    /// Set on the two directions of a <see cref="BidirectionalSpec"/> (<c>Fw</c>, <c>Bw</c>): appended to the layer's
    /// method and buffer names so both live in one layer; empty otherwise.
    /// </summary>
    public string Part { get; init; } = "";

    /// <summary>
    /// With <see cref="GoBackwards"/> and <see cref="ReturnSequences"/>, return the sequence in input order (the
    /// backward direction of a Bidirectional, which Keras flips back) instead of processing order.
    /// </summary>
    public bool ReverseOutput { get; init; }

    /// <summary>Gate blocks side by side in the kernels: 1, 3 or 4.</summary>
    public int Gates => (int)Cell;

    /// <summary>
    /// Keras masking: a masked step keeps the state and repeats the last output. Returning the sequence keeps the steps,
    /// so the mask goes on (as Keras propagates it); returning the last output ends it.
    /// </summary>
    public override MaskHandling MaskHandling => ReturnSequences ? MaskHandling.ReadsAndPassesOn : MaskHandling.Consumes;

    public override string KerasType => Cell switch
    {
        RecurrentCell.Simple => "SimpleRNN",
        RecurrentCell.Lstm => "LSTM",
        _ => "GRU",
    };

    public override string NamePrefix => Cell switch
    {
        RecurrentCell.Simple => "simple_rnn",
        RecurrentCell.Lstm => "lstm",
        _ => "gru",
    };

    public override IEnumerable<ConfigEntry> Config
    {
        get
        {
            yield return ConfigEntry.Int("units", Units);
            yield return ConfigEntry.Activation("activation", Activation);
            if (Cell != RecurrentCell.Simple)
                yield return ConfigEntry.Activation("recurrent_activation", RecurrentActivation);
            yield return ConfigEntry.Bool("use_bias", UseBias);
            if (Cell == RecurrentCell.Lstm)
                yield return ConfigEntry.Bool("unit_forget_bias", UnitForgetBias);
            yield return ConfigEntry.Double("dropout", DropoutRate);
            yield return ConfigEntry.Double("recurrent_dropout", RecurrentDropoutRate);
            yield return ConfigEntry.Bool("return_sequences", ReturnSequences);
            yield return ConfigEntry.Bool("go_backwards", GoBackwards);
            if (Cell == RecurrentCell.Gru)
                yield return ConfigEntry.Bool("reset_after", ResetAfter);
        }
    }

    public override string Describe() =>
        KerasType + "(" + Units.ToString(CultureInfo.InvariantCulture) +
        (Activation != Activation.Tanh ? ", " + Activation : "") +
        (Cell != RecurrentCell.Simple && RecurrentActivation != Activation.Sigmoid ? ", recurrent " + RecurrentActivation : "") +
        (UseBias ? "" : ", no bias") +
        (ReturnSequences ? ", sequences" : "") +
        (GoBackwards ? ", backwards" : "") +
        (Cell == RecurrentCell.Gru && !ResetAfter ? ", reset before" : "") +
        (DropoutRate > 0 ? ", dropout " + DropoutRate.ToString("R", CultureInfo.InvariantCulture) : "") +
        (RecurrentDropoutRate > 0 ? ", recurrent dropout " + RecurrentDropoutRate.ToString("R", CultureInfo.InvariantCulture) : "") + ")";

    public override Shape? InferShape(Shape input, ShapeContext context)
    {
        if (!context.IsDefined(Activation, Location) | !context.IsDefined(RecurrentActivation, Location) |
            !context.IsDefined(KernelInitializer, Location) | !context.IsDefined(RecurrentInitializer, Location) |
            !context.IsDefined(BiasInitializer, Location))
            return null;
        if (Units <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, Location, KerasType + " units", Units.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        // Written as !(in range) so that NaN is rejected too.
        foreach (double rate in new[] { DropoutRate, RecurrentDropoutRate })
        {
            if (!(rate >= 0 && rate < 1))
            {
                context.Report(DiagnosticDescriptors.DropoutRateOutOfRange, Location, rate.ToString("R", CultureInfo.InvariantCulture));
                return null;
            }
        }
        if (!IsSupported(Activation))
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, KerasType + " Activation", "Linear, ReLU, Sigmoid or Tanh", Activation.ToString());
            return null;
        }
        if (!IsSupported(RecurrentActivation))
        {
            context.Report(DiagnosticDescriptors.ValueOutOfRange, Location, KerasType + " RecurrentActivation", "Linear, ReLU, Sigmoid or Tanh",
                RecurrentActivation.ToString());
            return null;
        }
        if (input.Rank != 2)
        {
            if (context.PreviousLayer is RecurrentSpec { ReturnSequences: false } previous)
                context.Report(DiagnosticDescriptors.RecurrentAfterLastOutput, previous.Location, previous.KerasType, context.PreviousName ?? previous.NamePrefix,
                    KerasType, input.ToString());
            else
                context.Report(DiagnosticDescriptors.RecurrentInputNotSequence, Location, KerasType, input.ToString());
            return null;
        }
        int steps = input.Dimensions[0], features = input.Dimensions[1];
        // The largest per-sample buffers: the gates of every step and the input projection's input.
        if (!context.FitsIndex((long)steps * Gates * Units * 2, Location) || !context.FitsIndex((long)features * Gates * Units, Location) ||
            !context.FitsIndex((long)Units * Gates * Units, Location))
            return null;
        return ReturnSequences ? new Shape(steps, Units) : new Shape(Units);
    }

    /// <summary>The activations whose derivative the cells take from their output (<c>Recurrent.IsSupported</c>).</summary>
    private static bool IsSupported(Activation activation) =>
        activation is Activation.Linear or Activation.ReLU or Activation.Sigmoid or Activation.Tanh;

    public override IEnumerable<ParameterSpec> GetParameters(Shape input)
    {
        int features = input.Last, width = Gates * Units;
        yield return new ParameterSpec("kernel", new EquatableArray<int>([features, width]), KernelInitializer, features, width);
        yield return new ParameterSpec("recurrent_kernel", new EquatableArray<int>([Units, width]), RecurrentInitializer, Units, width);
        if (!UseBias)
            yield break;
        if (ResetAfter)
            yield return new ParameterSpec("bias", new EquatableArray<int>([2, width]), BiasInitializer, features, width);
        else if (UnitForgetBias)
            yield return new ParameterSpec("bias", new EquatableArray<int>([width]), BiasInitializer, features, width, OnesStart: Units, OnesLength: Units);
        else
            yield return new ParameterSpec("bias", new EquatableArray<int>([width]), BiasInitializer, features, width);
    }
}
