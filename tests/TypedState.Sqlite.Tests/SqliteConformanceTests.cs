using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>The conformance suite against the SQLite driver, one new database file per driver in a temp folder per test.</summary>
public sealed class SqliteConformanceTests : StateStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<IStateDriver> CreateDriverAsync() => Create(listPageSize: null);

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) => Create(listPageSize);

    private ValueTask<IStateDriver> Create(int? listPageSize)
    {
        // Synchronous = Normal: in WAL mode it changes only whether a commit waits for fsync (power-loss durability,
        // which SqliteCrashDurabilityTests covers), not atomicity, isolation or versions. With the default Full the
        // suite spends most of its time in fsync (about 34 s instead of 5 s on 2 cores).
        var options = new SqliteStateDriverOptions
        {
            ConnectionString = _directory.ConnectionString($"{Guid.NewGuid():N}.db"),
            Synchronous = SqliteSynchronousMode.Normal,
        };
        if (listPageSize is { } pageSize)
        {
            options.ListPageSize = pageSize;
        }

        return ValueTask.FromResult<IStateDriver>(new SqliteStateDriver(options));
    }

    // xUnit calls Dispose after DisposeAsync, which has closed the drivers.
    public void Dispose() => _directory.Dispose();
}
