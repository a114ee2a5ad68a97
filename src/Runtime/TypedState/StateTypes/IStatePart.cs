using System.ComponentModel;
using System.Text.Json;

namespace TypedState;

/// <summary>
/// A type whose JSON form the TypedState generator writes: implemented by generated code for every state type and
/// state part; not meant to be implemented by hand.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IStatePart<TSelf>
    where TSelf : IStatePart<TSelf>
{
    /// <summary>Writes the members of <paramref name="value"/> as properties of the object the writer is in.</summary>
    static abstract void WriteProperties(Utf8JsonWriter writer, TSelf value);

    /// <summary>
    /// Reads an object (the reader is on its <see cref="JsonTokenType.StartObject"/>) and leaves the reader on its
    /// <see cref="JsonTokenType.EndObject"/>. Unknown properties are skipped; names match exactly first, then
    /// ignoring case. <paramref name="schemaVersion"/> is the <c>$version</c> property's value, 0 when absent.
    /// </summary>
    static abstract TSelf Read(ref Utf8JsonReader reader, out int schemaVersion);
}
