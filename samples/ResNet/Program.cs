// ResNet: Keras' ResNet-50 declared as attributes (ResNet50.cs) — its summary, parameter count and batch-1 forward time.
// Then a small ResNet, written with named graphs, trained on the MNIST digits (MnistResNet.cs).
using System;
using System.Diagnostics;
using NeuralDsl;

namespace ResNet;

internal static class Program
{
    private static void Main()
    {
        ResNet50Summary();
        MnistResNetTraining.Run();
    }

    /// <summary>Prints the summary (Keras: 25,636,712 parameters) and the median time of a batch-1 Predict.</summary>
    private static void ResNet50Summary()
    {
        var model = new ResNet50(seed: 42);
        Console.WriteLine(ResNet50.Summary);
        Console.WriteLine($"Parameters: {ResNet50.ParameterCount + ResNet50.StateCount:N0} " +
            $"(trainable {ResNet50.ParameterCount:N0}, non-trainable {ResNet50.StateCount:N0}); Keras: 25,636,712 (25,583,592 and 53,120)");

        // One 224×224×3 image of noise; the first call sizes the buffers and is not timed.
        var image = new float[ResNet50.InputSize];
        var rng = new Rng(7);
        for (int i = 0; i < image.Length; i++)
            image[i] = (float)rng.NextDouble();
        var probabilities = new float[ResNet50.OutputSize];
        model.Predict(image, probabilities);

        const int runs = 5;
        var times = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Predict(image, probabilities);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"Predict, batch 1: median {times[runs / 2]:F1} ms over {runs} calls (min {times[0]:F1} ms, max {times[^1]:F1} ms)");
    }
}
