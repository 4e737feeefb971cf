using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using NeuralDsl;

namespace StockForecast;

/// <summary>One stock's monthly closing prices in date order, split into a training part and the held-out last months.</summary>
internal sealed record Stock(string Symbol, DateOnly[] Months, float[] Prices, int TrainMonths, Standardizer<float> Scaler)
{
    /// <summary>Months held out at the end of the series.</summary>
    public int TestMonths => Prices.Length - TrainMonths;

    /// <summary>The prices standardized with this stock's training-part mean and deviation.</summary>
    public float[] Scaled()
    {
        float[] scaled = (float[])Prices.Clone();
        Scaler.Transform(scaled);
        return scaled;
    }
}

/// <summary>
/// The monthly prices of <c>stocks.csv</c> (MSFT, AMZN, IBM, GOOG, AAPL, 2000–2010) as windows for a one-step
/// forecaster. Per stock: the last <see cref="HeldOutMonths"/> months are held out, the months before them are its
/// training part, and its prices are standardized with the mean and deviation of that training part only (each stock
/// on its own scale, so one model can serve all five). A sample is <see cref="Window"/> consecutive scaled prices
/// [samples, 12, 1]; its target is the next month's scaled price. Training windows have their target in the training
/// part; the held-out forecasts are one per held-out month, from the 12 true months before it.
/// </summary>
internal sealed class StockSeries
{
    /// <summary>Months per input window.</summary>
    public const int Window = 12;

    /// <summary>Months held out at the end of every stock.</summary>
    public const int HeldOutMonths = 24;

    private StockSeries() { }

    public Stock[] Stocks { get; private init; } = [];

    /// <summary>Training windows [TrainCount, 12, 1] of scaled prices, all stocks together.</summary>
    public float[] TrainX { get; private init; } = [];

    /// <summary>Scaled next-month prices of the training windows.</summary>
    public float[] TrainY { get; private init; } = [];

    /// <summary>The stock of each training window.</summary>
    public int[] TrainStock { get; private init; } = [];

    /// <summary>The month index (within its stock) each training window's target is.</summary>
    public int[] TrainMonth { get; private init; } = [];

    /// <summary>Held-out windows [TestCount, 12, 1]: 24 per stock, in stock order then month order.</summary>
    public float[] TestX { get; private init; } = [];

    /// <summary>Scaled prices of the held-out months.</summary>
    public float[] TestY { get; private init; } = [];

    /// <summary>The stock of each held-out window.</summary>
    public int[] TestStock { get; private init; } = [];

    /// <summary>The month index (within its stock) each held-out window forecasts.</summary>
    public int[] TestMonth { get; private init; } = [];

    public int TrainCount => TrainY.Length;

    public int TestCount => TestY.Length;

    /// <summary>Reads the CSV (symbol, date like "Jan 1 2000", price) and builds the windows.</summary>
    /// <exception cref="InvalidDataException">A stock has too few months for a training window before its held-out part.</exception>
    public static StockSeries Load(string path)
    {
        CsvTable table = Csv.Read(path);
        string[] symbols = table.TextColumn("symbol");
        string[] dates = table.TextColumn("date");
        float[] prices = table.Column<float>("price");

        var order = new List<string>();
        var rows = new Dictionary<string, List<(DateOnly Month, float Price)>>(StringComparer.Ordinal);
        for (int i = 0; i < symbols.Length; i++)
        {
            if (!rows.TryGetValue(symbols[i], out var list))
            {
                rows[symbols[i]] = list = [];
                order.Add(symbols[i]);
            }

            list.Add((DateOnly.ParseExact(dates[i], "MMM d yyyy", CultureInfo.InvariantCulture), prices[i]));
        }

        var stocks = new Stock[order.Count];
        for (int s = 0; s < stocks.Length; s++)
        {
            List<(DateOnly Month, float Price)> list = rows[order[s]];
            list.Sort((a, b) => a.Month.CompareTo(b.Month));
            int train = list.Count - HeldOutMonths;
            if (train < Window + 1)
                throw new InvalidDataException($"{path}: {order[s]} has {list.Count} months; it needs at least {Window + 1 + HeldOutMonths} ({Window + 1} to train on, {HeldOutMonths} held out).");
            float[] series = list.ConvertAll(r => r.Price).ToArray();
            stocks[s] = new Stock(order[s], list.ConvertAll(r => r.Month).ToArray(), series, train,
                Standardizer<float>.Fit(series.AsSpan(0, train), 1));
        }

        var trainX = new List<float>();
        var trainY = new List<float>();
        var trainStock = new List<int>();
        var trainMonth = new List<int>();
        var testX = new List<float>();
        var testY = new List<float>();
        var testStock = new List<int>();
        var testMonth = new List<int>();
        for (int s = 0; s < stocks.Length; s++)
        {
            Stock stock = stocks[s];
            float[] scaled = stock.Scaled();
            for (int target = Window; target < scaled.Length; target++)
            {
                ReadOnlySpan<float> window = scaled.AsSpan(target - Window, Window);
                if (target < stock.TrainMonths)
                {
                    trainX.AddRange(window);
                    trainY.Add(scaled[target]);
                    trainStock.Add(s);
                    trainMonth.Add(target);
                }
                else
                {
                    testX.AddRange(window);
                    testY.Add(scaled[target]);
                    testStock.Add(s);
                    testMonth.Add(target);
                }
            }
        }

        return new StockSeries
        {
            Stocks = stocks,
            TrainX = trainX.ToArray(),
            TrainY = trainY.ToArray(),
            TrainStock = trainStock.ToArray(),
            TrainMonth = trainMonth.ToArray(),
            TestX = testX.ToArray(),
            TestY = testY.ToArray(),
            TestStock = testStock.ToArray(),
            TestMonth = testMonth.ToArray(),
        };
    }

    /// <summary>
    /// Splits the training windows by time for choosing settings: a window validates when its target is among the last
    /// <paramref name="months"/> training months of its stock, and trains otherwise. The held-out months play no part.
    /// </summary>
    public (float[] FitX, float[] FitY, float[] ValX, float[] ValY) SplitValidation(int months)
    {
        var fitX = new List<float>();
        var fitY = new List<float>();
        var valX = new List<float>();
        var valY = new List<float>();
        for (int i = 0; i < TrainCount; i++)
        {
            bool validates = TrainMonth[i] >= Stocks[TrainStock[i]].TrainMonths - months;
            (validates ? valX : fitX).AddRange(TrainX.AsSpan(i * Window, Window));
            (validates ? valY : fitY).Add(TrainY[i]);
        }

        return (fitX.ToArray(), fitY.ToArray(), valX.ToArray(), valY.ToArray());
    }

    /// <summary>
    /// Root-mean-square error in original price units of forecasts given in scaled units, one per held-out window:
    /// per stock (in <see cref="Stocks"/> order) and over all held-out months.
    /// </summary>
    public (double[] PerStock, double Overall) Rmse(ReadOnlySpan<float> scaledForecasts)
    {
        if (scaledForecasts.Length != TestCount)
            throw new ArgumentException($"Expected {TestCount} forecasts (one per held-out month), got {scaledForecasts.Length}.", nameof(scaledForecasts));
        var sum = new double[Stocks.Length];
        var count = new int[Stocks.Length];
        double total = 0;
        for (int i = 0; i < TestCount; i++)
        {
            Stock stock = Stocks[TestStock[i]];
            double forecast = Unscale(stock, scaledForecasts[i]);
            double error = forecast - stock.Prices[TestMonth[i]];
            sum[TestStock[i]] += error * error;
            count[TestStock[i]]++;
            total += error * error;
        }

        var perStock = new double[Stocks.Length];
        for (int s = 0; s < perStock.Length; s++) perStock[s] = Math.Sqrt(sum[s] / count[s]);
        return (perStock, Math.Sqrt(total / TestCount));
    }

    /// <summary>The naive last-value forecast in scaled units: each held-out month is predicted to repeat the month before.</summary>
    public float[] NaiveForecast()
    {
        var forecast = new float[TestCount];
        for (int i = 0; i < TestCount; i++) forecast[i] = TestX[(i + 1) * Window - 1];
        return forecast;
    }

    /// <summary>A scaled value of <paramref name="stock"/> back in price units.</summary>
    public static double Unscale(Stock stock, float scaled) => scaled * stock.Scaler.StandardDeviation[0] + stock.Scaler.Mean[0];
}
