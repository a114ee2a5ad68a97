using TypedState.DependencyInjection;
using TypedState.Postgres;

namespace TypedState.Orleans.Tests.Stores;

/// <summary>A schema of its own on the test run's PostgreSQL server, dropped at the end.</summary>
public sealed class PostgresTestStore : TestStore
{
    private readonly string _schema = PostgresTestServer.NewSchemaName("orleans");
    private PostgresTestServer? _server;

    public override IReadOnlyList<string> ToolOptions => ["--driver", "postgres", "--connection", _server!.ConnectionString, "--schema", _schema];

    public override void Configure(TypedStateBuilder builder)
    {
        var connectionString = _server?.ConnectionString ?? throw new InvalidOperationException("The PostgreSQL store is not initialized.");
        builder.UsePostgres(o =>
        {
            o.ConnectionString = connectionString;
            o.Schema = _schema;
        });
    }

    public override async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DropSchemasAsync([_schema]);
        }
    }
}
