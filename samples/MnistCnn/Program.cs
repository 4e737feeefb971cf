// Handwritten digits with the issue's CNN: Conv2D(32, 3×3, relu) → MaxPooling2D → Conv2D(64, 3×3, relu) →
// MaxPooling2D → Flatten → Dropout(0.5) → Dense(10, softmax), declared by attributes and generated at compile time.
// Trains on the first 8,000 of the 10,000 MNIST digits in samples/data and reports accuracy on the last 2,000, which
// also serve as validation data for the training curves written beside the program (only watched, never used to choose).
using System;
using System.Diagnostics;
using System.IO;
using NeuralDsl;

const int TrainCount = 8_000;
string data = Path.Combine(AppContext.BaseDirectory, "data");
IdxImages<float> images = Idx.ReadImages(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz")); // [n, 28, 28] = [n, 28, 28, 1] in NHWC
float[] targets = Dataset.SparseTargets<float>(Idx.ReadLabels(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz")));

(float[] trainX, float[] testX) = Dataset.SplitRows<float>(images.Pixels, images.ImageSize, TrainCount);
(float[] trainY, float[] testY) = Dataset.SplitRows<float>(targets, 1, TrainCount);

var model = new DigitCnn(seed: 1);
Console.WriteLine(DigitCnn.Summary);

var clock = Stopwatch.StartNew();
History history = model.Fit(trainX, trainY, epochs: 12, batchSize: 32, optimizer: new Adam(), metrics: [Metric.Accuracy],
    validationX: testX, validationY: testY, seed: 1);
clock.Stop();

Evaluation test = model.Evaluate(testX, testY, metrics: [Metric.Accuracy]);
Console.WriteLine();
Console.WriteLine($"Trained {history.Epochs} epochs on {TrainCount:N0} digits in {clock.Elapsed.TotalSeconds:F1} s.");
Console.WriteLine($"Held-out accuracy on the last {images.Count - TrainCount:N0} digits: {test["accuracy"]:P2} (loss {test.Loss:F4}).");

string curves = Path.Combine(AppContext.BaseDirectory, "mnist-cnn-training.png");
history.SavePlot(curves);
Console.WriteLine($"Training curves: {curves}");
