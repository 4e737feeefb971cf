using System;
using System.Text;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// An indenting text writer for generated C#: LF line ends, four-space indentation, and never trailing whitespace
/// (blank lines stay empty), so snapshots are stable and diff cleanly.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line() => _sb.Append('\n');

    public void Line(string text)
    {
        if (text.Length == 0)
        {
            _sb.Append('\n');
            return;
        }
        _sb.Append(' ', _indent * 4).Append(text.TrimEnd()).Append('\n');
    }

    /// <summary>Writes <paramref name="text"/> followed by an opening brace and indents until the scope is disposed.</summary>
    public IDisposable Block(string text)
    {
        Line(text);
        return Block();
    }

    public IDisposable Block()
    {
        Line("{");
        _indent++;
        return new Closer(this, "}");
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _sb.ToString();

    private sealed class Closer(SourceWriter writer, string closing) : IDisposable
    {
        public void Dispose()
        {
            // No blank line before a closing brace, however the block's last member ended.
            StringBuilder sb = writer._sb;
            if (sb.Length >= 2 && sb[sb.Length - 1] == '\n' && sb[sb.Length - 2] == '\n')
                sb.Length--;
            writer._indent--;
            writer.Line(closing);
        }
    }
}
