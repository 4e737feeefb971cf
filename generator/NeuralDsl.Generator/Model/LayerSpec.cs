using System.Collections.Generic;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Model;

/// <summary>
/// One layer attribute, parsed. Each kind is a record in <c>Layers/X.cs</c> (parse and shape rule) with its forward
/// and backward emitters in <c>Layers/X.Emit.cs</c>; the model emitter only orchestrates.
/// </summary>
/// <param name="ExplicitName">The <c>Name</c> given in the attribute, or null for Keras automatic naming.</param>
/// <param name="Location">The attribute, for diagnostics.</param>
internal abstract record LayerSpec(string? ExplicitName, LocationInfo? Location)
{
    /// <summary>The Keras class name, shown in summaries: <c>Dense</c>, <c>Dropout</c>, ...</summary>
    public abstract string KerasType { get; }

    /// <summary>The Keras automatic name prefix: <c>dense</c>, <c>dropout</c>, ...</summary>
    public abstract string NamePrefix { get; }

    /// <summary>A short description for comments: <c>Dense(12, ReLU)</c>.</summary>
    public abstract string Describe();

    /// <summary>
    /// The earlier output this layer reads (<c>Input = "stem"</c>: a layer name, or the name of the <c>[Input]</c>),
    /// resolved by the plan; null reads the output of the layer written just before.
    /// </summary>
    public string? InputName { get; init; }

    /// <summary>
    /// The earlier output this layer reads, as a reference the plan resolves; set by code that builds layers itself
    /// (by index, see <see cref="TensorRef.At"/>) and then preferred to <see cref="InputName"/>.
    /// </summary>
    public TensorRef? InputTensor { get; init; }

    /// <summary>The layer's own input: <see cref="InputTensor"/>, else <see cref="InputName"/>, else null (the previous output).</summary>
    public TensorRef? InputReference => InputTensor ?? (InputName is { } name ? TensorRef.Named(name) : null);

    /// <summary>
    /// Every output the layer reads, in operand order; a null entry is the previous layer's output. One entry for
    /// ordinary layers (<see cref="InputReference"/>); merge layers list their operands.
    /// </summary>
    public virtual IReadOnlyList<TensorRef?> Operands => [InputReference];

    /// <summary>
    /// False for <c>Trainable = false</c>: the layer's parameters are frozen (no gradient, no update) while the gradient
    /// still flows through to its input.
    /// </summary>
    public bool Trainable { get; init; } = true;

    /// <summary>
    /// For a layer expanded from a <c>[Block]</c> class, where: <c>layer 'basic_block32_conv2d', in block use
    /// 'basic_block32' (BasicBlock32) of model 'Net'</c>. Its attribute is written once for every use, so diagnostics on
    /// it append this (<see cref="DiagnosticInfo.Context"/>). Null for the model's own layers.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>
    /// For a layer of a ready-made block whose size comes from the block's input rather than from its attribute
    /// (<see cref="SizedByUseInput"/>: TransformerEncoder's key dim and output Dense follow the model dim): the tensor the
    /// use reads, set by <see cref="Shapes.BlockExpansion"/>. The plan passes its shape to <see cref="SizeFromUseInput"/>
    /// before the shape rule and plans the sized layer. Null for every other layer.
    /// </summary>
    public TensorRef? SizeSource { get; init; }

    /// <summary>True for a layer some of whose sizes are the block use's input shape's (see <see cref="SizeSource"/>).</summary>
    public virtual bool SizedByUseInput => false;

    /// <summary>
    /// The layer with the sizes it takes from <paramref name="useInput"/> (the per-sample shape of the tensor its block use
    /// reads) filled in, or null after reporting why they cannot be; only called when <see cref="SizedByUseInput"/>.
    /// </summary>
    public virtual LayerSpec? SizeFromUseInput(Shape useInput, ShapeContext context) => this;

    // ---- Shapes (Layers/X.cs) ----

    /// <summary>The per-sample output shape for <paramref name="input"/>, or null after reporting why there is none.</summary>
    public abstract Shape? InferShape(Shape input, ShapeContext context);

    /// <summary>True for layers that, like Keras Dense, apply to the last axis of a multi-axis input.</summary>
    public virtual bool ActsOnLastAxis => false;

    /// <summary>
    /// True for a layer that reads token ids and so must come first, right after <c>[Input(steps)]</c> (Embedding):
    /// anywhere else is NDSL1010.
    /// </summary>
    public virtual bool MustBeFirst => false;

    /// <summary>
    /// The vocabulary size when this layer, as the first one, takes token ids (Embedding): the model then also gets the
    /// <c>int</c> overloads of Predict, ComputeGradients and TrainStep. Null for every other layer.
    /// </summary>
    public virtual int? TokenVocabulary => null;

    // ---- Mask (Keras masking; the plan's DataFlow says which layers receive it) ----

    /// <summary>
    /// True when the layer writes a per-(sample, step) mask (Embedding with <c>MaskZero</c>) that the layers after it
    /// receive.
    /// </summary>
    public virtual bool ProducesMask => false;

    /// <summary>Where the mask was asked for (the <c>MaskZero</c> argument), for NDSL1011; null for other layers.</summary>
    public virtual LocationInfo? MaskLocation => null;

    /// <summary>What the layer does with a mask it receives; the default is that it cannot honour one (NDSL1011).</summary>
    public virtual MaskHandling MaskHandling => MaskHandling.CannotHonour;

    /// <summary>This spec without source locations (the base <see cref="Location"/> and any a layer adds).</summary>
    public virtual LayerSpec WithoutLocations() => this with { Location = null };

    /// <summary>The trainable tensors this layer owns for <paramref name="input"/>, in file order.</summary>
    public virtual IEnumerable<ParameterSpec> GetParameters(Shape input) => [];

    /// <summary>
    /// The trainable tensors for every operand's shape (in operand order); the planner calls this one. A layer whose
    /// tensors depend on more than its first operand (cross-attention) overrides it; the default reads the first.
    /// </summary>
    public virtual IEnumerable<ParameterSpec> GetParameters(IReadOnlyList<Shape> operands) => GetParameters(operands[0]);

    /// <summary>
    /// The layer's arguments for its run-time description (<c>LayerInfo.Config</c>), under Keras' <c>get_config()</c>
    /// keys, in Keras' order; what exporters read. Written next to the layer's parser, so a new argument is added in one
    /// file; none for layers without arguments.
    /// </summary>
    public virtual IEnumerable<ConfigEntry> Config => [];

    // ---- Emission (Layers/X.Emit.cs) ----

    /// <summary>True when the output is the input, reinterpreted (Flatten): no buffer and no method.</summary>
    public virtual bool AliasesInput => false;

    /// <summary>
    /// True when the forward pass differs in training (Dropout, BatchNormalization, max pooling's arg-max): the method
    /// takes <c>bool training</c>.
    /// </summary>
    public virtual bool UsesTrainingFlag => false;

    /// <summary>
    /// True when the backward method reads the mode of the forward pass it follows (<see cref="Names.Training"/>):
    /// the workspace then records it.
    /// </summary>
    public virtual bool BackwardReadsTrainingMode => false;

    /// <summary>True when the layer draws random numbers in training (Dropout): the model then owns an <c>Rng</c>.</summary>
    public virtual bool UsesRandomNumbers => false;

    /// <summary>The activation that ends this layer, for fusing it with the loss gradient.</summary>
    public virtual Activation FinalActivation => Activation.Linear;

    /// <summary>
    /// The method that continues the backward pass from the gradient with respect to the pre-activation (after a fused
    /// loss gradient), or null when that gradient is already the gradient with respect to this layer's input.
    /// </summary>
    public virtual string? PreActivationBackwardMethod(PlannedLayer layer) => null;

    /// <summary>Buffers beyond the output and its gradient, each of the given per-sample size.</summary>
    public virtual IEnumerable<BufferSpec> ExtraBuffers(LayerEmitContext context) => [];

    /// <summary>Static members the layer's methods use (e.g. a window geometry), written once per model.</summary>
    public virtual void EmitStatics(LayerEmitContext context)
    {
    }

    /// <summary>Writes <c>LayerNForward</c>: input span in, the layer's own buffers out.</summary>
    public abstract void EmitForward(LayerEmitContext context);

    /// <summary>Writes <c>LayerNBackward</c>: output gradient in (may be overwritten), input gradient out (skipped when empty).</summary>
    public abstract void EmitBackward(LayerEmitContext context);
}

/// <summary>How a layer treats a Keras mask coming from an earlier layer (see <see cref="DataFlow"/>).</summary>
internal enum MaskHandling
{
    /// <summary>The layer would have to change its result for masked steps and does not: a mask reaching it is NDSL1011.</summary>
    CannotHonour,

    /// <summary>
    /// The layer acts on each step alone (Dense, Dropout, Activation on the last axis of a sequence): its output steps are
    /// its input steps, so the mask goes on unchanged to the next layer, and the layer itself ignores it.
    /// </summary>
    PassesOn,

    /// <summary>
    /// The layer reads the mask (<see cref="LayerEmitContext.Mask"/>) and its output has no steps left to mask (global
    /// pooling over time, a recurrent layer returning its last output): the mask stops here.
    /// </summary>
    Consumes,

    /// <summary>
    /// The layer reads the mask and keeps the steps, so the mask also goes on to the next layer (a recurrent layer with
    /// <c>ReturnSequences</c>, as Keras propagates it).
    /// </summary>
    ReadsAndPassesOn,
}

/// <summary>
/// A tensor of a layer: suffix (<c>kernel</c>), Keras-layout shape, initializer and fans. Non-trainable tensors
/// (<see cref="Trainable"/> false, e.g. moving statistics) live in the model's state vector and have no gradient.
/// <see cref="OnesLength"/> elements from <see cref="OnesStart"/> are set to 1 after the initializer (the LSTM's
/// <c>unit_forget_bias</c>).
/// </summary>
internal sealed record ParameterSpec(string Suffix, EquatableArray<int> Shape, Initializer Initializer, int FanIn, int FanOut, bool Trainable = true,
    int OnesStart = 0, int OnesLength = 0);

/// <summary>
/// A per-layer batch buffer: field name and elements per sample, or a C# expression of <c>batch</c> for the length
/// when a runtime kernel decides it (<see cref="LengthExpression"/>); <see cref="IsIndex"/> for <c>int</c> buffers
/// such as arg-max positions. A <see cref="IsPersistent"/> buffer does not depend on the batch: it is allocated with
/// the model (its <see cref="LengthExpression"/> must not mention <c>batch</c>) and keeps its contents across calls
/// and batch sizes, as a cache does.
/// </summary>
internal sealed record BufferSpec(string Field, int PerSample, string Comment, bool IsIndex = false, string? LengthExpression = null,
    bool IsPersistent = false);
