using System;
using System.Globalization;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// Trains a generator and a discriminator against each other, the classic Keras GAN loop: each <see cref="Step"/>
/// takes one discriminator update on a real batch (label 1), one on a generated batch (label 0), then one generator
/// update through the frozen discriminator (targets 1): binary cross-entropy on the discriminator's output, whose
/// input gradient (<see cref="IModel{T}.Backward"/>) is the generator's output gradient.
/// </summary>
/// <remarks>
/// <para>
/// The discriminator is frozen for the generator's update with its run-time <see cref="IModel{T}.Trainable"/> switch:
/// its backward pass computes only the input gradient (no parameter-gradient work), and its parameters do not move.
/// </para>
/// <para>
/// Latent noise is standard normal, drawn from a seeded <see cref="Rng"/>, a fresh batch for each of the two updates
/// (as the Keras loop draws one for <c>generator.predict</c> and one for <c>combined.train_on_batch</c>). Buffers are
/// created once for the batch size: a step allocates nothing.
/// </para>
/// <para>
/// The generator's output gradient is PyTorch's <c>BCELoss</c> gradient, <c>(p − y) / (max(p(1 − p), 1e-12) · n)</c>:
/// after the discriminator's sigmoid it is the fused <c>(p − y) / n</c>, also where Keras' clipped loss would have none
/// (a discriminator sure that a sample is fake, p &lt; 1e-7), so the generator keeps learning. The reported losses are
/// Keras' binary cross-entropy.
/// </para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class GanTrainer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The floor of p(1 − p) in the generator's output gradient (PyTorch's <c>BCELoss</c> EPSILON).</summary>
    public const double GradientEpsilon = 1e-12;

    private readonly T[] _noise, _generated, _scores, _scoreGradient, _generatedGradient, _noiseGradient, _ones, _zeros;
    private Rng _rng;

    /// <summary>Sets up the loop for batches of <paramref name="batchSize"/> samples.</summary>
    /// <param name="generator">Latent vector in, a sample out; any loss (it is not used).</param>
    /// <param name="discriminator">A sample in, one sigmoid probability out, declared with <see cref="Loss.BinaryCrossEntropy"/>.</param>
    /// <param name="batchSize">Samples in each real batch (and in each generated one).</param>
    /// <param name="seed">Seeds the latent noise.</param>
    /// <param name="generatorOptimizer">The generator's optimizer; <c>Adam(0.0002, beta1: 0.5)</c> when null.</param>
    /// <param name="discriminatorOptimizer">The discriminator's optimizer; <c>Adam(0.0002, beta1: 0.5)</c> when null.</param>
    /// <exception cref="ArgumentException">The models do not fit together, or one optimizer is given for both.</exception>
    public GanTrainer(IModel<T> generator, IModel<T> discriminator, int batchSize, ulong seed = 0,
        Optimizer? generatorOptimizer = null, Optimizer? discriminatorOptimizer = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (ReferenceEquals(generator, discriminator))
            throw new ArgumentException("The generator and the discriminator must be two models.", nameof(discriminator));
        if (generator.OutputSize != discriminator.InputSize)
            throw new ArgumentException(Invariant(
                $"The generator's output ({generator.OutputSize} elements) must be the discriminator's input ({discriminator.InputSize} elements)."),
                nameof(discriminator));
        if (discriminator.OutputSize != 1 || discriminator.Loss != Loss.BinaryCrossEntropy)
            throw new ArgumentException(Invariant(
                $"The discriminator must output one probability and be declared with Loss.BinaryCrossEntropy; '{discriminator.Name}' outputs {discriminator.OutputSize} element(s) with loss {discriminator.Loss}."),
                nameof(discriminator));
        Generator = generator;
        Discriminator = discriminator;
        BatchSize = batchSize;
        GeneratorOptimizer = generatorOptimizer ?? new Adam(0.0002, beta1: 0.5);
        DiscriminatorOptimizer = discriminatorOptimizer ?? new Adam(0.0002, beta1: 0.5);
        if (ReferenceEquals(GeneratorOptimizer, DiscriminatorOptimizer))
            throw new ArgumentException("Each model needs its own optimizer (an optimizer keeps one model's state).", nameof(discriminatorOptimizer));
        _rng = new Rng(seed);
        _noise = new T[batchSize * generator.InputSize];
        _noiseGradient = new T[_noise.Length];
        _generated = new T[batchSize * generator.OutputSize];
        _generatedGradient = new T[_generated.Length];
        _scores = new T[batchSize];
        _scoreGradient = new T[batchSize];
        _ones = new T[batchSize];
        _ones.AsSpan().Fill(T.One);
        _zeros = new T[batchSize];
    }

    /// <summary>The generator being trained.</summary>
    public IModel<T> Generator { get; }

    /// <summary>The discriminator being trained.</summary>
    public IModel<T> Discriminator { get; }

    /// <summary>Samples in each batch.</summary>
    public int BatchSize { get; }

    /// <summary>The generator's optimizer.</summary>
    public Optimizer GeneratorOptimizer { get; }

    /// <summary>The discriminator's optimizer.</summary>
    public Optimizer DiscriminatorOptimizer { get; }

    /// <summary>
    /// The generated batch of the last generator update, [batch × sample size]: what the discriminator judged.
    /// </summary>
    public ReadOnlySpan<T> LastGenerated => _generated;

    /// <summary>
    /// One alternating step on <paramref name="realBatch"/> ([<see cref="BatchSize"/> × the discriminator's input]):
    /// the discriminator on it (label 1) and on a generated batch (label 0), then the generator through the frozen
    /// discriminator. Allocates nothing.
    /// </summary>
    /// <returns>The discriminator's loss (the mean of its real and generated batch losses) and the generator's loss.</returns>
    /// <exception cref="ArgumentException"><paramref name="realBatch"/> is not one batch.</exception>
    public GanLosses Step(ReadOnlySpan<T> realBatch)
    {
        if (realBatch.Length != _generated.Length)
            throw new ArgumentException(Invariant(
                $"realBatch has {realBatch.Length} elements; expected {BatchSize} samples × {Discriminator.InputSize} = {_generated.Length}."),
                nameof(realBatch));

        // 1. The discriminator learns: real samples are 1, generated ones 0.
        FillNoise(_noise);
        Generator.Predict(_noise, _generated);
        T realLoss = TrainDiscriminator(realBatch, _ones);
        T fakeLoss = TrainDiscriminator(_generated, _zeros);

        // 2. The generator learns to make the frozen discriminator say 1.
        FillNoise(_noise);
        Generator.Forward(_noise, _generated, training: true);
        bool wasTrainable = Discriminator.Trainable;
        Discriminator.Trainable = false;
        T generatorLoss;
        try
        {
            Discriminator.Forward(_generated, _scores, training: true);
            generatorLoss = Losses.Compute(Loss.BinaryCrossEntropy, _scores, _ones, 1);
            OutputGradient(_scores, _ones, _scoreGradient);
            Discriminator.Backward(_scoreGradient, _generatedGradient);
        }
        finally
        {
            Discriminator.Trainable = wasTrainable;
        }
        Generator.ZeroGradients();
        Generator.Backward(_generatedGradient, _noiseGradient);
        GeneratorOptimizer.Step(Generator.Parameters, Generator.Gradients);

        T half = T.One / (T.One + T.One);
        return new GanLosses(double.CreateTruncating((realLoss + fakeLoss) * half), double.CreateTruncating(generatorLoss));
    }

    /// <summary>The discriminator's <c>TrainStep</c>: gradients of the mean loss on one batch, then its optimizer's update.</summary>
    private T TrainDiscriminator(ReadOnlySpan<T> input, ReadOnlySpan<T> labels)
    {
        T loss = Discriminator.ComputeGradients(input, labels);
        if (Discriminator.Trainable)
            DiscriminatorOptimizer.Step(Discriminator.Parameters, Discriminator.Gradients);
        return loss;
    }

    /// <summary>Fills <paramref name="noise"/> with standard normal draws from this trainer's generator of random numbers.</summary>
    public void FillNoise(Span<T> noise)
    {
        for (int i = 0; i < noise.Length; i++)
            noise[i] = T.CreateTruncating(_rng.NextNormal());
    }

    /// <summary>
    /// The binary cross-entropy gradient with respect to sigmoid probabilities <paramref name="p"/> for targets
    /// <paramref name="y"/>, as PyTorch's <c>BCELoss</c> computes it: <c>(p − y) / (max(p(1 − p), 1e-12) · n)</c>.
    /// </summary>
    /// <param name="p">Probabilities, one per sample.</param>
    /// <param name="y">Targets, one per sample.</param>
    /// <param name="dp">Receives the gradient.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void OutputGradient(ReadOnlySpan<T> p, ReadOnlySpan<T> y, Span<T> dp)
    {
        if (y.Length != p.Length || dp.Length != p.Length)
            throw new ArgumentException(Invariant($"p, y and dp must have one length; they have {p.Length}, {y.Length} and {dp.Length}."), nameof(dp));
        T epsilon = T.CreateTruncating(GradientEpsilon);
        T perElement = T.One / T.CreateTruncating(p.Length);
        for (int i = 0; i < p.Length; i++)
            dp[i] = (p[i] - y[i]) / T.Max(p[i] * (T.One - p[i]), epsilon) * perElement;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The losses of one <see cref="GanTrainer{T}.Step"/>.</summary>
/// <param name="Discriminator">The discriminator's binary cross-entropy, the mean over its real and generated batches.</param>
/// <param name="Generator">The generator's binary cross-entropy against targets 1, through the frozen discriminator.</param>
public readonly record struct GanLosses(double Discriminator, double Generator);
