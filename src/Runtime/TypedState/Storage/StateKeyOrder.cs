using System.Text;

namespace TypedState.Storage;

/// <summary>
/// The key order every driver lists in — Unicode code point order, which is also the order of the keys' UTF-8
/// bytes (SQLite BINARY, PostgreSQL "C", Redis lexicographic ranges) — and the literal prefix range in that order.
/// </summary>
public static class StateKeyOrder
{
    /// <summary>Compares keys by code point. (Ordinal UTF-16 order differs for characters above U+FFFF.)</summary>
    public static IComparer<string> Comparer { get; } = new CodePointComparer();

    /// <summary>
    /// The smallest string greater than every string that starts with <paramref name="prefix"/>, or
    /// <see langword="null"/> when there is none (an empty prefix). Keys starting with the prefix are exactly the
    /// keys <c>k</c> with <c>prefix &lt;= k &lt; upperBound</c>, so a range scan matches the prefix literally.
    /// </summary>
    public static string? PrefixUpperBound(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var end = prefix.Length;
        while (end > 0)
        {
            // Step back over one whole code point.
            var start = end - 1;
            if (start > 0 && char.IsLowSurrogate(prefix[start]) && char.IsHighSurrogate(prefix[start - 1]))
            {
                start--;
            }

            if (Rune.TryGetRuneAt(prefix, start, out var last) && last.Value < 0x10FFFF)
            {
                var next = last.Value + 1;
                if (next is >= 0xD800 and <= 0xDFFF)
                {
                    next = 0xE000;
                }

                return string.Concat(prefix.AsSpan(0, start), new Rune(next).ToString());
            }

            // U+10FFFF has no successor: drop it and increment the code point before it.
            end = start;
        }

        return null;
    }

    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null)
            {
                return -1;
            }

            if (y is null)
            {
                return 1;
            }

            var length = Math.Min(x.Length, y.Length);
            for (var i = 0; i < length; i++)
            {
                var a = x[i];
                var b = y[i];
                if (a != b)
                {
                    // Surrogates (U+D800–U+DFFF) encode code points above U+FFFF, so they sort after U+E000–U+FFFF.
                    return Fix(a).CompareTo(Fix(b));
                }
            }

            return x.Length.CompareTo(y.Length);
        }

        private static int Fix(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
    }
}
