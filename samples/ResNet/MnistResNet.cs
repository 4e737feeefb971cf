// A small ResNet trained on the 10,000 MNIST digits in samples/data (issue 12, item 4b): the first 8,000 train, the
// last 2,000 are held out. The residual connections are written with the graph syntax: a layer's `Name`, `Input =`
// to read an earlier output, `[Add(From = ...)]` for the sum, and 1×1 Conv2D shortcuts that read the block's input
// by name. The held-out digits also serve as validation data for the per-epoch lines (only watched, never used to
// choose anything).
using System;
using System.Diagnostics;
using System.IO;
using NeuralDsl;

namespace ResNet;

/// <summary>Trains <see cref="MnistResNet"/> and prints its held-out accuracy.</summary>
internal static class MnistResNetTraining
{
    private const int TrainCount = 8_000;
    private const int Epochs = 8;

    /// <summary>Loads the digits, trains, evaluates on the last 2,000 and writes the training curves.</summary>
    public static void Run()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "data");
        IdxImages<float> images = Idx.ReadImages(Path.Combine(data, "mnist-10k-images-idx3-ubyte.gz")); // [n, 28, 28] = [n, 28, 28, 1] NHWC
        float[] targets = Dataset.SparseTargets<float>(Idx.ReadLabels(Path.Combine(data, "mnist-10k-labels-idx1-ubyte.gz")));

        (float[] trainX, float[] testX) = Dataset.SplitRows<float>(images.Pixels, images.ImageSize, TrainCount);
        (float[] trainY, float[] testY) = Dataset.SplitRows<float>(targets, 1, TrainCount);

        var model = new MnistResNet(seed: 1);
        Console.WriteLine(MnistResNet.Summary);

        // Adam, the learning rate decayed along a cosine from 0.002 to 0 over the run (250 steps an epoch).
        long steps = Epochs * ((TrainCount + 31) / 32);
        var schedule = new LearningRateScheduler(new CosineDecay(0.002, steps));
        var clock = Stopwatch.StartNew();
        History history = model.Fit(trainX, trainY, epochs: Epochs, batchSize: 32, optimizer: new Adam(0.002),
            metrics: [Metric.Accuracy], validationX: testX, validationY: testY, seed: 1, callbacks: [schedule]);
        clock.Stop();

        Evaluation test = model.Evaluate(testX, testY, metrics: [Metric.Accuracy]);
        Console.WriteLine();
        Console.WriteLine($"Trained {history.Epochs} epochs on {TrainCount:N0} digits in {clock.Elapsed.TotalSeconds:F1} s.");
        Console.WriteLine($"Held-out accuracy on the last {images.Count - TrainCount:N0} digits: {test["accuracy"]:P2} (loss {test.Loss:F4}); "
            + "the plain Keras-example CNN reaches 98.05-98.5 % in PyTorch on the same split.");

        string curves = Path.Combine(AppContext.BaseDirectory, "mnist-resnet-training.png");
        history.SavePlot(curves);
        Console.WriteLine($"Training curves: {curves}");
    }
}

/// <summary>
/// A small ResNet for 28×28×1 digits (He et al.'s basic block, Keras layers): a 3×3 stem of 16 filters, basic blocks
/// of 16 (identity shortcut), 32 and 64 filters (stride 2, 1×1 convolution + BN projection shortcuts), global average
/// pooling, Dense(10, softmax). A basic block is conv3×3(stride)-BN-ReLU-conv3×3-BN, plus the shortcut, then ReLU.
/// Convolutions before a BatchNormalization have no bias (the BN's β plays its part), as in torchvision's ResNets.
/// </summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
// Stem: [28, 28, 1] → [28, 28, 16]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "stem_conv")]
[BatchNormalization(Name = "stem_bn")]
[Activation(Activation.ReLU, Name = "stem_relu")]
// Block 1, 16 filters, stride 1, identity shortcut: [28, 28, 16] → [28, 28, 16]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "block1_1_conv")]
[BatchNormalization(Name = "block1_1_bn")]
[Activation(Activation.ReLU, Name = "block1_1_relu")]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "block1_2_conv")]
[BatchNormalization(Name = "block1_2_bn")]
[Add(From = "stem_relu", Name = "block1_add")]
[Activation(Activation.ReLU, Name = "block1_out")]
// Block 2, 32 filters, stride 2, projection shortcut: [28, 28, 16] → [14, 14, 32]
[Conv2D(32, 3, Strides = 2, Padding = Padding.Same, UseBias = false, Name = "block2_1_conv")]
[BatchNormalization(Name = "block2_1_bn")]
[Activation(Activation.ReLU, Name = "block2_1_relu")]
[Conv2D(32, 3, Padding = Padding.Same, UseBias = false, Name = "block2_2_conv")]
[BatchNormalization(Name = "block2_2_bn")]
[Conv2D(32, 1, Strides = 2, UseBias = false, Input = "block1_out", Name = "block2_0_conv")]
[BatchNormalization(Name = "block2_0_bn")]
[Add(From = "block2_2_bn", Name = "block2_add")]
[Activation(Activation.ReLU, Name = "block2_out")]
// Block 3, 64 filters, stride 2, projection shortcut: [14, 14, 32] → [7, 7, 64]
[Conv2D(64, 3, Strides = 2, Padding = Padding.Same, UseBias = false, Name = "block3_1_conv")]
[BatchNormalization(Name = "block3_1_bn")]
[Activation(Activation.ReLU, Name = "block3_1_relu")]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false, Name = "block3_2_conv")]
[BatchNormalization(Name = "block3_2_bn")]
[Conv2D(64, 1, Strides = 2, UseBias = false, Input = "block2_out", Name = "block3_0_conv")]
[BatchNormalization(Name = "block3_0_bn")]
[Add(From = "block3_2_bn", Name = "block3_add")]
[Activation(Activation.ReLU, Name = "block3_out")]
// Head: [7, 7, 64] → [64] → [10]
[GlobalAveragePooling2D(Name = "avg_pool")]
[Dense(10, Activation.Softmax, Name = "predictions")]
public partial class MnistResNet;
