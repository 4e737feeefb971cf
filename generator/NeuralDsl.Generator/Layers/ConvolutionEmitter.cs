using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// What Conv1D and Conv2D emit alike: a static <c>Conv2DGeometry</c> built from literals (1-D is height 1), an im2col
/// scratch sized by the runtime when the batch capacity grows, and forward/backward calls to <c>Convolution</c>. A
/// linear or ReLU layer is one fused forward call (bias and ReLU applied while each output block is in cache) that
/// writes the layer output, with no pre-activation buffer: ReLU's derivative reads the output, which is positive
/// exactly where the pre-activation is. Other activations keep the pre-activation and run after the convolution.
/// The two layers differ only in how they describe the geometry.
/// </summary>
internal static class ConvolutionEmitter
{
    private static string GeometryField(int index) => Names.Static("geometry", index);

    private static string PreActivationField(int index) => Names.Field("z", index);

    private static string ScratchField(int index) => Names.Field("scratch", index);

    private static string KernelCacheField(int index) => Names.Field("kernelCache", index);

    private static bool IsWinograd(ConvolutionStrategy strategy) =>
        strategy == ConvolutionStrategy.Winograd || strategy == ConvolutionStrategy.Winograd4x4;

    /// <summary>Whether the runtime applies the activation inside the convolution (Linear and ReLU).</summary>
    private static bool IsFused(Activation activation) => activation == Activation.Linear || activation == Activation.ReLU;

    public static IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer, Activation activation, ConvolutionStrategy strategy)
    {
        if (!IsFused(activation))
            yield return new BufferSpec(PreActivationField(layer.Index), layer.Output.Size, "pre-activation");
        if (strategy != ConvolutionStrategy.Pointwise) // a 1×1, stride-1 convolution is a GEMM on x itself: ScratchLength is 0
        {
            yield return new BufferSpec(ScratchField(layer.Index), 0, ScratchComment(strategy),
                LengthExpression: "global::NeuralDsl.Convolution.ScratchLength(" + GeometryField(layer.Index) + ", batch)");
        }
        if (IsWinograd(strategy))
        {
            yield return new BufferSpec(KernelCacheField(layer.Index), 0,
                "the kernel and its Winograd transform, reused while the kernel is unchanged (Convolution.KernelCacheLength)",
                LengthExpression: "global::NeuralDsl.Convolution.KernelCacheLength(" + GeometryField(layer.Index) +
                    ", global::NeuralDsl.ConvolutionStrategy." + strategy + ")",
                IsPersistent: true);
        }
    }

    /// <summary>What the scratch holds, by the forward strategy of the layer's shape; the gradients always gather im2col columns.</summary>
    private static string ScratchComment(ConvolutionStrategy strategy) => strategy switch
    {
        ConvolutionStrategy.Winograd or ConvolutionStrategy.Winograd4x4 => "Winograd transforms (forward) and im2col columns (gradients)",
        ConvolutionStrategy.Direct or ConvolutionStrategy.SmallPatch => "im2col columns for the gradients; the direct forward pass needs none",
        _ => "im2col columns for the forward pass and the gradients",
    };

    /// <summary>The scratch argument: the layer's buffer, or an empty span when it has none (pointwise).</summary>
    private static string Scratch(LayerEmitContext c) =>
        c.Layer.Spec.ExtraBuffers(c).Any(b => b.Field == ScratchField(c.Layer.Index)) ? ScratchField(c.Layer.Index) : c.SpanType + ".Empty";

    /// <summary>ReLU and Linear layers have no separate AffineBackward: their backward method starts from dz itself.</summary>
    public static string PreActivationBackwardMethod(PlannedLayer layer, Activation activation) =>
        Names.LayerMethod(layer.Index) + (activation is Activation.Linear or Activation.ReLU ? "Backward" : "AffineBackward");

    /// <param name="c">The layer being emitted and the writer it goes to.</param>
    /// <param name="description">The layer's description for the comment above the geometry, e.g. <c>Conv2D(32, 3×3, ReLU)</c>.</param>
    /// <param name="factory">The runtime factory method, <c>Create</c> or <c>Create1D</c>.</param>
    /// <param name="arguments">Its named literal arguments, e.g. <c>height: 28</c>.</param>
    public static void EmitStatics(LayerEmitContext c, string description, string factory, string[] arguments)
    {
        c.Writer.Comment(c.Layer.Name + ": " + description + " " + c.Layer.Input.ToComment() + " -> " + c.Layer.Output.ToComment() +
            "; the runtime derives padding and output size from these literals with the same Keras rules as the generator.");
        c.Writer.Call("private static readonly global::NeuralDsl.Conv2DGeometry " + GeometryField(c.Layer.Index) + " = global::NeuralDsl.Conv2DGeometry." + factory,
            arguments);
        c.Writer.Line();
    }

    /// <summary>
    /// The forward strategy of a layer by its shape, from the same rule the runtime applies (a linked source file):
    /// what sizes the layer's buffers. <see cref="EmitForward"/> completes it with the filters and the element type
    /// (<see cref="ConvolutionStrategyRule.WithElementSize"/>), so the generated call names the strategy that runs.
    /// </summary>
    public static ConvolutionStrategy Strategy(int kernelHeight, int kernelWidth, int channels, int filters, int strideHeight, int strideWidth,
        int dilationHeight, int dilationWidth, int outputHeight, int outputWidth) =>
        ConvolutionStrategyRule.ChooseByShape(kernelHeight, kernelWidth, channels, filters, strideHeight, strideWidth, dilationHeight, dilationWidth,
            outputHeight, outputWidth);

    /// <summary>Why the rule chose <paramref name="strategy"/> for a patch of <paramref name="patch"/> values, for the generated comment.</summary>
    private static string Reason(ConvolutionStrategy strategy, int patch, int filters, bool winogradShape) => strategy switch
    {
        ConvolutionStrategy.Winograd when (long)(patch / 9) * filters > ConvolutionStrategyRule.LargeTilesMaxKernel =>
            "a 3×3, stride-1 kernel on " + Literals.Int(patch / 9) + " channels and " + Literals.Int(filters) + " filters takes Winograd F(2×2, 3×3): C·F = " +
            Literals.Long((long)(patch / 9) * filters) + " is above " + Literals.Long(ConvolutionStrategyRule.LargeTilesMaxKernel) +
            ", where F(4×4)'s 36 transformed-kernel matrices cost more traffic than its fewer products save.",
        ConvolutionStrategy.Im2Col when winogradShape && patch / 9 >= ConvolutionStrategyRule.WinogradMinChannels =>
            "a 3×3, stride-1 kernel on " + Literals.Int(patch / 9) + " channels and " + Literals.Int(filters) + " filters: C·F = " +
            Literals.Long((long)(patch / 9) * filters) + " is above Winograd's limit of " + Literals.Long(ConvolutionStrategyRule.WinogradMaxKernel) +
            ", where streaming the transformed kernel for every few tiles costs more than im2col + GEMM, which reads the kernel once per block of pixels.",
        ConvolutionStrategy.Pointwise => "a 1×1, stride-1 kernel sees one pixel, so the input already is the column matrix: one GEMM.",
        ConvolutionStrategy.Winograd => "a 3×3, stride-1 kernel on " + Literals.Int(patch / 9) + " channels (≥ " + Literals.Int(ConvolutionStrategyRule.WinogradMinChannels) +
            ") takes Winograd F(2×2, 3×3): 16 products per 2×2 output tile instead of 36 multiply-adds, 2.25× fewer.",
        ConvolutionStrategy.Winograd4x4 => "a 3×3, stride-1 kernel on " + Literals.Int(patch / 9) + " channels (≥ " + Literals.Int(ConvolutionStrategyRule.WinogradMinChannels) +
            ") takes Winograd F(4×4, 3×3): 36 products per 4×4 output tile instead of 144 multiply-adds, 4× fewer, and fewer than 2×2 tiles need on this output.",
        ConvolutionStrategy.SmallPatch => "a patch of " + Literals.Int(patch) + " values with " + Literals.Int(filters) +
            " filters (two 512-bit vectors) keeps the whole kernel in registers while the output pixels stream past.",
        ConvolutionStrategy.Direct => "a patch of " + Literals.Int(patch) + " values (kh·kw·C ≤ " + Literals.Int(ConvolutionStrategyRule.DirectPatchLimit) +
            ") is too shallow for a GEMM; direct loops over the filters need no im2col columns.",
        _ => "a patch of " + Literals.Int(patch) + " values (kh·kw·C > " + Literals.Int(ConvolutionStrategyRule.DirectPatchLimit) +
            ") makes the GEMM deep enough to pay for gathering the im2col columns.",
    };

    /// <param name="c">The layer being emitted and the writer it goes to.</param>
    /// <param name="activation">Fused into the output pass by the runtime.</param>
    /// <param name="useBias">Whether the layer has a bias tensor to add.</param>
    /// <param name="filters">Output channels, for the rule's register test and the comment.</param>
    /// <param name="strategyByShape">From <see cref="Strategy"/> on the layer's literal shape.</param>
    /// <param name="patch">kh·kw·C, for the rule's small-patch test and the comment that explains the strategy.</param>
    /// <param name="winogradShape">Whether the kernel is 3×3, stride 1, undilated, for the comment that explains an
    /// im2col choice on such a kernel.</param>
    public static void EmitForward(LayerEmitContext c, Activation activation, bool useBias, int filters, ConvolutionStrategy strategyByShape, int patch,
        bool winogradShape = false)
    {
        ConvolutionStrategy strategy = ConvolutionStrategyRule.WithElementSize(strategyByShape, patch, filters, c.IsDouble ? sizeof(double) : sizeof(float));
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        using (c.ForwardMethod())
        {
            string bias = useBias ? c.ParameterSpan(layer.Parameters[1]) : "global::System.ReadOnlySpan<" + c.T + ">.Empty";
            string product = "x ⋆ kernel" + (useBias ? " + bias" : "");
            // Forward(x, kernel, bias, y, batch, geometry, scratch, activation, strategy[, kernel cache])
            string[] Arguments(string y, Activation applied)
            {
                var arguments = new List<string>
                {
                    "x", c.ParameterSpan(layer.Parameters[0]), bias, y, "batch", GeometryField(layer.Index), Scratch(c),
                    "global::NeuralDsl.Activation." + applied, "global::NeuralDsl.ConvolutionStrategy." + strategy,
                };
                if (IsWinograd(strategy))
                    arguments.Add(KernelCacheField(layer.Index));
                return [.. arguments];
            }

            w.Comment(strategy + ": " + Reason(strategy, patch, filters, winogradShape));
            if (IsFused(activation))
            {
                w.Comment(layer.Output.ToComment() + " = " + (activation == Activation.ReLU ? "ReLU(" + product + ")" : product) +
                    ", written once: the runtime applies bias and activation to each output block while it is in cache.");
                w.Call("global::NeuralDsl.Convolution.Forward", Arguments(c.BatchSpan(c.Output, c.OutputSize), activation));
            }
            else
            {
                w.Comment("z = " + product + " " + layer.Output.ToComment() + ", kept for " + activation + "'s derivative.");
                w.Line("var z = " + c.BatchSpan(PreActivationField(layer.Index), c.OutputSize) + ";");
                w.Call("global::NeuralDsl.Convolution.Forward", Arguments("z", Activation.Linear));
                ActivationCalls.Forward(w, activation, "z", c.BatchSpan(c.Output, c.OutputSize), filters);
            }
        }
    }

    public static void EmitBackward(LayerEmitContext c, Activation activation, bool useBias, int filters)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        using (c.BackwardMethod())
        {
            string output = c.BatchSpan(c.Output, c.OutputSize);
            if (activation == Activation.ReLU)
            {
                // One pass over dy instead of three (ReLU', kernel gradient, bias gradient): each block of dz is used
                // while it is in cache, and dy holds dz afterwards for the input gradient.
                if (c.TrainsParameters)
                {
                    w.Line("// dz = dy ⊙ ReLU'(z) in place, read from the output (a > 0 exactly where z > 0, so no pre-activation is kept),");
                    w.Line("// with the kernel and bias gradients in the same pass over dy.");
                }
                EmitGradients(c, "dy", output, Activation.ReLU, useBias);
            }
            else if (activation == Activation.Linear)
            {
                // Without an activation dy is dz: the backward method is the affine backward itself.
                EmitGradients(c, "dy", "default", Activation.Linear, useBias);
            }
            else
            {
                w.Line("// dz = dy ⊙ " + activation + "'(z), in place.");
                ActivationCalls.BackwardInPlace(w, activation, c.BatchSpan(PreActivationField(layer.Index), c.OutputSize), output, "dy", filters);
                w.Line(c.Method + "AffineBackward(x, dy, dx, batch);");
            }
        }

        // A ReLU or Linear layer's backward above does all of it, and neither is fused with a loss, so nothing would
        // call a separate affine backward; other activations keep it for the fused loss gradient, which is already dz.
        if (activation is Activation.ReLU or Activation.Linear)
            return;
        w.Comment("Layer " + Literals.Int(layer.Index) + " · " + layer.Name + ": kernel and bias gradients from dz " + layer.Output.ToComment() +
            " in one pass.");
        using (c.PrivateMethod("AffineBackward", [c.ReadOnlySpanType + " x", c.SpanType + " dz", c.SpanType + " dx", "int batch"]))
            EmitGradients(c, "dz", "default", Activation.Linear, useBias);
    }

    /// <summary>
    /// The kernel and bias gradients in one pass over <paramref name="dz"/> (with ReLU, after turning dy into dz in
    /// place from <paramref name="output"/>), then the input gradient unless dx is empty.
    /// </summary>
    private static void EmitGradients(LayerEmitContext c, string dz, string output, Activation fused, bool useBias)
    {
        PlannedLayer layer = c.Layer;
        SourceWriter w = c.Writer;
        if (!c.TrainsParameters)
        {
            w.Line("// Frozen (Trainable = false): no kernel or bias gradient, only dx.");
            if (fused == Activation.ReLU)
                WriteReluInPlace(w, dz, output);
        }
        else
        {
            string biasGradient = useBias ? c.GradientSpan(layer.Parameters[1]) : "global::System.Span<" + c.T + ">.Empty";
            using (c.ParameterGradients())
            {
                w.Call("global::NeuralDsl.Convolution.BackwardKernel",
                [
                    "x", dz, output, c.GradientSpan(layer.Parameters[0]), biasGradient, "batch", GeometryField(layer.Index), Scratch(c),
                    "global::NeuralDsl.Activation." + fused,
                ]);
            }
            if (fused == Activation.ReLU)
            {
                using (w.Block("else"))
                    WriteReluInPlace(w, dz, output);
            }
        }
        c.NoteEmptyInputGradient();
        w.Line("if (!dx.IsEmpty)");
        w.Indent();
        w.Call("global::NeuralDsl.Convolution.BackwardInput",
            [dz, c.ParameterSpan(layer.Parameters[0]), "dx", "batch", GeometryField(layer.Index), Scratch(c)]);
        w.Unindent();
    }

    /// <summary>dz = dy ⊙ ReLU'(z) in place without the kernel gradient: ReLU's derivative read from the output (a > 0 exactly where z > 0).</summary>
    private static void WriteReluInPlace(SourceWriter w, string dz, string output)
    {
        w.Line("// dz = dy ⊙ ReLU'(z) in place, read from the output (a > 0 exactly where z > 0).");
        w.Call("global::NeuralDsl.Activations.ReluBackward", [output, output, dz, dz]);
    }
}
