using System;
using System.Collections.Generic;
using System.Numerics;

namespace NeuralDsl.Tests.IO;

/// <summary>
/// A hand-written two-layer linear model (Dense 3→2, Dense 2→1, mean squared error) standing in for a generated
/// one: weight files only need <see cref="IModel{T}.Parameters"/> and <see cref="IModel{T}.ParameterLayout"/>, but
/// the passes are real so a loaded model can be checked by its predictions too.
/// </summary>
internal sealed class TinyModel<T> : IModel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int In = 3, Hidden = 2, Out = 1;
    private static readonly ParameterInfo[] Layout =
    [
        new("dense.kernel", 0, [In, Hidden]),
        new("dense.bias", 6, [Hidden]),
        new("dense_1.kernel", 8, [Hidden, Out]),
        new("dense_1.bias", 10, [Out]),
    ];

    private readonly T[] _parameters = new T[11];
    private readonly T[] _gradients = new T[11];
    private T[] _input = [];
    private T[] _hidden = [];
    private T[] _output = [];

    /// <summary>Fills the parameters with seeded values in [−1, 1).</summary>
    public TinyModel(int seed = 0)
    {
        var rng = new Rng((ulong)seed);
        for (int i = 0; i < _parameters.Length; i++) _parameters[i] = T.CreateChecked(2 * rng.NextDouble() - 1);
    }

    public string Name => "Tiny";
    public int InputSize => In;
    public int OutputSize => Out;
    public int TargetSize => Out;
    public int OutputLastAxis => Out;
    public Loss Loss => Loss.MeanSquaredError;
    public string Summary => "dense (Dense) [2] 8\ndense_1 (Dense) [1] 3";
    public Span<T> Parameters => _parameters;
    public Span<T> Gradients => _gradients;
    public IReadOnlyList<ParameterInfo> ParameterLayout => Layout;
    public ReadOnlySpan<T> LastOutput => _output;

    public void Predict(ReadOnlySpan<T> input, Span<T> output)
    {
        int batch = input.Length / In;
        Span<T> h = stackalloc T[Hidden];
        for (int b = 0; b < batch; b++)
        {
            Dense(input.Slice(b * In, In), _parameters.AsSpan(0, 6), _parameters.AsSpan(6, 2), h);
            Dense(h, _parameters.AsSpan(8, 2), _parameters.AsSpan(10, 1), output.Slice(b * Out, Out));
        }
    }

    public void Forward(ReadOnlySpan<T> input, Span<T> output, bool training)
    {
        int batch = input.Length / In;
        _input = input.ToArray();
        _hidden = new T[batch * Hidden];
        for (int b = 0; b < batch; b++)
        {
            Dense(input.Slice(b * In, In), _parameters.AsSpan(0, 6), _parameters.AsSpan(6, 2), _hidden.AsSpan(b * Hidden, Hidden));
            Dense(_hidden.AsSpan(b * Hidden, Hidden), _parameters.AsSpan(8, 2), _parameters.AsSpan(10, 1), output.Slice(b * Out, Out));
        }
        _output = output.ToArray();
    }

    public void Backward(ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        int batch = _input.Length / In;
        Span<T> dh = stackalloc T[Hidden];
        for (int b = 0; b < batch; b++)
        {
            T dy = outputGradient[b];
            for (int j = 0; j < Hidden; j++)
            {
                _gradients[8 + j] += _hidden[b * Hidden + j] * dy;
                dh[j] = _parameters[8 + j] * dy;
            }
            _gradients[10] += dy;
            for (int i = 0; i < In; i++)
            {
                T dx = T.Zero;
                for (int j = 0; j < Hidden; j++)
                {
                    _gradients[i * Hidden + j] += _input[b * In + i] * dh[j];
                    dx += _parameters[i * Hidden + j] * dh[j];
                }
                inputGradient[b * In + i] = dx;
            }
            for (int j = 0; j < Hidden; j++) _gradients[6 + j] += dh[j];
        }
    }

    public void ZeroGradients() => Array.Clear(_gradients);

    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> target)
    {
        int batch = input.Length / In;
        var output = new T[batch * Out];
        Forward(input, output, training: true);
        var dy = new T[output.Length];
        T loss = T.Zero, n = T.CreateChecked(output.Length);
        for (int i = 0; i < output.Length; i++)
        {
            T e = output[i] - target[i];
            loss += e * e / n;
            dy[i] = T.CreateChecked(2) * e / n;
        }
        ZeroGradients();
        Backward(dy, new T[input.Length]);
        return loss;
    }

    private static void Dense(ReadOnlySpan<T> x, ReadOnlySpan<T> kernel, ReadOnlySpan<T> bias, Span<T> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            T sum = bias[j];
            for (int i = 0; i < x.Length; i++) sum += x[i] * kernel[i * y.Length + j];
            y[j] = sum;
        }
    }
}
