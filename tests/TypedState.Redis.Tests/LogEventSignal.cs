using Microsoft.Extensions.Logging;

namespace TypedState.Tests.Redis;

/// <summary>
/// A logger factory that completes <see cref="Logged"/> the first time any logger it made writes an entry with the
/// given event id and name: a test waits on it to act exactly when the code under test reaches that point.
/// </summary>
internal sealed class LogEventSignal(int id, string name) : ILoggerFactory, ILogger
{
    private readonly TaskCompletionSource<string> _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the first matching entry's message.</summary>
    public Task<string> Logged => _logged.Task;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == id && eventId.Name == name)
        {
            _logged.TrySetResult(formatter(state, exception));
        }
    }
}
