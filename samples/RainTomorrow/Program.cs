// Will it rain tomorrow in Seattle? Daily weather 2012–2015 (NOAA, via vega-datasets): windows of 14 days of
// precipitation, maximum and minimum temperature and wind, standardized on the training years only, labelled with rain
// (precipitation > 0) on the next day. The last year (2015) is held out. Today the sample prepares the data and
// reports the "same as today" baseline a model has to beat: SimpleRNN(50) → Dense(1, sigmoid) is declared here when
// the recurrent layers land.
using System;
using System.IO;
using RainTomorrow;

WeatherWindows data = WeatherWindows.Load(Path.Combine(AppContext.BaseDirectory, "data", "seattle-weather.csv"));

Console.WriteLine($"Seattle weather: {data.Dates.Length} days from {data.Dates[0]:yyyy-MM-dd} to {data.Dates[^1]:yyyy-MM-dd}.");
Console.WriteLine($"Windows of {WeatherWindows.Days} days × {WeatherWindows.Features} features ({string.Join(", ", WeatherWindows.FeatureNames)}), label = rain the next day.");
Console.WriteLine($"Training: {data.TrainCount} windows whose next day is before {data.HeldOutYear}, rain on {WeatherWindows.RainFraction(data.TrainY):P1} of next days.");
Console.WriteLine($"Held out: {data.TestCount} windows whose next day is in {data.HeldOutYear}, rain on {WeatherWindows.RainFraction(data.TestY):P1} of next days.");
Console.WriteLine("Standardized with the training years' statistics only:");
for (int j = 0; j < WeatherWindows.Features; j++)
    Console.WriteLine($"  {WeatherWindows.FeatureNames[j],-13} mean {data.Scaler.Mean[j],6:F2}, standard deviation {data.Scaler.StandardDeviation[j],5:F2}");

double sameAsToday = data.SameAsTodayAccuracy();
double alwaysDry = 1 - WeatherWindows.RainFraction(data.TestY);
Console.WriteLine($"Baseline \"same as today\" (rain tomorrow if it rained today): {sameAsToday:P2} held-out accuracy.");
Console.WriteLine($"(Always predicting the held-out majority class would score {Math.Max(alwaysDry, 1 - alwaysDry):P2}.)");
Console.WriteLine("A model has to beat the \"same as today\" baseline to be worth its weights.");

// Model: added when the recurrent layers land
