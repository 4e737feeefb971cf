using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// The core of Keras <c>MultiHeadAttention</c> on head-major tensors [batch, heads, steps, depth]: scaled dot-product
/// scores, the masked stable softmax, the context product and the backward pass with the softmax Jacobian fused.
/// Every product goes through <see cref="Gemm"/>, one per (sample, head). The projections before and after (query, key,
/// value and output kernels) are ordinary GEMMs in the generated code; <see cref="SplitHeads{T}"/> and
/// <see cref="MergeHeads{T}"/> move between their [batch, steps, heads, depth] layout and the head-major one. No call
/// allocates.
/// </summary>
/// <remarks>
/// Masking follows Keras 3: a position (query i, key j) is allowed when the padding mask marks both step i and step j
/// as real (self-attention, where query and key carry the same mask) and, with the causal mask, j ≤ i. Disallowed
/// scores are left out of the softmax and their probabilities are zero; a query row with no allowed key (a padded
/// query) has all-zero probabilities, so its context is zero, as Keras' <c>Softmax</c> layer gives by multiplying its
/// output by the mask.
/// </remarks>
public static partial class Attention
{
    /// <summary>
    /// <c>y[b, h, t, :] = x[b, t, h, :]</c>: a [batch, steps, heads, depth] tensor (a projection's output, rows of
    /// heads·depth) to head-major [batch, heads, steps, depth].
    /// </summary>
    /// <param name="x">[batch × steps × heads × depth].</param>
    /// <param name="y">[batch × heads × steps × depth], overwritten.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="depth">Elements per head and step.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes.</exception>
    public static unsafe void SplitHeads<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int steps, int heads, int depth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckHeads(x.Length, y.Length, batch, steps, heads, depth);
        if (x.IsEmpty)
            return;
        // Head rows of 16 floats (the benchmark's) as two 32-byte copies each, not a span copy per row.
        fixed (T* px = x, py = y)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int t = 0; t < steps; t++)
                {
                    T* row = px + (nint)(b * steps + t) * heads * depth;
                    T* first = py + ((nint)b * heads * steps + t) * depth;
                    for (int h = 0; h < heads; h++)
                        CopyDepth(row + (nint)h * depth, first + (nint)h * steps * depth, depth);
                }
            }
        }
    }

    /// <summary><c>y[b, t, h, :] = x[b, h, t, :]</c>: the inverse of <see cref="SplitHeads{T}"/>.</summary>
    /// <param name="x">[batch × heads × steps × depth].</param>
    /// <param name="y">[batch × steps × heads × depth], overwritten.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="depth">Elements per head and step.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes.</exception>
    public static unsafe void MergeHeads<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int steps, int heads, int depth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckHeads(x.Length, y.Length, batch, steps, heads, depth);
        if (x.IsEmpty)
            return;
        fixed (T* px = x, py = y)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int t = 0; t < steps; t++)
                {
                    T* first = px + ((nint)b * heads * steps + t) * depth;
                    T* row = py + (nint)(b * steps + t) * heads * depth;
                    for (int h = 0; h < heads; h++)
                        CopyDepth(first + (nint)h * steps * depth, row + (nint)h * depth, depth);
                }
            }
        }
    }

    /// <summary>
    /// The attention probabilities: per (sample, head) <c>S = Q·Kᵀ / √keyDim</c> (one GEMM), then per query row a softmax
    /// over the allowed keys that subtracts the row's maximum first (see the class remarks for which keys are allowed).
    /// </summary>
    /// <param name="q">Queries, [batch × heads × queries × keyDim].</param>
    /// <param name="k">Keys, [batch × heads × keys × keyDim].</param>
    /// <param name="probabilities">[batch × heads × queries × keys], overwritten; kept for <see cref="Backward{T}"/>.</param>
    /// <param name="mask">The padding mask [batch × steps] (1 real, 0 padded) of a self-attention (queries = keys), or empty for none.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="queries">Query steps.</param>
    /// <param name="keys">Key (and value) steps.</param>
    /// <param name="keyDim">Elements of a query or key per head.</param>
    /// <param name="causal">Keras <c>use_causal_mask</c>: query i sees keys j ≤ i only.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or a mask is given with queries ≠ keys.</exception>
    public static void Probabilities<T>(ReadOnlySpan<T> q, ReadOnlySpan<T> k, Span<T> probabilities, ReadOnlySpan<T> mask,
        int batch, int heads, int queries, int keys, int keyDim, bool causal)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, heads, queries, keys, keyDim);
        KernelGuard.SameLength(batch * heads * queries * keyDim, q.Length, "Queries (batch × heads × queries × keyDim)", nameof(q));
        KernelGuard.SameLength(batch * heads * keys * keyDim, k.Length, "Keys (batch × heads × keys × keyDim)", nameof(k));
        KernelGuard.SameLength(batch * heads * queries * keys, probabilities.Length, "Probabilities (batch × heads × queries × keys)", nameof(probabilities));
        CheckMask(mask, batch, queries, keys);
        T scale = T.One / T.Sqrt(T.CreateTruncating(keyDim));
        int qSize = queries * keyDim, kSize = keys * keyDim, pSize = queries * keys;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> rowMask = mask.IsEmpty ? default : mask.Slice(b * queries, queries);
            for (int h = 0; h < heads; h++)
            {
                int bh = b * heads + h;
                Span<T> p = probabilities.Slice(bh * pSize, pSize);
                // S[queries×keys] = Q[queries×keyDim] · K[keys×keyDim]ᵀ
                Gemm.Multiply(q.Slice(bh * qSize, qSize), k.Slice(bh * kSize, kSize), p, queries, keyDim, keys, transposeB: true);
                SoftmaxRows(p, queries, keys, scale, rowMask, causal);
            }
        }
    }

    /// <summary>
    /// The <paramref name="queries"/> rows of one (sample, head) to probabilities in place, as
    /// <see cref="SoftmaxRow{T}"/> row by row; float rows without a padding mask go through
    /// <see cref="AttentionSoftmax.Rows"/> in one call (the same bits).
    /// </summary>
    private static void SoftmaxRows<T>(Span<T> scores, int queries, int keys, T scale, ReadOnlySpan<T> mask, bool causal)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && mask.IsEmpty && Vector256.IsHardwareAccelerated)
        {
            AttentionSoftmax.Rows(MemoryMarshal.Cast<T, float>(scores), queries, keys, float.CreateTruncating(scale), causal);
            return;
        }
        for (int i = 0; i < queries; i++)
            SoftmaxRow(scores.Slice(i * keys, keys), scale, mask, i, causal);
    }

    /// <summary>
    /// One row of scores to probabilities in place: scaled, masked, max subtracted, exponentiated, normalised, each
    /// step vectorized over the allowed keys (float through <see cref="AttentionSoftmax"/>, double TensorPrimitives).
    /// </summary>
    private static void SoftmaxRow<T>(Span<T> row, T scale, ReadOnlySpan<T> mask, int query, bool causal)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Keys after `allowedEnd` are cut by the causal mask; within it the padding mask removes single keys.
        int allowedEnd = causal ? Math.Min(query + 1, row.Length) : row.Length;
        if (!mask.IsEmpty && mask[query] == T.Zero)
            allowedEnd = 0; // a padded query sees no key: its probabilities are zero
        row.Slice(allowedEnd).Clear();
        Span<T> allowed = row.Slice(0, allowedEnd);
        if (!mask.IsEmpty)
        {
            // Padded keys leave the maximum and the sum: −∞ now, exactly 0 after the exponential.
            for (int j = 0; j < allowed.Length; j++)
            {
                if (mask[j] == T.Zero)
                    allowed[j] = T.NegativeInfinity;
            }
        }
        bool fast = typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated;
        T max = allowed.IsEmpty ? T.NegativeInfinity
            : fast ? T.CreateTruncating(AttentionSoftmax.Max(MemoryMarshal.Cast<T, float>(allowed))) : TensorPrimitives.Max<T>(allowed);
        if (T.IsNegativeInfinity(max))
        {
            row.Clear();
            return;
        }
        if (fast)
        {
            // Float: e^((s − max)·scale) in float with the sum in the same pass (TensorPrimitives.Exp evaluates float in
            // double); padded keys hold −∞, whose exponential is exactly 0.
            Span<float> e = MemoryMarshal.Cast<T, float>(allowed);
            AttentionSoftmax.Divide(e, AttentionSoftmax.Exponentials(e, float.CreateTruncating(max), float.CreateTruncating(scale)));
            return;
        }
        TensorPrimitives.Subtract(allowed, max, allowed);
        TensorPrimitives.Multiply(allowed, scale, allowed);
        TensorPrimitives.Exp<T>(allowed, allowed);
        if (!mask.IsEmpty)
        {
            // Exactly 0 for padded keys, whatever the exponential gave for −∞.
            for (int j = 0; j < allowed.Length; j++)
            {
                if (mask[j] == T.Zero)
                    allowed[j] = T.Zero;
            }
        }
        T sum = TensorPrimitives.Sum<T>(allowed);
        TensorPrimitives.Divide(allowed, sum, allowed);
    }

    /// <summary>Per (sample, head) <c>C = P·V</c> (one GEMM).</summary>
    /// <param name="probabilities">[batch × heads × queries × keys] (after dropout, in training).</param>
    /// <param name="v">Values, [batch × heads × keys × valueDim].</param>
    /// <param name="context">[batch × heads × queries × valueDim], overwritten.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="queries">Query steps.</param>
    /// <param name="keys">Key (and value) steps.</param>
    /// <param name="valueDim">Elements of a value per head.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes.</exception>
    public static void Context<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> v, Span<T> context, int batch, int heads, int queries, int keys,
        int valueDim)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, heads, queries, keys, valueDim);
        KernelGuard.SameLength(batch * heads * queries * keys, probabilities.Length, "Probabilities (batch × heads × queries × keys)", nameof(probabilities));
        KernelGuard.SameLength(batch * heads * keys * valueDim, v.Length, "Values (batch × heads × keys × valueDim)", nameof(v));
        KernelGuard.SameLength(batch * heads * queries * valueDim, context.Length, "Context (batch × heads × queries × valueDim)", nameof(context));
        int pSize = queries * keys, vSize = keys * valueDim, cSize = queries * valueDim;
        for (int bh = 0; bh < batch * heads; bh++)
        {
            // C[queries×valueDim] = P[queries×keys] · V[keys×valueDim]
            Gemm.Multiply(probabilities.Slice(bh * pSize, pSize), v.Slice(bh * vSize, vSize), context.Slice(bh * cSize, cSize), queries, keys, valueDim);
        }
    }

    /// <summary>
    /// The gradients of the attention core from the context gradient, per (sample, head): <c>dV = P̃ᵀ·dC</c>,
    /// <c>dP̃ = dC·Vᵀ</c> (times the dropout mask, when there is one), the softmax Jacobian fused row by row,
    /// <c>dS = P ⊙ (dP − Σⱼ dP ⊙ P) / √keyDim</c>, then <c>dQ = dS·K</c> and <c>dK = dSᵀ·Q</c>. Masked positions have
    /// P = 0 and so no gradient. The (sample, head) pairs are shared with the worker pool; every pair is computed the
    /// same way on any thread, so the result does not depend on the thread count.
    /// </summary>
    /// <param name="q">Queries, [batch × heads × queries × keyDim].</param>
    /// <param name="k">Keys, [batch × heads × keys × keyDim].</param>
    /// <param name="v">Values, [batch × heads × keys × valueDim].</param>
    /// <param name="probabilities">P from <see cref="Probabilities{T}"/>, [batch × heads × queries × keys].</param>
    /// <param name="usedProbabilities">P̃, what the context was computed from: P after dropout, or P itself.</param>
    /// <param name="dropoutMask">The dropout mask P̃ = P ⊙ mask was drawn with (0 or 1 / (1 − rate)), or empty without dropout.</param>
    /// <param name="dContext">dC, [batch × heads × queries × valueDim].</param>
    /// <param name="scratch">[batch × heads × queries × keys] of workspace (dP, then dS), overwritten.</param>
    /// <param name="dq">dQ, same shape as <paramref name="q"/>, overwritten.</param>
    /// <param name="dk">dK, same shape as <paramref name="k"/>, overwritten.</param>
    /// <param name="dv">dV, same shape as <paramref name="v"/>, overwritten.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="queries">Query steps.</param>
    /// <param name="keys">Key (and value) steps.</param>
    /// <param name="keyDim">Elements of a query or key per head.</param>
    /// <param name="valueDim">Elements of a value per head.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes.</exception>
    public static void Backward<T>(ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v, ReadOnlySpan<T> probabilities,
        ReadOnlySpan<T> usedProbabilities, ReadOnlySpan<T> dropoutMask, ReadOnlySpan<T> dContext, Span<T> scratch, Span<T> dq, Span<T> dk, Span<T> dv,
        int batch, int heads, int queries, int keys, int keyDim, int valueDim)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(q, k, v, probabilities, usedProbabilities, dropoutMask, dContext, scratch, dq, dk, dv, batch, heads, queries, keys, keyDim,
            valueDim, merged: false);
        int bhs = batch * heads;
        // One (sample, head) pair at a time, shared with the worker pool: pairs write disjoint slices, so any thread
        // count gives the same bits.
        AttentionBackward.Run(q, k, v, probabilities, usedProbabilities, dropoutMask, dContext, scratch, dq, dk, dv, bhs, heads, queries, keys,
            keyDim, valueDim, merged: false);
    }

    /// <summary>
    /// <see cref="Backward{T}"/> with the context gradient and the query, key and value gradients in the projections'
    /// layout [batch, steps, heads, depth] (rows of heads·depth) instead of head-major: what
    /// <c>SplitHeads(dContext)</c>, <see cref="Backward{T}"/> and three <c>MergeHeads</c> give, without the four copies
    /// through memory. Each pair reads and writes its own head's columns of those rows (in float with AVX2 and FMA and
    /// depths that are multiples of 16, in place; otherwise through head-major blocks of its own), so the bits are those
    /// of the head-major call and do not depend on the thread count.
    /// </summary>
    /// <param name="q">Queries, head-major [batch × heads × queries × keyDim].</param>
    /// <param name="k">Keys, head-major [batch × heads × keys × keyDim].</param>
    /// <param name="v">Values, head-major [batch × heads × keys × valueDim].</param>
    /// <param name="probabilities">P, [batch × heads × queries × keys].</param>
    /// <param name="usedProbabilities">P̃, what the context was computed from: P after dropout, or P itself.</param>
    /// <param name="dropoutMask">The dropout mask P̃ = P ⊙ mask was drawn with (0 or 1 / (1 − rate)), or empty without dropout.</param>
    /// <param name="dContext">dC, [batch × queries × heads × valueDim].</param>
    /// <param name="scratch">[batch × heads × queries × keys] of workspace (dP, then dS), overwritten.</param>
    /// <param name="dq">dQ, [batch × queries × heads × keyDim], overwritten.</param>
    /// <param name="dk">dK, [batch × keys × heads × keyDim], overwritten.</param>
    /// <param name="dv">dV, [batch × keys × heads × valueDim], overwritten.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="queries">Query steps.</param>
    /// <param name="keys">Key (and value) steps.</param>
    /// <param name="keyDim">Elements of a query or key per head.</param>
    /// <param name="valueDim">Elements of a value per head.</param>
    /// <exception cref="ArgumentException">A length does not match the sizes, or an output overlaps an input.</exception>
    public static void BackwardMerged<T>(ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v, ReadOnlySpan<T> probabilities,
        ReadOnlySpan<T> usedProbabilities, ReadOnlySpan<T> dropoutMask, ReadOnlySpan<T> dContext, Span<T> scratch, Span<T> dq, Span<T> dk, Span<T> dv,
        int batch, int heads, int queries, int keys, int keyDim, int valueDim)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(q, k, v, probabilities, usedProbabilities, dropoutMask, dContext, scratch, dq, dk, dv, batch, heads, queries, keys, keyDim,
            valueDim, merged: true);
        int bhs = batch * heads;
        // A pair writes its head's columns of rows that other pairs write too: an output that is also an input would
        // be read after another pair wrote it.
        if (Overlaps(dq, dk, dv, q, k, v, dContext, probabilities, usedProbabilities))
            throw new ArgumentException("The gradients dq, dk and dv must not overlap each other or an input.", nameof(dq));
        AttentionBackward.Run(q, k, v, probabilities, usedProbabilities, dropoutMask, dContext, scratch, dq, dk, dv, bhs, heads, queries, keys,
            keyDim, valueDim, merged: true);
    }

    /// <summary>
    /// The sizes and lengths <see cref="Backward{T}"/> and <see cref="BackwardMerged{T}"/> take: q, k, v and P
    /// head-major; the context gradient and dq, dk, dv head-major too, or with <paramref name="merged"/> in the
    /// projections' rows [batch, steps, heads, depth] (the same lengths; only the messages name the layout).
    /// </summary>
    private static void CheckBackward<T>(ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v, ReadOnlySpan<T> probabilities,
        ReadOnlySpan<T> usedProbabilities, ReadOnlySpan<T> dropoutMask, ReadOnlySpan<T> dContext, Span<T> scratch, Span<T> dq, Span<T> dk, Span<T> dv,
        int batch, int heads, int queries, int keys, int keyDim, int valueDim, bool merged)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(batch, heads, queries, keys, keyDim);
        KernelGuard.Positive(valueDim, nameof(valueDim));
        int qSize = queries * keyDim, kSize = keys * keyDim, vSize = keys * valueDim, pSize = queries * keys, cSize = queries * valueDim;
        int bhs = batch * heads;
        KernelGuard.SameLength(bhs * qSize, q.Length, "Queries (batch × heads × queries × keyDim)", nameof(q));
        KernelGuard.SameLength(bhs * kSize, k.Length, "Keys (batch × heads × keys × keyDim)", nameof(k));
        KernelGuard.SameLength(bhs * vSize, v.Length, "Values (batch × heads × keys × valueDim)", nameof(v));
        KernelGuard.SameLength(bhs * pSize, probabilities.Length, "Probabilities (batch × heads × queries × keys)", nameof(probabilities));
        KernelGuard.SameLength(bhs * pSize, usedProbabilities.Length, "Used probabilities (batch × heads × queries × keys)", nameof(usedProbabilities));
        KernelGuard.SameLengthOrEmpty(bhs * pSize, dropoutMask.Length, "Dropout mask (batch × heads × queries × keys)", nameof(dropoutMask));
        KernelGuard.SameLength(bhs * cSize, dContext.Length,
            merged ? "Context gradient (batch × queries × heads × valueDim)" : "Context gradient (batch × heads × queries × valueDim)", nameof(dContext));
        KernelGuard.SameLength(bhs * pSize, scratch.Length, "Scratch (batch × heads × queries × keys)", nameof(scratch));
        KernelGuard.SameLength(bhs * qSize, dq.Length,
            merged ? "Query gradient (batch × queries × heads × keyDim)" : "Query gradient (batch × heads × queries × keyDim)", nameof(dq));
        KernelGuard.SameLength(bhs * kSize, dk.Length,
            merged ? "Key gradient (batch × keys × heads × keyDim)" : "Key gradient (batch × heads × keys × keyDim)", nameof(dk));
        KernelGuard.SameLength(bhs * vSize, dv.Length,
            merged ? "Value gradient (batch × keys × heads × valueDim)" : "Value gradient (batch × heads × keys × valueDim)", nameof(dv));
    }

    private static bool Overlaps<T>(Span<T> dq, Span<T> dk, Span<T> dv, ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v,
        ReadOnlySpan<T> dContext, ReadOnlySpan<T> probabilities, ReadOnlySpan<T> usedProbabilities) =>
        OverlapsAny(dq, q, k, v, dContext, probabilities, usedProbabilities) || OverlapsAny(dk, q, k, v, dContext, probabilities, usedProbabilities) ||
        OverlapsAny(dv, q, k, v, dContext, probabilities, usedProbabilities) || dq.Overlaps(dk) || dq.Overlaps(dv) || dk.Overlaps(dv);

    private static bool OverlapsAny<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> q, ReadOnlySpan<T> k, ReadOnlySpan<T> v, ReadOnlySpan<T> dContext,
        ReadOnlySpan<T> probabilities, ReadOnlySpan<T> usedProbabilities) =>
        output.Overlaps(q) || output.Overlaps(k) || output.Overlaps(v) || output.Overlaps(dContext) || output.Overlaps(probabilities) ||
        output.Overlaps(usedProbabilities);

    private static void CheckSizes(int batch, int heads, int queries, int keys, int depth)
    {
        KernelGuard.NotNegative(batch, nameof(batch));
        KernelGuard.Positive(heads, nameof(heads));
        KernelGuard.Positive(queries, nameof(queries));
        KernelGuard.Positive(keys, nameof(keys));
        KernelGuard.Positive(depth, "depth");
    }

    private static void CheckHeads(int xLength, int yLength, int batch, int steps, int heads, int depth)
    {
        KernelGuard.NotNegative(batch, nameof(batch));
        KernelGuard.Positive(steps, nameof(steps));
        KernelGuard.Positive(heads, nameof(heads));
        KernelGuard.Positive(depth, nameof(depth));
        KernelGuard.SameLength(batch * steps * heads * depth, xLength, "Input (batch × steps × heads × depth)", "x");
        KernelGuard.SameLength(batch * steps * heads * depth, yLength, "Output (batch × steps × heads × depth)", "y");
    }

    private static void CheckMask<T>(ReadOnlySpan<T> mask, int batch, int queries, int keys)
    {
        if (mask.IsEmpty)
            return;
        if (queries != keys)
            throw new ArgumentException("A padding mask applies to self-attention, where queries and keys have the same steps; got " +
                queries + " query steps and " + keys + " key steps.", nameof(mask));
        KernelGuard.SameLength(batch * queries, mask.Length, "Mask (batch × steps)", nameof(mask));
    }
}
