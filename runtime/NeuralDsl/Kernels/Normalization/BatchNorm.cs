using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// BatchNormalization with axis −1 (Keras 3): the statistics are per channel over every other axis, so the input
/// is viewed as [rows, channels] with rows = batch·H·W (or batch·steps, or batch). Training uses the batch mean and
/// the biased variance and updates the moving statistics; inference uses the moving statistics as constants.
/// </summary>
/// <remarks>
/// The per-channel sums (mean, variance and the two backward reductions) are accumulated in double for float
/// inputs too, with a two-pass variance (mean first, then the squared deviations): a one-pass E[x²] − E[x]² in
/// float loses every digit when the mean is large against the spread, and rows·channels can be large. Channels are
/// processed in blocks of <see cref="Block"/> whose accumulators live on the stack, so no call allocates; the rows
/// of a block are read contiguously and accumulated with double vectors (<see cref="BatchNormSums"/>). The
/// normalization runs in T, in row chunks shared with the worker pool when long (<see cref="ElementwiseParts"/>); the
/// backward passes' element-wise parts run in T with TensorPrimitives.
/// </remarks>
public static unsafe class BatchNorm
{
    /// <summary>Channels per block: the three to five stack buffers of this many doubles/T stay under 10 KB.</summary>
    private const int Block = 256;

    /// <summary>
    /// Training forward: per channel c the batch mean μ and biased variance σ² over the rows,
    /// <c>y = γ (x − μ) / sqrt(σ² + ε) + β</c>, <paramref name="mean"/> and <paramref name="inverseStd"/>
    /// (1/sqrt(σ² + ε)) kept for <see cref="Backward"/>, and the moving statistics updated in place as
    /// <c>moving · momentum + stat · (1 − momentum)</c> with the biased variance (Keras 3).
    /// </summary>
    /// <param name="x">Input [rows, channels]. May be the same memory as <paramref name="y"/>.</param>
    /// <param name="gamma">Scale, one per channel.</param>
    /// <param name="beta">Offset, one per channel.</param>
    /// <param name="y">Output [rows, channels].</param>
    /// <param name="mean">Receives the batch mean per channel.</param>
    /// <param name="inverseStd">Receives 1/sqrt(σ² + ε) per channel.</param>
    /// <param name="movingMean">Moving mean, updated in place.</param>
    /// <param name="movingVariance">Moving variance, updated in place.</param>
    /// <param name="rows">Rows (batch·H·W); at least 1.</param>
    /// <param name="channels">Channels; at least 1.</param>
    /// <param name="momentum">Moving-average momentum in [0, 1] (Keras default 0.99).</param>
    /// <param name="epsilon">Added to the variance, ≥ 0 (Keras default 1e-3).</param>
    /// <exception cref="ArgumentException">A length does not match, or a size or hyper-parameter is out of range.</exception>
    public static void TrainingForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y,
        Span<T> mean, Span<T> inverseStd, Span<T> movingMean, Span<T> movingVariance, int rows, int channels,
        double momentum, double epsilon)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(x.Length, rows, channels, "Input", nameof(x));
        KernelGuard.SameLength(x.Length, y.Length, "Output", nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(y));
        CheckChannels(channels, gamma.Length, nameof(gamma), beta.Length, nameof(beta));
        CheckChannels(channels, mean.Length, nameof(mean), inverseStd.Length, nameof(inverseStd));
        CheckChannels(channels, movingMean.Length, nameof(movingMean), movingVariance.Length, nameof(movingVariance));
        CheckMomentum(momentum);
        CheckEpsilon(epsilon);

        Span<double> sum = stackalloc double[Block];
        Span<double> squares = stackalloc double[Block];
        Span<T> scale = stackalloc T[Block];
        for (int c0 = 0; c0 < channels; c0 += Block)
        {
            int n = Math.Min(Block, channels - c0);
            Span<double> s = sum[..n];
            Span<double> q = squares[..n];
            s.Clear();
            q.Clear();
            for (int r = 0; r < rows; r++)
                BatchNormSums.AddRow(x.Slice(r * channels + c0, n), s);
            for (int c = 0; c < n; c++)
                s[c] /= rows;
            for (int r = 0; r < rows; r++)
                BatchNormSums.AddSquaredDeviations(x.Slice(r * channels + c0, n), s, q);
            for (int c = 0; c < n; c++)
            {
                int ch = c0 + c;
                double mu = s[c];
                double variance = q[c] / rows;
                double inv = 1.0 / Math.Sqrt(variance + epsilon);
                mean[ch] = T.CreateTruncating(mu);
                inverseStd[ch] = T.CreateTruncating(inv);
                scale[c] = T.CreateTruncating(double.CreateTruncating(gamma[ch]) * inv);
                movingMean[ch] = T.CreateTruncating(double.CreateTruncating(movingMean[ch]) * momentum + mu * (1 - momentum));
                movingVariance[ch] = T.CreateTruncating(
                    double.CreateTruncating(movingVariance[ch]) * momentum + variance * (1 - momentum));
            }
            Normalize(x, y, mean.Slice(c0, n), scale[..n], beta.Slice(c0, n), rows, channels, c0);
        }
    }

    /// <summary>
    /// Inference forward: <c>y = γ (x − moving_mean) / sqrt(moving_variance + ε) + β</c>, the moving statistics
    /// used as constants (Keras <c>training=False</c>).
    /// </summary>
    /// <param name="x">Input [rows, channels]. May be the same memory as <paramref name="y"/>.</param>
    /// <param name="gamma">Scale, one per channel.</param>
    /// <param name="beta">Offset, one per channel.</param>
    /// <param name="movingMean">Moving mean per channel.</param>
    /// <param name="movingVariance">Moving variance per channel.</param>
    /// <param name="y">Output [rows, channels].</param>
    /// <param name="rows">Rows (batch·H·W).</param>
    /// <param name="channels">Channels; at least 1.</param>
    /// <param name="epsilon">Added to the variance, ≥ 0.</param>
    /// <exception cref="ArgumentException">A length does not match, or a size or epsilon is out of range.</exception>
    public static void InferenceForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta,
        ReadOnlySpan<T> movingMean, ReadOnlySpan<T> movingVariance, Span<T> y, int rows, int channels, double epsilon)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(x.Length, rows, channels, "Input", nameof(x), allowEmpty: true);
        KernelGuard.SameLength(x.Length, y.Length, "Output", nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(y));
        CheckChannels(channels, gamma.Length, nameof(gamma), beta.Length, nameof(beta));
        CheckChannels(channels, movingMean.Length, nameof(movingMean), movingVariance.Length, nameof(movingVariance));
        CheckEpsilon(epsilon);

        Span<T> scale = stackalloc T[Block];
        for (int c0 = 0; c0 < channels; c0 += Block)
        {
            int n = Math.Min(Block, channels - c0);
            for (int c = 0; c < n; c++)
            {
                int ch = c0 + c;
                double inv = 1.0 / Math.Sqrt(double.CreateTruncating(movingVariance[ch]) + epsilon);
                scale[c] = T.CreateTruncating(double.CreateTruncating(gamma[ch]) * inv);
            }
            Normalize(x, y, movingMean.Slice(c0, n), scale[..n], beta.Slice(c0, n), rows, channels, c0);
        }
    }

    /// <summary>
    /// Training backward through the batch statistics. With x̂ = (x − μ)·inverseStd, N = rows,
    /// <c>dβ += Σ dy</c>, <c>dγ += Σ dy·x̂</c> (accumulated) and
    /// <c>dx = γ·inverseStd·(dy − Σdy/N − x̂·Σ(dy·x̂)/N)</c> (overwritten).
    /// </summary>
    /// <param name="x">The forward input [rows, channels].</param>
    /// <param name="dy">Gradient with respect to the output [rows, channels].</param>
    /// <param name="gamma">Scale, one per channel.</param>
    /// <param name="mean">The batch mean from <see cref="TrainingForward"/>.</param>
    /// <param name="inverseStd">The inverse standard deviation from <see cref="TrainingForward"/>.</param>
    /// <param name="dx">Gradient with respect to the input (overwritten; must not overlap x or dy).</param>
    /// <param name="dGamma">Gradient accumulator for γ.</param>
    /// <param name="dBeta">Gradient accumulator for β.</param>
    /// <param name="rows">Rows; at least 1.</param>
    /// <param name="channels">Channels; at least 1.</param>
    /// <exception cref="ArgumentException">A length does not match, a size is out of range, or dx overlaps an input.</exception>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> inverseStd, Span<T> dx, Span<T> dGamma, Span<T> dBeta, int rows, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(x.Length, rows, channels, "Input", nameof(x));
        KernelGuard.SameLength(x.Length, dy.Length, "Output gradient", nameof(dy));
        KernelGuard.SameLength(x.Length, dx.Length, "Input gradient", nameof(dx));
        if (dx.Overlaps(x) || dx.Overlaps(dy))
            throw new ArgumentException("The input gradient overlaps x or dy; the kernel reads both after writing dx.", nameof(dx));
        KernelGuard.SameLength(channels, gamma.Length, "Gamma", nameof(gamma));
        CheckChannels(channels, mean.Length, nameof(mean), inverseStd.Length, nameof(inverseStd));
        CheckChannels(channels, dGamma.Length, nameof(dGamma), dBeta.Length, nameof(dBeta));

        Span<double> sumDy = stackalloc double[Block];
        Span<double> sumDyCentered = stackalloc double[Block];
        Span<double> centerBuffer = stackalloc double[Block];
        Span<T> a = stackalloc T[Block];
        Span<T> bCoef = stackalloc T[Block];
        Span<T> d = stackalloc T[Block];
        for (int c0 = 0; c0 < channels; c0 += Block)
        {
            int n = Math.Min(Block, channels - c0);
            Span<double> s1 = sumDy[..n];
            Span<double> s2 = sumDyCentered[..n];
            ReadOnlySpan<T> mu = mean.Slice(c0, n);
            GradientSums(x, dy, mu, rows, channels, c0, centerBuffer[..n], s1, s2);
            // dx = A·dy + B·(x − μ) + D with A = γ·s, B = −γ·s³·Σdy(x−μ)/N, D = −γ·s·Σdy/N (s = inverseStd).
            for (int c = 0; c < n; c++)
            {
                int ch = c0 + c;
                double inv = double.CreateTruncating(inverseStd[ch]);
                double gi = double.CreateTruncating(gamma[ch]) * inv;
                a[c] = T.CreateTruncating(gi);
                bCoef[c] = T.CreateTruncating(-gi * inv * inv * s2[c] / rows);
                d[c] = T.CreateTruncating(-gi * s1[c] / rows);
                dGamma[ch] = T.CreateTruncating(double.CreateTruncating(dGamma[ch]) + s2[c] * inv);
                dBeta[ch] = T.CreateTruncating(double.CreateTruncating(dBeta[ch]) + s1[c]);
            }
            for (int r = 0; r < rows; r++)
            {
                int offset = r * channels + c0;
                Span<T> target = dx.Slice(offset, n);
                TensorPrimitives.Subtract(x.Slice(offset, n), mu, target);
                TensorPrimitives.MultiplyAdd(target, bCoef[..n], d[..n], target);
                TensorPrimitives.MultiplyAdd(dy.Slice(offset, n), a[..n], target, target);
            }
        }
    }

    /// <summary>
    /// Inference-mode backward (Keras <c>training=False</c>, e.g. a frozen layer being fine-tuned through): the
    /// moving statistics are constants, so with s = 1/sqrt(moving_variance + ε)
    /// <c>dx = γ·s·dy</c> (overwritten), <c>dγ += Σ dy·(x − moving_mean)·s</c> and <c>dβ += Σ dy</c> (accumulated).
    /// </summary>
    /// <param name="x">The forward input [rows, channels].</param>
    /// <param name="dy">Gradient with respect to the output [rows, channels].</param>
    /// <param name="gamma">Scale, one per channel.</param>
    /// <param name="movingMean">Moving mean per channel.</param>
    /// <param name="movingVariance">Moving variance per channel.</param>
    /// <param name="dx">Gradient with respect to the input (overwritten; must not overlap x or dy).</param>
    /// <param name="dGamma">Gradient accumulator for γ.</param>
    /// <param name="dBeta">Gradient accumulator for β.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="channels">Channels; at least 1.</param>
    /// <param name="epsilon">Added to the variance, ≥ 0.</param>
    /// <exception cref="ArgumentException">A length does not match, a size is out of range, or dx overlaps an input.</exception>
    public static void InferenceBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> movingMean, ReadOnlySpan<T> movingVariance, Span<T> dx, Span<T> dGamma, Span<T> dBeta,
        int rows, int channels, double epsilon)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(x.Length, rows, channels, "Input", nameof(x), allowEmpty: true);
        KernelGuard.SameLength(x.Length, dy.Length, "Output gradient", nameof(dy));
        KernelGuard.SameLength(x.Length, dx.Length, "Input gradient", nameof(dx));
        if (dx.Overlaps(x) || dx.Overlaps(dy))
            throw new ArgumentException("The input gradient overlaps x or dy; the kernel reads both after writing dx.", nameof(dx));
        KernelGuard.SameLength(channels, gamma.Length, "Gamma", nameof(gamma));
        CheckChannels(channels, movingMean.Length, nameof(movingMean), movingVariance.Length, nameof(movingVariance));
        CheckChannels(channels, dGamma.Length, nameof(dGamma), dBeta.Length, nameof(dBeta));
        CheckEpsilon(epsilon);

        Span<double> sumDy = stackalloc double[Block];
        Span<double> sumDyCentered = stackalloc double[Block];
        Span<double> centerBuffer = stackalloc double[Block];
        Span<T> scale = stackalloc T[Block];
        for (int c0 = 0; c0 < channels; c0 += Block)
        {
            int n = Math.Min(Block, channels - c0);
            Span<double> s1 = sumDy[..n];
            Span<double> s2 = sumDyCentered[..n];
            ReadOnlySpan<T> mu = movingMean.Slice(c0, n);
            GradientSums(x, dy, mu, rows, channels, c0, centerBuffer[..n], s1, s2);
            for (int c = 0; c < n; c++)
            {
                int ch = c0 + c;
                double inv = 1.0 / Math.Sqrt(double.CreateTruncating(movingVariance[ch]) + epsilon);
                scale[c] = T.CreateTruncating(double.CreateTruncating(gamma[ch]) * inv);
                dGamma[ch] = T.CreateTruncating(double.CreateTruncating(dGamma[ch]) + s2[c] * inv);
                dBeta[ch] = T.CreateTruncating(double.CreateTruncating(dBeta[ch]) + s1[c]);
            }
            for (int r = 0; r < rows; r++)
            {
                int offset = r * channels + c0;
                TensorPrimitives.Multiply(dy.Slice(offset, n), scale[..n], dx.Slice(offset, n));
            }
        }
    }

    /// <summary>
    /// The input gradient of inference mode alone, <c>dx = γ·dy / sqrt(moving_variance + ε)</c> (overwritten): what a
    /// frozen layer (<c>Trainable = false</c>) needs, without the dγ and dβ sums of
    /// <see cref="InferenceBackward{T}"/>, whose dx it equals bit for bit.
    /// </summary>
    /// <param name="dy">Gradient with respect to the output [rows, channels].</param>
    /// <param name="gamma">Scale, one per channel.</param>
    /// <param name="movingVariance">Moving variance per channel.</param>
    /// <param name="dx">Gradient with respect to the input (overwritten; may be dy itself).</param>
    /// <param name="rows">Rows.</param>
    /// <param name="channels">Channels; at least 1.</param>
    /// <param name="epsilon">Added to the variance, ≥ 0.</param>
    /// <exception cref="ArgumentException">A length does not match or a size is out of range.</exception>
    public static void InferenceInputBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> gamma, ReadOnlySpan<T> movingVariance, Span<T> dx,
        int rows, int channels, double epsilon)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        CheckSizes(dy.Length, rows, channels, "Output gradient", nameof(dy), allowEmpty: true);
        KernelGuard.SameLength(dy.Length, dx.Length, "Input gradient", nameof(dx));
        KernelGuard.SameLength(channels, gamma.Length, "Gamma", nameof(gamma));
        KernelGuard.SameLength(channels, movingVariance.Length, "Moving variance", nameof(movingVariance));
        CheckEpsilon(epsilon);

        Span<T> scale = stackalloc T[Block];
        for (int c0 = 0; c0 < channels; c0 += Block)
        {
            int n = Math.Min(Block, channels - c0);
            for (int c = 0; c < n; c++)
            {
                int ch = c0 + c;
                double inv = 1.0 / Math.Sqrt(double.CreateTruncating(movingVariance[ch]) + epsilon);
                scale[c] = T.CreateTruncating(double.CreateTruncating(gamma[ch]) * inv);
            }
            for (int r = 0; r < rows; r++)
            {
                int offset = r * channels + c0;
                TensorPrimitives.Multiply(dy.Slice(offset, n), scale[..n], dx.Slice(offset, n));
            }
        }
    }

    /// <summary>What one <see cref="Normalize{T}"/> call shares with the pool, on the caller's stack: the pointers
    /// (x and y at the block's first channel), the row stride and the block's width.</summary>
    private struct NormalizeJob<T>
        where T : unmanaged
    {
        public T* X, Y, Center, Scale, Beta;
        public int Channels, Width;
    }

    /// <summary>
    /// y = (x − center)·scale + β for channels [c0, c0 + n) of every row (n = <paramref name="center"/>.Length): a
    /// subtraction and then a multiply and an add, each rounded (no fused multiply-add, as TensorPrimitives'
    /// Subtract and MultiplyAdd compute it), in row chunks shared with the pool (<see cref="ElementwiseParts"/>).
    /// </summary>
    private static void Normalize<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<T> center, ReadOnlySpan<T> scale,
        ReadOnlySpan<T> beta, int rows, int channels, int c0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (rows == 0)
            return;
        fixed (T* px = x)
        fixed (T* py = y)
        fixed (T* pc = center)
        fixed (T* ps = scale)
        fixed (T* pb = beta)
        {
            var job = new NormalizeJob<T>
            {
                X = px + c0, Y = py + c0, Center = pc, Scale = ps, Beta = pb, Channels = channels, Width = center.Length,
            };
            WorkerPool.Run(&NormalizeRows<T>, &job, rows, ElementwiseParts.RowsPerChunk(rows, center.Length));
        }
    }

    private static void NormalizeRows<T>(void* context, int start, int end)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref NormalizeJob<T> job = ref Unsafe.AsRef<NormalizeJob<T>>(context);
        T* center = job.Center, scale = job.Scale, beta = job.Beta;
        int n = job.Width, w = Vector<T>.Count;
        for (int r = start; r < end; r++)
        {
            T* x = job.X + (long)r * job.Channels;
            T* y = job.Y + (long)r * job.Channels;
            int c = 0;
            for (; c + w <= n; c += w)
            {
                Vector<T> t = Vector.Load(x + c) - Vector.Load(center + c);
                Vector.Store(t * Vector.Load(scale + c) + Vector.Load(beta + c), y + c);
            }
            for (; c < n; c++)
            {
                T t = x[c] - center[c];
                y[c] = t * scale[c] + beta[c];
            }
        }
    }

    /// <summary>
    /// The two sums both backward passes need for channels [c0, c0 + n) (n = <paramref name="mu"/>.Length), in double:
    /// <c>sumDy[c] = Σ dy</c> and <c>sumDyCentered[c] = Σ dy·(x − μ)</c> over every row; <paramref name="center"/> is
    /// scratch for μ in double.
    /// </summary>
    private static void GradientSums<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> mu, int rows, int channels,
        int c0, Span<double> center, Span<double> sumDy, Span<double> sumDyCentered)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = mu.Length;
        sumDy.Clear();
        sumDyCentered.Clear();
        for (int c = 0; c < n; c++)
            center[c] = double.CreateTruncating(mu[c]);
        for (int r = 0; r < rows; r++)
        {
            int offset = r * channels + c0;
            BatchNormSums.AddGradientRow(x.Slice(offset, n), dy.Slice(offset, n), center, sumDy, sumDyCentered);
        }
    }

    private static void CheckSizes(int length, int rows, int channels, string what, string name, bool allowEmpty = false)
    {
        KernelGuard.Positive(channels, nameof(channels));
        if (rows < (allowEmpty ? 0 : 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, string.Create(CultureInfo.InvariantCulture,
                $"rows must be {(allowEmpty ? "non-negative" : "positive (the batch statistics need at least one row)")}, but it is {rows}."));
        }
        if ((long)rows * channels != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{what} length {length} does not match rows·channels = {rows}·{channels} = {(long)rows * channels} (expected [rows, {channels}])."),
                name);
        }
    }

    private static void CheckChannels(int channels, int first, string firstName, int second, string secondName)
    {
        KernelGuard.SameLength(channels, first, firstName, firstName);
        KernelGuard.SameLength(channels, second, secondName, secondName);
    }

    private static void CheckMomentum(double momentum)
    {
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum,
                string.Create(CultureInfo.InvariantCulture, $"momentum must be in [0, 1], but it is {momentum:R}."));
        }
    }

    private static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon >= 0 && double.IsFinite(epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                string.Create(CultureInfo.InvariantCulture, $"epsilon must be finite and non-negative, but it is {epsilon:R}."));
        }
    }
}
