using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

internal sealed partial record DenseSpec
{
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string Marshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    /// <summary>Most vectors a register-resident kernel may hold (x64 with AVX-512 has 32 vector registers).</summary>
    private const int MaxRegisterVectors = 24;

    private static string PreActivationField(int index) => "_z" + Literals.Int(index);

    /// <summary>The pre-activation buffer when there is an activation; a linear layer writes its output directly.</summary>
    private string AffineField(PlannedLayer layer) =>
        Activation == Activation.Linear ? Names.Output(layer.Index) : PreActivationField(layer.Index);

    public override IEnumerable<BufferSpec> ExtraBuffers(PlannedLayer layer) =>
        Activation == Activation.Linear ? [] : [new BufferSpec(PreActivationField(layer.Index), layer.Output.Size, "pre-activation x · kernel + bias")];

    public override string? PreActivationBackwardMethod(PlannedLayer layer) => Names.LayerMethod(layer.Index) + "AffineBackward";

    private PlannedParameter Kernel(PlannedLayer layer) => layer.Parameters[0];

    private PlannedParameter? BiasOf(PlannedLayer layer) => UseBias ? layer.Parameters[1] : null;

    /// <summary><c>batch</c>, or <c>batch * leading</c> when the layer acts on the last axis of a larger tensor.</summary>
    private static string RowsExpression(PlannedLayer layer) =>
        layer.Input.LeadingSize == 1 ? "batch" : "batch * " + Literals.Int(layer.Input.LeadingSize);

    public override void EmitForward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        string affine = AffineField(layer);
        c.WriteHeader("forward");
        using (w.Block("private void " + c.Method + "Forward(" + c.ReadOnlySpanType + " x, int batch)"))
        {
            RegisterForm form = RegisterForm.For(inputs, Units, c.IsDouble);
            if (form.Kind != RegisterKind.None)
            {
                using (w.Block("if (" + V256 + ".IsHardwareAccelerated)"))
                {
                    EmitRegisterForward(c, form, affine);
                    if (Activation is not (Activation.Linear or Activation.ReLU))
                        w.Line(ActivationCalls.Forward(Activation, c.BatchSpan(affine, c.OutputSize), c.BatchSpan(c.Output, c.OutputSize), Units));
                    w.Line("return;");
                }
                w.Line("// Without 256-bit SIMD the register form would be emulated: the GEMM is faster there.");
            }
            EmitGemmForward(c, affine);
            if (Activation != Activation.Linear)
                w.Line(ActivationCalls.Forward(Activation, "z", c.BatchSpan(c.Output, c.OutputSize), Units));
        }
        w.Line();
    }

    public override void EmitBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        c.WriteHeader("backward");
        using (w.Block("private void " + c.Method + "Backward(" + c.ReadOnlySpanType + " x, " + c.SpanType + " dy, " + c.SpanType + " dx, int batch)"))
        {
            if (Activation != Activation.Linear)
            {
                w.Line("// dz = dy ⊙ " + Activation + "'(z), in place.");
                w.Line(ActivationCalls.BackwardInPlace(Activation, c.BatchSpan(AffineField(layer), c.OutputSize),
                    c.BatchSpan(c.Output, c.OutputSize), "dy", Units));
            }
            w.Line(c.Method + "AffineBackward(x, dy, dx, batch);");
        }
        w.Line();

        int inputs = layer.Input.Last;
        w.Line("// Layer " + Literals.Int(layer.Index) + " · " + layer.Name + ": gradients of x · kernel + bias from dz " + layer.Output.ToComment() +
            "; dx is skipped when empty (the first layer in training).");
        using (w.Block("private void " + c.Method + "AffineBackward(" + c.ReadOnlySpanType + " x, " + c.ReadOnlySpanType + " dz, " + c.SpanType + " dx, int batch)"))
        {
            RegisterForm form = RegisterForm.For(inputs, Units, c.IsDouble);
            if (form.Kind != RegisterKind.None)
            {
                using (w.Block("if (" + V256 + ".IsHardwareAccelerated)"))
                {
                    EmitRegisterBackward(c, form);
                    w.Line("return;");
                }
                w.Line("// Without 256-bit SIMD the register form would be emulated: the GEMM is faster there.");
            }
            EmitGemmBackward(c);
        }
        w.Line();
    }

    private void EmitGemmForward(LayerEmitContext c, string affine)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        string rows = RowsExpression(layer);
        w.Line("var z = " + c.BatchSpan(affine, c.OutputSize) + ";");
        w.Line("// z[" + rows + "×" + Literals.Int(Units) + "] = x[" + rows + "×" + Literals.Int(inputs) + "] · kernel[" +
            Literals.Int(inputs) + "×" + Literals.Int(Units) + "]" + (UseBias ? " + bias" : ""));
        w.Line("global::NeuralDsl.Gemm.Multiply(x, " + c.ParameterSpan(Kernel(layer)) + ", z, " + rows + ", " +
            Literals.Int(inputs) + ", " + Literals.Int(Units) + ");");
        if (BiasOf(layer) is { } bias)
            w.Line("global::NeuralDsl.Bias.AddRows(z, " + c.ParameterSpan(bias) + ");");
    }

    private void EmitGemmBackward(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        string rows = RowsExpression(layer);
        w.Line("// dKernel[" + Literals.Int(inputs) + "×" + Literals.Int(Units) + "] += xᵀ · dz");
        w.Line("global::NeuralDsl.Gemm.Multiply(x, dz, " + c.GradientSpan(Kernel(layer)) + ", " + Literals.Int(inputs) + ", " + rows + ", " +
            Literals.Int(Units) + ", transposeA: true, accumulate: true);");
        if (BiasOf(layer) is { } bias)
        {
            w.Line("// dBias[" + Literals.Int(Units) + "] += Σ rows of dz");
            w.Line("global::NeuralDsl.Bias.AccumulateGradient(dz, " + c.GradientSpan(bias) + ");");
        }
        using (w.Block("if (!dx.IsEmpty)"))
        {
            w.Line("// dx[" + rows + "×" + Literals.Int(inputs) + "] = dz · kernelᵀ");
            w.Line("global::NeuralDsl.Gemm.Multiply(dz, " + c.ParameterSpan(Kernel(layer)) + ", dx, " + rows + ", " +
                Literals.Int(Units) + ", " + Literals.Int(inputs) + ", transposeB: true);");
        }
    }

    // ---- Register-resident kernels: every weight and every gradient accumulator lives in a SIMD register for the
    // ---- whole batch; each row costs one broadcast and one FMA per input and vector of outputs.

    private void EmitRegisterForward(LayerEmitContext c, RegisterForm form, string affine)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        PlannedParameter kernel = Kernel(layer);
        PlannedParameter? bias = BiasOf(layer);
        string t = c.T;
        bool fuseRelu = Activation == Activation.ReLU;

        w.Line("// Small enough for registers: the " + Literals.Int(inputs) + "×" + Literals.Int(Units) + " kernel is loaded once for the whole batch.");
        w.Line("ref " + t + " p = ref " + Marshal + ".GetArrayDataReference(_parameters);");
        if (form.Kind == RegisterKind.Columns)
        {
            for (int k = 0; k < inputs; k++)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + k * Units + ch.Offset) +
                        "; // kernel[" + Literals.Int(k) + ", " + ch.Range + "]");
            }
            foreach (Chunk ch in form.Chunks)
            {
                w.Line("var b" + Literals.Int(ch.Index) + " = " + (bias is null ? Zero(ch, t) + "; // no bias" : Load(ch, t, "p", bias.Offset + ch.Offset) + "; // bias[" + ch.Range + "]"));
            }
        }
        else
        {
            foreach (Chunk ch in form.Chunks)
                w.Line("var w_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + ch.Offset) + "; // kernel[" + ch.Range + ", 0]");
            w.Line(t + " b = " + (bias is null ? "0; // no bias" : Unsafe + ".Add(ref p, " + Literals.Int(bias.Offset) + "); // bias[0]"));
        }

        w.Line("ref " + t + " xs = ref " + Marshal + ".GetReference(x);");
        w.Line("ref " + t + " zs = ref " + Marshal + ".GetArrayDataReference(" + affine + ");");
        if (fuseRelu)
            w.Line("ref " + t + " ys = ref " + Marshal + ".GetArrayDataReference(" + c.Output + ");");
        using (w.Block("for (int r = 0; r < " + RowsExpression(layer) + "; r++)"))
        {
            w.Line("nuint xi = (nuint)r * " + Literals.Int(inputs) + ";");
            if (form.Kind == RegisterKind.Columns)
            {
                w.Line("nuint yi = (nuint)r * " + Literals.Int(Units) + ";");
                foreach (Chunk ch in form.Chunks)
                    w.Line("var acc" + Literals.Int(ch.Index) + " = b" + Literals.Int(ch.Index) + ";");
                for (int k = 0; k < inputs; k++)
                {
                    string xk = "x" + Literals.Int(k);
                    w.Line(t + " " + xk + " = " + Unsafe + ".Add(ref xs, xi + " + Literals.Int(k) + ");");
                    foreach (Chunk ch in form.Chunks)
                    {
                        string acc = "acc" + Literals.Int(ch.Index);
                        w.Line(acc + " = " + Fma(ch, t, Broadcast(ch, xk), "w" + Literals.Int(k) + "_" + Literals.Int(ch.Index), acc) + ";");
                    }
                }
                foreach (Chunk ch in form.Chunks)
                {
                    string acc = "acc" + Literals.Int(ch.Index);
                    w.Line(Store(ch, acc, "zs", "yi + " + Literals.Int(ch.Offset)) + ";");
                    if (fuseRelu)
                        w.Line(Store(ch, Relu(ch, t, acc), "ys", "yi + " + Literals.Int(ch.Offset)) + ";");
                }
            }
            else
            {
                w.Line(t + " acc = b;");
                foreach (Chunk ch in form.Chunks)
                {
                    string xv = Load(ch, t, "xs", "xi + " + Literals.Int(ch.Offset));
                    w.Line("acc += " + (ch.Kind == ChunkKind.Scalar ? xv + " * w_" + Literals.Int(ch.Index) : VectorType(ch) + ".Sum(" + xv + " * w_" + Literals.Int(ch.Index) + ")") + ";");
                }
                w.Line(Unsafe + ".Add(ref zs, r) = acc;");
                if (fuseRelu)
                    w.Line(Unsafe + ".Add(ref ys, r) = " + MathClass(t) + ".Max(acc, 0);");
            }
        }
    }

    private void EmitRegisterBackward(LayerEmitContext c, RegisterForm form)
    {
        SourceWriter w = c.Writer;
        PlannedLayer layer = c.Layer;
        int inputs = layer.Input.Last;
        PlannedParameter kernel = Kernel(layer);
        PlannedParameter? bias = BiasOf(layer);
        string t = c.T;
        string rows = RowsExpression(layer);

        w.Line("// Kernel and bias gradients accumulate in registers over the batch and are written back once.");
        w.Line("ref " + t + " g = ref " + Marshal + ".GetArrayDataReference(_gradients);");
        w.Line("ref " + t + " xs = ref " + Marshal + ".GetReference(x);");
        w.Line("ref " + t + " ds = ref " + Marshal + ".GetReference(dz);");
        if (form.Kind == RegisterKind.Columns)
        {
            for (int k = 0; k < inputs; k++)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var g" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "g", kernel.Offset + k * Units + ch.Offset) + ";");
            }
            if (bias is not null)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var gb" + Literals.Int(ch.Index) + " = " + Load(ch, t, "g", bias.Offset + ch.Offset) + ";");
            }
            using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
            {
                w.Line("nuint xi = (nuint)r * " + Literals.Int(inputs) + ";");
                w.Line("nuint yi = (nuint)r * " + Literals.Int(Units) + ";");
                foreach (Chunk ch in form.Chunks)
                    w.Line("var d" + Literals.Int(ch.Index) + " = " + Load(ch, t, "ds", "yi + " + Literals.Int(ch.Offset)) + ";");
                if (bias is not null)
                {
                    foreach (Chunk ch in form.Chunks)
                        w.Line("gb" + Literals.Int(ch.Index) + " += d" + Literals.Int(ch.Index) + ";");
                }
                for (int k = 0; k < inputs; k++)
                {
                    string xk = "x" + Literals.Int(k);
                    w.Line(t + " " + xk + " = " + Unsafe + ".Add(ref xs, xi + " + Literals.Int(k) + ");");
                    foreach (Chunk ch in form.Chunks)
                    {
                        string acc = "g" + Literals.Int(k) + "_" + Literals.Int(ch.Index);
                        w.Line(acc + " = " + Fma(ch, t, Broadcast(ch, xk), "d" + Literals.Int(ch.Index), acc) + ";");
                    }
                }
            }
            for (int k = 0; k < inputs; k++)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line(Store(ch, "g" + Literals.Int(k) + "_" + Literals.Int(ch.Index), "g", Literals.Int(kernel.Offset + k * Units + ch.Offset)) + ";");
            }
            if (bias is not null)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line(Store(ch, "gb" + Literals.Int(ch.Index), "g", Literals.Int(bias.Offset + ch.Offset)) + ";");
            }

            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// dx[r, k] = Σ_j kernel[k, j] · dz[r, j]");
            w.Line("ref " + t + " p = ref " + Marshal + ".GetArrayDataReference(_parameters);");
            w.Line("ref " + t + " dxs = ref " + Marshal + ".GetReference(dx);");
            for (int k = 0; k < inputs; k++)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + k * Units + ch.Offset) + ";");
            }
            using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
            {
                w.Line("nuint xi = (nuint)r * " + Literals.Int(inputs) + ";");
                w.Line("nuint yi = (nuint)r * " + Literals.Int(Units) + ";");
                foreach (Chunk ch in form.Chunks)
                    w.Line("var d" + Literals.Int(ch.Index) + " = " + Load(ch, t, "ds", "yi + " + Literals.Int(ch.Offset)) + ";");
                for (int k = 0; k < inputs; k++)
                {
                    IEnumerable<string> terms = form.Chunks.Select(ch =>
                        ch.Kind == ChunkKind.Scalar
                            ? "w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " * d" + Literals.Int(ch.Index)
                            : VectorType(ch) + ".Sum(w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " * d" + Literals.Int(ch.Index) + ")");
                    w.Line(Unsafe + ".Add(ref dxs, xi + " + Literals.Int(k) + ") = " + string.Join(" + ", terms) + ";");
                }
            }
        }
        else
        {
            foreach (Chunk ch in form.Chunks)
                w.Line("var g_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "g", kernel.Offset + ch.Offset) + ";");
            if (bias is not null)
                w.Line(t + " gb = " + Unsafe + ".Add(ref g, " + Literals.Int(bias.Offset) + ");");
            using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
            {
                w.Line("nuint xi = (nuint)r * " + Literals.Int(inputs) + ";");
                w.Line(t + " d = " + Unsafe + ".Add(ref ds, r);");
                if (bias is not null)
                    w.Line("gb += d;");
                foreach (Chunk ch in form.Chunks)
                {
                    string acc = "g_" + Literals.Int(ch.Index);
                    w.Line(acc + " = " + Fma(ch, t, Load(ch, t, "xs", "xi + " + Literals.Int(ch.Offset)), Broadcast(ch, "d"), acc) + ";");
                }
            }
            foreach (Chunk ch in form.Chunks)
                w.Line(Store(ch, "g_" + Literals.Int(ch.Index), "g", Literals.Int(kernel.Offset + ch.Offset)) + ";");
            if (bias is not null)
                w.Line(Unsafe + ".Add(ref g, " + Literals.Int(bias.Offset) + ") = gb;");

            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// dx[r, k] = kernel[k, 0] · dz[r]");
            w.Line("ref " + t + " p = ref " + Marshal + ".GetArrayDataReference(_parameters);");
            w.Line("ref " + t + " dxs = ref " + Marshal + ".GetReference(dx);");
            foreach (Chunk ch in form.Chunks)
                w.Line("var w_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + ch.Offset) + ";");
            using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
            {
                w.Line("nuint xi = (nuint)r * " + Literals.Int(inputs) + ";");
                w.Line(t + " d = " + Unsafe + ".Add(ref ds, r);");
                foreach (Chunk ch in form.Chunks)
                    w.Line(Store(ch, "w_" + Literals.Int(ch.Index) + " * " + Broadcast(ch, "d"), "dxs", "xi + " + Literals.Int(ch.Offset)) + ";");
            }
        }
    }

    // ---- Vector expression helpers ----

    private static string VectorType(Chunk ch) => ch.Kind == ChunkKind.V256 ? V256 : V128;

    private static string MathClass(string t) => t == "double" ? "global::System.Math" : "global::System.MathF";

    private static string Load(Chunk ch, string t, string reference, int offset) => Load(ch, t, reference, Literals.Int(offset));

    private static string Load(Chunk ch, string t, string reference, string offset) => ch.Kind == ChunkKind.Scalar
        ? Unsafe + ".Add(ref " + reference + ", " + offset + ")"
        : VectorType(ch) + ".LoadUnsafe(ref " + reference + ", " + (IsConstant(offset) ? "(nuint)" + offset : offset) + ")";

    private static bool IsConstant(string offset) => offset.All(char.IsDigit);

    private static string Store(Chunk ch, string value, string reference, string offset) => ch.Kind == ChunkKind.Scalar
        ? Unsafe + ".Add(ref " + reference + ", " + offset + ") = " + value
        : VectorType(ch) + ".StoreUnsafe(" + value + ", ref " + reference + ", " + (IsConstant(offset) ? "(nuint)" + offset : offset) + ")";

    private static string Zero(Chunk ch, string t) => ch.Kind == ChunkKind.Scalar ? "(" + t + ")0" : VectorType(ch) + "<" + t + ">.Zero";

    private static string Broadcast(Chunk ch, string scalar) => ch.Kind == ChunkKind.Scalar ? scalar : VectorType(ch) + ".Create(" + scalar + ")";

    private static string Fma(Chunk ch, string t, string a, string b, string c) =>
        (ch.Kind == ChunkKind.Scalar ? MathClass(t) : VectorType(ch)) + ".FusedMultiplyAdd(" + a + ", " + b + ", " + c + ")";

    private static string Relu(Chunk ch, string t, string value) => ch.Kind == ChunkKind.Scalar
        ? MathClass(t) + ".Max(" + value + ", 0)"
        : VectorType(ch) + ".Max(" + value + ", " + VectorType(ch) + "<" + t + ">.Zero)";

    private enum ChunkKind
    {
        V256,
        V128,
        Scalar,
    }

    private enum RegisterKind
    {
        /// <summary>Too large: call the GEMM.</summary>
        None,
        /// <summary>Outputs along the vector lanes, one broadcast input at a time.</summary>
        Columns,
        /// <summary>One output: a dot product with inputs along the lanes.</summary>
        Dot,
    }

    /// <summary>A run of lanes: a 256-bit vector, a 128-bit vector or one scalar.</summary>
    private sealed record Chunk(int Index, int Offset, int Width, ChunkKind Kind)
    {
        public string Range => Width == 1 ? Literals.Int(Offset) : Literals.Int(Offset) + ".." + Literals.Int(Offset + Width);
    }

    /// <summary>How (and whether) a Dense layer fits in registers.</summary>
    private sealed record RegisterForm(RegisterKind Kind, IReadOnlyList<Chunk> Chunks)
    {
        public static RegisterForm For(int inputs, int units, bool isDouble)
        {
            if (units == 1)
            {
                List<Chunk> chunks = Split(inputs, isDouble);
                return chunks.Count <= MaxRegisterVectors / 2 ? new RegisterForm(RegisterKind.Dot, chunks) : None;
            }
            List<Chunk> columns = Split(units, isDouble);
            return inputs * columns.Count <= MaxRegisterVectors && columns.Count <= 4 ? new RegisterForm(RegisterKind.Columns, columns) : None;
        }

        private static RegisterForm None => new(RegisterKind.None, []);

        private static List<Chunk> Split(int length, bool isDouble)
        {
            int wide = isDouble ? 4 : 8;
            int narrow = isDouble ? 2 : 4;
            var chunks = new List<Chunk>();
            int offset = 0;
            while (length - offset >= wide)
            {
                chunks.Add(new Chunk(chunks.Count, offset, wide, ChunkKind.V256));
                offset += wide;
            }
            if (length - offset >= narrow)
            {
                chunks.Add(new Chunk(chunks.Count, offset, narrow, ChunkKind.V128));
                offset += narrow;
            }
            while (offset < length)
            {
                chunks.Add(new Chunk(chunks.Count, offset, 1, ChunkKind.Scalar));
                offset++;
            }
            return chunks;
        }
    }
}
