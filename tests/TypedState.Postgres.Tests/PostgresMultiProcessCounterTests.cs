namespace TypedState.Tests.Postgres;

/// <summary>The multi-process counters on one PostgreSQL database (the shared ephemeral test server), in a fresh schema.</summary>
public sealed class PostgresMultiProcessCounterTests : MultiProcessCounterTests, IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schemas.DropAllAsync();

    protected override async Task<string> CreateStoreSpecAsync()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        return $"postgres|{server.ConnectionString}|{_schemas.New("multiprocess")}";
    }
}
