// One-step stock price forecasts: the monthly closing prices of MSFT, AMZN, IBM, GOOG and AAPL (2000–2010, from
// vega-datasets), each stock standardized on its own training part, windows of 12 months predicting the next one. The
// last 24 months of every stock are held out and forecast one step at a time from the 12 true months before. Today the
// sample prepares the data and reports the naive last-value forecast (next month = this month), the RMSE a model has
// to beat, and plots it against the truth: LSTM(50) → Dense(1) is declared here when the recurrent layers land.
using System;
using System.IO;
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

string plot = Path.Combine(AppContext.BaseDirectory, "stock-forecast.png");
ForecastPlot.Save(plot, data, [("naive last value", naive)]);
Console.WriteLine($"Held-out truth vs the naive forecast: {plot}");

// Model: added when the recurrent layers land
