using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Clients of one new schema, each a manager with a driver and a data source of its own (as separate processes would
/// have), disposed with the schema when the test ends.
/// </summary>
internal sealed class TimelineClients(string purpose) : IAsyncDisposable
{
    private readonly TestSchemas _schemas = new();
    private readonly List<PostgresStateManager> _managers = [];
    private string? _schema;

    /// <summary>Two clients.</summary>
    public async Task<(PostgresStateManager First, PostgresStateManager Second)> TwoAsync() => (await AnotherAsync(), await AnotherAsync());

    /// <summary>One more client of the same schema.</summary>
    public async Task<PostgresStateManager> AnotherAsync()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        _schema ??= _schemas.New(purpose);
        var manager = new PostgresStateManager(server.ConnectionString, _schema);
        _managers.Add(manager);
        return manager;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var manager in _managers)
        {
            await manager.DisposeAsync();
        }

        await _schemas.DropAllAsync();
    }
}
