using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NeuralDsl;

/// <summary>
/// Writes one CSV row per epoch: Keras' <c>CSVLogger</c>. The header is <c>epoch</c> (counted from 0, as Keras
/// writes it) followed by every logged key sorted by name; each row is flushed when written, so the file can be
/// followed while training runs. With <paramref name="append"/> an existing file is continued without a second
/// header. The file is opened at the first epoch's end (so a <c>Fit</c> rejected at its start leaves no file
/// open) and closed when training ends.
/// </summary>
/// <param name="fileName">The CSV file.</param>
/// <param name="separator">The field separator.</param>
/// <param name="append">Append to an existing file instead of replacing it.</param>
public sealed class CsvLogger(string fileName, char separator = ',', bool append = false) : Callback
{
    private readonly string _fileName = string.IsNullOrWhiteSpace(fileName) ? throw new ArgumentException("The CSV file name is empty.", nameof(fileName)) : fileName;
    private StreamWriter? _writer;
    private string[]? _columns;
    private bool _headerWritten;

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext training)
    {
        _writer?.Dispose();
        _writer = null;
        _columns = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext training)
    {
        if (_writer is null)
        {
            _headerWritten = append && File.Exists(_fileName) && new FileInfo(_fileName).Length > 0;
            _writer = new StreamWriter(_fileName, append, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        if (_columns is null)
        {
            _columns = [.. logs.Keys];
            Array.Sort(_columns, StringComparer.Ordinal);
        }
        var line = new StringBuilder();
        if (!_headerWritten)
        {
            line.Append("epoch");
            foreach (string column in _columns)
                line.Append(separator).Append(column);
            _writer.WriteLine(line.ToString());
            line.Clear();
            _headerWritten = true;
        }
        line.Append(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (string column in _columns)
            line.Append(separator).Append(logs.TryGetValue(column, out double value) ? value.ToString("R", CultureInfo.InvariantCulture) : "NA");
        _writer.WriteLine(line.ToString());
        _writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext training)
    {
        _writer?.Dispose();
        _writer = null;
    }
}
