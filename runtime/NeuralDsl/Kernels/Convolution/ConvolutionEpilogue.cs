using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// The bias-and-ReLU step that the fused <see cref="Convolution"/> forward pass applies to output rows while they are
/// still in registers or cache. It computes exactly what <see cref="Bias.AddRows{T}"/> followed by
/// <see cref="Activations.Relu{T}"/> computes (one rounding for the addition, then the IEEE maximum with +0, which
/// keeps NaN and maps −0 to +0), so the fused and the three-pass forms agree bit for bit.
/// </summary>
internal static unsafe class ConvolutionEpilogue
{
    /// <summary>
    /// The epilogue of one call. <see cref="Bias"/> is null when the layer has none; <see cref="IsEmpty"/> means
    /// the rows are final as the product leaves them. The pointer is pinned by the caller for the whole call.
    /// </summary>
    internal readonly struct Spec<T>(T* bias, bool relu)
        where T : unmanaged
    {
        /// <summary>One value per filter, or null.</summary>
        public readonly T* Bias = bias;

        /// <summary>Whether max(·, 0) follows the bias.</summary>
        public readonly bool Relu = relu;

        /// <summary>Neither bias nor ReLU: nothing to apply.</summary>
        public bool IsEmpty => Bias == null && !Relu;
    }

    /// <summary>Filters j..j+Count of one output pixel, finished in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Finish<T>(Vector<T> sum, in Spec<T> spec, int j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (spec.Bias != null)
            sum += *(Vector<T>*)(spec.Bias + j);
        // Vector.Max is the IEEE maximum on .NET 9+, the same as TensorPrimitives.Max in Activations.Relu.
        if (spec.Relu)
            sum = Vector.Max(sum, Vector<T>.Zero);
        return sum;
    }

    /// <summary>Filter j of one output pixel (the scalar tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Finish<T>(T sum, in Spec<T> spec, int j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (spec.Bias != null)
            sum += spec.Bias[j];
        return spec.Relu ? T.Max(sum, T.Zero) : sum;
    }

    /// <summary>
    /// The backward epilogue of one block of output rows: dz = dy ⊙ (output &gt; 0) in place when
    /// <paramref name="reluOutput"/> is given (as <see cref="Activations.ReluBackward{T}"/> computes it from the output,
    /// positive exactly where the pre-activation is), then dBias += Σ rows of dz when <paramref name="dBias"/> is given,
    /// row after row as <see cref="Bias.AccumulateGradient{T}"/> adds them.
    /// </summary>
    public static void ReluBackwardAndBiasGradient<T>(T* dy, T* reluOutput, T* dBias, int pixels, int filters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (reluOutput == null && dBias == null)
            return;
        int n = Vector<T>.Count;
        for (int r = 0; r < pixels; r++, dy += filters)
        {
            int j = 0;
            for (; j + n <= filters; j += n)
            {
                var d = *(Vector<T>*)(dy + j);
                if (reluOutput != null)
                {
                    d = Vector.GreaterThan(*(Vector<T>*)(reluOutput + j), Vector<T>.Zero) & d;
                    *(Vector<T>*)(dy + j) = d;
                }
                if (dBias != null)
                    *(Vector<T>*)(dBias + j) += d;
            }
            for (; j < filters; j++)
            {
                T d = dy[j];
                if (reluOutput != null)
                {
                    d = reluOutput[j] > T.Zero ? d : T.Zero;
                    dy[j] = d;
                }
                if (dBias != null)
                    dBias[j] += d;
            }
            if (reluOutput != null)
                reluOutput += filters;
        }
    }

    /// <summary>Applies the epilogue to <paramref name="pixels"/> rows of <paramref name="filters"/> values at <paramref name="y"/>.</summary>
    public static void ApplyRows<T>(T* y, int pixels, int filters, in Spec<T> spec)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (spec.IsEmpty)
            return;
        int n = Vector<T>.Count;
        for (int r = 0; r < pixels; r++, y += filters)
        {
            int j = 0;
            for (; j + n <= filters; j += n)
                *(Vector<T>*)(y + j) = Finish(*(Vector<T>*)(y + j), spec, j);
            for (; j < filters; j++)
                y[j] = Finish(y[j], spec, j);
        }
    }
}
