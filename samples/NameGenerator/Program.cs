// A name generator: a small causal transformer reads first names one character at a time and learns to predict the
// next one. 8,849 English first names (Moby Word II, via the stdlib data packages; 8,422 distinct when lowercased), a
// seeded 10 % of them held out for validation. Each name becomes 16 token ids [start, c1, ..., cn, padding...] with
// targets [c1, ..., cn, end, padding...]; the model (token and position embeddings, two causal decoder blocks written
// as [Block] classes, a softmax over the 30 tokens at every step) is trained with Fit and Adam on sparse categorical
// cross-entropy, one label per step. The validation loss is reported in bits per character (the end token included,
// padding left out) beside an add-one smoothed bigram model of the training names, measured the same way; then 20 new
// names are drawn with temperature sampling from a seeded Rng, and the curves are written as a PNG.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NameGenerator;
using NeuralDsl;

const int Steps = 16, Epochs = 20, BatchSize = 32, SampleCount = 20;
const double ValidationFraction = 0.1, Temperature = 0.8, BigramK = 1, LearningRate = 0.002;
const int ModelSeed = 1;
const ulong SplitSeed = 14, SamplingSeed = 2026;

(List<string> names, int rows) = NameData.Load(Path.Combine(AppContext.BaseDirectory, "data", "first-names.csv"));
(List<string> train, List<string> validation) = NameData.Split(names, ValidationFraction, SplitSeed);
var vocabulary = new CharacterVocabulary(train);
Console.WriteLine($"first-names.csv: {rows:N0} rows, {names.Count:N0} distinct names (lowercased), {names.Min(n => n.Length)} to {names.Max(n => n.Length)} characters.");
Console.WriteLine($"Split (seed {SplitSeed}): {train.Count:N0} training names, {validation.Count:N0} validation names.");
Console.WriteLine($"Vocabulary: {vocabulary.Size} tokens: padding, start, end and the characters \"{vocabulary.Characters}\".");

var model = new NameModel(seed: ModelSeed);
IModel<float> declared = model;
if (declared.InputSize != Steps || declared.OutputLastAxis != vocabulary.Size)
    throw new InvalidOperationException($"NameModel is declared for {declared.InputSize} steps and {declared.OutputLastAxis} tokens; the data has {Steps} steps and {vocabulary.Size} tokens.");
(float[] trainX, float[] trainY) = vocabulary.EncodeAll(train, Steps);
(float[] validX, float[] validY) = vocabulary.EncodeAll(validation, Steps);

BigramModel bigram = BigramModel.Fit(trainX, trainY, vocabulary.Size, BigramK);
double bigramBits = BitsPerCharacter.Mean(bigram.Predict(validX), validY, vocabulary.Size);
double bigramTrainBits = BitsPerCharacter.Mean(bigram.Predict(trainX), trainY, vocabulary.Size);
Console.WriteLine($"Bigram baseline (add-{BigramK} smoothed counts of the training names): {bigramTrainBits:F3} bits/char on the training names, {bigramBits:F3} on the validation names.");

Console.WriteLine();
Console.WriteLine(NameModel.Summary);
Console.WriteLine($"Training {Epochs} epochs, batch {BatchSize}, Adam (learning rate {LearningRate} decayed along a cosine to 0); the loss Fit prints is the mean over all {Steps} steps in nats, padding included.");
var curves = new BitsLog(model, trainX, trainY, validX, validY, vocabulary.Size);
long totalSteps = (long)Epochs * ((train.Count + BatchSize - 1) / BatchSize);
var clock = Stopwatch.StartNew();
model.Fit(trainX, trainY, epochs: Epochs, batchSize: BatchSize, optimizer: new Adam(LearningRate), seed: ModelSeed,
    validationX: validX, validationY: validY,
    callbacks: [new LearningRateScheduler(new CosineDecay(LearningRate, totalSteps)), curves]);
clock.Stop();
Console.WriteLine($"Training took {clock.Elapsed.TotalSeconds:F1} s.");

double transformerBits = curves.Validation[^1];
Console.WriteLine();
Console.WriteLine($"Validation: transformer {transformerBits:F2} bits/char, bigram baseline {bigramBits:F2} bits/char.");
if (!(transformerBits < bigramBits))
    Console.WriteLine("The transformer does not beat the bigram baseline.");

Console.WriteLine();
Console.WriteLine($"{SampleCount} generated names (temperature {Temperature}, Rng seed {SamplingSeed}; names also in the training data marked *):");
var known = new HashSet<string>(names, StringComparer.Ordinal);
var rng = new Rng(SamplingSeed);
for (int i = 0; i < SampleCount; i++)
{
    string name = NameSampler.Generate(model, vocabulary, ref rng, Temperature);
    string shown = name.Length == 0 ? "(empty)" : char.ToUpperInvariant(name[0]) + name[1..];
    Console.WriteLine($"  {shown}{(known.Contains(name) ? " *" : "")}");
}

string png = Path.Combine(AppContext.BaseDirectory, "names-bits-per-char.png");
BitsPlot.Save(png, curves.Training, curves.Validation, bigramBits);
Console.WriteLine();
Console.WriteLine($"Bits per character per epoch: {png}");

/// <summary>After every epoch: the model's bits per character on the training and the validation names (inference mode).</summary>
internal sealed class BitsLog(NameModel model, float[] trainX, float[] trainY, float[] validX, float[] validY, int tokens) : Callback
{
    /// <summary>Training names' bits per character, one per epoch.</summary>
    public List<double> Training { get; } = [];

    /// <summary>Validation names' bits per character, one per epoch.</summary>
    public List<double> Validation { get; } = [];

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        Training.Add(BitsPerCharacter.Mean(model.Predict(trainX), trainY, tokens));
        Validation.Add(BitsPerCharacter.Mean(model.Predict(validX), validY, tokens));
        Console.WriteLine($"  epoch {epoch + 1}: {Training[^1]:F3} bits/char on the training names, {Validation[^1]:F3} on the validation names");
    }
}
