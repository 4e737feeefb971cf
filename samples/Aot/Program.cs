// Train, save, load and predict in a NativeAOT executable: an MLP on the breast cancer data and a small CNN on MNIST
// digits, each trained, saved as safetensors, loaded into a fresh instance and asked for predictions. Every number
// it prints is deterministic (no timings), and the checksums cover every weight and every prediction bit for bit,
// so the output of the AOT executable can be compared line by line with `dotnet run` (.ci/run does).
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeuralDsl;

string data = Path.Combine(AppContext.BaseDirectory, "data");
string weights = Path.Combine(Path.GetTempPath(), "neuraldsl-aot-" + Environment.ProcessId);
Directory.CreateDirectory(weights);
try
{
    // The 30-12-8-1 diagnosis classifier, as samples/BreastCancer trains it (80/20 split, standardized features).
    CsvTable table = Csv.Read(Path.Combine(data, "breast_cancer.csv"));
    float[] x = table.ToMatrixExcept<float>("target");
    float[] y = table.Column<float>("target");
    Dataset.ShuffleRows<float, float>(x, TumourClassifier.InputSize, y, 1, seed: 7);
    int trainCount = (int)(table.RowCount * 0.8);
    (float[] trainX, float[] testX) = Dataset.SplitRows<float>(x, TumourClassifier.InputSize, trainCount);
    (float[] trainY, float[] testY) = Dataset.SplitRows<float>(y, 1, trainCount);
    Standardizer<float> scaler = Standardizer<float>.Fit(trainX, TumourClassifier.InputSize);
    scaler.Transform(trainX);
    scaler.Transform(testX);
    var mlp = new TumourClassifier(seed: 1);
    Report(mlp, mlp.Fit(trainX, trainY, epochs: 20, batchSize: 16, optimizer: new Adam(), metrics: [Metric.Accuracy], seed: 1, verbose: false),
        new TumourClassifier(seed: 2), testX, testY);

    // A two-convolution CNN on the first 1,000 MNIST digits (the second convolution takes the Winograd path).
    const int Digits = 1_000, TrainDigits = 800;
    IdxImages<float> images = Idx.ReadImages(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz"));
    float[] labels = Dataset.SparseTargets<float>(Idx.ReadLabels(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz")));
    (float[] digitX, float[] heldOutX) = Dataset.SplitRows<float>(images.Pixels.AsSpan(0, Digits * images.ImageSize).ToArray(), images.ImageSize, TrainDigits);
    (float[] digitY, float[] heldOutY) = Dataset.SplitRows<float>(labels.AsSpan(0, Digits).ToArray(), 1, TrainDigits);
    var cnn = new SmallDigitCnn(seed: 1);
    Report(cnn, cnn.Fit(digitX, digitY, epochs: 2, batchSize: 32, optimizer: new Adam(), metrics: [Metric.Accuracy], seed: 1, verbose: false),
        new SmallDigitCnn(seed: 2), heldOutX, heldOutY);
}
finally
{
    Directory.Delete(weights, recursive: true);
}

// Saves the trained model, loads the file into a fresh, differently seeded instance, and prints what that instance
// predicts; the loaded predictions must equal the trained model's, bit for bit.
void Report<TModel>(TModel trained, History history, TModel loaded, float[] testX, float[] testY) where TModel : IModel<float>
{
    string path = Path.Combine(weights, trained.Name + ".safetensors");
    trained.SaveWeights(path);
    loaded.LoadWeights(path);
    float[] expected = new float[testY.Length * trained.OutputSize];
    float[] predicted = new float[expected.Length];
    trained.Predict(testX, expected);
    loaded.Predict(testX, predicted);
    if (!expected.AsSpan().SequenceEqual(predicted))
        throw new InvalidOperationException(trained.Name + ": the loaded weights predict otherwise than the trained model.");

    Evaluation test = loaded.Evaluate(testX, testY, metrics: [Metric.Accuracy]);
    Console.WriteLine($"{trained.Name}: {history.Epochs} epochs, last loss {history["loss"][^1]:R}");
    Console.WriteLine($"{trained.Name}: held-out accuracy {test["accuracy"]:P2}, loss {test.Loss:R} ({testY.Length} samples)");
    Console.WriteLine($"{trained.Name}: weights sha256 {Checksum(trained.Parameters)}, file {new FileInfo(path).Length} bytes");
    Console.WriteLine($"{trained.Name}: predictions sha256 {Checksum(predicted)}, first {predicted[0]:R}");
}

static string Checksum(ReadOnlySpan<float> values) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values)));

/// <summary>The breast cancer classifier: 30 → 12 (relu) → 8 (relu) → 1 (sigmoid), binary cross-entropy.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(30)]
[Dense(12, Activation.ReLU)]
[Dense(8, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class TumourClassifier;

/// <summary>Conv2D(8, 3, relu), MaxPooling2D(), Conv2D(16, 3, relu), MaxPooling2D(), Flatten(), Dense(10, softmax).</summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
[Conv2D(8, 3, Activation.ReLU)]
[MaxPooling2D]
[Conv2D(16, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dense(10, Activation.Softmax)]
public partial class SmallDigitCnn;
