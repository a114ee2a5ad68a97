using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace TypedState;

/// <summary>State parts as collection elements: an object, or null (as <see cref="StateJson.WritePart{T}(Utf8JsonWriter, T)"/> and <see cref="StateJson.ReadPart{T}"/>).</summary>
/// <typeparam name="T">The part type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "They implement the static abstract members of IStateJsonCodec<T>: codecs are type arguments, never called by name.")]
public readonly struct StateJsonPartCodec<T> : IStateJsonCodec<T>
    where T : IStatePart<T>
{
    /// <inheritdoc />
    public static T Read(ref Utf8JsonReader reader) => StateJson.ReadPart<T>(ref reader);

    /// <inheritdoc />
    public static void Write(Utf8JsonWriter writer, T value) => StateJson.WritePart(writer, value);

    /// <inheritdoc />
    public static void Write(Utf8JsonWriter writer, string propertyName, T value) => StateJson.WritePart(writer, propertyName, value);
}
