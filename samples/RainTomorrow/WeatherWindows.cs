using System;
using System.Globalization;
using System.IO;
using NeuralDsl;

namespace RainTomorrow;

/// <summary>
/// The Seattle daily weather (2012–2015) as windows for a recurrent model: each sample is 14 consecutive days of
/// (log precipitation, temp_max, temp_min, wind, wet, and the time of year as a sine and cosine), row-major
/// [samples, 14, 7], and its label is 1 when it rains (precipitation &gt; 0) on the day after the window. A window
/// belongs to the held-out set when that next day is in the last year (2015), to the training set otherwise. The features are standardized with the mean and deviation of the training
/// years' days only, so nothing of the held-out year leaks into training.
/// </summary>
internal sealed class WeatherWindows
{
    /// <summary>Days per window.</summary>
    public const int Days = 14;

    /// <summary>
    /// Features per day: log(1 + precipitation in mm), temp_max (°C), temp_min (°C), wind (m/s), wet (1 when
    /// precipitation &gt; 0, else 0), sin and cos of 2π · day of year / 365.25.
    /// </summary>
    public const int Features = 7;

    /// <summary>The CSV columns read as they are.</summary>
    private static readonly string[] CsvColumns = ["precipitation", "temp_max", "temp_min", "wind"];

    /// <summary>The features' names, in order.</summary>
    public static readonly string[] FeatureNames = ["log1p_precipitation", "temp_max", "temp_min", "wind", "wet", "season_sin", "season_cos"];

    private WeatherWindows() { }

    /// <summary>Every day of the file, in date order.</summary>
    public DateOnly[] Dates { get; private init; } = [];

    /// <summary>The raw precipitation of every day (mm), for the baseline.</summary>
    public float[] Precipitation { get; private init; } = [];

    /// <summary>The first held-out year.</summary>
    public int HeldOutYear { get; private init; }

    /// <summary>Standardized training windows [TrainCount, 14, 4].</summary>
    public float[] TrainX { get; private init; } = [];

    /// <summary>Training labels, 1 = rain the next day.</summary>
    public float[] TrainY { get; private init; } = [];

    /// <summary>Standardized held-out windows [TestCount, 14, 4].</summary>
    public float[] TestX { get; private init; } = [];

    /// <summary>Held-out labels, 1 = rain the next day.</summary>
    public float[] TestY { get; private init; } = [];

    /// <summary>Index of the last day of each held-out window (its label is the day after).</summary>
    public int[] TestLastDay { get; private init; } = [];

    /// <summary>The training statistics the features were standardized with.</summary>
    public Standardizer<float> Scaler { get; private init; } = null!;

    public int TrainCount => TrainY.Length;

    public int TestCount => TestY.Length;

    /// <summary>Reads the CSV and builds the windows; the held-out set is the file's last year.</summary>
    /// <exception cref="InvalidDataException">The days are not consecutive.</exception>
    public static WeatherWindows Load(string path)
    {
        CsvTable table = Csv.Read(path);
        string[] dateText = table.TextColumn("date");
        var dates = new DateOnly[dateText.Length];
        for (int i = 0; i < dates.Length; i++)
        {
            dates[i] = DateOnly.ParseExact(dateText[i], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (i > 0 && dates[i] != dates[i - 1].AddDays(1))
                throw new InvalidDataException($"{path}: day {dates[i]:yyyy-MM-dd} does not follow {dates[i - 1]:yyyy-MM-dd}; the windows need consecutive days.");
        }

        float[] columns = table.ToMatrix<float>(CsvColumns);     // [days, 4]
        float[] precipitation = table.Column<float>("precipitation");
        float[] days = new float[dates.Length * Features];        // [days, 7]
        for (int d = 0; d < dates.Length; d++)
        {
            Span<float> day = days.AsSpan(d * Features, Features);
            columns.AsSpan(d * CsvColumns.Length, CsvColumns.Length).CopyTo(day);
            // Precipitation is heavily skewed (most days 0 mm, a few over 40 mm): standardized as it is, a wet day of
            // 0.3 mm sits 0.04 deviations from a dry one. log(1 + mm) keeps the order and spreads the small amounts;
            // the wet flag states "it rained" outright, and the time of year gives the season without a jump at New Year.
            day[0] = MathF.Log(1 + precipitation[d]);
            day[4] = precipitation[d] > 0 ? 1f : 0f;
            double angle = 2 * Math.PI * dates[d].DayOfYear / 365.25;
            day[5] = (float)Math.Sin(angle);
            day[6] = (float)Math.Cos(angle);
        }

        int heldOutYear = dates[^1].Year;
        int firstHeldOut = Array.FindIndex(dates, d => d.Year == heldOutYear);

        // Statistics of the training years' days only; then every day is standardized with them.
        Standardizer<float> scaler = Standardizer<float>.Fit(days.AsSpan(0, firstHeldOut * Features), Features);
        float[] scaled = (float[])days.Clone();
        scaler.Transform(scaled);

        // A window ends on day `last`; its label is day last + 1. It is held out when that day is in the last year.
        int windows = dates.Length - Days;
        int trainCount = 0;
        for (int last = Days - 1; last + 1 < dates.Length; last++)
            if (last + 1 < firstHeldOut) trainCount++;
        int testCount = windows - trainCount;

        var trainX = new float[trainCount * Days * Features];
        var trainY = new float[trainCount];
        var testX = new float[testCount * Days * Features];
        var testY = new float[testCount];
        var testLast = new int[testCount];
        int tr = 0, te = 0;
        for (int last = Days - 1; last + 1 < dates.Length; last++)
        {
            ReadOnlySpan<float> window = scaled.AsSpan((last - Days + 1) * Features, Days * Features);
            float label = precipitation[last + 1] > 0 ? 1f : 0f;
            if (last + 1 < firstHeldOut)
            {
                window.CopyTo(trainX.AsSpan(tr * Days * Features));
                trainY[tr++] = label;
            }
            else
            {
                window.CopyTo(testX.AsSpan(te * Days * Features));
                testY[te] = label;
                testLast[te++] = last;
            }
        }

        return new WeatherWindows
        {
            Dates = dates,
            Precipitation = precipitation,
            HeldOutYear = heldOutYear,
            TrainX = trainX,
            TrainY = trainY,
            TestX = testX,
            TestY = testY,
            TestLastDay = testLast,
            Scaler = scaler,
        };
    }

    /// <summary>
    /// The "same as today" baseline on the held-out windows: it predicts rain tomorrow exactly when it rained on the
    /// window's last day. Returns its accuracy.
    /// </summary>
    public double SameAsTodayAccuracy()
    {
        int correct = 0;
        for (int i = 0; i < TestCount; i++)
        {
            float predicted = Precipitation[TestLastDay[i]] > 0 ? 1f : 0f;
            if (predicted == TestY[i]) correct++;
        }

        return (double)correct / TestCount;
    }

    /// <summary>The fraction of labels that are 1 (rain) in <paramref name="labels"/>.</summary>
    public static double RainFraction(ReadOnlySpan<float> labels)
    {
        int rain = 0;
        foreach (float y in labels) if (y == 1f) rain++;
        return (double)rain / labels.Length;
    }
}
