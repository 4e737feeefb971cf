// One-step stock price forecasts: the monthly closing prices of MSFT, AMZN, IBM, GOOG and AAPL (2000–2010, from
// vega-datasets), each stock standardized on its own training part, windows of 12 months predicting the next one. The
// last 24 months of every stock are held out and forecast one step at a time from the 12 true months before. The
// seed's LSTM(50) → Dense(1) (mean squared error) learns from the training months of all five stocks; its RMSE in
// dollars is printed beside the naive last-value forecast (next month = this month), a hard baseline for monthly
// prices, and both forecasts are plotted against the truth.
using System;
using System.Diagnostics;
using System.IO;
using NeuralDsl;
using StockForecast;

StockSeries data = StockSeries.Load(Path.Combine(AppContext.BaseDirectory, "data", "stocks.csv"));

Console.WriteLine($"stocks.csv: {data.Stocks.Length} stocks, monthly closing prices.");
foreach (Stock stock in data.Stocks)
    Console.WriteLine($"  {stock.Symbol,-4} {stock.Prices.Length,3} months {stock.Months[0]:yyyy-MM} to {stock.Months[^1]:yyyy-MM}: "
        + $"{stock.TrainMonths} to train on (mean ${stock.Scaler.Mean[0]:F2}, deviation ${stock.Scaler.StandardDeviation[0]:F2}), last {stock.TestMonths} held out");
Console.WriteLine($"Training: {data.TrainCount} windows of {StockSeries.Window} months; held out: {data.TestCount} one-step forecasts.");

float[] naive = data.NaiveForecast();
(double[] perStock, double overall) = data.Rmse(naive);
Console.WriteLine("Baseline: the naive last-value forecast (next month's price = this month's), RMSE in dollars on the held-out months:");
for (int s = 0; s < data.Stocks.Length; s++) Console.WriteLine($"  {data.Stocks[s].Symbol,-4} {perStock[s],8:F2}");
Console.WriteLine($"  all  {overall,8:F2}");
Console.WriteLine("A model has to forecast with a lower RMSE than this to be worth its weights.");

// Choosing the training settings without the held-out months: the last 12 training months of every stock validate,
// the months before them train. Each candidate learning rate and batch size trains with early stopping on the
// validation loss; the lowest loss wins, with its number of epochs. The model is then trained again from the same
// seed on all training months for that many epochs, and only then forecasts the held-out months.
const int ValidationMonths = 12;
(float[] fitX, float[] fitY, float[] valX, float[] valY) = data.SplitValidation(ValidationMonths);
Console.WriteLine();
Console.WriteLine(StockModel.Summary);
Console.WriteLine($"Choosing the learning rate, batch size and epochs on the last {ValidationMonths} training months of each stock ({valY.Length} windows; {fitY.Length} train):");
var clock = Stopwatch.StartNew();
(double LearningRate, int BatchSize, int Epochs, double Loss) best = (0, 0, 0, double.PositiveInfinity);
foreach (double learningRate in (double[])[0.003, 0.001, 0.0003])
{
    foreach (int batchSize in (int[])[16, 64])
    {
        var candidate = new StockModel(seed: 1);
        var stopping = new EarlyStopping(monitor: "val_loss", patience: 20);
        History trial = candidate.Fit(fitX, fitY, epochs: 500, batchSize: batchSize, optimizer: new Adam(learningRate),
            validationX: valX, validationY: valY, earlyStopping: stopping, seed: 1, verbose: false);
        int bestEpoch = stopping.BestEpoch ?? trial.Epochs;
        Console.WriteLine($"  learning rate {learningRate,-6} batch {batchSize,2}: best validation MSE {stopping.Best:F4} (scaled units) after {bestEpoch,3} epochs");
        if (stopping.Best < best.Loss) best = (learningRate, batchSize, bestEpoch, stopping.Best);
    }
}

double naiveValidation = 0;
for (int i = 0; i < valY.Length; i++)
{
    double error = valX[(i + 1) * StockSeries.Window - 1] - valY[i];
    naiveValidation += error * error;
}
Console.WriteLine($"  (the naive last-value forecast's validation MSE is {naiveValidation / valY.Length:F4})");
Console.WriteLine($"Chosen: learning rate {best.LearningRate}, batch {best.BatchSize}, {best.Epochs} epochs. Training on all {data.TrainCount} training windows:");
var model = new StockModel(seed: 1);
History history = model.Fit(data.TrainX, data.TrainY, epochs: best.Epochs, batchSize: best.BatchSize, optimizer: new Adam(best.LearningRate),
    seed: 1, verbose: false);
clock.Stop();
Console.WriteLine($"Selection and training took {clock.Elapsed.TotalSeconds:F1} s; final training loss {history["loss"][^1]:F4} (scaled units).");

float[] forecast = model.Predict(data.TestX);                 // [120, 1]: one scaled forecast per held-out month
(double[] modelPerStock, double modelOverall) = data.Rmse(forecast);
Console.WriteLine();
Console.WriteLine($"RMSE in dollars on the last {StockSeries.HeldOutMonths} months of each stock (one-step forecasts from the 12 true months before):");
Console.WriteLine("        LSTM(50)   naive last value");
for (int s = 0; s < data.Stocks.Length; s++)
    Console.WriteLine($"  {data.Stocks[s].Symbol,-4} {modelPerStock[s],8:F2}   {perStock[s],8:F2}   {(modelPerStock[s] < perStock[s] ? "LSTM better" : "naive better")}");
Console.WriteLine($"  all  {modelOverall,8:F2}   {overall,8:F2}   {(modelOverall < overall ? "LSTM better" : "naive better")}");
Console.WriteLine(modelOverall < overall
    ? $"The LSTM beats the naive forecast overall: RMSE ${modelOverall:F2} vs ${overall:F2}."
    : $"The LSTM does NOT beat the naive forecast overall: RMSE ${modelOverall:F2} vs ${overall:F2} (${modelOverall - overall:F2} worse).");

string plot = Path.Combine(AppContext.BaseDirectory, "stock-forecast.png");
ForecastPlot.Save(plot, data, [("naive last value", naive), ("LSTM(50)", forecast)]);
Console.WriteLine($"Held-out truth vs both forecasts: {plot}");
