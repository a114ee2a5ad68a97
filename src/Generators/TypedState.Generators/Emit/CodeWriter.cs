using System.Text;

namespace TypedState.Generators.Emit;

/// <summary>A string builder that keeps indentation, for readable generated code.</summary>
internal sealed class CodeWriter(int indent = 0)
{
    private readonly StringBuilder _text = new();
    private int _indent = indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    /// <summary>Appends lines written (and indented) elsewhere, as they are.</summary>
    public CodeWriter Raw(string lines)
    {
        _text.Append(lines);
        return this;
    }

    public CodeWriter Open(string line)
    {
        Line(line).Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
