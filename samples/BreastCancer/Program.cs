// A medical-diagnosis classifier: the Wisconsin breast cancer measurements (30 features per tumour) into
// malignant or benign with a 30-12-8-1 network. Rows are shuffled with a fixed seed, split 80/20, and standardized
// with the mean and deviation of the training part only, so nothing of the test part leaks into training. The test
// part also draws the validation curves of the training plot written beside the program (watched, never used to choose).
using System;
using System.IO;
using NeuralDsl;

CsvTable table = Csv.Read(Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv"));
float[] x = table.ToMatrixExcept<float>("target");   // 569 × 30
float[] y = table.Column<float>("target");            // 0 = malignant, 1 = benign (scikit-learn's coding)
const int Features = 30;
Dataset.ShuffleRows<float, float>(x, Features, y, 1, seed: 7);

int trainCount = (int)(table.RowCount * 0.8);
(float[] trainX, float[] testX) = Dataset.SplitRows<float>(x, Features, trainCount);
(float[] trainY, float[] testY) = Dataset.SplitRows<float>(y, 1, trainCount);
Standardizer<float> scaler = Standardizer<float>.Fit(trainX, Features);
scaler.Transform(trainX);
scaler.Transform(testX);

var model = new TumourClassifier(seed: 1);
Console.WriteLine(TumourClassifier.Summary);
History history = model.Fit(trainX, trainY, epochs: 50, batchSize: 16, optimizer: new Adam(), metrics: [Metric.Accuracy],
    validationX: testX, validationY: testY, seed: 1, verbose: false,
    progress: new Progress(log =>
    {
        if (log.Epoch % 10 == 0)
            Console.WriteLine($"epoch {log.Epoch}/{log.Epochs} - loss: {log.Loss:F4} - accuracy: {log.Metrics["accuracy"]:F4}");
    }));

Evaluation test = model.Evaluate(testX, testY, metrics: [Metric.Accuracy]);
Console.WriteLine($"Held-out accuracy on {testY.Length} tumours: {test["accuracy"]:P2} (loss {test.Loss:F4}).");

string curves = Path.Combine(AppContext.BaseDirectory, "breast-cancer-training.png");
history.SavePlot(curves);
Console.WriteLine($"Training curves: {curves}");

/// <summary>Runs the callback synchronously on the training thread (System.Progress would post to the thread pool).</summary>
internal sealed class Progress(Action<EpochLog> report) : IProgress<EpochLog>
{
    public void Report(EpochLog value) => report(value);
}
