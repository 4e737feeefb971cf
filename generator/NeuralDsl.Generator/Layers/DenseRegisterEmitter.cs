using System;
using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Dense's register-resident form, for layers whose kernel fits in SIMD registers: every weight and every gradient
/// accumulator lives in a register for the whole batch, and each row costs one broadcast and one FMA per input and
/// vector of outputs. The caller guards the body with <see cref="Accelerated"/> and keeps the GEMM form beside it.
/// </summary>
internal sealed class DenseRegisterEmitter(TypeAliases aliases)
{
    private string V256 => aliases.Vector256;

    private string V128 => aliases.Vector128;

    private string Unsafe => aliases.Unsafe;

    private string Marshal => aliases.MemoryMarshal;

    /// <summary>Most vectors a register-resident kernel may hold (x64 with AVX-512 has 32 vector registers).</summary>
    private const int MaxRegisterVectors = 24;

    /// <summary>The condition under which the register form runs: without 256-bit SIMD it would be emulated.</summary>
    public static string Accelerated(LayerEmitContext c) => c.Aliases.Vector256 + ".IsHardwareAccelerated";

    /// <summary>The comment above the GEMM that follows the guarded register form: why the guard is there.</summary>
    public static string FallbackComment(int inputs, int units, bool isDouble) =>
        RegisterForm.For(inputs, units, isDouble).Chunks.All(ch => ch.Kind == ChunkKind.Scalar)
            ? "// The scalar form shares the vector forms' guard, so without 256-bit SIMD every Dense layer runs the GEMM."
            : "// Without 256-bit SIMD the register form would be emulated: the GEMM is faster there.";

    /// <summary>Whether a Dense layer of these sizes fits in registers.</summary>
    public static bool Fits(int inputs, int units, bool isDouble) => RegisterForm.For(inputs, units, isDouble).Kind != RegisterKind.None;

    /// <summary>
    /// The forward body: <paramref name="affine"/> gets x · kernel + bias, and with <paramref name="fuseRelu"/> the layer
    /// output gets its ReLU in the same pass.
    /// </summary>
    /// <param name="c">The layer being emitted and the writer it goes to.</param>
    /// <param name="units">Output features, the kernel's columns.</param>
    /// <param name="kernel">Where the kernel lies in the parameter vector.</param>
    /// <param name="bias">Where the bias lies, or null without one.</param>
    /// <param name="fuseRelu">Whether the layer's ReLU is applied in the same pass.</param>
    /// <param name="affine">The array expression that receives x · kernel + bias (kept for the backward pass).</param>
    /// <param name="rows">The row count expression: <c>batch</c>, or <c>batch * n</c> on the last axis of a larger tensor.</param>
    public static void EmitForward(LayerEmitContext c, int units, PlannedParameter kernel, PlannedParameter? bias, bool fuseRelu, string affine,
        string rows) =>
        new DenseRegisterEmitter(c.Aliases).Forward(c, units, kernel, bias, fuseRelu, affine, rows);

    /// <summary>The affine backward body: kernel and bias gradients accumulated in registers, then dx unless it is empty.</summary>
    public static void EmitBackward(LayerEmitContext c, int units, PlannedParameter kernel, PlannedParameter? bias, string rows) =>
        new DenseRegisterEmitter(c.Aliases).Backward(c, units, kernel, bias, rows);

    private void Forward(LayerEmitContext c, int units, PlannedParameter kernel, PlannedParameter? bias, bool fuseRelu, string affine, string rows)
    {
        SourceWriter w = c.Writer;
        int inputs = c.Layer.Input.Last;
        RegisterForm form = RegisterForm.For(inputs, units, c.IsDouble);
        string t = c.T;

        w.Line("// Small enough for registers: the " + Literals.Int(inputs) + "×" + Literals.Int(units) + " kernel is loaded once for the whole batch.");
        w.Line("ref " + t + " p = ref " + Marshal + ".GetArrayDataReference(" + c.ArrayOf(kernel) + ");");
        if (form.Kind == RegisterKind.Columns)
        {
            for (int k = 0; k < inputs; k++)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + k * units + ch.Offset) +
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
        using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
        {
            w.Line("nuint xi = " + RowStart(inputs) + ";");
            if (form.Kind == RegisterKind.Columns)
            {
                w.Line("nuint yi = " + RowStart(units) + ";");
                foreach (Chunk ch in form.Chunks)
                    w.Line("var acc" + Literals.Int(ch.Index) + " = b" + Literals.Int(ch.Index) + ";");
                for (int k = 0; k < inputs; k++)
                {
                    string xk = "x" + Literals.Int(k);
                    w.Line(t + " " + xk + " = " + Unsafe + ".Add(ref xs, " + Index("xi", k) + ");");
                    foreach (Chunk ch in form.Chunks)
                    {
                        string acc = "acc" + Literals.Int(ch.Index);
                        w.Line(acc + " = " + Fma(ch, t, Broadcast(ch, xk), "w" + Literals.Int(k) + "_" + Literals.Int(ch.Index), acc) + ";");
                    }
                }
                foreach (Chunk ch in form.Chunks)
                {
                    string acc = "acc" + Literals.Int(ch.Index);
                    w.Line(Store(ch, acc, "zs", Index("yi", ch.Offset)) + ";");
                    if (fuseRelu)
                        w.Line(Store(ch, Relu(ch, t, acc), "ys", Index("yi", ch.Offset)) + ";");
                }
            }
            else
            {
                w.Line(t + " acc = b;");
                foreach (Chunk ch in form.Chunks)
                {
                    string xv = Load(ch, t, "xs", Index("xi", ch.Offset));
                    w.Line("acc += " + (ch.Kind == ChunkKind.Scalar ? xv + " * w_" + Literals.Int(ch.Index) : VectorType(ch) + ".Sum(" + xv + " * w_" + Literals.Int(ch.Index) + ")") + ";");
                }
                w.Line(Unsafe + ".Add(ref zs, r) = acc;");
                if (fuseRelu)
                    w.Line(Unsafe + ".Add(ref ys, r) = " + MathClass(t) + ".Max(acc, 0);");
            }
        }
    }

    private void Backward(LayerEmitContext c, int units, PlannedParameter kernel, PlannedParameter? bias, string rows)
    {
        SourceWriter w = c.Writer;
        int inputs = c.Layer.Input.Last;
        RegisterForm form = RegisterForm.For(inputs, units, c.IsDouble);
        string t = c.T;

        w.Line("ref " + t + " ds = ref " + Marshal + ".GetReference(dz);");
        if (form.Kind == RegisterKind.Columns)
        {
            if (BeginGradients(c) is { } gradients)
                using (gradients)
            {
                for (int k = 0; k < inputs; k++)
                {
                    foreach (Chunk ch in form.Chunks)
                        w.Line("var g" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "g", kernel.Offset + k * units + ch.Offset) + ";");
                }
                if (bias is not null)
                {
                    foreach (Chunk ch in form.Chunks)
                        w.Line("var gb" + Literals.Int(ch.Index) + " = " + Load(ch, t, "g", bias.Offset + ch.Offset) + ";");
                }
                using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
                {
                    w.Line("nuint xi = " + RowStart(inputs) + ";");
                    w.Line("nuint yi = " + RowStart(units) + ";");
                    foreach (Chunk ch in form.Chunks)
                        w.Line("var d" + Literals.Int(ch.Index) + " = " + Load(ch, t, "ds", Index("yi", ch.Offset)) + ";");
                    if (bias is not null)
                    {
                        foreach (Chunk ch in form.Chunks)
                            w.Line("gb" + Literals.Int(ch.Index) + " += d" + Literals.Int(ch.Index) + ";");
                    }
                    for (int k = 0; k < inputs; k++)
                    {
                        string xk = "x" + Literals.Int(k);
                        w.Line(t + " " + xk + " = " + Unsafe + ".Add(ref xs, " + Index("xi", k) + ");");
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
                        w.Line(Store(ch, "g" + Literals.Int(k) + "_" + Literals.Int(ch.Index), "g", Literals.Int(kernel.Offset + k * units + ch.Offset)) + ";");
                }
                if (bias is not null)
                {
                    foreach (Chunk ch in form.Chunks)
                        w.Line(Store(ch, "gb" + Literals.Int(ch.Index), "g", Literals.Int(bias.Offset + ch.Offset)) + ";");
                }
            }

            c.NoteEmptyInputGradient();
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// dx[r, k] = Σ_j kernel[k, j] · dz[r, j]");
            w.Line("ref " + t + " p = ref " + Marshal + ".GetArrayDataReference(" + c.ArrayOf(kernel) + ");");
            w.Line("ref " + t + " dxs = ref " + Marshal + ".GetReference(dx);");
            for (int k = 0; k < inputs; k++)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + k * units + ch.Offset) + ";");
            }
            using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
            {
                w.Line("nuint xi = " + RowStart(inputs) + ";");
                w.Line("nuint yi = " + RowStart(units) + ";");
                foreach (Chunk ch in form.Chunks)
                    w.Line("var d" + Literals.Int(ch.Index) + " = " + Load(ch, t, "ds", Index("yi", ch.Offset)) + ";");
                for (int k = 0; k < inputs; k++)
                {
                    IEnumerable<string> terms = form.Chunks.Select(ch =>
                        ch.Kind == ChunkKind.Scalar
                            ? "w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " * d" + Literals.Int(ch.Index)
                            : VectorType(ch) + ".Sum(w" + Literals.Int(k) + "_" + Literals.Int(ch.Index) + " * d" + Literals.Int(ch.Index) + ")");
                    w.Sum(Unsafe + ".Add(ref dxs, " + Index("xi", k) + ") =", [.. terms]);
                }
            }
        }
        else
        {
            if (BeginGradients(c) is { } gradients)
                using (gradients)
            {
                foreach (Chunk ch in form.Chunks)
                    w.Line("var g_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "g", kernel.Offset + ch.Offset) + ";");
                if (bias is not null)
                    w.Line(t + " gb = " + Unsafe + ".Add(ref g, " + Literals.Int(bias.Offset) + ");");
                using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
                {
                    w.Line("nuint xi = " + RowStart(inputs) + ";");
                    w.Line(t + " d = " + Unsafe + ".Add(ref ds, r);");
                    if (bias is not null)
                        w.Line("gb += d;");
                    foreach (Chunk ch in form.Chunks)
                    {
                        string acc = "g_" + Literals.Int(ch.Index);
                        w.Line(acc + " = " + Fma(ch, t, Load(ch, t, "xs", Index("xi", ch.Offset)), Broadcast(ch, "d"), acc) + ";");
                    }
                }
                foreach (Chunk ch in form.Chunks)
                    w.Line(Store(ch, "g_" + Literals.Int(ch.Index), "g", Literals.Int(kernel.Offset + ch.Offset)) + ";");
                if (bias is not null)
                    w.Line(Unsafe + ".Add(ref g, " + Literals.Int(bias.Offset) + ") = gb;");
            }

            c.NoteEmptyInputGradient();
            w.Line("if (dx.IsEmpty)");
            w.Line("    return;");
            w.Line("// dx[r, k] = kernel[k, 0] · dz[r]");
            w.Line("ref " + t + " p = ref " + Marshal + ".GetArrayDataReference(" + c.ArrayOf(kernel) + ");");
            w.Line("ref " + t + " dxs = ref " + Marshal + ".GetReference(dx);");
            foreach (Chunk ch in form.Chunks)
                w.Line("var w_" + Literals.Int(ch.Index) + " = " + Load(ch, t, "p", kernel.Offset + ch.Offset) + ";");
            using (w.Block("for (int r = 0; r < " + rows + "; r++)"))
            {
                w.Line("nuint xi = " + RowStart(inputs) + ";");
                w.Line(t + " d = " + Unsafe + ".Add(ref ds, r);");
                foreach (Chunk ch in form.Chunks)
                    w.Line(Store(ch, "w_" + Literals.Int(ch.Index) + " * " + Broadcast(ch, "d"), "dxs", Index("xi", ch.Offset)) + ";");
            }
        }
    }

    /// <summary>
    /// Opens the kernel and bias gradient pass inside <c>if (__model.Trainable)</c>, with the refs it reads; for a layer
    /// frozen at compile time, writes a comment saying there is none and returns null.
    /// </summary>
    private IDisposable? BeginGradients(LayerEmitContext c)
    {
        SourceWriter w = c.Writer;
        if (!c.TrainsParameters)
        {
            w.Line("// Frozen (Trainable = false): no kernel or bias gradient, only dx.");
            return null;
        }
        IDisposable block = c.ParameterGradients();
        w.Line("// Kernel and bias gradients accumulate in registers over the batch and are written back once.");
        w.Line("ref " + c.T + " g = ref " + Marshal + ".GetArrayDataReference(" + Names.OnModel(Names.Gradients) + ");");
        w.Line("ref " + c.T + " xs = ref " + Marshal + ".GetReference(x);");
        return block;
    }

    // ---- Vector expression helpers ----

    /// <summary>The first element of row <c>r</c> of a [rows × <paramref name="width"/>] buffer.</summary>
    private static string RowStart(int width) => width == 1 ? "(nuint)r" : "(nuint)r * " + Literals.Int(width);

    /// <summary>Element <paramref name="offset"/> of the row starting at <paramref name="rowStart"/>.</summary>
    private static string Index(string rowStart, int offset) => offset == 0 ? rowStart : rowStart + " + " + Literals.Int(offset);

    private string VectorType(Chunk ch) => ch.Kind == ChunkKind.V256 ? V256 : V128;

    private static string MathClass(string t) => t == "double" ? "global::System.Math" : "global::System.MathF";

    private string Load(Chunk ch, string t, string reference, int offset) => Load(ch, t, reference, Literals.Int(offset));

    private string Load(Chunk ch, string t, string reference, string offset) => ch.Kind == ChunkKind.Scalar
        ? Unsafe + ".Add(ref " + reference + ", " + offset + ")"
        : VectorType(ch) + ".LoadUnsafe(ref " + reference + ", " + (IsConstant(offset) ? "(nuint)" + offset : offset) + ")";

    private static bool IsConstant(string offset) => offset.All(char.IsDigit);

    private string Store(Chunk ch, string value, string reference, string offset) => ch.Kind == ChunkKind.Scalar
        ? Unsafe + ".Add(ref " + reference + ", " + offset + ") = " + value
        : VectorType(ch) + ".StoreUnsafe(" + value + ", ref " + reference + ", " + (IsConstant(offset) ? "(nuint)" + offset : offset) + ")";

    private string Zero(Chunk ch, string t) => ch.Kind switch
    {
        ChunkKind.Scalar => "(" + t + ")0",
        ChunkKind.V256 => aliases.Vector256Of(t) + ".Zero",
        _ => aliases.Vector128Of(t) + ".Zero",
    };

    private string Broadcast(Chunk ch, string scalar) => ch.Kind == ChunkKind.Scalar ? scalar : VectorType(ch) + ".Create(" + scalar + ")";

    private string Fma(Chunk ch, string t, string a, string b, string c) =>
        (ch.Kind == ChunkKind.Scalar ? MathClass(t) : VectorType(ch)) + ".FusedMultiplyAdd(" + a + ", " + b + ", " + c + ")";

    private string Relu(Chunk ch, string t, string value) => ch.Kind == ChunkKind.Scalar
        ? MathClass(t) + ".Max(" + value + ", 0)"
        : VectorType(ch) + ".Max(" + value + ", " + Zero(ch, t) + ")";

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
