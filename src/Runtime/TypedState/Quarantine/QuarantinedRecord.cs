namespace TypedState;

/// <summary>A record moved out of the application's way by <see cref="StateQuarantine"/>: its bytes, where it was and why.</summary>
public sealed class QuarantinedRecord
{
    internal QuarantinedRecord(string id, StateOwner owner, string key, long version, string reason, DateTimeOffset quarantinedAt, ReadOnlyMemory<byte> value)
    {
        Id = id;
        Owner = owner;
        Key = key;
        Version = version;
        Reason = reason;
        QuarantinedAt = quarantinedAt;
        Value = value;
    }

    /// <summary>The id that names it to <see cref="StateQuarantine.RestoreAsync(string, CancellationToken)"/> and the tool.</summary>
    public string Id { get; }

    /// <summary>The owner the record belonged to.</summary>
    public StateOwner Owner { get; }

    /// <summary>The record's key.</summary>
    public string Key { get; }

    /// <summary>The version the record had when it was moved.</summary>
    public long Version { get; }

    /// <summary>Why it was moved (for the startup migrator: the error that stopped its upgrade).</summary>
    public string Reason { get; }

    /// <summary>When it was moved.</summary>
    public DateTimeOffset QuarantinedAt { get; }

    /// <summary>The record's stored bytes, exactly as they were.</summary>
    public ReadOnlyMemory<byte> Value { get; }
}
