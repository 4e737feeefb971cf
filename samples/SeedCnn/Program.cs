// The seed's own CNN (64×64 RGB images, one binary output), declared by attributes and generated at compile time,
// then given a few training steps (Adam) on a small batch of deterministic synthetic images.
using System;
using NeuralDsl;

const int Batch = 8;
const int Steps = 5;

// Synthetic images in [0, 1): the label is 1 when the red channel is brighter on average than the blue one,
// so the steps have something to learn. Deterministic: the same numbers on every run.
var rng = new Rng(1);
var x = new float[Batch * SeedCnn.InputSize];
var y = new float[Batch];
for (int n = 0; n < Batch; n++)
{
    Span<float> image = x.AsSpan(n * SeedCnn.InputSize, SeedCnn.InputSize);
    double red = 0, blue = 0;
    for (int i = 0; i < image.Length; i++)
    {
        image[i] = (float)rng.NextDouble();
        if (i % 3 == 0) red += image[i];
        else if (i % 3 == 2) blue += image[i];
    }

    y[n] = red > blue ? 1f : 0f;
}

var model = new SeedCnn(seed: 1);
Console.WriteLine(SeedCnn.Summary);

var adam = new Adam();
var probabilities = new float[Batch];
model.Predict(x, probabilities);
Console.WriteLine($"Batch of {Batch} synthetic 64×64×3 images, labels [{string.Join(", ", y)}].");
Console.WriteLine($"Probabilities before training: [{string.Join(", ", Array.ConvertAll(probabilities, p => p.ToString("F4")))}]");
for (int step = 1; step <= Steps; step++)
{
    float loss = model.TrainStep(x, y, adam); // loss of the batch before this step's update
    Console.WriteLine($"TrainStep {step}: binary cross-entropy {loss:F6}");
}

model.Predict(x, probabilities);
Console.WriteLine($"Probabilities after {Steps} steps: [{string.Join(", ", Array.ConvertAll(probabilities, p => p.ToString("F4")))}]");
