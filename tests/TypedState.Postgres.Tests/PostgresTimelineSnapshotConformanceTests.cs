using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// The snapshot conformance suite against the PostgreSQL driver: the shared test server and a fresh schema per
/// driver, created on first use and dropped when the test ends.
/// </summary>
public sealed class PostgresTimelineSnapshotConformanceTests : TimelineSnapshotConformanceTests
{
    private readonly TestSchemas _schemas = new();

    protected override async ValueTask<IStateDriver> CreateDriverAsync()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        return new PostgresStateDriver(new PostgresStateDriverOptions { DataSource = server.DataSource, Schema = _schemas.New("snapshot") });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _schemas.DropAllAsync();
    }
}
