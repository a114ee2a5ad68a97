using TypedState.Postgres;
using TypedState.Storage;
using TypedState.Tests.Postgres;

namespace TypedState.Tests.Conformance;

/// <summary>
/// The conformance suite against the PostgreSQL driver: one server for the whole run (see
/// <see cref="PostgresTestServer"/>) and a fresh schema per driver, created by the driver on first use, so every
/// driver starts with an empty store. The schemas are dropped when the test ends.
/// </summary>
public sealed class PostgresConformanceTests : StateStoreConformanceTests
{
    private readonly List<string> _schemas = [];

    protected override async ValueTask<IStateDriver> CreateDriverAsync()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("conformance");
        _schemas.Add(schema);
        return new PostgresStateDriver(new PostgresStateDriverOptions { DataSource = server.DataSource, Schema = schema });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await (await PostgresTestServer.GetSharedAsync()).DropSchemasAsync(_schemas);
    }
}
