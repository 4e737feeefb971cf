// A spam filter on real e-mails: the SpamAssassin public corpus (6,046 messages, subject + body), every fifth e-mail
// held out. The texts become token ids with a TextVectorizer (Keras' TextVectorization: lowercase, strip punctuation,
// split on whitespace, the 20,000 most frequent training tokens, 200 ids per e-mail) fitted on the training part only.
// An Embedding (masking the padding) → Bidirectional(GRU) → Dense(1, sigmoid) reads the ids and says spam or not; its
// held-out accuracy is printed beside the majority-class baseline, with the confusion matrix and a few misclassified
// subjects, and the training curves and the confusion matrix are written as PNGs. A transformer variant
// (TokenAndPositionEmbedding → TransformerEncoder → GlobalAveragePooling1D → Dense) is trained the same way on the same
// ids, and both are printed side by side with their training times.
using System;
using System.Diagnostics;
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

// The ids as the model's element type (token ids are carried exactly in a float).
float[] trainX = Array.ConvertAll(trainIds, id => (float)id);
float[] testX = Array.ConvertAll(testIds, id => (float)id);
float[] trainY = SpamCorpus.Labels(corpus.Train), testY = SpamCorpus.Labels(corpus.Test);

// Choosing the number of epochs without the held-out e-mails: the training e-mails of line index % 5 == 3 (a quarter
// of them, every group represented) validate, the other three quarters train, and early stopping watches the
// validation loss. The model is then trained again from the same seed on all training e-mails for the best epoch's
// count; the held-out fifth is looked at only after that.
(float[] fitX, float[] fitY, float[] valX, float[] valY) = SpamCorpus.SplitEveryFourth(trainX, trainY, SequenceLength);
Console.WriteLine();
Console.WriteLine(SpamModel.Summary);
(SpamModel model, History trialHistory, History history, TimeSpan gruTime) = ChooseAndTrain(() => new SpamModel(seed: 1));

// The transformer variant on the same ids, split and procedure: TokenAndPositionEmbedding → TransformerEncoder →
// GlobalAveragePooling1D → Dense(1, sigmoid).
Console.WriteLine();
Console.WriteLine(SpamTransformer.Summary);
(SpamTransformer transformer, _, History transformerHistory, TimeSpan transformerTime) = ChooseAndTrain(() => new SpamTransformer(seed: 1));

float[] probabilities = model.Predict(testX);                  // [1,209, 1]: the probability of spam per e-mail
int[] predicted = Array.ConvertAll(probabilities, p => p >= 0.5f ? 1 : 0);
int[] actual = Array.ConvertAll(testY, y => (int)y);
int[,] counts = ConfusionMatrix.Count(predicted, actual, classCount: 2);
int correct = counts[0, 0] + counts[1, 1];
Console.WriteLine();
Console.WriteLine($"Held-out accuracy: {correct} of {corpus.Test.Count} e-mails, {(double)correct / corpus.Test.Count:P2} "
    + $"(majority class {(double)majority / corpus.Test.Count:P2}; bag-of-words 97.4–98.6 %).");
Console.WriteLine("Confusion matrix (rows: true class, columns: predicted):");
Console.WriteLine("               predicted ham   predicted spam");
Console.WriteLine($"  ham  ({counts[0, 0] + counts[0, 1],4})  {counts[0, 0],13}   {counts[0, 1],14}");
Console.WriteLine($"  spam ({counts[1, 0] + counts[1, 1],4})  {counts[1, 0],13}   {counts[1, 1],14}");
Console.WriteLine($"Spam caught: {(double)counts[1, 1] / (counts[1, 0] + counts[1, 1]):P1}; ham wrongly flagged: {(double)counts[0, 1] / (counts[0, 0] + counts[0, 1]):P1}.");

Console.WriteLine("Misclassified held-out e-mails, the first few of each kind (probability of spam, group, subject):");
foreach ((int truth, string kind) in (ReadOnlySpan<(int, string)>)[(0, "ham flagged as spam"), (1, "spam let through")])
{
    Console.WriteLine($"  {kind}:");
    int shown = 0;
    for (int e = 0; e < corpus.Test.Count && shown < 5; e++)
    {
        if (actual[e] != truth || predicted[e] == truth) continue;
        Email email = corpus.Test[e];
        string subject = email.Subject.Length > 70 ? email.Subject[..67] + "..." : email.Subject;
        Console.WriteLine($"    {probabilities[e],5:F3}  {email.Group,-10}  {subject}");
        shown++;
    }
}

// Both models side by side on the held-out e-mails.
float[] transformerProbabilities = transformer.Predict(testX);
int[,] transformerCounts = ConfusionMatrix.Count(Array.ConvertAll(transformerProbabilities, p => p >= 0.5f ? 1 : 0), actual, classCount: 2);
Console.WriteLine();
Console.WriteLine("Held out, side by side (training time = choosing the epochs + training on all training e-mails, on this machine):");
Console.WriteLine("  model                                                        accuracy   ham flagged   spam missed   epochs   training time");
Row("Embedding(MaskZero) → Bidirectional(GRU(32)) → Dense", counts, history.Epochs, gruTime);
Row("TokenAndPositionEmbedding → TransformerEncoder → pool → Dense", transformerCounts, transformerHistory.Epochs, transformerTime);

void Row(string name, int[,] c, int epochs, TimeSpan time) =>
    Console.WriteLine($"  {name,-60} {(double)(c[0, 0] + c[1, 1]) / corpus.Test.Count,8:P2}   {c[0, 1],11}   {c[1, 0],11}   {epochs,6}   {time.TotalSeconds,11:F1} s");

string trialCurves = Path.Combine(AppContext.BaseDirectory, "spam-validation.png");
trialHistory.SavePlot(trialCurves);
string curves = Path.Combine(AppContext.BaseDirectory, "spam-training.png");
history.SavePlot(curves);
string confusion = Path.Combine(AppContext.BaseDirectory, "spam-confusion.png");
ConfusionMatrix.SavePlot(confusion, predicted, actual, ["ham", "spam"]);
Console.WriteLine($"Training curves while choosing the epochs (with validation): {trialCurves}");
Console.WriteLine($"Training curves of the final model: {curves}");
Console.WriteLine($"Confusion matrix: {confusion}");

// Choosing the number of epochs without the held-out e-mails: the training e-mails of line index % 5 == 3 (a quarter
// of them, every group represented) validate, the other three quarters train, and early stopping watches the
// validation loss. The model is then trained again from the same seed on all training e-mails for the best epoch's
// count; the held-out fifth is looked at only after that.
(TModel Model, History Trial, History Final, TimeSpan Time) ChooseAndTrain<TModel>(Func<TModel> create) where TModel : IModel<float>
{
    Console.WriteLine($"Choosing the epochs: training on {fitY.Length} e-mails, validating on {valY.Length} (training e-mails of line index % 5 == 3):");
    var clock = Stopwatch.StartNew();
    TModel trial = create();
    var stopping = new EarlyStopping(monitor: "val_loss", patience: 2);
    History trialHistory = trial.Fit(fitX, fitY, epochs: 12, batchSize: 32, optimizer: new Adam(0.001),
        metrics: [Metric.BinaryAccuracy], validationX: valX, validationY: valY, earlyStopping: stopping, seed: 1);
    int epochs = stopping.BestEpoch ?? trialHistory.Epochs;
    Console.WriteLine($"Lowest validation loss {stopping.Best:F4} after epoch {epochs}. Training on all {trainY.Length} training e-mails for {epochs} epochs:");
    TModel final = create();
    History history = final.Fit(trainX, trainY, epochs: epochs, batchSize: 32, optimizer: new Adam(0.001), metrics: [Metric.BinaryAccuracy], seed: 1);
    clock.Stop();
    Console.WriteLine($"Choosing and training took {clock.Elapsed.TotalSeconds:F1} s.");
    return (final, trialHistory, history, clock.Elapsed);
}

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
