using System;
using System.Collections.Generic;

namespace NeuralDsl.Tests.Training;

/// <summary>
/// A hand-written one-layer model for the training-loop tests: <c>z = x·W + b</c> followed by the activation
/// that suits the loss (identity for regression, sigmoid for binary and softmax for categorical
/// cross-entropy), implementing every <see cref="IModel{T}"/> member the way generated models do. It can
/// record the first input column of every row it sees, which the tests use as a sample id.
/// </summary>
internal sealed class LinearTestModel : IModel<double>
{
    private readonly double[] _parameters;
    private readonly double[] _gradients;
    private readonly ParameterInfo[] _layout;
    private double[] _input = [];
    private double[] _output = [];
    private double[] _dz = [];
    private int _batch;

    public LinearTestModel(int inputSize, int outputSize, Loss loss = Loss.MeanSquaredError, int seed = 0)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Loss = loss;
        _parameters = new double[inputSize * outputSize + outputSize];
        _gradients = new double[_parameters.Length];
        var rng = new Rng((ulong)seed);
        for (int i = 0; i < inputSize * outputSize; i++)
            _parameters[i] = 0.1 * rng.NextNormal();
        _layout = [new("dense.kernel", 0, [inputSize, outputSize]), new("dense.bias", inputSize * outputSize, [outputSize])];
    }

    /// <summary>When set, the first input value of every training row (ComputeGradients) is appended.</summary>
    public List<double>? TrainedIds { get; set; }

    /// <summary>When set, the first input value of every row passed to Predict is appended.</summary>
    public List<double>? PredictedIds { get; set; }

    /// <summary>When set, the size of every training batch is appended.</summary>
    public List<int>? BatchSizes { get; set; }

    public string Name => nameof(LinearTestModel);

    public int InputSize { get; }

    public int OutputSize { get; }

    public int TargetSize => Loss == Loss.SparseCategoricalCrossEntropy ? 1 : OutputSize;

    public int OutputLastAxis => OutputSize;

    public Loss Loss { get; }

    public string Summary => $"dense (Dense) (None, {OutputSize}) {_parameters.Length}";

    public Span<double> Parameters => _parameters;

    public Span<double> Gradients => _gradients;

    public IReadOnlyList<ParameterInfo> ParameterLayout => _layout;

    public ReadOnlySpan<double> LastOutput => _output.AsSpan(0, _batch * OutputSize);

    public void Predict(ReadOnlySpan<double> input, Span<double> output)
    {
        int batch = CheckBatch(input, output);
        if (PredictedIds is not null)
        {
            for (int r = 0; r < batch; r++) PredictedIds.Add(input[r * InputSize]);
        }
        Affine(input, output, batch);
        Activate(output);
    }

    public void Forward(ReadOnlySpan<double> input, Span<double> output, bool training)
    {
        int batch = CheckBatch(input, output);
        Grow(batch);
        _batch = batch;
        input.CopyTo(_input);
        Affine(input, _output, batch);
        Activate(_output.AsSpan(0, batch * OutputSize));
        _output.AsSpan(0, batch * OutputSize).CopyTo(output);
    }

    public void Backward(ReadOnlySpan<double> outputGradient, Span<double> inputGradient)
    {
        int n = _batch * OutputSize;
        Span<double> dz = _dz.AsSpan(0, n);
        ReadOnlySpan<double> a = _output.AsSpan(0, n);
        switch (Loss)
        {
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < n; i++) dz[i] = outputGradient[i] * a[i] * (1 - a[i]);
                break;
            case Loss.CategoricalCrossEntropy:
            case Loss.SparseCategoricalCrossEntropy:
                for (int r = 0; r < _batch; r++)
                {
                    double dot = 0;
                    for (int j = 0; j < OutputSize; j++) dot += a[r * OutputSize + j] * outputGradient[r * OutputSize + j];
                    for (int j = 0; j < OutputSize; j++) dz[r * OutputSize + j] = a[r * OutputSize + j] * (outputGradient[r * OutputSize + j] - dot);
                }
                break;
            default:
                outputGradient.CopyTo(dz);
                break;
        }
        BackwardFromZ(inputGradient);
    }

    public void ZeroGradients() => Array.Clear(_gradients);

    public double ComputeGradients(ReadOnlySpan<double> input, ReadOnlySpan<double> target)
    {
        int batch = input.Length / InputSize;
        if (TrainedIds is not null)
        {
            for (int r = 0; r < batch; r++) TrainedIds.Add(input[r * InputSize]);
        }
        BatchSizes?.Add(batch);
        Grow(batch);
        Forward(input, _output.AsSpan(0, batch * OutputSize), training: true);
        ReadOnlySpan<double> p = LastOutput;
        double loss = Losses.Compute(Loss, p, target, OutputLastAxis);
        Span<double> dz = _dz.AsSpan(0, p.Length);
        // The fused final-activation gradients, as the generator emits them.
        switch (Loss)
        {
            case Loss.BinaryCrossEntropy:
                Losses.SigmoidBinaryCrossEntropyGradient(p, target, dz, OutputLastAxis);
                break;
            case Loss.CategoricalCrossEntropy:
                Losses.SoftmaxCategoricalCrossEntropyGradient(p, target, dz, OutputLastAxis);
                break;
            case Loss.SparseCategoricalCrossEntropy:
                Losses.SoftmaxSparseCategoricalCrossEntropyGradient(p, target, dz, OutputLastAxis);
                break;
            default:
                Losses.Gradient(Loss, p, target, dz, OutputLastAxis);
                break;
        }
        ZeroGradients();
        BackwardFromZ(default);
        return loss;
    }

    /// <summary>dW += xᵀ·dz, db += Σ dz, dx = dz·Wᵀ (when asked for).</summary>
    private void BackwardFromZ(Span<double> inputGradient)
    {
        int wLength = InputSize * OutputSize;
        for (int r = 0; r < _batch; r++)
        {
            for (int j = 0; j < OutputSize; j++)
            {
                double d = _dz[r * OutputSize + j];
                _gradients[wLength + j] += d;
                for (int i = 0; i < InputSize; i++)
                    _gradients[i * OutputSize + j] += _input[r * InputSize + i] * d;
            }
            if (!inputGradient.IsEmpty)
            {
                for (int i = 0; i < InputSize; i++)
                {
                    double s = 0;
                    for (int j = 0; j < OutputSize; j++) s += _dz[r * OutputSize + j] * _parameters[i * OutputSize + j];
                    inputGradient[r * InputSize + i] = s;
                }
            }
        }
    }

    private void Affine(ReadOnlySpan<double> input, Span<double> z, int batch)
    {
        int wLength = InputSize * OutputSize;
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < OutputSize; j++)
            {
                double s = _parameters[wLength + j];
                for (int i = 0; i < InputSize; i++) s += input[r * InputSize + i] * _parameters[i * OutputSize + j];
                z[r * OutputSize + j] = s;
            }
        }
    }

    private void Activate(Span<double> z)
    {
        switch (Loss)
        {
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < z.Length; i++) z[i] = 1 / (1 + Math.Exp(-z[i]));
                break;
            case Loss.CategoricalCrossEntropy:
            case Loss.SparseCategoricalCrossEntropy:
                for (int r = 0; r < z.Length / OutputSize; r++)
                {
                    Span<double> row = z.Slice(r * OutputSize, OutputSize);
                    double max = double.NegativeInfinity;
                    foreach (double v in row) max = Math.Max(max, v);
                    double sum = 0;
                    for (int j = 0; j < row.Length; j++) sum += row[j] = Math.Exp(row[j] - max);
                    for (int j = 0; j < row.Length; j++) row[j] /= sum;
                }
                break;
        }
    }

    private int CheckBatch(ReadOnlySpan<double> input, Span<double> output)
    {
        if (input.Length % InputSize != 0 || output.Length != input.Length / InputSize * OutputSize)
            throw new ArgumentException($"Bad sizes: input {input.Length}, output {output.Length}.");
        return input.Length / InputSize;
    }

    /// <summary>Buffers grow to the largest batch seen, never per call.</summary>
    private void Grow(int batch)
    {
        if (_input.Length < batch * InputSize)
        {
            _input = new double[batch * InputSize];
            _output = new double[batch * OutputSize];
            _dz = new double[batch * OutputSize];
        }
    }
}
