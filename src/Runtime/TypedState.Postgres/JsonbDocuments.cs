using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace TypedState.Postgres;

/// <summary>
/// Decides, on the client and before anything is sent, whether PostgreSQL's <c>jsonb</c> can hold a value with
/// the same meaning. <c>jsonb</c> stores a parsed document: it re-renders whitespace, object property order and
/// number spelling (which the driver contract allows), but it also refuses or silently changes some valid input.
/// Such values go to the exact-bytes column instead, so that every value the store accepts reads back as written.
/// </summary>
/// <remarks>
/// <para>A value goes to <c>jsonb</c> only when all of these hold (anything else takes the fallback):</para>
/// <list type="bullet">
/// <item>it is valid UTF-8 holding exactly one JSON value (RFC 8259: no comments, no trailing commas, no byte order
/// mark), nested at most 64 deep (System.Text.Json's default limit; PostgreSQL's parser recurses);</item>
/// <item>no string or property name contains the escape <c>\u0000</c> (<c>jsonb</c> refuses it) or an unpaired
/// surrogate escape such as <c>\uD800</c> (refused too);</item>
/// <item>no object repeats a property name after unescaping (<c>jsonb</c> keeps only the last one);</item>
/// <item>no number is a negative zero (<c>numeric</c> has none: <c>-0.0</c> would read back as <c>0.0</c>), longer
/// than 1000 characters or with an exponent beyond ±1000 (<c>numeric</c> overflows far beyond, but stays safe);</item>
/// <item>it is at most 32 MiB: <c>jsonb</c>'s binary form is limited to 256 MiB and can be ~6 times the text
/// (an array of one-digit numbers).</item>
/// </list>
/// <para>One pass of <see cref="Utf8JsonReader"/> plus a vectorized UTF-8 check, allocation-free for documents whose
/// open objects hold up to 32 property names: names are compared where they lie in the input (only names with
/// escapes are unescaped), pairwise in small objects and by sorted hashes in large ones. Bytes that are not JSON
/// cost the reader's exception. Measured in benchmarks/README.md.</para>
/// </remarks>
// One algorithm, one allocation-free pass with its own name bookkeeping: its size is the jsonb rules it enforces.
internal static class JsonbDocuments
{
    /// <summary>The largest value sent to <c>jsonb</c>, in bytes.</summary>
    public const int MaxBytes = 32 * 1024 * 1024;

    /// <summary>The longest number token sent to <c>jsonb</c>.</summary>
    public const int MaxNumberLength = 1000;

    /// <summary>The largest exponent magnitude of a number sent to <c>jsonb</c>.</summary>
    public const int MaxExponent = 1000;

    /// <summary>The deepest nesting sent to <c>jsonb</c>.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most property names of one object compared pairwise; larger objects are sorted first.</summary>
    private const int PairwiseLimit = 16;

    /// <summary>Whether <paramref name="utf8"/> can be stored as <c>jsonb</c> and read back with the same meaning.</summary>
    public static bool CanStore(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Length > MaxBytes || !Utf8.IsValid(utf8))
        {
            return false;
        }

        Span<Name> names = stackalloc Name[32];
        Span<byte> unescaped = stackalloc byte[256];
        var scan = new Scan(utf8, names, unescaped);
        try
        {
            return scan.Run();
        }
        catch (JsonException)
        {
            return false; // not JSON, or nested deeper than MaxDepth
        }
        finally
        {
            scan.Dispose();
        }
    }

    /// <summary>
    /// Whether the escapes of a string token (its raw bytes between the quotes) are ones <c>jsonb</c> accepts:
    /// no <c>\u0000</c>, and every surrogate escape part of a high-low pair, as PostgreSQL's JSON lexer requires.
    /// </summary>
    internal static bool EscapesAreStorable(ReadOnlySpan<byte> raw)
    {
        // Most escaped strings hold only \" \\ \n and the like: no "\u" anywhere, so nothing to check.
        if (raw.IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        var pendingHigh = false;
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i < raw.Length;)
        {
            // The reader validated the token, so every backslash starts a complete escape.
            if (raw[i + 1] != (byte)'u')
            {
                if (pendingHigh)
                {
                    return false;
                }

                i = Next(raw, i + 2);
                continue;
            }

            var code = Hex(raw[i + 2]) << 12 | Hex(raw[i + 3]) << 8 | Hex(raw[i + 4]) << 4 | Hex(raw[i + 5]);
            var isLow = code is >= 0xDC00 and <= 0xDFFF;
            if (code == 0 || pendingHigh != isLow)
            {
                return false;
            }

            pendingHigh = code is >= 0xD800 and <= 0xDBFF;

            // A high surrogate must be followed at once by a low surrogate escape.
            var after = i + 6;
            if (pendingHigh && (after >= raw.Length || raw[after] != (byte)'\\'))
            {
                return false;
            }

            i = Next(raw, after);
        }

        return !pendingHigh;

        static int Next(ReadOnlySpan<byte> raw, int from)
        {
            if (from >= raw.Length)
            {
                return -1;
            }

            var next = raw[from..].IndexOf((byte)'\\');
            return next < 0 ? -1 : from + next;
        }

        static int Hex(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    /// <summary>Whether a number token keeps its value in <c>numeric</c>: see the class remarks.</summary>
    internal static bool NumberIsStorable(ReadOnlySpan<byte> number)
    {
        if (number.Length > MaxNumberLength)
        {
            return false;
        }

        var e = number.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = e < 0 ? number : number[..e];
        if (mantissa[0] == (byte)'-' && mantissa[1..].IndexOfAnyExcept((byte)'0', (byte)'.') < 0)
        {
            return false; // -0, -0.0, -0e5: numeric has no negative zero
        }

        if (e >= 0)
        {
            var exponent = 0;
            foreach (var c in number[(e + 1)..])
            {
                if (c is >= (byte)'0' and <= (byte)'9' && (exponent = (exponent * 10) + (c - '0')) > MaxExponent)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>A property name seen in an object still open: where its unescaped bytes are.</summary>
    private readonly record struct Name(int Start, int Length, bool Unescaped);

    /// <summary>
    /// One validation pass. The property names of the open objects are kept (as positions in the source, or in a
    /// buffer when they had escapes) in stack space, spilling to pooled arrays only for large documents.
    /// </summary>
    private ref struct Scan(ReadOnlySpan<byte> source, Span<Name> names, Span<byte> unescaped)
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private Span<Name> _names = names;
        private Span<byte> _unescaped = unescaped;
        private Name[]? _rentedNames;
        private byte[]? _rentedUnescaped;
        private int _nameCount;
        private int _unescapedLength;

        public bool Run()
        {
            var reader = new Utf8JsonReader(_source, new JsonReaderOptions { MaxDepth = MaxDepth });

            // Where the names of each open object start in _names and in _unescaped, by depth.
            Span<int> objectStarts = stackalloc int[MaxDepth + 1];
            Span<int> unescapedStarts = stackalloc int[MaxDepth + 1];
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objectStarts[reader.CurrentDepth] = _nameCount;
                        unescapedStarts[reader.CurrentDepth] = _unescapedLength;
                        break;
                    case JsonTokenType.EndObject:
                        var start = objectStarts[reader.CurrentDepth];
                        if (_nameCount - start > 1 && HasDuplicate(_names[start.._nameCount]))
                        {
                            return false;
                        }

                        _nameCount = start;
                        _unescapedLength = unescapedStarts[reader.CurrentDepth];
                        break;
                    case JsonTokenType.PropertyName:
                        if (!AddName(ref reader))
                        {
                            return false;
                        }

                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        if (!EscapesAreStorable(reader.ValueSpan))
                        {
                            return false;
                        }

                        break;
                    case JsonTokenType.Number:
                        if (!NumberIsStorable(reader.ValueSpan))
                        {
                            return false;
                        }

                        break;
                }
            }

            return true;
        }

        public readonly void Dispose()
        {
            if (_rentedNames is not null)
            {
                ArrayPool<Name>.Shared.Return(_rentedNames);
            }

            if (_rentedUnescaped is not null)
            {
                ArrayPool<byte>.Shared.Return(_rentedUnescaped);
            }
        }

        private bool AddName(ref Utf8JsonReader reader)
        {
            Name name;
            if (reader.ValueIsEscaped)
            {
                if (!EscapesAreStorable(reader.ValueSpan))
                {
                    return false;
                }

                var needed = _unescapedLength + reader.ValueSpan.Length;
                if (_unescaped.Length < needed)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _unescaped.Length * 2));
                    _unescaped[.._unescapedLength].CopyTo(larger);
                    if (_rentedUnescaped is not null)
                    {
                        ArrayPool<byte>.Shared.Return(_rentedUnescaped);
                    }

                    _unescaped = _rentedUnescaped = larger;
                }

                var length = reader.CopyString(_unescaped[_unescapedLength..]);
                name = new Name(_unescapedLength, length, Unescaped: true);
                _unescapedLength += length;
            }
            else
            {
                // TokenStartIndex is the opening quote of the name.
                name = new Name((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, Unescaped: false);
            }

            if (_nameCount == _names.Length)
            {
                var larger = ArrayPool<Name>.Shared.Rent(_names.Length * 2);
                _names.CopyTo(larger);
                if (_rentedNames is not null)
                {
                    ArrayPool<Name>.Shared.Return(_rentedNames);
                }

                _names = _rentedNames = larger;
            }

            _names[_nameCount++] = name;
            return true;
        }

        private readonly ReadOnlySpan<byte> Bytes(Name name) =>
            name.Unescaped ? _unescaped.Slice(name.Start, name.Length) : _source.Slice(name.Start, name.Length);

        /// <summary>Whether the names of one closed object repeat one.</summary>
        private readonly bool HasDuplicate(ReadOnlySpan<Name> names)
        {
            if (names.Length <= PairwiseLimit)
            {
                return HasEqualPair(names, default);
            }

            // A large object: sort (hash, index) pairs, then compare the names of equal hashes byte for byte.
            var rented = ArrayPool<long>.Shared.Rent(names.Length);
            try
            {
                var keyed = rented.AsSpan(0, names.Length);
                for (var i = 0; i < names.Length; i++)
                {
                    var hash = default(HashCode);
                    hash.AddBytes(Bytes(names[i]));
                    keyed[i] = ((long)hash.ToHashCode() << 32) | (uint)i;
                }

                keyed.Sort();
                for (var begin = 0; begin < keyed.Length;)
                {
                    var end = begin + 1;
                    while (end < keyed.Length && keyed[end] >> 32 == keyed[begin] >> 32)
                    {
                        end++;
                    }

                    if (end - begin > 1 && HasEqualPair(names, keyed[begin..end]))
                    {
                        return true;
                    }

                    begin = end;
                }

                return false;
            }
            finally
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }

        /// <summary>Whether two of <paramref name="names"/> (or of those at the indexes in the low halves of <paramref name="keyed"/>) are equal.</summary>
        private readonly bool HasEqualPair(ReadOnlySpan<Name> names, ReadOnlySpan<long> keyed)
        {
            var count = keyed.IsEmpty ? names.Length : keyed.Length;
            for (var i = 1; i < count; i++)
            {
                var name = Bytes(names[keyed.IsEmpty ? i : (int)(uint)keyed[i]]);
                for (var j = 0; j < i; j++)
                {
                    if (name.SequenceEqual(Bytes(names[keyed.IsEmpty ? j : (int)(uint)keyed[j]])))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
