namespace TypedState.Sqlite;

/// <summary>A record's state at some point: its value, or null for a tombstone (a delete), with its version.</summary>
internal readonly record struct SqliteChange(byte[]? Value, long Version)
{
    public bool IsLive => Value is not null;

    /// <summary>The live version: 0 for a tombstone.</summary>
    public long LiveVersion => Value is null ? 0 : Version;
}
