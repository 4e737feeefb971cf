// The program PackageTests builds in a fresh console project that references the NeuralDsl package: the README's
// ten lines on tiny data, and its training curves drawn by the NeuralDsl.Plots companion package. It prints
// key=value lines the test checks.
using System.Globalization;
using NeuralDsl;

// Points (a, b) on a grid in [-1, 1]², labelled 1 when a + b > 0: separable, so a few epochs learn it.
const int Side = 8;
float[] x = new float[Side * Side * 2];
float[] y = new float[Side * Side];
for (int i = 0; i < Side; i++)
{
    for (int j = 0; j < Side; j++)
    {
        int n = i * Side + j;
        float a = -1f + 2f * (i + 0.5f) / Side, b = -1f + 2f * (j + 0.5f) / Side;
        x[2 * n] = a;
        x[2 * n + 1] = b;
        y[n] = a + b > 0 ? 1f : 0f;
    }
}

var model = new SignModel(seed: 7);
History history = model.Fit(x, y, epochs: 20, batchSize: 8, optimizer: new Adam(learningRate: 0.05),
                            metrics: [Metric.Accuracy], seed: 3, verbose: false);
Evaluation evaluation = model.Evaluate(x, y, metrics: [Metric.Accuracy]);
float[] probe = [0.6f, 0.5f, -0.5f, -0.7f];
float[] score = new float[2];
model.Predict(probe, score);

Console.WriteLine(SignModel.Summary);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parameters={SignModel.ParameterCount}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_loss={history["loss"][0]:R}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"last_loss={history["loss"][^1]:R}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy={evaluation["accuracy"]:R}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"positive={score[0]:R}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"negative={score[1]:R}"));

// NeuralDsl.Plots: the training curves (loss and accuracy against the epoch).
history.SavePlot("training.png");
Console.WriteLine("plot=training.png");

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(2)]
[Dense(8, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class SignModel;
