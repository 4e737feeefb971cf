using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using NeuralDsl.Tests.Data;
using Xunit;

namespace NeuralDsl.Tests.Classic;

/// <summary>
/// samples/Perceptron's spam model with its settings: binary bag of words over the 10,000 most frequent words of the
/// training e-mails (TextVectorizer tokens), scikit-learn's defaults, seed 0; the accuracy issue 13 asks on the 1,209
/// held-out e-mails (line index % 5 == 4): at least 97 % (the sample reaches 98.01 %; scikit-learn's Perceptron
/// 98.3 %; always "not spam" 68.7 %).
/// </summary>
public sealed class PerceptronSpamTests
{
    [Fact]
    public void Bag_of_words_perceptron_reaches_97_percent_on_the_held_out_emails()
    {
        var trainTexts = new List<string>();
        var testTexts = new List<string>();
        var trainLabels = new List<int>();
        var testLabels = new List<int>();
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
                (index % 5 == 4 ? testTexts : trainTexts).Add(text);
                (index % 5 == 4 ? testLabels : trainLabels).Add(e.GetProperty("spam").GetInt32());
                index++;
            }
        }

        var vectorizer = new TextVectorizer(maxTokens: SpamBagOfWordsPerceptron.Features + 2);
        vectorizer.Adapt(trainTexts);
        Assert.Equal(SpamBagOfWordsPerceptron.Features + 2, vectorizer.VocabularySize);
        var model = new SpamBagOfWordsPerceptron(seed: 0);
        model.Fit(BagOfWords(vectorizer, trainTexts), [.. trainLabels]);
        double accuracy = model.Score(BagOfWords(vectorizer, testTexts), [.. testLabels]);

        Assert.Equal(1209, testLabels.Count);
        Assert.Equal(830.0 / 1209, (double)testLabels.Count(l => l == 0) / testLabels.Count, 1e-12); // the majority class, 68.65 %
        Assert.True(accuracy >= 0.97, $"held-out accuracy {accuracy:P2} < 97 %");
    }

    private static double[] BagOfWords(TextVectorizer vectorizer, List<string> texts)
    {
        int words = SpamBagOfWordsPerceptron.Features;
        var x = new double[texts.Count * words];
        for (int i = 0; i < texts.Count; i++)
        {
            foreach (int id in vectorizer.Vectorize(texts[i]))
            {
                if (id >= 2) x[i * words + id - 2] = 1;
            }
        }
        return x;
    }
}

/// <summary>samples/Perceptron's SpamPerceptron: two classes over 10,000 binary word features, scikit-learn's defaults.</summary>
[Perceptron(2)]
[Input(10_000)]
public partial class SpamBagOfWordsPerceptron;
