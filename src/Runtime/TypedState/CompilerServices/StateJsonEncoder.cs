using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace TypedState.CompilerServices;

/// <summary>
/// The encoder of stored documents: <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>, except that characters
/// outside the Basic Multilingual Plane (emoji, rarer CJK, historic scripts) are written as their own UTF-8 bytes.
/// </summary>
/// <remarks>
/// System.Text.Json's encoders escape every supplementary-plane character, whatever their settings: an emoji (4 bytes of
/// UTF-8) becomes the 12 bytes of <c>\uD83D\uDE00</c>, so text rich in emoji reached
/// <see cref="StateManagerOptions.MaxValueBytes"/> at a third of its length. JSON allows any Unicode scalar value
/// unescaped; documents are stored, never embedded in HTML or script, so nothing needs the escape. Everything else is
/// the relaxed encoder's: quotes, backslashes and control characters are escaped, as are lone surrogates (written as
/// <c>\uFFFD</c>). Each method hands the text to the relaxed encoder, whose searches are vectorized, and only steps
/// over the supplementary characters it stops at: text without them costs one extra call.
/// </remarks>
internal sealed class StateJsonEncoder : JavaScriptEncoder
{
    private const int ReplacementCharacter = 0xFFFD;

    private static readonly JavaScriptEncoder s_relaxed = UnsafeRelaxedJsonEscaping;

    private StateJsonEncoder()
    {
    }

    /// <summary>The one instance; the encoder is stateless.</summary>
    public static StateJsonEncoder Instance { get; } = new();

    /// <inheritdoc />
    public override int MaxOutputCharactersPerInputCharacter => s_relaxed.MaxOutputCharactersPerInputCharacter;

    /// <inheritdoc />
    public override bool WillEncode(int unicodeScalar) =>
        !Rune.IsValid(unicodeScalar) || (unicodeScalar <= char.MaxValue && s_relaxed.WillEncode(unicodeScalar));

    /// <inheritdoc />
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (unicodeScalar > char.MaxValue && Rune.IsValid(unicodeScalar))
        {
            // Written as itself: its surrogate pair, which becomes its 4 UTF-8 bytes.
            return new Rune(unicodeScalar).TryEncodeToUtf16(new Span<char>(buffer, bufferLength), out numberOfCharactersWritten);
        }

        if (unicodeScalar == ReplacementCharacter)
        {
            // TextEncoder's own loops (Encode(string), the TextWriter overloads) report ill-formed input as U+FFFD; the
            // relaxed encoder, which writes a real U+FFFD as itself, escapes it there, and so does this one.
            return TryCopy("\\uFFFD", buffer, bufferLength, out numberOfCharactersWritten);
        }

        return s_relaxed.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);
    }

    /// <inheritdoc />
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var start = 0;
        while (true)
        {
            var found = s_relaxed.FindFirstCharacterToEncode(text + start, textLength - start);
            if (found < 0)
            {
                return -1;
            }

            var index = start + found;
            if (!IsSurrogatePair(new ReadOnlySpan<char>(text, textLength), index))
            {
                return index;
            }

            start = index + 2;
        }
    }

    /// <inheritdoc />
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        var start = 0;
        while (true)
        {
            var found = s_relaxed.FindFirstCharacterToEncodeUtf8(utf8Text[start..]);
            if (found < 0)
            {
                return -1;
            }

            var index = start + found;
            if (SupplementaryLength(utf8Text[index..]) is not (> 0 and var length))
            {
                return index;
            }

            start = index + length;
        }
    }

    /// <inheritdoc />
    public override OperationStatus Encode(ReadOnlySpan<char> source, Span<char> destination, out int charsConsumed, out int charsWritten, bool isFinalBlock = true)
    {
        charsConsumed = 0;
        charsWritten = 0;
        while (true)
        {
            var rest = source[charsConsumed..];
            var pair = IndexOfSurrogatePair(rest);
            if (pair < 0)
            {
                var last = s_relaxed.Encode(rest, destination[charsWritten..], out var consumed, out var written, isFinalBlock);
                charsConsumed += consumed;
                charsWritten += written;
                return last;
            }

            // The text before the pair ends where a scalar value begins: none of it waits for more input.
            var status = s_relaxed.Encode(rest[..pair], destination[charsWritten..], out var consumedBefore, out var writtenBefore, isFinalBlock: true);
            charsConsumed += consumedBefore;
            charsWritten += writtenBefore;
            if (status != OperationStatus.Done)
            {
                return status;
            }

            if (!rest.Slice(pair, 2).TryCopyTo(destination[charsWritten..]))
            {
                return OperationStatus.DestinationTooSmall;
            }

            charsConsumed += 2;
            charsWritten += 2;
        }
    }

    /// <inheritdoc />
    public override OperationStatus EncodeUtf8(ReadOnlySpan<byte> utf8Source, Span<byte> utf8Destination, out int bytesConsumed, out int bytesWritten, bool isFinalBlock = true)
    {
        bytesConsumed = 0;
        bytesWritten = 0;
        while (true)
        {
            var rest = utf8Source[bytesConsumed..];
            var (at, length) = IndexOfSupplementary(rest);
            if (at < 0)
            {
                var last = s_relaxed.EncodeUtf8(rest, utf8Destination[bytesWritten..], out var consumed, out var written, isFinalBlock);
                bytesConsumed += consumed;
                bytesWritten += written;
                return last;
            }

            // The bytes before the character end where a lead byte begins: an incomplete sequence there is invalid.
            var status = s_relaxed.EncodeUtf8(rest[..at], utf8Destination[bytesWritten..], out var consumedBefore, out var writtenBefore, isFinalBlock: true);
            bytesConsumed += consumedBefore;
            bytesWritten += writtenBefore;
            if (status != OperationStatus.Done)
            {
                return status;
            }

            if (!rest.Slice(at, length).TryCopyTo(utf8Destination[bytesWritten..]))
            {
                return OperationStatus.DestinationTooSmall;
            }

            bytesConsumed += length;
            bytesWritten += length;
        }
    }

    private static unsafe bool TryCopy(string text, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        numberOfCharactersWritten = text.AsSpan().TryCopyTo(new Span<char>(buffer, bufferLength)) ? text.Length : 0;
        return numberOfCharactersWritten > 0;
    }

    private static bool IsSurrogatePair(ReadOnlySpan<char> text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]);

    /// <summary>The index of the first well-formed surrogate pair, or -1.</summary>
    private static int IndexOfSurrogatePair(ReadOnlySpan<char> text)
    {
        var start = 0;
        while (true)
        {
            var found = text[start..].IndexOfAnyInRange('\uD800', '\uDBFF');
            if (found < 0)
            {
                return -1;
            }

            var index = start + found;
            if (IsSurrogatePair(text, index))
            {
                return index;
            }

            start = index + 1;
        }
    }

    /// <summary>The byte count of the well-formed supplementary-plane character <paramref name="utf8"/> starts with, or 0.</summary>
    private static int SupplementaryLength(ReadOnlySpan<byte> utf8) =>
        utf8[0] >= 0xF0 && Rune.DecodeFromUtf8(utf8, out var rune, out var length) == OperationStatus.Done && !rune.IsBmp ? length : 0;

    /// <summary>Where the first well-formed supplementary-plane character is and its byte count, or (-1, 0).</summary>
    private static (int Index, int Length) IndexOfSupplementary(ReadOnlySpan<byte> utf8)
    {
        var start = 0;
        while (true)
        {
            // Lead bytes of 4-byte sequences are F0–F4; F5–FF never occur in UTF-8.
            var found = utf8[start..].IndexOfAnyInRange((byte)0xF0, (byte)0xF4);
            if (found < 0)
            {
                return (-1, 0);
            }

            var index = start + found;
            if (SupplementaryLength(utf8[index..]) is > 0 and var length)
            {
                return (index, length);
            }

            start = index + 1;
        }
    }
}
