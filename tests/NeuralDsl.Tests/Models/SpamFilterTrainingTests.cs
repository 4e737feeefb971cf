using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text.Json;
using NeuralDsl.Tests.Data;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// samples/SpamFilter end to end with its settings (the vectorizer fitted on the training e-mails, the 4 epochs the
/// sample chooses, batch 32, Adam 0.001, seed 1) and the accuracy issue 11 asks of it on the 1,209 held-out e-mails:
/// at least 97 % (the sample has reached 98.18 %; scikit-learn bag-of-words models 97.4–98.6 %, the majority class 68.65 %).
/// </summary>
public sealed class SpamFilterTrainingTests
{
    [Fact]
    public void Masked_embedding_and_bidirectional_gru_reach_97_percent_on_the_held_out_emails()
    {
        (float[] trainX, float[] trainY, float[] testX, float[] testY) = Load();
        var model = new SpamModel(seed: 1);
        model.Fit(trainX, trainY, epochs: 4, batchSize: 32, optimizer: new Adam(0.001), seed: 1, verbose: false);
        double accuracy = model.Evaluate(testX, testY, metrics: [Metric.BinaryAccuracy])["binary_accuracy"];
        Assert.Equal(1209, testY.Length);
        Assert.True(accuracy >= 0.97, $"held-out accuracy {accuracy:P2} < 97 %");
    }

    /// <summary>
    /// The sample's transformer variant with its settings (the 3 epochs it chooses, batch 32, Adam 0.001, seed 1):
    /// issue 14 asks ≥ 97 % of it on the same held-out e-mails (the sample reaches 98.43 %).
    /// </summary>
    [Fact]
    public void Token_and_position_embedding_and_transformer_encoder_reach_97_percent_on_the_held_out_emails()
    {
        (float[] trainX, float[] trainY, float[] testX, float[] testY) = Load();
        var model = new SpamTransformer(seed: 1);
        model.Fit(trainX, trainY, epochs: 3, batchSize: 32, optimizer: new Adam(0.001), seed: 1, verbose: false);
        double accuracy = model.Evaluate(testX, testY, metrics: [Metric.BinaryAccuracy])["binary_accuracy"];
        Assert.Equal(1209, testY.Length);
        Assert.True(accuracy >= 0.97, $"held-out accuracy {accuracy:P2} < 97 %");
    }

    /// <summary>The sample's split (line index % 5 == 4 held out) and vectorizer (20,000 tokens, 200 ids, fitted on the training e-mails).</summary>
    private static (float[] TrainX, float[] TrainY, float[] TestX, float[] TestY) Load()
    {
        var trainTexts = new List<string>();
        var testTexts = new List<string>();
        var trainLabels = new List<float>();
        var testLabels = new List<float>();
        using (var gzip = new GZipStream(File.OpenRead(SampleData.File("spam-assassin.jsonl.gz")), CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            int index = 0;
            while (reader.ReadLine() is string line)
            {
                if (line.Length == 0) continue;
                using JsonDocument json = JsonDocument.Parse(line);
                JsonElement e = json.RootElement;
                string text = (e.GetProperty("subject").GetString() ?? "") + " " + (e.GetProperty("body").GetString() ?? "");
                float label = e.GetProperty("spam").GetInt32();
                (index % 5 == 4 ? testTexts : trainTexts).Add(text);
                (index % 5 == 4 ? testLabels : trainLabels).Add(label);
                index++;
            }
        }

        var vectorizer = new TextVectorizer(maxTokens: 20_000, outputSequenceLength: 200);
        vectorizer.Adapt(trainTexts);
        var trainX = new float[trainTexts.Count * 200];
        var testX = new float[testTexts.Count * 200];
        vectorizer.Vectorize<float>(trainTexts, trainX);
        vectorizer.Vectorize<float>(testTexts, testX);
        return (trainX, trainLabels.ToArray(), testX, testLabels.ToArray());
    }
}
