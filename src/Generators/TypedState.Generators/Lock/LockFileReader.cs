using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.Text;
using TypedState.Generators.Model;

namespace TypedState.Generators.Lock;

/// <summary>
/// Reads a schema lock file: a JSON object of entries, each an object of member paths to kinds and a <c>$version</c>.
/// Any JSON layout is accepted (a hand-merged file need not keep the written one); members starting with <c>$</c> at
/// the top are the file's own. A file that is not such an object is unreadable, with where it went wrong.
/// </summary>
internal sealed class LockFileReader
{
    private readonly string _path;
    private readonly SourceText _text;
    private readonly string _source;
    private int _position;

    private LockFileReader(string path, SourceText text)
    {
        _path = path;
        _text = text;
        _source = text.ToString();
    }

    public static LockFile Read(string path, SourceText? text)
    {
        var reader = new LockFileReader(path, text ?? SourceText.From(string.Empty));
        try
        {
            return new LockFile(path, reader.File().ToEquatableArray());
        }
        catch (FormatException e)
        {
            return new LockFile(path, EquatableArray<LockEntry>.Empty, e.Message, reader.Here(reader._position, 1));
        }
    }

    private List<LockEntry> File()
    {
        var entries = new List<LockEntry>();
        Expect('{');
        foreach (var (id, start) in Members())
        {
            if (id.StartsWith("$", StringComparison.Ordinal))
            {
                Value();
                continue;
            }

            entries.Add(Entry(id, start));
        }

        Skip();
        if (_position < _source.Length)
        {
            throw new FormatException("text after the closing brace");
        }

        return entries;
    }

    private LockEntry Entry(string id, int start)
    {
        var version = 0;
        var paths = new List<LockPath>();
        Expect('{');
        foreach (var (path, _) in Members())
        {
            if (path == "$version")
            {
                var number = Number();
                version = int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                    ? v
                    : throw new FormatException($"the $version of '{id}' is not a whole number from 1 up");
            }
            else
            {
                paths.Add(new LockPath(path, String()));
            }
        }

        if (version == 0)
        {
            throw new FormatException($"the entry '{id}' has no $version");
        }

        paths.Sort();
        return new LockEntry(id, string.Empty, version, paths.ToEquatableArray(), Here(start, id.Length + 2));
    }

    /// <summary>The names of an object's members, each read up to its value (which the caller reads); the object is closed after.</summary>
    private IEnumerable<(string Name, int Start)> Members()
    {
        Skip();
        if (Peek() == '}')
        {
            _position++;
            yield break;
        }

        while (true)
        {
            Skip();
            var start = _position;
            var name = String();
            Expect(':');
            yield return (name, start);
            Skip();
            var next = Next();
            if (next == '}')
            {
                yield break;
            }

            if (next != ',')
            {
                _position--;
                throw new FormatException("',' or '}' expected");
            }
        }
    }

    /// <summary>Skips a value of a member the reader does not use.</summary>
    private void Value()
    {
        Skip();
        switch (Peek())
        {
            case '"':
                String();
                return;
            case '{':
                _position++;
                foreach (var _ in Members())
                {
                    Value();
                }

                return;
            default:
                Number();
                return;
        }
    }

    private string Number()
    {
        Skip();
        var start = _position;
        while (_position < _source.Length && (char.IsLetterOrDigit(_source[_position]) || _source[_position] is '-' or '+' or '.'))
        {
            _position++;
        }

        return _position > start ? _source.Substring(start, _position - start) : throw new FormatException("a value expected");
    }

    private string String()
    {
        Skip();
        if (Next() != '"')
        {
            _position--;
            throw new FormatException("a string expected");
        }

        var text = new StringBuilder();
        while (true)
        {
            var c = Next();
            if (c == '"')
            {
                return text.ToString();
            }

            if (c is '\n' or '\0')
            {
                throw new FormatException("unterminated string");
            }

            text.Append(c == '\\' ? Escape() : c);
        }
    }

    private char Escape()
    {
        var c = Next();
        switch (c)
        {
            case 'u' when _position + 4 <= _source.Length
                && int.TryParse(_source.Substring(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                _position += 4;
                return (char)code;
            case 'n':
                return '\n';
            case 't':
                return '\t';
            case 'r':
                return '\r';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case '"' or '\\' or '/':
                return c;
            default:
                throw new FormatException("invalid escape");
        }
    }

    private void Expect(char c)
    {
        Skip();
        if (Next() != c)
        {
            _position--;
            throw new FormatException($"'{c}' expected");
        }
    }

    private void Skip()
    {
        while (_position < _source.Length && char.IsWhiteSpace(_source[_position]))
        {
            _position++;
        }
    }

    private char Peek() => _position < _source.Length ? _source[_position] : '\0';

    private char Next() => _position < _source.Length ? _source[_position++] : '\0';

    private LocationInfo Here(int start, int length)
    {
        start = Math.Max(0, Math.Min(start, _source.Length));
        var span = new TextSpan(start, Math.Min(length, _source.Length - start));
        return new LocationInfo(_path, span, _text.Lines.GetLinePositionSpan(span));
    }
}
