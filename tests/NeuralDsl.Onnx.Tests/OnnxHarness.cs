using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace NeuralDsl.Onnx.Tests;

/// <summary>
/// Exports a model, runs the file in ONNX Runtime and compares its output with the model's own <c>Predict</c> on the
/// same seeded batch. The error is the max-norm relative error ‖onnx − predict‖∞ / ‖predict‖∞ over the whole batch.
/// </summary>
internal static class OnnxHarness
{
    /// <summary>The tolerance of issue 15 for float models: 1e-5, relative in the max norm.</summary>
    public const double FloatTolerance = 1e-5;

    /// <summary>Samples per compared batch (more than one, so the symbolic batch axis is exercised).</summary>
    public const int Batch = 3;

    /// <summary>
    /// Gives the constant-initialized tensors random values (biases, γ, β start at 0 or 1; BatchNormalization's moving
    /// mean and variance at 0 and 1), so that every tensor the export maps can show a mistake; kernels keep their seeded
    /// Keras initialization.
    /// </summary>
    public static void Randomize<T>(IModel<T> model, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        Span<T> parameters = model.Parameters;
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            string suffix = p.Name[(p.Name.LastIndexOf('.') + 1)..];
            if (suffix is not ("bias" or "gamma" or "beta"))
                continue;
            for (int i = p.Offset; i < p.Offset + p.Length; i++)
                parameters[i] += T.CreateTruncating(rng.NextDouble() * 0.6 - 0.3);
        }
        Span<T> state = model.State;
        foreach (ParameterInfo s in model.StateLayout)
        {
            bool variance = s.Name.EndsWith(".moving_variance", StringComparison.Ordinal);
            for (int i = s.Offset; i < s.Offset + s.Length; i++)
                state[i] = T.CreateTruncating(variance ? 0.5 + rng.NextDouble() : rng.NextDouble() * 0.6 - 0.3);
        }
    }

    /// <summary>A seeded batch: token ids below the vocabulary for a model that starts with an embedding, else U(−1.5, 1.5).</summary>
    public static T[] Input<T>(IModel<T> model, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        LayerInfo first = model.Layers[1];
        int? vocabulary = first.KerasType switch
        {
            "Embedding" => first.Config.GetInt("input_dim"),
            "TokenAndPositionEmbedding" => first.Config.GetInt("vocabulary_size"),
            _ => null,
        };
        var x = new T[Batch * model.InputSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(vocabulary is { } v ? rng.Next(v) : rng.NextDouble() * 3 - 1.5);
        return x;
    }

    /// <summary>Runs an ONNX file on [Batch, ...shape] and returns the single output, flattened.</summary>
    public static T[] Run<T>(string path, T[] input, IReadOnlyList<int> sampleShape) where T : unmanaged
    {
        using var session = new InferenceSession(path);
        string name = session.InputMetadata.Keys.Single();
        var tensor = new DenseTensor<T>(input, [Batch, .. sampleShape]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, tensor)]);
        return results.Single().AsEnumerable<T>().ToArray();
    }

    /// <summary>‖actual − expected‖∞ / ‖expected‖∞.</summary>
    public static double RelativeError<T>(T[] actual, T[] expected) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]), e = double.CreateTruncating(expected[i]);
            Assert.False(double.IsNaN(a), $"ONNX Runtime gave NaN at {i}");
            difference = Math.Max(difference, Math.Abs(a - e));
            scale = Math.Max(scale, Math.Abs(e));
        }
        return difference / Math.Max(scale, 1e-30);
    }

    /// <summary>
    /// Randomizes, exports to a temporary file, runs it in ONNX Runtime and returns the relative error against
    /// <c>Predict</c>; the file is deleted afterwards.
    /// </summary>
    public static double ExportAndCompare<T>(IModel<T> model, int seed = 7) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Randomize(model, seed);
        T[] x = Input(model, seed + 1);
        var expected = new T[Batch * model.OutputSize];
        model.Predict(x, expected);
        using var file = new TemporaryDirectory();
        string path = Path.Combine(file.Path, model.Name + ".onnx");
        if (typeof(T) == typeof(float))
            ((IModel<float>)model).ExportOnnx(path);
        else
            ((IModel<double>)model).ExportOnnx(path);
        T[] actual = Run(path, x, model.Layers[0].OutputShape);
        return RelativeError(actual, expected);
    }
}

/// <summary>A fresh directory under the temporary path, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ndsl-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
