// A spam filter on real e-mails: the SpamAssassin public corpus (6,046 messages, subject + body), every fifth e-mail
// held out. The texts become token ids with a TextVectorizer (Keras' TextVectorization: lowercase, strip punctuation,
// split on whitespace, the 20,000 most frequent training tokens, 200 ids per e-mail) fitted on the training part only.
// Today the sample prepares the data and reports the majority-class baseline; Embedding(MaskZero) →
// Bidirectional(LSTM) → Dense(1, sigmoid) is declared here when the recurrent and embedding layers land.
using System;
using System.IO;
using System.Linq;
using NeuralDsl;
using SpamFilter;

const int MaxTokens = 20_000, SequenceLength = 200;

SpamCorpus corpus = SpamCorpus.Load(Path.Combine(AppContext.BaseDirectory, "data", "spam-assassin.jsonl.gz"));
int trainSpam = SpamCorpus.SpamCount(corpus.Train), testSpam = SpamCorpus.SpamCount(corpus.Test);
Console.WriteLine($"SpamAssassin corpus: {corpus.Train.Count + corpus.Test.Count} e-mails, {trainSpam + testSpam} spam.");
Console.WriteLine($"Training: {corpus.Train.Count} e-mails ({trainSpam} spam); held out (line index % 5 == 4): {corpus.Test.Count} e-mails ({testSpam} spam).");

(TextVectorizer vectorizer, int[] trainIds, int[] testIds) = corpus.Vectorize(MaxTokens, SequenceLength);
Console.WriteLine($"Vocabulary: {vectorizer.VocabularySize} ids (0 = padding, 1 = out of vocabulary, then the {vectorizer.VocabularySize - 2} most frequent training tokens),"
    + $" most frequent: {string.Join(", ", vectorizer.Vocabulary.Skip(2).Take(8).Select(t => "'" + t + "'"))}.");
Describe("Training", trainIds, corpus.Train.Count);
Describe("Held-out", testIds, corpus.Test.Count);

int majority = Math.Max(testSpam, corpus.Test.Count - testSpam);
string majorityClass = testSpam * 2 > corpus.Test.Count ? "spam" : "not spam";
Console.WriteLine($"Baseline: always answering \"{majorityClass}\" (the majority class) is right on {majority} of {corpus.Test.Count} held-out e-mails, {(double)majority / corpus.Test.Count:P2} accuracy.");
Console.WriteLine("A model has to beat this by far to be useful (scikit-learn bag-of-words models reach 97.4–98.6 % on this split).");

// Facts about the vectorized e-mails: how many ids are tokens rather than padding, how many are out of vocabulary, and
// how many e-mails have more tokens than fit.
static void Describe(string part, int[] ids, int emails)
{
    int tokens = 0, unknown = 0, full = 0;
    for (int e = 0; e < emails; e++)
    {
        ReadOnlySpan<int> row = ids.AsSpan(e * SequenceLength, SequenceLength);
        int length = row.IndexOf(TextVectorizer.PaddingId);
        if (length < 0)
        {
            length = SequenceLength;
            full++;
        }

        tokens += length;
        foreach (int id in row[..length]) if (id == TextVectorizer.OutOfVocabularyId) unknown++;
    }

    Console.WriteLine($"{part}: {(double)tokens / emails:F1} token ids per e-mail on average, {(double)unknown / tokens:P1} out of vocabulary,"
        + $" {full} of {emails} e-mails fill all {SequenceLength} ids (longer ones are cut after their first {SequenceLength} tokens).");
}

// Model: added when the recurrent layers land
