using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedState.Postgres;

namespace TypedState.Tests.Hosting;

/// <summary>The application's logger factory reaches Npgsql only when asked: Npgsql logs every statement at Information.</summary>
public sealed class NpgsqlLoggingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Npgsql_logs_through_the_application_only_with_EnableNpgsqlLogging(bool enabled)
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("logging");
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        services.AddTypedState(b => b.UsePostgres(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.Schema = schema;
            o.EnableNpgsqlLogging = enabled;
        }));

        try
        {
            await using (var provider = services.BuildServiceProvider())
            {
                var state = provider.GetRequiredService<IStateManager>();
                await state.SetAsync(StateOwner.Global, "k", 1);
                Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "k")).Value);
            }

            // TypedState's own categories log either way; Npgsql's only when enabled.
            Assert.Contains(logs.Categories, c => c.StartsWith("TypedState", StringComparison.Ordinal));
            Assert.Equal(enabled, logs.Categories.Any(c => c.StartsWith("Npgsql", StringComparison.Ordinal)));
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    /// <summary>Records the category of every log entry written.</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentDictionary<string, byte> _written = new(StringComparer.Ordinal);

        public IEnumerable<string> Categories => _written.Keys;

        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _written);

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentDictionary<string, byte> written) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                written.TryAdd(category, 0);
        }
    }
}
