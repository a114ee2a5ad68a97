
namespace TypedState.Tests.Postgres;

/// <summary>The multi-process counters on one PostgreSQL database (the shared ephemeral test server), in a fresh schema.</summary>
public sealed class PostgresMultiProcessCounterTests : MultiProcessCounterTests, IAsyncLifetime
{
    private readonly List<string> _schemas = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await (await PostgresTestServer.GetSharedAsync()).DropSchemasAsync(_schemas);

    protected override async Task<string> CreateStoreSpecAsync()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("multiprocess");
        _schemas.Add(schema);
        return $"postgres|{server.ConnectionString}|{schema}";
    }
}
