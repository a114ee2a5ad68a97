using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TypedState.CompilerServices;

// Polymorphic types ([JsonPolymorphic], [JsonDerivedType]): the errors of their generated writers and readers.
public static partial class StateJson
{
    /// <summary>
    /// The error for writing, as the polymorphic type <typeparamref name="TBase"/>, an instance of a type it does not
    /// list: System.Text.Json's own (a <see cref="NotSupportedException"/>), as nothing could read the document back.
    /// </summary>
    public static NotSupportedException UnlistedDerivedType<TBase>(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new NotSupportedException(
            $"Runtime type '{value.GetType().FullName}' is not supported by polymorphic type '{typeof(TBase).FullName}': list it with [JsonDerivedType] on '{typeof(TBase).Name}'.");
    }

    /// <summary>The error for a type discriminator, where the reader stands, that <typeparamref name="TBase"/> does not list.</summary>
    public static JsonException UnknownDiscriminator<TBase>(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => $"'{reader.GetString()}'",
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => $"A {reader.TokenType}",
        };
        return new StateMemberException($"{text} is not a type discriminator of {typeof(TBase).Name}", reader.TokenStartIndex, null);
    }

    /// <summary>
    /// The error for an object, the reader on its start, read as the abstract class or interface <typeparamref name="TBase"/>
    /// without its type discriminator as its first property (System.Text.Json requires it first).
    /// </summary>
    public static JsonException MissingDiscriminator<TBase>(ref Utf8JsonReader reader, string propertyName) =>
        new StateMemberException(
            $"An object read as {typeof(TBase).Name} must start with its type discriminator '{propertyName}'",
            reader.TokenStartIndex,
            null);

    /// <summary>The error for a type discriminator, its value where the reader stands, that is not the first property of its object.</summary>
    public static JsonException MisplacedDiscriminator<TBase>(ref Utf8JsonReader reader, string propertyName) =>
        new StateMemberException(
            $"The type discriminator '{propertyName}' of {typeof(TBase).Name} must be the first property of its object",
            reader.TokenStartIndex,
            null);
}
