using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// Collection members for the generated serializers: lists, arrays, sets and string-keyed dictionaries whose elements
/// a codec (<see cref="IStateJsonCodec{T}"/>) reads and writes (strings, numbers and other values). Generic over a
/// struct codec rather than taking delegates, so every element is read and written by a direct call. Written as
/// System.Text.Json writes them; null as null.
/// </summary>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class StateJsonCollections
{
    /// <summary>Writes a list as the array, or null, of a property.</summary>
    public static void WriteList<T, TCodec>(Utf8JsonWriter writer, JsonEncodedText propertyName, List<T>? value)
        where TCodec : IStateJsonCodec<T>
    {
        if (Start(writer, propertyName, value, JsonTokenType.StartArray))
        {
            WriteItems<T, TCodec>(writer, CollectionsMarshal.AsSpan(value));
        }
    }

    /// <summary>Writes an array as the array, or null, of a property.</summary>
    public static void WriteArray<T, TCodec>(Utf8JsonWriter writer, JsonEncodedText propertyName, T[]? value)
        where TCodec : IStateJsonCodec<T>
    {
        if (Start(writer, propertyName, value, JsonTokenType.StartArray))
        {
            WriteItems<T, TCodec>(writer, value);
        }
    }

    /// <summary>Writes a set as the array, or null, of a property (through its struct enumerator: nothing allocated).</summary>
    public static void WriteSet<T, TCodec>(Utf8JsonWriter writer, JsonEncodedText propertyName, HashSet<T>? value)
        where TCodec : IStateJsonCodec<T>
    {
        if (Start(writer, propertyName, value, JsonTokenType.StartArray))
        {
            WriteItems<T, TCodec, HashSet<T>.Enumerator>(writer, value.GetEnumerator());
        }
    }

    /// <summary>Writes a collection interface (a list, collection, sequence or set interface) as the array, or null, of a property.</summary>
    public static void WriteSequence<T, TCodec>(Utf8JsonWriter writer, JsonEncodedText propertyName, IEnumerable<T>? value)
        where TCodec : IStateJsonCodec<T>
    {
        if (Start(writer, propertyName, value, JsonTokenType.StartArray))
        {
            WriteItems<T, TCodec, IEnumerator<T>>(writer, value.GetEnumerator());
        }
    }

    /// <summary>Writes a dictionary as the object, or null, of a property (through its struct enumerator: nothing allocated).</summary>
    public static void WriteDictionary<T, TCodec>(Utf8JsonWriter writer, JsonEncodedText propertyName, Dictionary<string, T>? value)
        where TCodec : IStateJsonCodec<T>
    {
        if (Start(writer, propertyName, value, JsonTokenType.StartObject))
        {
            WriteEntries<T, TCodec, Dictionary<string, T>.Enumerator>(writer, value.GetEnumerator());
        }
    }

    /// <summary>Writes a dictionary interface as the object, or null, of a property.</summary>
    public static void WritePairs<T, TCodec>(Utf8JsonWriter writer, JsonEncodedText propertyName, IEnumerable<KeyValuePair<string, T>>? value)
        where TCodec : IStateJsonCodec<T>
    {
        if (Start(writer, propertyName, value, JsonTokenType.StartObject))
        {
            WriteEntries<T, TCodec, IEnumerator<KeyValuePair<string, T>>>(writer, value.GetEnumerator());
        }
    }

    /// <summary>Reads an array into a list (an array member takes its <c>ToArray()</c>), or null from null.</summary>
    /// <exception cref="JsonException">The value is neither an array nor null.</exception>
    public static List<T>? ReadList<T, TCodec>(ref Utf8JsonReader reader)
        where TCodec : IStateJsonCodec<T>
    {
        if (!Start(ref reader, JsonTokenType.StartArray))
        {
            return null;
        }

        // List<T>.Add called directly (not through ICollection<T>, as for sets): lists are the common case.
        var list = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(TCodec.Read(ref reader));
        }

        return list;
    }

    /// <summary>Reads an array into a set, or null from null.</summary>
    /// <exception cref="JsonException">The value is neither an array nor null.</exception>
    public static HashSet<T>? ReadSet<T, TCodec>(ref Utf8JsonReader reader)
        where TCodec : IStateJsonCodec<T> =>
        Start(ref reader, JsonTokenType.StartArray) ? ReadItems<T, TCodec, HashSet<T>>(ref reader, []) : null;

    /// <summary>Reads an object into a dictionary (a repeated name keeps its last value), or null from null.</summary>
    /// <exception cref="JsonException">The value is neither an object nor null.</exception>
    public static Dictionary<string, T>? ReadDictionary<T, TCodec>(ref Utf8JsonReader reader)
        where TCodec : IStateJsonCodec<T>
    {
        if (!Start(ref reader, JsonTokenType.StartObject))
        {
            return null;
        }

        var dictionary = new Dictionary<string, T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            dictionary[key] = TCodec.Read(ref reader);
        }

        return dictionary;
    }

    /// <summary>Writes null for a null collection (false), or the start of its array or object (true).</summary>
    private static bool Start(Utf8JsonWriter writer, JsonEncodedText propertyName, [NotNullWhen(true)] object? value, JsonTokenType start)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNull(propertyName);
            return false;
        }

        if (start == JsonTokenType.StartArray)
        {
            writer.WriteStartArray(propertyName);
        }
        else
        {
            writer.WriteStartObject(propertyName);
        }

        return true;
    }

    /// <summary>False on null; true on the expected start of an array or object; throws on anything else.</summary>
    private static bool Start(ref Utf8JsonReader reader, JsonTokenType start)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        StateJson.Expect(ref reader, start);
        return true;
    }

    private static void WriteItems<T, TCodec>(Utf8JsonWriter writer, ReadOnlySpan<T> items)
        where TCodec : IStateJsonCodec<T>
    {
        foreach (var item in items)
        {
            TCodec.Write(writer, item);
        }

        writer.WriteEndArray();
    }

    // Generic over the enumerator so that a collection's struct enumerator is called directly, not boxed.
    private static void WriteItems<T, TCodec, TEnumerator>(Utf8JsonWriter writer, TEnumerator items)
        where TCodec : IStateJsonCodec<T>
        where TEnumerator : IEnumerator<T>
    {
        try
        {
            while (items.MoveNext())
            {
                TCodec.Write(writer, items.Current);
            }
        }
        finally
        {
            items.Dispose();
        }

        writer.WriteEndArray();
    }

    private static void WriteEntries<T, TCodec, TEnumerator>(Utf8JsonWriter writer, TEnumerator entries)
        where TCodec : IStateJsonCodec<T>
        where TEnumerator : IEnumerator<KeyValuePair<string, T>>
    {
        try
        {
            while (entries.MoveNext())
            {
                var entry = entries.Current;
                TCodec.Write(writer, entry.Key, entry.Value);
            }
        }
        finally
        {
            entries.Dispose();
        }

        writer.WriteEndObject();
    }

    private static TCollection ReadItems<T, TCodec, TCollection>(ref Utf8JsonReader reader, TCollection items)
        where TCodec : IStateJsonCodec<T>
        where TCollection : ICollection<T>
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(TCodec.Read(ref reader));
        }

        return items;
    }
}
