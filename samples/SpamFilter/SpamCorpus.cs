using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NeuralDsl;

namespace SpamFilter;

/// <summary>One e-mail of the corpus: its id, group, label (1 = spam), subject and body.</summary>
internal sealed record Email(string Id, string Group, int Spam, string Subject, string Body)
{
    /// <summary>What the model reads: the subject, a space, the body.</summary>
    public string Text => Subject + " " + Body;
}

/// <summary>
/// The SpamAssassin public corpus as shipped in <c>spam-assassin.jsonl.gz</c> (one JSON object a line: id, group,
/// spam, subject, body), split by line index: every fifth e-mail (index % 5 == 4) is held out, the rest is for
/// training. <see cref="Vectorize"/> fits a <see cref="TextVectorizer"/> on the training texts only and turns both
/// parts into token ids [e-mails, sequence length] for an Embedding.
/// </summary>
internal sealed class SpamCorpus
{
    private SpamCorpus(List<Email> train, List<Email> test)
    {
        Train = train;
        Test = test;
    }

    public IReadOnlyList<Email> Train { get; }

    public IReadOnlyList<Email> Test { get; }

    /// <summary>Reads the gzipped JSON lines; line i goes to the held-out set when i % 5 == 4.</summary>
    /// <exception cref="InvalidDataException">A line is not an e-mail object; the message gives the line number.</exception>
    public static SpamCorpus Load(string path)
    {
        var train = new List<Email>();
        var test = new List<Email>();
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        int index = 0;
        while (reader.ReadLine() is string line)
        {
            if (line.Length == 0) continue;
            Email email;
            try
            {
                using JsonDocument json = JsonDocument.Parse(line);
                JsonElement e = json.RootElement;
                email = new Email(e.GetProperty("id").GetString()!, e.GetProperty("group").GetString()!, e.GetProperty("spam").GetInt32(),
                    e.GetProperty("subject").GetString() ?? "", e.GetProperty("body").GetString() ?? "");
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}, line {index + 1}: not an e-mail object with id, group, spam, subject and body ({ex.Message}).", ex);
            }

            (index % 5 == 4 ? test : train).Add(email);
            index++;
        }

        return new SpamCorpus(train, test);
    }

    /// <summary>The number of spam e-mails in <paramref name="emails"/>.</summary>
    public static int SpamCount(IReadOnlyList<Email> emails)
    {
        int spam = 0;
        foreach (Email e in emails) spam += e.Spam;
        return spam;
    }

    /// <summary>The texts of <paramref name="emails"/>, subject + " " + body.</summary>
    public static string[] Texts(IReadOnlyList<Email> emails)
    {
        var texts = new string[emails.Count];
        for (int i = 0; i < texts.Length; i++) texts[i] = emails[i].Text;
        return texts;
    }

    /// <summary>The labels of <paramref name="emails"/> as floats (1 = spam), the targets of a sigmoid output.</summary>
    public static float[] Labels(IReadOnlyList<Email> emails)
    {
        var labels = new float[emails.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = emails[i].Spam;
        return labels;
    }

    /// <summary>
    /// Splits training rows (in corpus order) for validation: row r validates when r % 4 == 3, which is the e-mail of
    /// line index % 5 == 3 (the training part holds the lines of index % 5 in 0..3), so every group is represented;
    /// the other rows train. Rows are <paramref name="rowSize"/> values of <paramref name="x"/> and one label each.
    /// </summary>
    public static (float[] FitX, float[] FitY, float[] ValX, float[] ValY) SplitEveryFourth(float[] x, float[] y, int rowSize)
    {
        int validate = y.Length / 4;
        var fitX = new float[(y.Length - validate) * rowSize];
        var fitY = new float[y.Length - validate];
        var valX = new float[validate * rowSize];
        var valY = new float[validate];
        int f = 0, v = 0;
        for (int r = 0; r < y.Length; r++)
        {
            if (r % 4 == 3)
            {
                x.AsSpan(r * rowSize, rowSize).CopyTo(valX.AsSpan(v * rowSize));
                valY[v++] = y[r];
            }
            else
            {
                x.AsSpan(r * rowSize, rowSize).CopyTo(fitX.AsSpan(f * rowSize));
                fitY[f++] = y[r];
            }
        }

        return (fitX, fitY, valX, valY);
    }

    /// <summary>
    /// Fits a vectorizer on the training texts only and vectorizes both parts: token ids [e-mails,
    /// <paramref name="sequenceLength"/>], padded with 0 at the end, truncated after the first tokens.
    /// </summary>
    public (TextVectorizer Vectorizer, int[] TrainIds, int[] TestIds) Vectorize(int maxTokens, int sequenceLength)
    {
        var vectorizer = new TextVectorizer(maxTokens, sequenceLength);
        string[] trainTexts = Texts(Train), testTexts = Texts(Test);
        vectorizer.Adapt(trainTexts);
        var trainIds = new int[trainTexts.Length * sequenceLength];
        var testIds = new int[testTexts.Length * sequenceLength];
        vectorizer.Vectorize(trainTexts, trainIds);
        vectorizer.Vectorize(testTexts, testIds);
        return (vectorizer, trainIds, testIds);
    }
}
