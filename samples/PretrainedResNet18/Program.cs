// A pretrained ResNet-18 in NeuralDsl: the network declared with attributes (ResNet18Features.cs), its ImageNet weights
// loaded from the ONNX file that the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 ships (LoadOnnxWeights),
// checked against ONNX Runtime running the same file, then used as ML.NET uses it: a featurizer for transfer learning.
// MNIST digits (grey → three channels, resized to 224×224, then the package's own preprocessing, ResNetPreprocess.onnx,
// run in ONNX Runtime) become 512 features each; a Dense(10, softmax) trained on 2,000 of them is scored on 1,000 others.
//
// Arguments (all optional): [train count] [test count] [ORT check count], default 2000 1000 50.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralDsl;
using PretrainedResNet18;

int trainCount = args.Length > 0 ? int.Parse(args[0]) : 2_000;
int testCount = args.Length > 1 ? int.Parse(args[1]) : 1_000;
int checkCount = args.Length > 2 ? int.Parse(args[2]) : 50;
const int Side = 224, Pixels = Side * Side * 3, Features = 512, Batch = 16;
const double Tolerance = 1e-4;          // largest |ours − ORT| over the largest |ORT| of an image's 512 features
const string MlpReadme = "94.8 %";      // README: samples/Mnist's 784-128-10 MLP, trained on 8,000 digits

string baseDir = AppContext.BaseDirectory;
string resnetPath = Path.Combine(baseDir, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
string preprocessPath = Path.Combine(baseDir, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

// 1. The declared network and the package's weights.
var resnet = new ResNet18Features(seed: 1);
var clock = Stopwatch.StartNew();
resnet.LoadOnnxWeights(resnetPath);
Console.WriteLine($"ResNet18Features: {ResNet18Features.ParameterCount:N0} trainable parameters + {resnet.State.Length:N0} BN statistics, " +
    $"loaded from {Path.GetFileName(resnetPath)} in {clock.Elapsed.TotalSeconds:F1} s ({ResNet18Features.ParameterLayout.Count + ResNet18Features.StateLayout.Count} tensors).");

// 2. The digits, as the package's pipeline sees an image: 224×224 RGB bytes, then ResNetPreprocess.onnx (RGB → BGR,
//    minus ImageNet's mean image), giving the NCHW input of ResNet18.onnx; ours takes the same values as NHWC.
string data = Path.Combine(baseDir, "data");
(byte[] digitPixels, int digitCount, int rows, int columns) = Idx.ReadImageBytes(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz"));
byte[] labels = Idx.ReadLabels(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz"));
int total = trainCount + testCount;
if (total > digitCount) throw new ArgumentException($"{total} digits asked for, the file has {digitCount}.");

using var sessionOptions = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
using var preprocess = new InferenceSession(preprocessPath, sessionOptions);
using var ortResNet = new InferenceSession(resnetPath, sessionOptions);
string prepInput = preprocess.InputMetadata.Keys.Single(), resnetInput = ortResNet.InputMetadata.Keys.Single();

var nchw = new float[Pixels];
float[] Preprocessed(int digit)
{
    Resize.GreyToRgb224(digitPixels.AsSpan(digit * rows * columns, rows * columns), rows, columns, nchw);
    var x = new DenseTensor<float>(nchw, [1, 3, Side, Side]);
    using var results = preprocess.Run([NamedOnnxValue.CreateFromTensor(prepInput, x)]);
    return results.Single().AsEnumerable<float>().ToArray();
}

// 3. Ours against ONNX Runtime on the first digits, and both engines timed one image at a time.
var oursOne = new float[Features];
var nhwc = new float[Pixels];
double worst = 0;
TimeSpan ortTime = TimeSpan.Zero, oursTime = TimeSpan.Zero;
for (int i = 0; i <= checkCount; i++) // image 0 twice: the first run of each engine warms it up and is not timed
{
    float[] input = Preprocessed(i == 0 ? 0 : i - 1);
    long t0 = Stopwatch.GetTimestamp();
    float[] expected;
    using (var results = ortResNet.Run([NamedOnnxValue.CreateFromTensor(resnetInput, new DenseTensor<float>(input, [1, 3, Side, Side]))]))
        expected = results.Single().AsEnumerable<float>().ToArray();
    long t1 = Stopwatch.GetTimestamp();
    Layout.NchwToNhwc(input, nhwc, 3, Side, Side);
    long t2 = Stopwatch.GetTimestamp();
    resnet.Predict(nhwc, oursOne);
    long t3 = Stopwatch.GetTimestamp();
    if (i == 0) continue;
    ortTime += Stopwatch.GetElapsedTime(t0, t1);
    oursTime += Stopwatch.GetElapsedTime(t2, t3);
    double scale = expected.Max(v => Math.Abs((double)v)), diff = 0;
    for (int k = 0; k < Features; k++) diff = Math.Max(diff, Math.Abs((double)expected[k] - oursOne[k]));
    worst = Math.Max(worst, diff / scale);
}
Console.WriteLine($"Ours vs ONNX Runtime on {checkCount} digits: largest |difference| / largest |feature| = {worst:E2} (limit {Tolerance:E0}): " +
    (worst <= Tolerance ? "match." : "MISMATCH."));
Console.WriteLine($"One image (batch 1, 2 threads): ONNX Runtime {ortTime.TotalMilliseconds / checkCount:F1} ms, NeuralDsl {oursTime.TotalMilliseconds / checkCount:F1} ms.");
if (worst > Tolerance) return 1;

// 4. Features of every digit, by ours, in batches.
var features = new float[total * Features];
var batchInput = new float[Batch * Pixels];
TimeSpan featureTime = TimeSpan.Zero;
for (int start = 0; start < total; start += Batch)
{
    int n = Math.Min(Batch, total - start);
    for (int j = 0; j < n; j++) Layout.NchwToNhwc(Preprocessed(start + j), batchInput.AsSpan(j * Pixels, Pixels), 3, Side, Side);
    long t0 = Stopwatch.GetTimestamp();
    resnet.Predict(batchInput.AsSpan(0, n * Pixels), features.AsSpan(start * Features, n * Features));
    featureTime += Stopwatch.GetElapsedTime(t0);
    if ((start / Batch) % 25 == 0 && !Console.IsOutputRedirected) Console.Write($"\rFeatures: {start + n:N0} / {total:N0} digits");
}
Console.WriteLine($"\rFeatures of {total:N0} digits by NeuralDsl in batches of {Batch}: {featureTime.TotalSeconds:F1} s, {featureTime.TotalMilliseconds / total:F1} ms per image.");

// 5. Transfer learning: a softmax layer on the standardized features.
float[] targets = [.. labels.Take(total).Select(l => (float)l)];
(float[] trainX, float[] testX) = (features[..(trainCount * Features)], features[(trainCount * Features)..]);
(float[] trainY, float[] testY) = (targets[..trainCount], targets[trainCount..]);
var standardizer = Standardizer<float>.Fit(trainX, Features);
standardizer.Transform(trainX);
standardizer.Transform(testX);
var head = new DigitHead(seed: 1);
head.Fit(trainX, trainY, epochs: 30, batchSize: 32, optimizer: new Adam(), metrics: [Metric.Accuracy], seed: 1, verbose: false);
Evaluation transfer = head.Evaluate(testX, testY, metrics: [Metric.Accuracy]);

// The plain MLP of samples/Mnist on the same digits' pixels, for the same split.
(float[] pixelX, float[] pixelTestX) = Pixels01(digitPixels, rows * columns, trainCount, testCount);
var mlp = new DigitMlp(seed: 1);
mlp.Fit(pixelX, trainY, epochs: 10, batchSize: 32, optimizer: new Adam(), metrics: [Metric.Accuracy], seed: 1, verbose: false);
Evaluation plain = mlp.Evaluate(pixelTestX, testY, metrics: [Metric.Accuracy]);

Console.WriteLine($"Held-out accuracy on {testCount:N0} digits, trained on {trainCount:N0}:");
Console.WriteLine($"  ResNet-18 features + Dense(10, softmax): {transfer["accuracy"]:P2}");
Console.WriteLine($"  plain 784-128-10 MLP (samples/Mnist's):  {plain["accuracy"]:P2} on the same split; README: {MlpReadme} trained on 8,000");
return 0;

static (float[] Train, float[] Test) Pixels01(byte[] pixels, int size, int train, int test)
{
    var all = new float[(train + test) * size];
    for (int i = 0; i < all.Length; i++) all[i] = pixels[i] / 255f;
    return (all[..(train * size)], all[(train * size)..]);
}

/// <summary>The transfer-learning head: 512 ResNet-18 features → 10 digit probabilities.</summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(512)]
[Dense(10, Activation.Softmax)]
public partial class DigitHead;

/// <summary>samples/Mnist's classifier: Keras Sequential([Input((28, 28)), Flatten(), Dense(128, "relu"), Dense(10, "softmax")]).</summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitMlp;

/// <summary>Grey digits to the 224×224 RGB images the featurizer package expects.</summary>
internal static class Resize
{
    /// <summary>
    /// Bilinear resize (pixel centres aligned: source coordinate (x + 0.5)·in/out − 0.5, clamped at the borders) of a
    /// grey image to 224×224, copied into the three channels of an NCHW [1, 3, 224, 224] image in 0–255, as the
    /// package's pipeline extracts pixels (ImageNet's scale, no division by 255).
    /// </summary>
    public static void GreyToRgb224(ReadOnlySpan<byte> grey, int rows, int columns, Span<float> nchw)
    {
        const int Side = 224;
        for (int y = 0; y < Side; y++)
        {
            double sy = Math.Clamp((y + 0.5) * rows / Side - 0.5, 0, rows - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, rows - 1);
            double fy = sy - y0;
            for (int x = 0; x < Side; x++)
            {
                double sx = Math.Clamp((x + 0.5) * columns / Side - 0.5, 0, columns - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, columns - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * grey[y0 * columns + x0] + fx * grey[y0 * columns + x1])
                    + fy * ((1 - fx) * grey[y1 * columns + x0] + fx * grey[y1 * columns + x1]);
                float value = (float)v;
                nchw[y * Side + x] = value;
                nchw[Side * Side + y * Side + x] = value;
                nchw[2 * Side * Side + y * Side + x] = value;
            }
        }
    }
}

/// <summary>ONNX's channels-first images to our channels-last ones.</summary>
internal static class Layout
{
    /// <summary>[C, H, W] → [H, W, C] for one image.</summary>
    public static void NchwToNhwc(ReadOnlySpan<float> nchw, Span<float> nhwc, int channels, int height, int width)
    {
        for (int c = 0; c < channels; c++)
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            nhwc[(y * width + x) * channels + c] = nchw[(c * height + y) * width + x];
    }
}
