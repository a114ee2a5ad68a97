using Microsoft.Extensions.Logging;

namespace TypedState.Tool.Commands;

/// <summary>
/// The migrator's log, read for progress: its batch event carries how many owners it has scanned so far, which moves
/// the progress bar (or the plain progress line). Everything else it logs is the tool's to report, not the log's.
/// </summary>
internal sealed class MigrationProgressLogger(Action<long> scanned) : ILogger<StateMigrator>
{
    // The names of StateLog.MigrationBatch and of its owners-scanned value.
    private const string BatchEvent = "MigrationBatch";
    private const string ScannedValue = "Scanned";

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name == BatchEvent && state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var (name, value) in values)
            {
                if (name == ScannedValue && value is long count)
                {
                    scanned(count);
                }
            }
        }
    }
}
