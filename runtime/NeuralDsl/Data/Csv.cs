using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>Reads small numeric CSV files (with a header row) into a <see cref="CsvTable"/>.</summary>
public static class Csv
{
    /// <summary>Reads a CSV file whose first line is the header.</summary>
    /// <exception cref="InvalidDataException">No header, duplicate column names, or a row with the wrong number of cells.</exception>
    public static CsvTable Read(string path, char separator = ',')
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return CsvTable.Read(reader, $"CSV file '{path}'", separator);
    }

    /// <summary>Parses CSV text whose first line is the header.</summary>
    /// <exception cref="InvalidDataException">No header, duplicate column names, or a row with the wrong number of cells.</exception>
    public static CsvTable Parse(string text, char separator = ',', string sourceName = "text")
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return CsvTable.Read(reader, $"CSV {sourceName}", separator);
    }
}

/// <summary>
/// A small CSV table (from <see cref="Csv.Read"/>): a header row of column names and rows of cells, kept as text and converted on demand. Cells
/// are trimmed; a cell wrapped in double quotes loses the quotes (quoted separators are not supported: such a row
/// shows up as a ragged row). Numbers use the invariant culture (<c>1234.5</c>, <c>1e-3</c>).
/// </summary>
/// <example>
/// <code>
/// CsvTable table = Csv.Read("samples/data/breast_cancer.csv");
/// float[] x = table.ToMatrixExcept&lt;float&gt;("target");   // [569, 30]
/// float[] y = table.Column&lt;float&gt;("target");          // 0 = malignant, 1 = benign
/// </code>
/// </example>
public sealed class CsvTable
{
    private readonly string[] _cells;     // row-major [RowCount, ColumnCount]
    private readonly int[] _lines;        // file line (1-based) of each row, for messages
    private readonly Dictionary<string, int> _columnIndex;

    private CsvTable(string source, string[] columns, string[] cells, int[] lines)
    {
        Source = source;
        ColumnNames = Array.AsReadOnly(columns);
        _cells = cells;
        _lines = lines;
        _columnIndex = new Dictionary<string, int>(columns.Length, StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++)
        {
            if (!_columnIndex.TryAdd(columns[i], i))
                throw new InvalidDataException($"{source}: the header names the column '{columns[i]}' twice.");
        }
    }

    /// <summary>How messages name the table, e.g. <c>CSV file 'iris.csv'</c>.</summary>
    public string Source { get; }

    /// <summary>The header's column names, in file order.</summary>
    public ReadOnlyCollection<string> ColumnNames { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => ColumnNames.Count;

    /// <summary>Number of data rows (the header and blank lines not counted).</summary>
    public int RowCount => ColumnCount == 0 ? 0 : _cells.Length / ColumnCount;

    internal static CsvTable Read(TextReader reader, string source, char separator)
    {
        string[]? columns = null;
        var cells = new List<string>();
        var lines = new List<int>();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            // Blank lines (typically a trailing newline or two) carry no row.
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] parts = line.Split(separator);
            for (int i = 0; i < parts.Length; i++) parts[i] = Clean(parts[i]);
            if (columns is null)
            {
                columns = parts;
                continue;
            }
            if (parts.Length != columns.Length)
                throw new InvalidDataException(Invariant($"{source}, line {lineNumber}: {parts.Length} cells, expected {columns.Length} (one per header column)."));
            cells.AddRange(parts);
            lines.Add(lineNumber);
        }
        if (columns is null)
            throw new InvalidDataException($"{source}: there is no header row (the input is empty).");
        return new CsvTable(source, columns, cells.ToArray(), lines.ToArray());
    }

    private static string Clean(string cell)
    {
        string trimmed = cell.Trim();
        if (trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"')
            trimmed = trimmed[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal).Trim();
        return trimmed;
    }

    /// <summary>The index of a column.</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns there are.</exception>
    public int ColumnIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_columnIndex.TryGetValue(name, out int index)) return index;
        throw new ArgumentException($"{Source} has no column '{name}' (its columns are {string.Join(", ", ColumnNames)}).", nameof(name));
    }

    /// <summary>The text of one cell (trimmed, quotes removed).</summary>
    public string Cell(int row, string column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return _cells[row * ColumnCount + ColumnIndex(column)];
    }

    /// <summary>A column's cells as text.</summary>
    public string[] TextColumn(string name)
    {
        int c = ColumnIndex(name);
        var result = new string[RowCount];
        for (int r = 0; r < result.Length; r++) result[r] = _cells[r * ColumnCount + c];
        return result;
    }

    /// <summary>A numeric column as doubles.</summary>
    /// <exception cref="InvalidDataException">A cell is not a number; the message names its line and column.</exception>
    public double[] Column(string name) => Column<double>(name);

    /// <summary>A numeric column with element type <typeparamref name="T"/> (parsed directly, so float values are correctly rounded).</summary>
    /// <exception cref="InvalidDataException">A cell is not a number; the message names its line and column.</exception>
    public T[] Column<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ToMatrix<T>(name);

    /// <summary>
    /// The given columns as a row-major matrix [RowCount, columns.Length], in the order given: the usual way to
    /// build a feature matrix.
    /// </summary>
    /// <exception cref="ArgumentException">No columns, or an unknown column.</exception>
    /// <exception cref="InvalidDataException">A cell is not a number; the message names its line and column.</exception>
    public T[] ToMatrix<T>(params string[] columns) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ArgumentException("Name at least one column.", nameof(columns));
        var indices = new int[columns.Length];
        for (int i = 0; i < columns.Length; i++) indices[i] = ColumnIndex(columns[i]);
        int rows = RowCount;
        var result = new T[(long)rows * indices.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < indices.Length; j++)
                result[r * indices.Length + j] = ParseCell<T>(r, indices[j]);
        }
        return result;
    }

    /// <summary>Every column except the named ones, in file order, as a row-major matrix (e.g. all features but the target).</summary>
    /// <exception cref="ArgumentException">An unknown column, or no column left.</exception>
    /// <exception cref="InvalidDataException">A cell is not a number; the message names its line and column.</exception>
    public T[] ToMatrixExcept<T>(params string[] excluded) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(excluded);
        var skip = new HashSet<int>();
        foreach (string name in excluded) skip.Add(ColumnIndex(name));
        var keep = new List<string>();
        for (int i = 0; i < ColumnCount; i++)
        {
            if (!skip.Contains(i)) keep.Add(ColumnNames[i]);
        }
        return ToMatrix<T>(keep.ToArray());
    }

    /// <summary>
    /// Maps a text label column (e.g. Seattle weather's <c>weather</c>) to class indices. With no
    /// <paramref name="classes"/> the classes are the distinct labels in ordinal order (like scikit-learn's
    /// LabelEncoder), so the mapping does not depend on row order; pass them to fix the order yourself.
    /// </summary>
    /// <exception cref="InvalidDataException">A label is not one of the given classes; the message names its line.</exception>
    public CsvLabels Labels(string column, params string[] classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        int c = ColumnIndex(column);
        string[] names;
        if (classes.Length > 0)
        {
            names = (string[])classes.Clone();
        }
        else
        {
            var distinct = new SortedSet<string>(StringComparer.Ordinal);
            for (int r = 0; r < RowCount; r++) distinct.Add(_cells[r * ColumnCount + c]);
            names = [.. distinct];
        }
        var lookup = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (!lookup.TryAdd(names[i], i))
                throw new ArgumentException($"The class '{names[i]}' is listed twice.", nameof(classes));
        }
        var indices = new int[RowCount];
        for (int r = 0; r < indices.Length; r++)
        {
            string label = _cells[r * ColumnCount + c];
            if (!lookup.TryGetValue(label, out indices[r]))
                throw new InvalidDataException(Invariant($"{Source}, line {_lines[r]}, column '{column}': '{label}' is not one of the classes {string.Join(", ", names)}."));
        }
        return new CsvLabels(indices, names);
    }

    private T ParseCell<T>(int row, int column) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string text = _cells[row * ColumnCount + column];
        if (T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out T value)) return value;
        string what = text.Length == 0 ? "the cell is empty" : $"'{text}' is not a number";
        throw new InvalidDataException(Invariant($"{Source}, line {_lines[row]} (row {row + 1}), column '{ColumnNames[column]}': {what}."));
    }
}

/// <summary>A label column mapped to class indices.</summary>
/// <param name="Indices">One class index per row, into <paramref name="Classes"/>.</param>
/// <param name="Classes">The class names; index i names class i.</param>
public sealed record CsvLabels(int[] Indices, string[] Classes);
