using System.Collections.Generic;
using System.Globalization;
using System.Text;
using TypedState.Generators.Model;

namespace TypedState.Generators.Lock;

/// <summary>
/// Writes the schema lock file, laid out for review: one line per member path, sorted, each ending with a comma, and
/// each entry's <c>$version</c> last (the file's <c>$format</c> likewise), so an added or removed member is a
/// one-line diff and no line changes because a neighbour did.
/// </summary>
internal static class LockFileWriter
{
    public const string FileName = "typedstate.lock.json";

    public const int Format = 1;

    public const string About = "The stored shape of each state type, checked at build time. Update: dotnet build -p:TypedStateUpdateLock=true (see docs/typed-state.md).";

    public static string Write(IEnumerable<LockEntry> entries)
    {
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append("  ").Append(Quote("$about")).Append(": ").Append(Quote(About)).Append(",\n");
        foreach (var entry in entries)
        {
            text.Append("  ").Append(Quote(entry.Id)).Append(": {\n");
            foreach (var path in entry.Paths)
            {
                text.Append("    ").Append(Quote(path.Path)).Append(": ").Append(Quote(path.Kind)).Append(",\n");
            }

            text.Append("    ").Append(Quote("$version")).Append(": ").Append(entry.Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append("  },\n");
        }

        text.Append("  ").Append(Quote("$format")).Append(": ").Append(Format.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>A JSON string; <c>*/</c> is written <c>*\/</c>, so the text can sit in a C# comment.</summary>
    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '/' when i > 0 && value[i - 1] == '*':
                    text.Append("\\/");
                    break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
