using System.Text.Json;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// Raw JSON: documents the caller already holds, written and read as UTF-8 bytes without a serializer.
public partial class StateManager
{
    /// <inheritdoc />
    /// <remarks>As <see cref="SetAsync{T}"/>: the checks run here, the commit's state machine is returned.</remarks>
    public ValueTask<long> SetJsonAsync(StateOwner owner, string key, ReadOnlyMemory<byte> utf8Json, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        try
        {
            ValidateKey(owner, key);
            ValidateExpectedVersion(expectedVersion);
            bytes = CheckJson(owner, key, utf8Json);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<long>(ex);
        }

        return CommitOneAsync("set", new StateWrite(owner, key, StateWriteKind.Set, bytes, expectedVersion), s_versionOf, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<StateEntry<ReadOnlyMemory<byte>>> GetJsonAsync(StateOwner owner, string key, CancellationToken cancellationToken = default) =>
        ReadAsync<StateEntry<ReadOnlyMemory<byte>>, JsonRead>(owner, key, new JsonRead(this), cancellationToken);

    /// <summary>
    /// A copy of <paramref name="utf8Json"/> to store (the caller may reuse its buffer; a driver may keep ours), once
    /// it is known to be one well-formed JSON value within the size limit.
    /// </summary>
    internal byte[] CheckJson(StateOwner owner, string key, ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Length > Options.MaxValueBytes)
        {
            throw new StateValueTooLargeException(owner, key, utf8Json.Length, Options.MaxValueBytes);
        }

        if (JsonValueCheck.Problem(utf8Json.Span) is { } problem)
        {
            throw new InvalidStateJsonException(owner, key, problem);
        }

        return utf8Json.ToArray();
    }

    /// <summary>The entry of a record read as raw JSON; bytes that are not one JSON value are a corrupt record.</summary>
    internal StateEntry<ReadOnlyMemory<byte>> JsonEntry(StateOwner owner, string key, ReadOnlyMemory<byte> bytes, long version)
    {
        if (JsonValueCheck.Problem(bytes.Span) is { } problem)
        {
            var error = new JsonException(problem);
            StateLog.CorruptRecord(Logger, owner, key, version, nameof(JsonElement), error);
            throw new CorruptStateException(owner, key, version, typeof(JsonElement), error);
        }

        return new StateEntry<ReadOnlyMemory<byte>>(key, true, bytes, version);
    }

    /// <summary><see cref="GetJsonAsync"/>: the stored bytes as an entry, checked to be JSON.</summary>
    private readonly struct JsonRead(StateManager manager) : IRecordRead<StateEntry<ReadOnlyMemory<byte>>>
    {
        public void Validate()
        {
        }

        public StateEntry<ReadOnlyMemory<byte>> Complete(StateOwner owner, string key, StoredRecord? record, in OperationTracker tracker)
        {
            if (record is not { } found)
            {
                tracker.Complete("absent");
                return new StateEntry<ReadOnlyMemory<byte>>(key, false, default, 0);
            }

            var entry = manager.JsonEntry(owner, key, found.Value, found.Version);
            tracker.Complete();
            return entry;
        }
    }
}
