using System;
using System.IO;
using NeuralDsl.Tests.IO;
using Xunit;

namespace NeuralDsl.Tests.Data;

public sealed class CsvTests
{
    [Fact]
    public void Parse_TrimsCellsSkipsBlankLinesAndBuildsMatrices()
    {
        const string text = "a, b ,\"c\"\r\n1, 2.5, -3e2\r\n\r\n 4 ,5,6\n  \n";
        CsvTable table = Csv.Parse(text);

        Assert.Equal(["a", "b", "c"], table.ColumnNames);
        Assert.Equal((2, 3), (table.RowCount, table.ColumnCount));
        Assert.Equal([1.0, 4.0], table.Column("a"));
        Assert.Equal([2.5f, 5f], table.Column<float>("b"));
        Assert.Equal([-300.0, 2.5, 6.0, 5.0], table.ToMatrix<double>("c", "b"));
        Assert.Equal([2.5, -300.0, 5.0, 6.0], table.ToMatrixExcept<double>("a"));
        Assert.Equal("-3e2", table.Cell(0, "c"));
        Assert.Equal(["2.5", "5"], table.TextColumn("b"));
        Assert.Equal(1, table.ColumnIndex("b"));
    }

    [Fact]
    public void Parse_FloatColumnsAreCorrectlyRounded()
    {
        // Parsed as float directly, not as double then narrowed (which can round twice).
        CsvTable table = Csv.Parse("x\n0.1\n16777217\n1.00000005960464477539062500000001\n");
        Assert.Equal([0.1f, 16777216f, 1.0000001f], table.Column<float>("x"));
    }

    [Fact]
    public void Parse_ReadsInvariantNumbersOnly()
    {
        CsvTable table = Csv.Parse("x;y\n1.5;2\n", separator: ';');
        Assert.Equal([1.5, 2.0], table.ToMatrix<double>("x", "y"));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Parse("x\n1,5\n", separator: ';').Column("x"));
        Assert.Contains("'1,5' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RaggedRow_NamesTheLineAndTheCounts()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Parse("a,b,c\n1,2,3\n4,5\n", sourceName: "sample"));
        Assert.Equal("CSV sample, line 3: 2 cells, expected 3 (one per header column).", e.Message);
    }

    [Fact]
    public void NonNumericCell_NamesTheLineRowAndColumn()
    {
        CsvTable table = Csv.Parse("a,b\n1,2\n\n3,abc\n", sourceName: "sample");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => table.ToMatrix<float>("a", "b"));
        Assert.Equal("CSV sample, line 4 (row 2), column 'b': 'abc' is not a number.", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Csv.Parse("a,b\n1,\n").Column("b"));
        Assert.Contains("line 2 (row 1), column 'b': the cell is empty", e.Message, StringComparison.Ordinal);
        // A column that is not asked for is never parsed.
        Assert.Equal([1.0, 3.0], table.Column("a"));
    }

    [Fact]
    public void BadHeaderOrColumnNames_AreReported()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Parse("a,b,a\n1,2,3\n"));
        Assert.Contains("the header names the column 'a' twice", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => Csv.Parse("\n \n"));
        Assert.Contains("there is no header row", e.Message, StringComparison.Ordinal);
        ArgumentException missing = Assert.Throws<ArgumentException>(() => Csv.Parse("a,b\n1,2\n").Column("c"));
        Assert.Contains("has no column 'c' (its columns are a, b)", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Csv.Parse("a,b\n1,2\n").ToMatrix<double>());
    }

    [Fact]
    public void Labels_MapTextToClassIndices()
    {
        // Seattle-weather style: the last column is a text label.
        const string text = "date,precipitation,weather\n2012-01-01,0.0,drizzle\n2012-01-02,10.9,rain\n2012-01-03,0.8,rain\n2012-01-04,0.0,sun\n";
        CsvTable table = Csv.Parse(text);

        CsvLabels sorted = table.Labels("weather");
        Assert.Equal(["drizzle", "rain", "sun"], sorted.Classes);
        Assert.Equal([0, 1, 1, 2], sorted.Indices);

        CsvLabels fixedOrder = table.Labels("weather", "sun", "rain", "drizzle", "snow");
        Assert.Equal([2, 1, 1, 0], fixedOrder.Indices);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => table.Labels("weather", "sun", "rain"));
        Assert.Contains("line 2, column 'weather': 'drizzle' is not one of the classes sun, rain", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => table.Labels("weather", "sun", "sun"));
    }

    [Fact]
    public void Read_FromFile_NamesTheFileInMessages()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.csv");
        File.WriteAllText(path, "\uFEFFx,y\n1,2\n3\n");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Read(path));
        Assert.Equal($"CSV file '{path}', line 3: 1 cells, expected 2 (one per header column).", e.Message);
        File.WriteAllText(path, "\uFEFFx,y\n1,2\n");
        Assert.Equal(["x", "y"], Csv.Read(path).ColumnNames); // the byte-order mark is not part of the first name
    }

    [Fact]
    public void CommittedBreastCancer_Has569RowsOf30FeaturesAndATarget()
    {
        CsvTable table = Csv.Read(SampleData.File("breast_cancer.csv"));

        Assert.Equal((569, 31), (table.RowCount, table.ColumnCount));
        Assert.Equal("mean_radius", table.ColumnNames[0]);
        Assert.Equal("target", table.ColumnNames[^1]);

        double[] x = table.ToMatrixExcept<double>("target");
        Assert.Equal(569 * 30, x.Length);
        Assert.Equal([17.99, 10.38, 122.8], x[..3]);

        float[] target = table.Column<float>("target");
        int benign = 0;
        foreach (float t in target)
        {
            Assert.True(t is 0f or 1f);
            if (t == 1f) benign++;
        }
        Assert.Equal(357, benign); // scikit-learn: 212 malignant (0), 357 benign (1)

        // Column sums computed independently with Python's csv module.
        double radius = 0, worstArea = 0;
        foreach (double v in table.Column("mean_radius")) radius += v;
        foreach (double v in table.Column("worst_area")) worstArea += v;
        Assert.Equal(8038.429, radius, 1e-9);
        Assert.Equal(501051.8, worstArea, 1e-7);
    }
}
