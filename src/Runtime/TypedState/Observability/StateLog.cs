using Microsoft.Extensions.Logging;
using TypedState.Storage;

namespace TypedState.Observability;

/// <summary>Every log message the core writes, as source-generated <see cref="LoggerMessageAttribute"/> methods.</summary>
internal static partial class StateLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Conflict on {Owner} key '{Key}': expected {Expected}, found {Actual}")]
    public static partial void Conflict(ILogger logger, StateOwner owner, string key, long? expected, long actual);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Corrupt record {Owner} key '{Key}' version {Version} could not be read as {Type}")]
    public static partial void CorruptRecord(ILogger logger, StateOwner owner, string key, long version, string type, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Record {Owner} key '{Key}' version {Version} is JSON that does not fit {Type} at {Path}")]
    public static partial void TypeMismatch(ILogger logger, StateOwner owner, string key, long version, string type, string path, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The {Driver} driver failed during {Operation} on {Owner}")]
    public static partial void DriverFailure(ILogger logger, string driver, string operation, string owner, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Committed a transaction of {Count} entries")]
    public static partial void TransactionCommitted(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Removed state of {Owner}")]
    public static partial void OwnerRemoved(ILogger logger, StateOwner owner);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Rolled back a transaction of {Count} entries")]
    public static partial void TransactionRolledBack(ILogger logger, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The answer to a {Operation} commit on the {Driver} driver was lost; repeating it under commit id {CommitId} to learn whether it was applied (attempt {Attempt})")]
    public static partial void CommitOutcomeUnknown(ILogger logger, string operation, string driver, CommitId commitId, int attempt, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "The {Operation} commit with id {CommitId} was resolved after {Attempts} attempts: {Resolution}")]
    public static partial void CommitOutcomeResolved(ILogger logger, string operation, CommitId commitId, int attempts, string resolution);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Guild timeline {Operation}: guild '{GuildId}' at head {Head} (paused: {Paused}, forked from: {ForkedFrom}, retained from: {RetainedFrom})")]
    public static partial void TimelineChanged(ILogger logger, string operation, string guildId, long head, bool paused, string? forkedFrom, long retainedFrom);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Took a snapshot of guild '{GuildId}' at sequence {Sequence} ({Records} records)")]
    public static partial void SnapshotTaken(ILogger logger, string guildId, long sequence, int records);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The snapshot of guild '{GuildId}' at sequence {Sequence} is unreadable; rebuilding from an older base")]
    public static partial void SnapshotUnreadable(ILogger logger, string guildId, long sequence, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Detached guild '{GuildId}' from its source: it holds its own state now, readable from sequence {RetainedFrom} to its head {Head}")]
    public static partial void TimelineDetached(ILogger logger, string guildId, long retainedFrom, long head);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Migrating {Type} (scope {Scope}, key '{Key}') to schema version {Version}")]
    public static partial void MigrationStarted(ILogger logger, string type, Scope scope, string key, int version);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Upgraded {Count} {Type} records to version {Version} ({Upgraded} upgraded, {Scanned} owners scanned so far)")]
    public static partial void MigrationBatch(ILogger logger, int count, string type, int version, long upgraded, long scanned);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Migrated {Type}: {Upgraded} records upgraded, {Current} already at version {Version}, {Quarantined} quarantined, {Scanned} owners scanned in {Elapsed}")]
    public static partial void MigrationCompleted(ILogger logger, string type, long upgraded, long current, int version, long quarantined, long scanned, TimeSpan elapsed);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "Migrating {Type} stopped; records already upgraded stay upgraded and the rest are unchanged")]
    public static partial void MigrationFailed(ILogger logger, string type, Exception exception);

    [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "A {Type} batch met a concurrent write; re-reading it (attempt {Attempt})")]
    public static partial void MigrationBatchConflict(ILogger logger, string type, int attempt);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "Quarantined {Owner} key '{Key}' version {Version} as '{QuarantineId}': {Reason}")]
    public static partial void Quarantined(ILogger logger, StateOwner owner, string key, long version, string quarantineId, string reason);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Restored the quarantined record '{QuarantineId}' to {Owner} key '{Key}' at version {Version}")]
    public static partial void QuarantineRestored(ILogger logger, StateOwner owner, string key, string quarantineId, long version);
}
