using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NeuralDsl.Tests.Data;

namespace NeuralDsl.Tests.Classic;

/// <summary>
/// The scikit-learn reference results (<c>Fixtures/sklearn/perceptron.json</c>, see Fixtures/README.md) and the data
/// sets they were computed on: iris from <c>Fixtures/sklearn/iris.csv</c>, breast cancer and digits from
/// <c>samples/data</c> (feature columns in file order, the label last).
/// </summary>
internal static class SklearnFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn", "perceptron.json"))));

    /// <summary>One case of perceptron.json.</summary>
    public sealed record Case(string Name, string Data, bool Shuffle, double? Tol, int MaxIter, double[][] Coef, double[] Intercept,
        int NIter, double T, double TrainAccuracy, int[] Predictions);

    public static IReadOnlyList<string> CaseNames =>
        [.. Document.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    public static Case Get(string name)
    {
        JsonElement c = Document.Value.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        JsonElement p = c.GetProperty("params");
        return new Case(
            name,
            c.GetProperty("data").GetString()!,
            p.GetProperty("shuffle").GetBoolean(),
            p.GetProperty("tol").ValueKind == JsonValueKind.Null ? null : p.GetProperty("tol").GetDouble(),
            p.GetProperty("max_iter").GetInt32(),
            [.. c.GetProperty("coef").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())],
            [.. c.GetProperty("intercept").EnumerateArray().Select(v => v.GetDouble())],
            c.GetProperty("n_iter").GetInt32(),
            c.GetProperty("t").GetDouble(),
            c.GetProperty("train_accuracy").GetDouble(),
            [.. c.GetProperty("predictions").EnumerateArray().Select(v => v.GetInt32())]);
    }

    /// <summary>The data set's rows [n, features] row-major, its labels, and its feature and class counts.</summary>
    public static (double[] X, int[] Y, int Features, int Classes) Load(string data)
    {
        JsonElement meta = Document.Value.RootElement.GetProperty("meta").GetProperty(data);
        string[] classes = [.. meta.GetProperty("classes").EnumerateArray().Select(v => v.GetString()!)];
        int features = meta.GetProperty("features").GetInt32();
        string path = data == "iris"
            ? Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn", "iris.csv")
            : SampleData.File(data + ".csv");
        string[] lines = File.ReadAllLines(path);
        var x = new List<double>();
        var y = new List<int>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split(',');
            if (cells.Length != features + 1)
                throw new InvalidDataException($"{path}: a row has {cells.Length} cells, expected {features + 1}.");
            for (int j = 0; j < features; j++)
                x.Add(double.Parse(cells[j], CultureInfo.InvariantCulture));
            string label = cells[features];
            int index = Array.IndexOf(classes, label);
            y.Add(index >= 0 ? index : (int)double.Parse(label, CultureInfo.InvariantCulture));
        }
        if (y.Count != meta.GetProperty("rows").GetInt32())
            throw new InvalidDataException($"{path}: {y.Count} rows, expected {meta.GetProperty("rows").GetInt32()}.");
        return ([.. x], [.. y], features, classes.Length);
    }
}
