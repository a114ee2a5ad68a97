using Microsoft.Extensions.Logging;

namespace TypedState.Diagnostics;

/// <summary>Every log message the core writes, as source-generated <see cref="LoggerMessageAttribute"/> methods.</summary>
internal static partial class StateLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Conflict on {Owner} key '{Key}': expected {Expected}, found {Actual}")]
    public static partial void Conflict(ILogger logger, StateOwner owner, string key, long? expected, long actual);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Corrupt record {Owner} key '{Key}' version {Version} could not be read as {Type}")]
    public static partial void CorruptRecord(ILogger logger, StateOwner owner, string key, long version, string type, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The {Driver} driver failed during {Operation} on {Owner}")]
    public static partial void DriverFailure(ILogger logger, string driver, string operation, string owner, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Committed a transaction of {Count} entries")]
    public static partial void TransactionCommitted(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Removed state of {Owner}")]
    public static partial void OwnerRemoved(ILogger logger, StateOwner owner);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Rolled back a transaction of {Count} entries")]
    public static partial void TransactionRolledBack(ILogger logger, int count);
}
