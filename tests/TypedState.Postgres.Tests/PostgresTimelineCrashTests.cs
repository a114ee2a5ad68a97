using TypedState.Postgres;
using Xunit.Abstractions;

namespace TypedState.Tests.Postgres;

/// <summary>
/// The timeline crash check (<see cref="TimelineCrashCheck"/>) on a PostgreSQL schema: a writer killed five times
/// mid-commit, the server keeping or rolling back each transaction whole, and the schema reopened by a new driver
/// after each kill.
/// </summary>
public sealed class PostgresTimelineCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Killing_a_writer_five_times_keeps_the_log_and_the_state_in_agreement_with_every_reported_commit()
    {
        var schema = _schemas.New("crash");
        var connectionString = _server.ConnectionString;
        await TimelineCrashCheck.KillFiveTimesAsync(
            $"postgres|{connectionString}|{schema}",
            () => new PostgresStateManager(connectionString, schema),
            output);
    }
}
