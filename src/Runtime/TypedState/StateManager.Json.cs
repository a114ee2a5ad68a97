using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// JSON: values to bytes within the size limit, and bytes back to values with corrupt records reported where they are.
public partial class StateManager
{
    internal byte[] Serialize<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        byte[] bytes;
        try
        {
            bytes = typeInfo.Converter is IStateDocumentSerializer<T> stateType
                ? stateType.Serialize(value)
                : JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new StateException($"The value of type {typeof(T).Name} could not be serialized: {ex.Message}", owner, key, ex);
        }

        if (bytes.Length > Options.MaxValueBytes)
        {
            throw new StateValueTooLargeException(owner, key, bytes.Length, Options.MaxValueBytes);
        }

        return bytes;
    }

    internal T? Deserialize<T>(StateOwner owner, string key, ReadOnlyMemory<byte> bytes, long version, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes.Span, typeInfo);
        }
        catch (JsonException ex)
        {
            throw Unreadable(owner, key, bytes.Span, version, typeof(T), ex);
        }
        catch (StateSchemaException ex) when (ex.Owner is null)
        {
            // Raised by a generated state type's converter, which cannot know where the bytes came from.
            StateLog.CorruptRecord(Logger, owner, key, version, typeof(T).Name, ex);
            throw ex.At(owner, key);
        }
    }

    /// <summary>
    /// The error for stored bytes the serializer refused: <see cref="StateTypeMismatchException"/> when they are
    /// well-formed JSON that does not fit <paramref name="type"/> (checked only now, on the failure path), otherwise
    /// <see cref="CorruptStateException"/>.
    /// </summary>
    internal StateException Unreadable(StateOwner owner, string key, ReadOnlySpan<byte> bytes, long version, Type type, JsonException error)
    {
        if (JsonValueCheck.Problem(bytes) is null)
        {
            var path = error.Path ?? "$";
            StateLog.TypeMismatch(Logger, owner, key, version, type.Name, path, error);
            return new StateTypeMismatchException(owner, key, version, type, path, error);
        }

        StateLog.CorruptRecord(Logger, owner, key, version, type.Name, error);
        return new CorruptStateException(owner, key, version, type, error);
    }

    internal StateEntry<T> ToEntry<T>(StateOwner owner, StoredRecord record, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return new StateEntry<T>(record.Key, true, Deserialize(owner, record.Key, record.Value, record.Version, typeInfo), record.Version);
        }
        catch (StateException corrupt) when (corrupt is CorruptStateException or StateTypeMismatchException or StateSchemaException)
        {
            return new StateEntry<T>(record.Key, true, default, record.Version, corrupt);
        }
    }
}
