using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// The JSON names of a generated type's members, in declaration order, for its reader: <see cref="Match"/> tells which
/// member a property name is. One static instance per generated type.
/// </summary>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class StateJsonNames
{
    private readonly string[] _names;

    // UTF-8 of each name (null for a name that is not valid UTF-16: no document text equals it), and for each index the
    // first index with the same bytes, so that of two members with one name the first is read, whatever the order tried.
    private readonly byte[]?[] _utf8;
    private readonly int[] _first;

    /// <summary>The JSON name of member <paramref name="index"/>.</summary>
    internal string this[int index] => _names[index];

    /// <summary>Creates the table of <paramref name="names"/>, the members' JSON names in declaration order.</summary>
    public StateJsonNames(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = names;
        _utf8 = new byte[]?[names.Length];
        _first = new int[names.Length];
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        for (var i = 0; i < names.Length; i++)
        {
            try
            {
                _utf8[i] = strict.GetBytes(names[i]);
            }
            catch (EncoderFallbackException)
            {
                _utf8[i] = null;
            }

            _first[i] = Array.IndexOf(names, names[i]);
        }
    }

    /// <summary>
    /// The index of the member the property name the reader is on names: the first member whose name it equals exactly
    /// (trying first the member after the one matched before, <paramref name="next"/>, as documents list them in
    /// declaration order); -2 for <c>$version</c>; else the first member whose name it equals ignoring case, so that a
    /// document written with other naming options still reads, as with System.Text.Json's web defaults; else -1.
    /// </summary>
    /// <param name="reader">A reader on a property name.</param>
    /// <param name="next">Where to start trying: 0 before the first property; updated after an exact match.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Match(ref Utf8JsonReader reader, ref int next)
    {
        // Inlined: the member expected next, the usual case for documents this type wrote.
        var i = next;
        var utf8 = _utf8;
        if ((uint)i < (uint)utf8.Length && utf8[i] is { } expected && reader.ValueTextEquals(expected))
        {
            next = i + 1;
            return _first[i];
        }

        return MatchAny(ref reader, ref next);
    }

    private int MatchAny(ref Utf8JsonReader reader, ref int next)
    {
        var utf8 = _utf8;
        var i = (uint)next < (uint)utf8.Length ? next : 0;
        for (var tried = 0; tried < utf8.Length; tried++)
        {
            if (utf8[i] is { } name && reader.ValueTextEquals(name))
            {
                next = i + 1;
                return _first[i];
            }

            i = i + 1 < utf8.Length ? i + 1 : 0;
        }

        if (reader.ValueTextEquals("$version"u8))
        {
            return -2;
        }

        // Unknown names are skipped: compared from a stack buffer when they fit, not through a string each.
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        Span<char> buffer = stackalloc char[128];
        ReadOnlySpan<char> text = length <= buffer.Length ? buffer[..reader.CopyString(buffer)] : reader.GetString();
        for (var member = 0; member < _names.Length; member++)
        {
            if (text.Equals(_names[member], StringComparison.OrdinalIgnoreCase))
            {
                return member;
            }
        }

        return -1;
    }
}
