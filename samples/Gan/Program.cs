// A GAN on the 10,000 MNIST digits in samples/data, the seed's two models trained against each other by GanTrainer:
// each step, the discriminator learns from a real batch (label 1) and a generated one (label 0), then the generator
// learns through the frozen discriminator (its run-time Trainable switch off: no parameter-gradient work there), both
// with Adam(0.0002, beta1: 0.5). Writes a grid of generated digits every few epochs and the loss curves as PNGs beside
// the program, then asks the MNIST sample's classifier (trained here on the real digits) how recognisable 1,000
// generated digits are.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NeuralDsl;
using ScottPlot;

const int Epochs = 40;
const int BatchSize = 64;
const int GridEvery = 10;
const int LatentSize = Generator.InputSize;

string data = Path.Combine(AppContext.BaseDirectory, "data");
IdxImages<float> images = Idx.ReadImages(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz")); // pixels in [0, 1]
byte[] labels = Idx.ReadLabels(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz"));
float[] real = [.. images.Pixels.Select(p => 2 * p - 1)];                                       // [-1, 1], as tanh outputs

var generator = new Generator(seed: 1);
var discriminator = new Discriminator(seed: 2);
Console.WriteLine(Generator.Summary);
Console.WriteLine(Discriminator.Summary);
var trainer = new GanTrainer<float>(generator, discriminator, BatchSize, seed: 3);

// Fixed noise for the grids, so that the pictures show the same 100 latent points improving.
var gridNoise = new float[100 * LatentSize];
var gridImages = new float[100 * Generator.OutputSize];
Normal(gridNoise, seed: 4);

int steps = images.Count / BatchSize;
var order = Enumerable.Range(0, images.Count).ToArray();
var batch = new float[BatchSize * Discriminator.InputSize];
var shuffle = new Rng(5);
double[] dLosses = new double[Epochs], gLosses = new double[Epochs];
string best = "";
var clock = Stopwatch.StartNew();
for (int epoch = 0; epoch < Epochs; epoch++)
{
    shuffle.Shuffle(order.AsSpan());
    double dSum = 0, gSum = 0;
    for (int s = 0; s < steps; s++)
    {
        for (int i = 0; i < BatchSize; i++)
            real.AsSpan(order[s * BatchSize + i] * Discriminator.InputSize, Discriminator.InputSize).CopyTo(batch.AsSpan(i * Discriminator.InputSize));
        GanLosses losses = trainer.Step(batch);
        dSum += losses.Discriminator;
        gSum += losses.Generator;
    }
    dLosses[epoch] = dSum / steps;
    gLosses[epoch] = gSum / steps;
    Console.WriteLine($"epoch {epoch + 1,3}: discriminator loss {dLosses[epoch]:F4}, generator loss {gLosses[epoch]:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
    if ((epoch + 1) % GridEvery == 0 || epoch == Epochs - 1)
    {
        generator.Predict(gridNoise, gridImages);
        best = Path.Combine(AppContext.BaseDirectory, $"gan-epoch-{epoch + 1:D3}.png");
        ImageGrid.Save<float>(best, gridImages, 28, 28, columns: 10, minimum: -1, maximum: 1);
    }
}
clock.Stop();
Console.WriteLine($"Trained {Epochs} epochs of {steps} steps (batch {BatchSize}) in {clock.Elapsed.TotalSeconds:F1} s.");

string lossPlot = Path.Combine(AppContext.BaseDirectory, "gan-losses.png");
var plot = new Plot();
double[] epochs = [.. Enumerable.Range(1, Epochs).Select(e => (double)e)];
plot.Add.ScatterLine(epochs, dLosses).LegendText = "discriminator";
plot.Add.ScatterLine(epochs, gLosses).LegendText = "generator";
plot.Title("GAN losses (binary cross-entropy, mean per epoch)");
plot.XLabel("epoch");
plot.YLabel("loss");
plot.ShowLegend();
plot.SavePng(lossPlot, 800, 450);
Console.WriteLine($"Generated digits: {best}");
Console.WriteLine($"Loss curves: {lossPlot}");

// How recognisable: the MNIST sample's MLP, trained on the 10,000 real digits, classifies 1,000 generated ones.
var classifier = new DigitClassifier(seed: 1);
classifier.Fit(images.Pixels, Dataset.SparseTargets<float>(labels), epochs: 10, batchSize: 32, optimizer: new Adam(), verbose: false, seed: 1);
var judgeNoise = new float[1000 * LatentSize];
Normal(judgeNoise, seed: 6);
float[] generated = generator.Predict(judgeNoise);
float[] pixels = [.. generated.Select(v => (v + 1) / 2)];                                      // back to [0, 1]
float[] probabilities = classifier.Predict(pixels);
var top = probabilities.Chunk(10).Select(p => (Class: Array.IndexOf(p, p.Max()), Probability: (double)p.Max())).ToArray();
int distinct = top.Select(t => t.Class).Distinct().Count();
double meanTop = top.Average(t => t.Probability);
string counts = string.Join(", ", Enumerable.Range(0, 10).Select(c => $"{c}: {top.Count(t => t.Class == c)}"));
Console.WriteLine();
Console.WriteLine($"Over 1,000 generated digits the classifier predicts {distinct} distinct classes of 10 (target: at least 8) - {(distinct >= 8 ? "met" : "missed")}.");
Console.WriteLine($"Its mean top probability is {meanTop:F3} (target: at least 0.7) - {(meanTop >= 0.7 ? "met" : "missed")}.");
Console.WriteLine($"Predicted classes: {counts}.");

// Standard normal latent points, as GanTrainer draws them.
static void Normal(Span<float> values, ulong seed)
{
    var rng = new Rng(seed);
    for (int i = 0; i < values.Length; i++)
        values[i] = (float)rng.NextNormal();
}

/// <summary>The seed's generator: 100 latent values → Dense 256 ReLU → Dense 784 tanh (a 28×28 digit in [-1, 1]).</summary>
[Sequential]
[Input(100)]
[Dense(256, Activation.ReLU)]
[Dense(784, Activation.Tanh)]
public partial class Generator;

/// <summary>The seed's discriminator: 784 pixels → Dense 1024 ReLU → Dense 1 sigmoid (the probability of a real digit).</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(784)]
[Dense(1024, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class Discriminator;
