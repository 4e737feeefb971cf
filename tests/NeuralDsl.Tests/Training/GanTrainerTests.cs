using System;
using System.Runtime.InteropServices;
using Xunit;

namespace NeuralDsl.Tests.Training;

[Sequential] [Input(3)] [Dense(5, Activation.ReLU)] [Dense(4, Activation.Tanh)]
public partial class TinyGenerator;

[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(4)] [Dense(6, Activation.ReLU)] [Dense(1, Activation.Sigmoid)]
public partial class TinyDiscriminator;

/// <summary><see cref="GanTrainer{T}"/> against the same alternating step written out by hand.</summary>
public sealed class GanTrainerTests
{
    private const int Batch = 5;

    [Fact]
    public void Step_equals_the_hand_written_sequence_bit_for_bit()
    {
        var g1 = new TinyGenerator(1);
        var d1 = new TinyDiscriminator(2);
        var trainer = new GanTrainer<float>(g1, d1, Batch, seed: 9);

        var g2 = new TinyGenerator(1);
        var d2 = new TinyDiscriminator(2);
        var gOptimizer = new Adam(0.0002, beta1: 0.5);
        var dOptimizer = new Adam(0.0002, beta1: 0.5);
        var rng = new Rng(9);

        for (int step = 0; step < 3; step++)
        {
            float[] real = Real(step);
            GanLosses losses = trainer.Step(real);
            (double dLoss, double gLoss) = HandWrittenStep(g2, d2, gOptimizer, dOptimizer, ref rng, real);

            Assert.Equal(dLoss, losses.Discriminator);
            Assert.Equal(gLoss, losses.Generator);
            Assert.Equal(Bits(g2.Parameters), Bits(g1.Parameters));
            Assert.Equal(Bits(d2.Parameters), Bits(d1.Parameters));
            // The discriminator's gradients are still those of its last train step: frozen, it added none for the generator.
            Assert.Equal(Bits(d2.Gradients), Bits(d1.Gradients));
            Assert.Equal(Bits(g2.Gradients), Bits(g1.Gradients));
        }
        Assert.True(d1.Trainable);
        Assert.Equal(6, trainer.DiscriminatorOptimizer.Iterations);
        Assert.Equal(3, trainer.GeneratorOptimizer.Iterations);
    }

    [Fact]
    public void The_discriminator_does_not_move_during_the_generator_update()
    {
        // Only the generator's half of a step, by hand: the frozen discriminator's gradients stay zero.
        var g = new TinyGenerator(3);
        var d = new TinyDiscriminator(4);
        var noise = new float[Batch * 3];
        var rng = new Rng(5);
        for (int i = 0; i < noise.Length; i++)
            noise[i] = (float)rng.NextNormal();
        var fake = new float[Batch * 4];
        var scores = new float[Batch];
        var dScores = new float[Batch];
        var dFake = new float[fake.Length];
        g.Forward(noise, fake, training: true);
        d.ZeroGradients();
        d.Trainable = false;
        d.Forward(fake, scores, training: true);
        GanTrainer<float>.OutputGradient(scores, [1, 1, 1, 1, 1], dScores);
        d.Backward(dScores, dFake);
        Assert.All(d.Gradients.ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(dFake, v => v != 0);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_sizes()
    {
        var g = new TinyGenerator(1);
        var d = new TinyDiscriminator(2);
        var trainer = new GanTrainer<float>(g, d, Batch);
        var e = Assert.Throws<ArgumentException>(() => trainer.Step(new float[7]));
        Assert.Contains("expected 5 samples × 4 = 20", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GanTrainer<float>(d, d, Batch));
        // The "generator" here outputs 1 element, the discriminator reads 4.
        Assert.Throws<ArgumentException>(() => new GanTrainer<float>(d, new TinyDiscriminator(3), Batch));
        var shared = new Adam();
        Assert.Throws<ArgumentException>(() => new GanTrainer<float>(g, d, Batch, generatorOptimizer: shared, discriminatorOptimizer: shared));
    }

    [Fact]
    public void A_step_allocates_nothing_once_warm()
    {
        var trainer = new GanTrainer<float>(new TinyGenerator(1), new TinyDiscriminator(2), Batch, seed: 3);
        float[] real = Real(0);
        trainer.Step(real);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            trainer.Step(real);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>The Keras loop written out: Predict, two discriminator TrainSteps, then the generator through the frozen discriminator.</summary>
    private static (double, double) HandWrittenStep(TinyGenerator g, TinyDiscriminator d, Adam gOptimizer, Adam dOptimizer, ref Rng rng, float[] real)
    {
        var noise = new float[Batch * 3];
        var fake = new float[Batch * 4];
        float[] ones = [1, 1, 1, 1, 1];
        float[] zeros = new float[Batch];
        for (int i = 0; i < noise.Length; i++)
            noise[i] = (float)rng.NextNormal();
        g.Predict(noise, fake);
        float realLoss = d.TrainStep(real, ones, dOptimizer);
        float fakeLoss = d.TrainStep(fake, zeros, dOptimizer);

        for (int i = 0; i < noise.Length; i++)
            noise[i] = (float)rng.NextNormal();
        g.Forward(noise, fake, training: true);
        d.Trainable = false;
        var p = new float[Batch];
        d.Forward(fake, p, training: true);
        float gLoss = Losses.Compute(Loss.BinaryCrossEntropy, p, ones, 1);
        var dp = new float[Batch];
        for (int i = 0; i < Batch; i++)
            dp[i] = (p[i] - 1f) / MathF.Max(p[i] * (1f - p[i]), (float)1e-12) * (1f / Batch);
        var dFake = new float[fake.Length];
        d.Backward(dp, dFake);
        d.Trainable = true;
        g.ZeroGradients();
        g.Backward(dFake, new float[noise.Length]);
        gOptimizer.Step(g.Parameters, g.Gradients);
        return ((realLoss + fakeLoss) * 0.5f, gLoss);
    }

    private static float[] Real(int step)
    {
        var rng = new Rng(100 + (ulong)step);
        var real = new float[Batch * 4];
        for (int i = 0; i < real.Length; i++)
            real[i] = (float)(2 * rng.NextDouble() - 1);
        return real;
    }

    private static int[] Bits(Span<float> values) => MemoryMarshal.Cast<float, int>(values).ToArray();
}
