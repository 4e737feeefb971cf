using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Xunit;

namespace NeuralDsl.Tests.Data;

/// <summary>The data sets the recurrent samples read (RainTomorrow, StockForecast, SpamFilter) are committed intact.</summary>
public sealed class SequenceDataTests
{
    [Fact]
    public void CommittedSeattleWeather_Has1461ConsecutiveDaysOfFourFeatures()
    {
        CsvTable table = Csv.Read(SampleData.File("seattle-weather.csv"));
        Assert.Equal(["date", "precipitation", "temp_max", "temp_min", "wind", "weather"], table.ColumnNames);
        Assert.Equal(1461, table.RowCount);
        Assert.Equal("2012-01-01", table.Cell(0, "date"));
        Assert.Equal("2015-12-31", table.Cell(1460, "date"));
        float[] x = table.ToMatrix<float>("precipitation", "temp_max", "temp_min", "wind");
        Assert.Equal([0f, 12.8f, 5f, 4.7f], x[..4]);
        Assert.All(x, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CommittedStocks_HasMonthlyPricesOfFiveStocks()
    {
        CsvTable table = Csv.Read(SampleData.File("stocks.csv"));
        Assert.Equal(["symbol", "date", "price"], table.ColumnNames);
        Assert.Equal(560, table.RowCount);
        string[] symbols = table.TextColumn("symbol");
        Assert.Equal(123, Array.FindAll(symbols, s => s == "MSFT").Length);
        Assert.Equal(68, Array.FindAll(symbols, s => s == "GOOG").Length);
        Assert.Equal(["AAPL", "AMZN", "GOOG", "IBM", "MSFT"], new System.Collections.Generic.SortedSet<string>(symbols, StringComparer.Ordinal));
        Assert.Equal(39.81f, table.Column<float>("price")[0]);
    }

    [Fact]
    public void CommittedSpamAssassin_Has6046EmailsAndTheDocumentedHeldOutSplit()
    {
        using var gzip = new GZipStream(File.OpenRead(SampleData.File("spam-assassin.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        int emails = 0, spam = 0, heldOut = 0, heldOutSpam = 0;
        while (reader.ReadLine() is string line)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            int label = json.RootElement.GetProperty("spam").GetInt32();
            Assert.True(label is 0 or 1);
            Assert.NotNull(json.RootElement.GetProperty("subject").GetString());
            Assert.NotNull(json.RootElement.GetProperty("body").GetString());
            spam += label;
            if (emails % 5 == 4)
            {
                heldOut++;
                heldOutSpam += label;
            }

            emails++;
        }

        Assert.Equal((6046, 1896), (emails, spam));
        Assert.Equal((1209, 379), (heldOut, heldOutSpam));
    }
}
