using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// Activation functions and their derivatives, with Keras semantics. Forward kernels write <c>a = f(z)</c> and
/// accept <c>a</c> being the same memory as <c>z</c>. Backward kernels write <c>dz = da ⊙ f'(z)</c> from whichever
/// of <c>z</c> and <c>a</c> is cheaper (the docs say which); the other may be passed empty, and <c>dz</c> may be
/// the same memory as <c>da</c>.
/// </summary>
public static class Activations
{
    /// <summary>ReLU: <c>max(z, 0)</c>.</summary>
    public static void Relu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        // Long activations (a convolution stage's output at batch 1 and up) run in chunks of whole cache lines
        // shared with the pool; max(z, 0) is element-wise, so the cut changes no bit.
        const int Line = 16;
        int lines = (int)(((long)z.Length + Line - 1) / Line);
        int chunk = ElementwiseParts.RowsPerChunk(lines, Line);
        if (chunk >= lines)
        {
            TensorPrimitives.Max(z, T.Zero, a);
            return;
        }
        unsafe
        {
            fixed (T* pz = z)
            fixed (T* pa = a)
            {
                var job = new ReluJob<T> { Z = pz, A = pa, Length = z.Length, Line = Line };
                WorkerPool.Run(&ReluLines<T>, &job, lines, chunk);
            }
        }
    }

    private unsafe struct ReluJob<T>
        where T : unmanaged
    {
        public T* Z, A;
        public int Length, Line;
    }

    private static unsafe void ReluLines<T>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ReluJob<T> job = ref System.Runtime.CompilerServices.Unsafe.AsRef<ReluJob<T>>(context);
        int first = start * job.Line, last = (int)Math.Min(job.Length, (long)end * job.Line);
        TensorPrimitives.Max(new ReadOnlySpan<T>(job.Z + first, last - first), T.Zero, new Span<T>(job.A + first, last - first));
    }

    /// <summary>ReLU derivative, from <paramref name="z"/> (<paramref name="a"/> is not read).</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: false);
        ElementwiseDriver.Backward<T, ReluBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>Sigmoid: <c>1 / (1 + e^−z)</c>.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, SigmoidOperator<T>>(z, a);
    }

    /// <summary>Sigmoid derivative <c>a·(1 − a)</c>, from <paramref name="a"/> (<paramref name="z"/> is not read).</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: false, readsA: true);
        ElementwiseDriver.Backward<T, SigmoidBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>
    /// Hyperbolic tangent, as <c>−expm1(−2|z|) / (2 + expm1(−2|z|))</c> with the sign restored: full relative
    /// precision near 0, where TensorPrimitives.Tanh for double loses about half the digits.
    /// </summary>
    public static void Tanh<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, TanhOperator<T>>(z, a);
    }

    /// <summary>Tanh derivative <c>1 − a²</c>, from <paramref name="a"/> (<paramref name="z"/> is not read).</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: false, readsA: true);
        ElementwiseDriver.Backward<T, TanhBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>Leaky ReLU with slope 0.2 (the <c>keras.activations.leaky_relu</c> default).</summary>
    public static void LeakyRelu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, LeakyReluOperator<T>>(z, a);
    }

    /// <summary>Leaky ReLU derivative, from <paramref name="z"/> (<paramref name="a"/> is not read).</summary>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: false);
        ElementwiseDriver.Backward<T, LeakyReluBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>ELU with alpha 1: <c>z &gt; 0 ? z : e^z − 1</c>.</summary>
    public static void Elu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, EluOperator<T>>(z, a);
    }

    /// <summary>ELU derivative, from <paramref name="z"/> and <paramref name="a"/> (both read).</summary>
    public static void EluBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: true);
        ElementwiseDriver.Backward<T, EluBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>SELU: scale 1.0507009873554805, alpha 1.6732632423543772.</summary>
    public static void Selu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, SeluOperator<T>>(z, a);
    }

    /// <summary>SELU derivative, from <paramref name="z"/> and <paramref name="a"/> (both read).</summary>
    public static void SeluBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: true);
        ElementwiseDriver.Backward<T, SeluBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>
    /// Exact GELU <c>0.5·z·(1 + erf(z/√2)) = z·Φ(z)</c> (Keras <c>approximate=False</c>), evaluated in double
    /// through the complementary error function so the negative tail keeps its relative precision.
    /// </summary>
    public static void Gelu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, GeluOperator<T>>(z, a);
    }

    /// <summary>
    /// GELU derivative <c>Φ(z) + z·φ(z)</c> (normal CDF and density), from <paramref name="z"/>
    /// (<paramref name="a"/> is not read).
    /// </summary>
    public static void GeluBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: false);
        ElementwiseDriver.Backward<T, GeluBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>Swish (SiLU): <c>z·sigmoid(z)</c>.</summary>
    public static void Swish<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, SwishOperator<T>>(z, a);
    }

    /// <summary>Swish derivative, from <paramref name="z"/> (<paramref name="a"/> is not read).</summary>
    public static void SwishBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: false);
        ElementwiseDriver.Backward<T, SwishBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>Softplus <c>log(1 + e^z)</c>, computed as <c>max(z, 0) + log1p(e^−|z|)</c> (no overflow).</summary>
    public static void Softplus<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDriver.Unary<T, SoftplusOperator<T>>(z, a);
    }

    /// <summary>Softplus derivative <c>sigmoid(z)</c>, from <paramref name="z"/> (<paramref name="a"/> is not read).</summary>
    public static void SoftplusBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, da, dz, readsZ: true, readsA: false);
        ElementwiseDriver.Backward<T, SoftplusBackwardOperator<T>>(z, a, da, dz);
    }

    /// <summary>
    /// Softmax over each row of <paramref name="rowLength"/> elements. The row maximum is subtracted before
    /// exponentiating (TensorPrimitives.SoftMax does not), so large logits neither overflow nor lose precision.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or are not a whole number of rows.</exception>
    public static void Softmax<T>(ReadOnlySpan<T> z, Span<T> a, int rowLength)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        KernelGuard.WholeRows(z.Length, rowLength, "Input", nameof(z));
        for (int offset = 0; offset < z.Length; offset += rowLength)
        {
            ReadOnlySpan<T> zr = z.Slice(offset, rowLength);
            Span<T> ar = a.Slice(offset, rowLength);
            T max = TensorPrimitives.Max(zr);
            TensorPrimitives.Subtract(zr, max, ar);
            TensorPrimitives.Exp(ar, ar);
            T sum = TensorPrimitives.Sum<T>(ar);
            TensorPrimitives.Divide(ar, sum, ar);
        }
    }

    /// <summary>
    /// Softmax derivative per row from the output: <c>dz_i = a_i·(da_i − Σ_j a_j·da_j)</c>.
    /// <paramref name="dz"/> may be the same memory as <paramref name="da"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or are not a whole number of rows.</exception>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz, int rowLength)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(dz.Length, a.Length, "Activation", nameof(a));
        KernelGuard.SameLength(dz.Length, da.Length, "Upstream gradient", nameof(da));
        KernelGuard.NoPartialOverlap(a, dz, nameof(dz));
        KernelGuard.NoPartialOverlap(da, dz, nameof(dz));
        KernelGuard.WholeRows(dz.Length, rowLength, "Gradient", nameof(dz));
        for (int offset = 0; offset < dz.Length; offset += rowLength)
        {
            ReadOnlySpan<T> ar = a.Slice(offset, rowLength);
            ReadOnlySpan<T> dar = da.Slice(offset, rowLength);
            T dot = TensorPrimitives.Dot(ar, dar);
            // One fused pass (da − dot)·a reads both inputs before writing, so dz may alias either of them.
            TensorPrimitives.AddMultiply(dar, -dot, ar, dz.Slice(offset, rowLength));
        }
    }

    private static void CheckForward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(z.Length, a.Length, "Output", nameof(a));
        KernelGuard.NoPartialOverlap(z, a, nameof(a));
    }

    private static void CheckBackward<T>(
        ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> da, Span<T> dz, bool readsZ, bool readsA)
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.SameLength(dz.Length, da.Length, "Upstream gradient", nameof(da));
        if (readsZ)
            KernelGuard.SameLength(dz.Length, z.Length, "Pre-activation", nameof(z));
        else
            KernelGuard.SameLengthOrEmpty(dz.Length, z.Length, "Pre-activation", nameof(z));
        if (readsA)
            KernelGuard.SameLength(dz.Length, a.Length, "Activation", nameof(a));
        else
            KernelGuard.SameLengthOrEmpty(dz.Length, a.Length, "Activation", nameof(a));
        KernelGuard.NoPartialOverlap(z, dz, nameof(dz));
        KernelGuard.NoPartialOverlap(a, dz, nameof(dz));
        KernelGuard.NoPartialOverlap(da, dz, nameof(dz));
    }
}
