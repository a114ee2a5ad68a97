using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// The conformance suite against the PostgreSQL driver: one server for the whole run (see
/// <see cref="PostgresTestServer"/>) and a fresh schema per driver, created by the driver on first use, so every
/// driver starts with an empty store. The schemas are dropped when the test ends.
/// </summary>
public sealed class PostgresConformanceTests : StateStoreConformanceTests
{
    private readonly TestSchemas _schemas = new();

    protected override ValueTask<IStateDriver> CreateDriverAsync() => CreateAsync(listPageSize: null);

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) => CreateAsync(listPageSize);

    private async ValueTask<IStateDriver> CreateAsync(int? listPageSize)
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var options = new PostgresStateDriverOptions { DataSource = server.DataSource, Schema = _schemas.New("conformance") };
        if (listPageSize is { } pageSize)
        {
            options.ListPageSize = pageSize;
        }

        return new PostgresStateDriver(options);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _schemas.DropAllAsync();
    }
}
