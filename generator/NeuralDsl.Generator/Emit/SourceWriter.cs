using System;
using System.Collections.Generic;
using System.Text;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// An indenting text writer for generated C#: LF line ends, four-space indentation, and never trailing whitespace
/// (blank lines stay empty), so snapshots are stable and diff cleanly. Calls, comments and doc summaries that would run
/// past <see cref="WrapColumn"/> are broken into lines: one argument per line, comments at word boundaries.
/// </summary>
internal sealed class SourceWriter
{
    /// <summary>The column generated lines are kept within, where they can be broken (the Summary constant cannot).</summary>
    public const int WrapColumn = 120;

    private readonly StringBuilder _sb = new();
    private int _indent;

    private int Column => _indent * 4;

    /// <summary>
    /// Writes <c>{head}({arguments}){tail}</c>: on one line when it fits within <see cref="WrapColumn"/>, else the head
    /// and the opening parenthesis, then one argument per line, indented once, the last one followed by the tail.
    /// </summary>
    public void Call(string head, IReadOnlyList<string> arguments, string tail = ";")
    {
        string line = head + "(" + string.Join(", ", arguments) + ")" + tail;
        if (TryOneLine(line, always: arguments.Count == 0))
            return;
        Line(head + "(");
        _indent++;
        for (int i = 0; i < arguments.Count; i++)
            Line(arguments[i] + (i < arguments.Count - 1 ? "," : ")" + tail));
        _indent--;
    }

    /// <summary>
    /// <c>{head} {term} + {term} ...;</c> on one line when it fits, else the head alone and one term per line, indented
    /// once, each after the first starting with <c>+</c>.
    /// </summary>
    public void Sum(string head, IReadOnlyList<string> terms)
    {
        string line = head + " " + string.Join(" + ", terms) + ";";
        if (TryOneLine(line))
            return;
        Line(head);
        _indent++;
        for (int i = 0; i < terms.Count; i++)
            Line((i == 0 ? "" : "+ ") + terms[i] + (i == terms.Count - 1 ? ";" : ""));
        _indent--;
    }

    /// <summary>A method signature (parameters one per line when it would not fit) and its opened body.</summary>
    public IDisposable Method(string head, IReadOnlyList<string> parameters)
    {
        Call(head, parameters, "");
        return Block();
    }

    /// <summary>An expression-bodied member <c>{head} => {body};</c>, with the body on its own line when the whole would not fit.</summary>
    public void ExpressionBody(string head, string body) => Split(head, " =>", body + ";");

    /// <summary>A declaration with an initializer, <c>{head} = {value};</c>, with the value on its own line when the whole would not fit.</summary>
    public void Initialized(string head, string value) => Split(head, " =", value + ";");

    /// <summary>
    /// A member and its trailing comment on one line when they fit, else the comment (wrapped) on the lines above.
    /// </summary>
    public void Commented(string code, string comment)
    {
        string line = code + " // " + comment;
        if (TryOneLine(line))
            return;
        Comment(comment);
        Line(code);
    }

    /// <summary>Writes <paramref name="line"/> and returns true when it ends within <see cref="WrapColumn"/> (or <paramref name="always"/>).</summary>
    private bool TryOneLine(string line, bool always = false)
    {
        if (!always && Column + line.Length > WrapColumn)
            return false;
        Line(line);
        return true;
    }

    private void Split(string head, string separator, string tail)
    {
        string line = head + separator + " " + tail;
        if (TryOneLine(line))
            return;
        Line(head + separator);
        _indent++;
        Line(tail);
        _indent--;
    }

    /// <summary>A <c>//</c> comment, broken at spaces so each line ends within <see cref="WrapColumn"/> where the words allow.</summary>
    public void Comment(string text)
    {
        foreach (string line in Wrap(text, WrapColumn - Column - 3, xmlTags: false))
            Line("// " + line);
    }

    /// <summary>
    /// A <c>&lt;summary&gt;</c> doc comment: on one line when it fits, else over several lines, broken at spaces outside
    /// XML tags.
    /// </summary>
    public void DocSummary(string text)
    {
        string line = "/// <summary>" + text + "</summary>";
        if (TryOneLine(line))
            return;
        Line("/// <summary>");
        foreach (string part in Wrap(text, WrapColumn - Column - 4, xmlTags: true))
            Line("/// " + part);
        Line("/// </summary>");
    }

    /// <summary>Splits <paramref name="text"/> at spaces (outside <c>&lt;...&gt;</c> in XML) into lines of at most <paramref name="width"/> where possible.</summary>
    private static List<string> Wrap(string text, int width, bool xmlTags)
    {
        var words = new List<string>();
        int start = 0, depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '<' && xmlTags)
                depth++;
            else if (c == '>' && depth > 0)
                depth--;
            else if (c == ' ' && depth == 0)
            {
                if (i > start)
                    words.Add(text.Substring(start, i - start));
                start = i + 1;
            }
        }
        if (start < text.Length)
            words.Add(text.Substring(start));

        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (string word in words)
        {
            if (current.Length > 0 && current.Length + 1 + word.Length > width)
            {
                lines.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0)
                current.Append(' ');
            current.Append(word);
        }
        if (current.Length > 0 || lines.Count == 0)
            lines.Add(current.ToString());
        return lines;
    }

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
