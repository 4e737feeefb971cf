using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace NeuralDsl;

/// <summary>
/// LayerNormalization over the last axis (Keras 3): every row of <c>features</c> values (one sample, or one step of a
/// sequence) is normalized with its own mean and biased variance, <c>y = γ (x − μ) / sqrt(σ² + ε) + β</c>, the same in
/// training and inference. With <c>rmsScaling</c> (Keras 3 <c>rms_scaling</c>, RMSNorm) there is no mean:
/// <c>y = γ x / sqrt(mean(x²) + ε)</c>. γ and β are optional (empty spans stand for 1 and 0).
/// </summary>
/// <remarks>
/// Each row is handled in registers (Vector256, rows of at least one vector) or with TensorPrimitives (shorter rows):
/// the mean first, then the squared deviations from it (a two-pass variance, which keeps its digits when the mean is
/// large against the spread, unlike E[x²] − E[x]²).
/// Nothing is allocated.
/// </remarks>
public static class LayerNorm
{
    /// <summary>
    /// Forward: per row the mean μ (0 with <paramref name="rmsScaling"/>) and s = 1/sqrt(mean((x − μ)²) + ε), then
    /// <c>y = γ (x − μ) s + β</c>; μ and s are kept for <see cref="Backward"/>.
    /// </summary>
    /// <param name="x">Input [rows, features]. May be the same memory as <paramref name="y"/>.</param>
    /// <param name="gamma">Scale per feature, or empty for none.</param>
    /// <param name="beta">Offset per feature, or empty for none.</param>
    /// <param name="y">Output [rows, features].</param>
    /// <param name="mean">Receives μ per row.</param>
    /// <param name="inverseStd">Receives s per row.</param>
    /// <param name="rows">Rows (batch·steps); may be 0.</param>
    /// <param name="features">Length of the normalized axis; at least 1.</param>
    /// <param name="epsilon">Added to the variance, ≥ 0 (Keras default 1e-3).</param>
    /// <param name="rmsScaling">True for RMSNorm: no mean subtraction.</param>
    /// <exception cref="ArgumentException">A length does not match, or a size or epsilon is out of range.</exception>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y, Span<T> mean,
        Span<T> inverseStd, int rows, int features, double epsilon, bool rmsScaling)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(x.Length, rows, features, "Input", nameof(x));
        KernelGuard.SameLength(x.Length, y.Length, "Output", nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(y));
        KernelGuard.SameLengthOrEmpty(features, gamma.Length, "Gamma", nameof(gamma));
        KernelGuard.SameLengthOrEmpty(features, beta.Length, "Beta", nameof(beta));
        KernelGuard.SameLength(rows, mean.Length, "Mean", nameof(mean));
        KernelGuard.SameLength(rows, inverseStd.Length, "Inverse standard deviation", nameof(inverseStd));
        if (!(epsilon >= 0 && double.IsFinite(epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                string.Create(CultureInfo.InvariantCulture, $"epsilon must be finite and non-negative, but it is {epsilon:R}."));
        }

        if (Vector256.IsHardwareAccelerated && features >= Vector256<T>.Count)
        {
            ForwardShared(x, gamma, beta, y, mean, inverseStd, rows, features, epsilon, rmsScaling);
            return;
        }

        T count = T.CreateTruncating(features);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * features, features);
            Span<T> yr = y.Slice(r * features, features);
            T mu = rmsScaling ? T.Zero : TensorPrimitives.Sum(xr) / count;
            // y holds x − μ first (in place when x is y), then its square sum gives the variance.
            if (rmsScaling)
            {
                if (!xr.Overlaps(yr))
                    xr.CopyTo(yr);
            }
            else
            {
                TensorPrimitives.Subtract(xr, mu, yr);
            }
            double variance = double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(yr)) / features;
            T s = T.CreateTruncating(1.0 / Math.Sqrt(variance + epsilon));
            mean[r] = mu;
            inverseStd[r] = s;
            TensorPrimitives.Multiply(yr, s, yr);
            if (!gamma.IsEmpty && !beta.IsEmpty)
                TensorPrimitives.MultiplyAdd(yr, gamma, beta, yr);
            else if (!gamma.IsEmpty)
                TensorPrimitives.Multiply(yr, gamma, yr);
            else if (!beta.IsEmpty)
                TensorPrimitives.Add(yr, beta, yr);
        }
    }

    /// <summary>
    /// <see cref="ForwardRows"/> in chunks of rows on the <see cref="WorkerPool"/>, the chunks of
    /// <see cref="LayerNormBackward.RowsPerChunk"/> (128 rows of 64: a transformer step's 1,024 rows in 8). Rows are
    /// independent and each is computed the same way wherever it runs, so no bit depends on the thread count; one chunk
    /// (a batch-1 transformer's 64 rows) runs here without a hand-off.
    /// </summary>
    private static unsafe void ForwardShared<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y, Span<T> mean,
        Span<T> inverseStd, int rows, int features, double epsilon, bool rmsScaling)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (rows == 0)
            return;
        fixed (T* px = x, pg = gamma, pb = beta, py = y, pm = mean, ps = inverseStd)
        {
            var job = new ForwardJob<T>
            {
                X = px, Gamma = pg, Beta = pb, Y = py, Mean = pm, InverseStd = ps, GammaLength = gamma.Length, BetaLength = beta.Length,
                Features = features, Epsilon = epsilon, RmsScaling = rmsScaling,
            };
            WorkerPool.Run(&ForwardChunk<T>, &job, rows, LayerNormBackward.RowsPerChunk(features));
        }
    }

    /// <summary>Rows [first, end) of a <see cref="ForwardJob{T}"/>.</summary>
    private static unsafe void ForwardChunk<T>(void* context, int first, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ForwardJob<T> job = ref *(ForwardJob<T>*)context;
        int features = job.Features, count = end - first;
        nint offset = (nint)first * features;
        ForwardRows(new ReadOnlySpan<T>(job.X + offset, count * features), new ReadOnlySpan<T>(job.Gamma, job.GammaLength),
            new ReadOnlySpan<T>(job.Beta, job.BetaLength), new Span<T>(job.Y + offset, count * features), new Span<T>(job.Mean + first, count),
            new Span<T>(job.InverseStd + first, count), count, features, job.Epsilon, job.RmsScaling);
    }

    /// <summary>The operands of <see cref="ForwardShared"/>.</summary>
    private unsafe struct ForwardJob<T>
        where T : unmanaged
    {
        public T* X, Gamma, Beta, Y, Mean, InverseStd;
        public int GammaLength, BetaLength, Features;
        public double Epsilon;
        public bool RmsScaling;
    }

    /// <summary>
    /// <see cref="Forward"/> on rows of at least one vector: each row in three register passes (the sum, the squared
    /// deviations, the output) instead of five TensorPrimitives calls, whose fixed cost per call dominated short rows
    /// (a 64-wide row of a transformer: 4.1–4.4 µs for 64 rows before). The same two-pass variance in double and the
    /// same unfused products per element, (x − μ)·s, then ·γ, then +β; only the order of the two sums differs.
    /// </summary>
    private static void ForwardRows<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y,
        Span<T> mean, Span<T> inverseStd, int rows, int features, double epsilon, bool rmsScaling)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = Vector256<T>.Count;
        int whole = features - features % width;
        T count = T.CreateTruncating(features);
        bool hasGamma = !gamma.IsEmpty, hasBeta = !beta.IsEmpty;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * features, features);
            Span<T> yr = y.Slice(r * features, features);
            T mu = T.Zero;
            if (!rmsScaling)
            {
                // Two accumulators, so the adds of a 64-wide row are two chains of four rather than one of eight.
                Vector256<T> even = Vector256<T>.Zero, odd = Vector256<T>.Zero;
                int i = 0;
                for (; i + 2 * width <= whole; i += 2 * width)
                {
                    even += Vector256.Create(xr.Slice(i, width));
                    odd += Vector256.Create(xr.Slice(i + width, width));
                }
                if (i < whole)
                {
                    even += Vector256.Create(xr.Slice(i, width));
                    i += width;
                }
                T sum = Vector256.Sum(even + odd);
                for (; i < features; i++)
                    sum += xr[i];
                mu = sum / count;
            }

            Vector256<T> muV = Vector256.Create(mu);
            Vector256<T> squares = Vector256<T>.Zero;
            int j = 0;
            for (; j < whole; j += width)
            {
                Vector256<T> d = Vector256.Create(xr.Slice(j, width)) - muV;
                squares += d * d;
            }
            T sumOfSquares = Vector256.Sum(squares);
            for (; j < features; j++)
            {
                T d = xr[j] - mu;
                sumOfSquares += d * d;
            }
            double variance = double.CreateTruncating(sumOfSquares) / features;
            T s = T.CreateTruncating(1.0 / Math.Sqrt(variance + epsilon));
            mean[r] = mu;
            inverseStd[r] = s;

            // x may be y: each element is read before it is written, at the same index.
            Vector256<T> sV = Vector256.Create(s);
            int k = 0;
            for (; k < whole; k += width)
            {
                Vector256<T> t = (Vector256.Create(xr.Slice(k, width)) - muV) * sV;
                if (hasGamma)
                    t *= Vector256.Create(gamma.Slice(k, width));
                if (hasBeta)
                    t += Vector256.Create(beta.Slice(k, width));
                t.CopyTo(yr.Slice(k, width));
            }
            for (; k < features; k++)
            {
                T t = (xr[k] - mu) * s;
                if (hasGamma)
                    t *= gamma[k];
                if (hasBeta)
                    t += beta[k];
                yr[k] = t;
            }
        }
    }

    /// <summary>
    /// Backward: with x̂ = (x − μ) s and g = dy γ (dy without γ), <c>dγ += Σ_rows dy x̂</c>, <c>dβ += Σ_rows dy</c>
    /// (accumulated) and <c>dx = s (g − mean(g) − x̂ mean(g x̂))</c> (overwritten; without the mean(g) term under
    /// <paramref name="rmsScaling"/>).
    /// </summary>
    /// <param name="x">The forward input [rows, features].</param>
    /// <param name="dy">Gradient with respect to the output [rows, features]; overwritten with g = dy γ.</param>
    /// <param name="gamma">Scale per feature, or empty for none.</param>
    /// <param name="mean">μ per row from <see cref="Forward"/>.</param>
    /// <param name="inverseStd">s per row from <see cref="Forward"/>.</param>
    /// <param name="dx">Gradient with respect to the input (overwritten; must not overlap x or dy).</param>
    /// <param name="dGamma">Gradient accumulator for γ; empty exactly when <paramref name="gamma"/> is.</param>
    /// <param name="dBeta">Gradient accumulator for β, or empty when the layer has none.</param>
    /// <param name="rows">Rows; may be 0.</param>
    /// <param name="features">Length of the normalized axis; at least 1.</param>
    /// <param name="rmsScaling">True for RMSNorm (μ was 0 and is not differentiated).</param>
    /// <exception cref="ArgumentException">A length does not match, a size is out of range, or dx overlaps an input.</exception>
    public static void Backward<T>(ReadOnlySpan<T> x, Span<T> dy, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean, ReadOnlySpan<T> inverseStd,
        Span<T> dx, Span<T> dGamma, Span<T> dBeta, int rows, int features, bool rmsScaling)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(x.Length, rows, features, "Input", nameof(x));
        KernelGuard.SameLength(x.Length, dy.Length, "Output gradient", nameof(dy));
        KernelGuard.SameLength(x.Length, dx.Length, "Input gradient", nameof(dx));
        if (dx.Overlaps(x) || dx.Overlaps(dy))
            throw new ArgumentException("The input gradient overlaps x or dy; the kernel reads both after writing dx.", nameof(dx));
        KernelGuard.SameLengthOrEmpty(features, gamma.Length, "Gamma", nameof(gamma));
        KernelGuard.SameLengthOrEmpty(gamma.Length, dGamma.Length, "Gamma gradient", nameof(dGamma)); // empty: frozen, no γ gradient
        KernelGuard.SameLengthOrEmpty(features, dBeta.Length, "Beta gradient", nameof(dBeta));
        KernelGuard.SameLength(rows, mean.Length, "Mean", nameof(mean));
        KernelGuard.SameLength(rows, inverseStd.Length, "Inverse standard deviation", nameof(inverseStd));

        // In chunks of rows fixed by the sizes, shared with the worker pool; the γ and β sums add the chunks' partials
        // in chunk order, so any thread count gives the same bits.
        LayerNormBackward.Run(x, dy, gamma, mean, inverseStd, dx, dGamma, dBeta, rows, features, rmsScaling);
    }

    private static void CheckSizes(int length, int rows, int features, string what, string name)
    {
        KernelGuard.Positive(features, nameof(features));
        KernelGuard.NotNegative(rows, nameof(rows));
        if ((long)rows * features != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{what} length {length} does not match rows·features = {rows}·{features} = {(long)rows * features} (expected [rows, {features}])."),
                name);
        }
    }
}
