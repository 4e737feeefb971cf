// Handwritten digits with a 784-128-10 MLP declared by attributes: the generator writes its forward and backward
// passes at compile time. Trains on the first 8,000 of the 10,000 MNIST digits in samples/data and reports the
// accuracy on the held-out last 2,000, which also serve as validation data for the training curves (only watched,
// never used to choose anything). Writes the curves and the held-out confusion matrix as PNGs beside the program.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NeuralDsl;

const int TrainCount = 8_000;
string data = Path.Combine(AppContext.BaseDirectory, "data");
IdxImages<float> images = Idx.ReadImages(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz")); // pixels scaled to [0, 1]
byte[] labels = Idx.ReadLabels(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz"));
float[] targets = Dataset.SparseTargets<float>(labels);                                          // class index per image

(float[] trainX, float[] testX) = Dataset.SplitRows<float>(images.Pixels, images.ImageSize, TrainCount);
(float[] trainY, float[] testY) = Dataset.SplitRows<float>(targets, 1, TrainCount);

var model = new DigitClassifier(seed: 1);
Console.WriteLine(DigitClassifier.Summary);

var clock = Stopwatch.StartNew();
History history = model.Fit(trainX, trainY, epochs: 10, batchSize: 32, optimizer: new Adam(),
    metrics: [Metric.Accuracy], validationX: testX, validationY: testY, seed: 1);
clock.Stop();

Evaluation test = model.Evaluate(testX, testY, metrics: [Metric.Accuracy]);
Console.WriteLine();
Console.WriteLine($"Trained {history.Epochs} epochs on {TrainCount:N0} digits in {clock.Elapsed.TotalSeconds:F1} s.");
Console.WriteLine($"Held-out accuracy on the last {images.Count - TrainCount:N0} digits: {test["accuracy"]:P2} (loss {test.Loss:F4}).");

string curves = Path.Combine(AppContext.BaseDirectory, "mnist-training.png");
history.SavePlot(curves);
float[] probabilities = model.Predict(testX);                                     // [2,000, 10]
int[] predicted = [.. probabilities.Chunk(10).Select(p => Array.IndexOf(p, p.Max()))];
string confusion = Path.Combine(AppContext.BaseDirectory, "mnist-confusion.png");
ConfusionMatrix.SavePlot(confusion, predicted, [.. testY.Select(t => (int)t)], classCount: 10);
Console.WriteLine($"Training curves: {curves}");
Console.WriteLine($"Confusion matrix: {confusion}");
