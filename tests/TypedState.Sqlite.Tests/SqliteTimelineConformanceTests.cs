using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>The timeline conformance suite against the SQLite driver, one new database file per driver.</summary>
public sealed class SqliteTimelineConformanceTests : TimelineConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    // Synchronous = Normal, as in SqliteConformanceTests: durability against power loss is not what this suite checks.
    protected override ValueTask<IStateDriver> CreateDriverAsync() =>
        ValueTask.FromResult<IStateDriver>(new SqliteStateDriver(new SqliteStateDriverOptions
        {
            ConnectionString = _directory.ConnectionString($"{Guid.NewGuid():N}.db"),
            Synchronous = SqliteSynchronousMode.Normal,
        }));

    // xUnit calls Dispose after DisposeAsync, which has closed the drivers.
    public void Dispose() => _directory.Dispose();
}
